"""The calendar pages: every page renders for those allowed and is refused to the others, each
form shows bad input as field errors with nothing written, and the month view swaps alone."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
import time_machine
from django.urls import reverse

from tamdesk.calendars.models import Calendar, CalendarException
from tests.calendars.factories import OFFICE_DAY, CalendarExceptionFactory, CalendarFactory
from tests.directory.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

PAGES = [
    ("calendars:calendar_list", None),
    ("calendars:calendar_create", None),
    ("calendars:calendar_detail", "calendar"),
    ("calendars:calendar_update", "calendar"),
    ("calendars:calendar_delete", "calendar"),
    ("calendars:calendar_hours", "calendar"),
    ("calendars:calendar_import_holidays", "calendar"),
    ("calendars:exception_list", None),
    ("calendars:exception_create", None),
    ("calendars:exception_update", "exception"),
    ("calendars:exception_delete", "exception"),
]
READ_PAGES = [page for page in PAGES if page[0].endswith(("_list", "_detail"))]
WRITE_PAGES = [page for page in PAGES if page not in READ_PAGES]
WEEK = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@pytest.fixture
def records(users):
    calendar = CalendarFactory(name="Moscow office")
    return SimpleNamespace(
        calendar=calendar,
        exception=CalendarExceptionFactory(calendar=calendar, date=dt.date(2025, 1, 1)),
    )


def url(name: str, key: str | None, records) -> str:
    return reverse(name) if key is None else reverse(name, args=[getattr(records, key).pk])


def week(**days: str) -> dict:
    return {day: days.get(day, "") for day in WEEK}


def rows(calendar: Calendar) -> list:
    return list(calendar.working_intervals.values_list("weekday", "start_minute", "end_minute"))


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize(("name", "key"), PAGES)
def test_page_renders_for_an_administrator(client, users, records, name, key, language):
    client.force_login(users.admin)

    response = client.get(url(name, key, records), HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 200
    assert f'<html lang="{language}"' in response.content.decode()


@pytest.mark.parametrize(("name", "key"), PAGES)
def test_service_manager_opens_every_page(client, users, records, name, key):
    client.force_login(users.service_manager)
    assert client.get(url(name, key, records)).status_code == 200


@pytest.mark.parametrize(("name", "key"), PAGES)
def test_anonymous_is_sent_to_the_login_page(client, records, name, key):
    response = client.get(url(name, key, records))

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")


@pytest.mark.parametrize(("name", "key"), PAGES)
def test_user_without_a_role_gets_the_403_page(client, users, records, name, key):
    client.force_login(users.norole)

    response = client.get(url(name, key, records))

    assert response.status_code == 403
    assert "Your account has no role in tamdesk yet" in response.content.decode()


@pytest.mark.parametrize("role", ["engineer", "tam", "lead", "architect", "programme_lead"])
def test_other_roles_read_but_may_not_edit(client, users, records, role):
    client.force_login(getattr(users, role))

    for name, key in READ_PAGES:
        assert client.get(url(name, key, records)).status_code == 200, name
    for name, key in WRITE_PAGES:
        assert client.get(url(name, key, records)).status_code == 403, name
    detail = client.get(records.calendar.get_absolute_url()).content.decode()
    assert "/edit/" not in detail and "/delete/" not in detail and "/hours/" not in detail


@pytest.mark.parametrize("role", ["engineer", "norole"])
def test_refused_posts_change_nothing(client, users, records, role):
    client.force_login(getattr(users, role))
    calendar = records.calendar
    before = (rows(calendar), list(CalendarException.objects.values()), Calendar.objects.count())

    posts = [
        ("/calendars/new/", {"name": "X", "time_zone": "UTC", **week()}),
        (f"/calendars/{calendar.pk}/hours/", week(monday="10:00-11:00")),
        (
            f"/calendars/{calendar.pk}/import-holidays/",
            {"country": "RU", "year_from": 2025, "year_to": 2025},
        ),
        (f"/calendars/{calendar.pk}/delete/", {}),
        (
            "/calendars/exceptions/new/",
            {"calendar": calendar.pk, "date": "2025-05-09", "kind": "closed"},
        ),
        (f"/calendars/exceptions/{records.exception.pk}/delete/", {}),
    ]
    for path, data in posts:
        assert client.post(path, data).status_code == 403, path

    assert (rows(calendar), list(CalendarException.objects.values()), Calendar.objects.count()) == (
        before
    )


def test_the_navigation_has_calendars(client, users, records):
    client.force_login(users.engineer)

    content = client.get("/calendars/").content.decode()

    assert 'href="/calendars/"' in content
    assert 'aria-current="page"' in content


def test_list_searches_and_stays_within_a_query_budget(
    client, users, records, django_assert_max_num_queries
):
    for number in range(12):
        CalendarFactory(name=f"Branch {number}", time_zone="Asia/Novosibirsk")
    client.force_login(users.engineer)

    with django_assert_max_num_queries(12):
        response = client.get("/calendars/")
    content = response.content.decode()
    assert "Monday – Friday" in content and "09:00–13:00, 14:00–18:00" in content
    assert "13 records" in content

    found = client.get("/calendars/?q=moscow", HTTP_HX_REQUEST="true").content.decode()
    assert "Moscow office" in found and "Branch 1" not in found and "<html" not in found


class TestCalendarForms:
    def test_create_with_weekly_hours(self, client, users):
        client.force_login(users.service_manager)

        response = client.post(
            "/calendars/new/",
            {"name": "Novosibirsk office", "time_zone": "Asia/Novosibirsk"}
            | week(monday="09:00-18:00", friday="09:00-16:45"),
        )

        calendar = Calendar.objects.get()
        assert response.status_code == 302
        assert response.url == calendar.get_absolute_url()
        assert rows(calendar) == [(0, 540, 1080), (4, 540, 1005)]

    def test_create_with_bad_input_shows_field_errors_and_writes_nothing(self, client, users):
        client.force_login(users.administrator)

        response = client.post(
            "/calendars/new/",
            {"name": "", "time_zone": "Mars/Olympus"} | week(tuesday="09:00-25:00"),
        )

        content = response.content.decode()
        assert response.status_code == 200
        for field in ("name", "time_zone", "tuesday"):
            assert f'id="id_{field}_error"' in content, field
        assert "“25:00” is not a time between 00:00 and 24:00 (HH:MM)." in content
        assert not Calendar.objects.exists()

    def test_edit_keeps_the_hours(self, client, users, records):
        client.force_login(users.administrator)

        response = client.post(
            f"/calendars/{records.calendar.pk}/edit/",
            {"name": "Head office", "time_zone": "Europe/Moscow", "is_always_open": "on"},
        )

        assert response.status_code == 302
        records.calendar.refresh_from_db()
        assert records.calendar.name == "Head office" and records.calendar.is_always_open
        assert len(rows(records.calendar)) == 10

    def test_weekly_hours_replaced_as_a_whole(self, client, users, records):
        client.force_login(users.service_manager)

        response = client.post(
            f"/calendars/{records.calendar.pk}/hours/", week(monday="08:00-12:00, 13:00-17:00")
        )

        assert response.status_code == 302
        assert sorted(rows(records.calendar)) == [(0, 480, 720), (0, 780, 1020)]

    def test_overlapping_hours_are_shown_on_their_weekday_and_nothing_changes(
        self, client, users, records
    ):
        client.force_login(users.service_manager)
        before = sorted(rows(records.calendar))

        response = client.post(
            f"/calendars/{records.calendar.pk}/hours/",
            week(monday="09:00-18:00", thursday="09:00-13:00, 12:30-18:00"),
        )

        content = response.content.decode()
        assert response.status_code == 200
        assert 'id="id_thursday_error"' in content
        assert "09:00–13:00 overlaps 12:30–18:00." in content
        assert 'id="id_monday_error"' not in content
        assert sorted(rows(records.calendar)) == before

    def test_a_calendar_in_use_keeps_some_working_time(self, client, users, records):
        DepartmentFactory(name="Duty engineers", calendar=records.calendar)
        client.force_login(users.service_manager)
        before = sorted(rows(records.calendar))

        response = client.post(f"/calendars/{records.calendar.pk}/hours/", week())

        assert response.status_code == 200
        assert "would have no working time" in response.content.decode()
        assert sorted(rows(records.calendar)) == before

    def test_switching_24x7_on_drops_the_imported_shortened_days(self, client, users, records):
        CalendarExceptionFactory(
            calendar=records.calendar,
            date=dt.date(2025, 3, 7),
            kind="special_hours",
            intervals=[[540, 780], [840, 1020]],
            source="imported",
        )
        client.force_login(users.administrator)

        response = client.post(
            f"/calendars/{records.calendar.pk}/edit/",
            {"name": "Moscow office", "time_zone": "Europe/Moscow", "is_always_open": "on"},
        )

        assert response.status_code == 302
        assert not records.calendar.exceptions.filter(date=dt.date(2025, 3, 7)).exists()
        assert records.calendar.exceptions.filter(date=dt.date(2025, 1, 1)).exists()  # manual

    def test_switching_24x7_off_needs_weekly_hours_when_in_use(self, client, users):
        calendar = CalendarFactory(name="Duty", is_always_open=True, weekly={})
        DepartmentFactory(name="Duty engineers", calendar=calendar)
        client.force_login(users.administrator)

        response = client.post(
            f"/calendars/{calendar.pk}/edit/", {"name": "Duty", "time_zone": "Europe/Moscow"}
        )

        assert response.status_code == 200
        errors = response.context["form"].errors["is_always_open"]
        assert "would have no working time" in " ".join(errors)
        calendar.refresh_from_db()
        assert calendar.is_always_open

    def test_delete_refused_while_a_department_uses_it(self, client, users, records):
        DepartmentFactory(name="Duty engineers", calendar=records.calendar)
        client.force_login(users.administrator)

        response = client.post(f"/calendars/{records.calendar.pk}/delete/", follow=True)

        assert response.redirect_chain == [(records.calendar.get_absolute_url(), 302)]
        assert "departments: Duty engineers" in response.content.decode()
        assert Calendar.objects.filter(pk=records.calendar.pk).exists()

    def test_delete_an_unused_calendar(self, client, users, records):
        client.force_login(users.service_manager)

        response = client.post(f"/calendars/{records.calendar.pk}/delete/")

        assert response.status_code == 302 and response.url == "/calendars/"
        assert not Calendar.objects.exists()


class TestExceptionForms:
    def test_add_from_the_calendar_page_and_come_back(self, client, users, records):
        client.force_login(users.service_manager)
        back = records.calendar.get_absolute_url()

        response = client.post(
            f"/calendars/exceptions/new/?calendar={records.calendar.pk}",
            {
                "calendar": records.calendar.pk,
                "date": "2025-12-30",
                "kind": "special_hours",
                "name": "Pre-holiday day",
                "intervals": "09:00-17:00",
                "next": back,
            },
        )

        assert response.status_code == 302 and response.url == back
        added = records.calendar.exceptions.get(date=dt.date(2025, 12, 30))
        assert (added.kind, added.intervals, added.source) == (
            "special_hours",
            [[540, 1020]],
            "manual",
        )

    def test_the_create_page_preselects_the_calendar(self, client, users, records):
        client.force_login(users.service_manager)
        content = client.get(
            f"/calendars/exceptions/new/?calendar={records.calendar.pk}&date=2025-11-01"
        ).content.decode()
        assert f'<option value="{records.calendar.pk}" selected>' in content
        assert 'value="2025-11-01"' in content

    @pytest.mark.parametrize(
        ("data", "field", "message"),
        [
            (
                {"date": "2025-01-01", "kind": "closed"},
                "date",
                "already has an exception on 2025-01-01",
            ),
            ({"date": "2025-02-30", "kind": "closed"}, "date", "Enter a valid date."),
            (
                {"date": "2025-03-03", "kind": "closed", "intervals": "10:00-12:00"},
                "intervals",
                "A closed day has no working hours.",
            ),
            (
                {"date": "2025-03-03", "kind": "special_hours", "intervals": "12:00-10:00"},
                "intervals",
                "the end must be after the start",
            ),
        ],
    )
    def test_bad_input_shows_the_field_error_and_writes_nothing(
        self, client, users, records, data, field, message
    ):
        client.force_login(users.administrator)
        before = list(CalendarException.objects.values())

        response = client.post(
            "/calendars/exceptions/new/", {"calendar": records.calendar.pk, **data}
        )

        content = response.content.decode()
        assert response.status_code == 200
        assert f'id="id_{field}_error"' in content
        assert message in content
        assert list(CalendarException.objects.values()) == before

    def test_edit_and_delete(self, client, users, records):
        client.force_login(users.administrator)
        exception = records.exception
        back = records.calendar.get_absolute_url()

        response = client.post(
            f"/calendars/exceptions/{exception.pk}/edit/",
            {"date": "2025-01-02", "kind": "working_day", "name": "Open", "next": back},
        )
        assert response.status_code == 302 and response.url == back
        exception.refresh_from_db()
        assert (exception.date, exception.kind, exception.name) == (
            dt.date(2025, 1, 2),
            "working_day",
            "Open",
        )

        response = client.post(f"/calendars/exceptions/{exception.pk}/delete/", {"next": back})
        assert response.status_code == 302 and response.url == back
        assert not CalendarException.objects.exists()


class TestImportHolidays:
    def test_import_reports_what_it_did(self, client, users, records):
        client.force_login(users.service_manager)

        response = client.post(
            f"/calendars/{records.calendar.pk}/import-holidays/",
            {"country": "RU", "year_from": 2025, "year_to": 2025},
            follow=True,
        )

        content = response.content.decode()
        assert response.redirect_chain == [(records.calendar.get_absolute_url(), 302)]
        assert "19 added, 0 updated, 0 unchanged, 1 dates kept as entered by hand" in content
        assert records.calendar.exceptions.filter(source="imported").count() == 19

    def test_imported_names_are_shown_in_the_viewers_language(self, client, users, records):
        client.force_login(users.service_manager)
        client.post(
            f"/calendars/{records.calendar.pk}/import-holidays/",
            {"country": "RU", "year_from": 2025, "year_to": 2025},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        page = records.calendar.get_absolute_url() + "?month=2025-06"

        russian = client.get(page, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
        english = client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()

        assert 'title="День России"' in russian  # the month view
        assert 'title="Russia Day"' not in russian
        assert 'title="Russia Day"' in english

    def test_pre_holiday_days_are_shortened_by_default(self, client, users, records):
        client.force_login(users.service_manager)
        url = f"/calendars/{records.calendar.pk}/import-holidays/"
        page = client.get(url).content.decode()
        assert re.search(r'<input type="checkbox" name="shorten_pre_holidays"[^>]* checked', page)

        response = client.post(
            url,
            {"country": "RU", "year_from": 2025, "year_to": 2025, "shorten_pre_holidays": "on"},
        )

        assert response.status_code == 302
        eve = records.calendar.exceptions.get(date=dt.date(2025, 3, 7))
        assert (eve.kind, eve.intervals) == ("special_hours", [[540, 780], [840, 1020]])

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"country": "XX", "year_from": 2025, "year_to": 2025}, "country"),
            ({"country": "RU", "year_from": 2026, "year_to": 2025}, "year_to"),
            ({"country": "RU", "year_from": 2020, "year_to": 2035}, "year_to"),
            ({"country": "RU", "year_from": 1000, "year_to": 1001}, "year_from"),
            ({"country": "RU", "year_from": "", "year_to": 2025}, "year_from"),
        ],
    )
    def test_bad_input_shows_the_field_error_and_imports_nothing(
        self, client, users, records, data, field
    ):
        client.force_login(users.service_manager)

        response = client.post(f"/calendars/{records.calendar.pk}/import-holidays/", data)

        assert response.status_code == 200
        assert f'id="id_{field}_error"' in response.content.decode()
        assert records.calendar.exceptions.count() == 1


class TestMonthView:
    @pytest.fixture
    def november(self, records):
        calendar = records.calendar
        CalendarExceptionFactory(
            calendar=calendar, date=dt.date(2025, 11, 1), kind="working_day", name="Saturday"
        )
        CalendarExceptionFactory(
            calendar=calendar, date=dt.date(2025, 11, 4), kind="closed", name="Unity Day"
        )
        CalendarExceptionFactory(
            calendar=calendar,
            date=dt.date(2025, 11, 28),
            kind="special_hours",
            name="Short Friday",
            intervals=[[540, 960]],
        )
        return calendar

    def test_the_month_grid_marks_every_kind_of_day(self, client, users, november):
        client.force_login(users.engineer)

        content = client.get(f"{november.get_absolute_url()}?month=2025-11").content.decode()

        assert "November 2025" in content
        assert '<th scope="col" class="text-center small">Mon</th>' in content
        cells = {
            date: content.split(f'data-date="{date}"')[0].rsplit("<td", 1)[1]
            for date in (
                "2025-10-27",
                "2025-11-01",
                "2025-11-02",
                "2025-11-03",
                "2025-11-04",
                "2025-11-28",
                "2025-11-30",
            )
        }
        # October, shown to fill the first week: hatched, not faded (50 % opacity fell below
        # the 4.5:1 contrast of text).
        assert "app-day-outside" in cells["2025-10-27"] and "opacity" not in cells["2025-10-27"]
        assert "app-day-outside" not in cells["2025-11-03"]
        assert "app-day-extra" in cells["2025-11-01"]
        assert "app-day-off" in cells["2025-11-02"]
        assert "app-day-working" in cells["2025-11-03"]
        assert "app-day-holiday" in cells["2025-11-04"]
        assert "app-day-special" in cells["2025-11-28"]
        assert "app-day-off" in cells["2025-11-30"]
        assert "Unity Day" in content and "09:00–16:00" in content
        assert "?month=2025-10" in content and "?month=2025-12" in content
        assert "Exceptions in 2025" in content

    def test_htmx_swaps_the_month_and_the_exceptions_of_its_year(self, client, users, november):
        client.force_login(users.engineer)

        response = client.get(
            f"{november.get_absolute_url()}?month=2026-01", HTTP_HX_REQUEST="true"
        )

        content = response.content.decode()
        assert response.status_code == 200
        assert content.lstrip().startswith('<section id="calendar-month"')
        assert "<html" not in content and "Change history" not in content
        assert "January 2026" in content
        assert "?month=2025-12" in content and "?month=2026-02" in content
        assert 'id="exceptions" aria-labelledby="calendar-exceptions" hx-swap-oob="true"' in content
        assert "Exceptions in 2026" in content and "No exceptions this year." in content

    @time_machine.travel(dt.datetime(2025, 11, 4, 21, 30, tzinfo=dt.UTC), tick=False)
    def test_without_a_month_the_current_month_of_the_calendars_zone(self, client, users, november):
        client.force_login(users.engineer)

        for query in ("", "?month=garbage", "?month=2025-13"):
            content = client.get(f"{november.get_absolute_url()}{query}").content.decode()
            assert "November 2025" in content, query
            # 00:30 on 5 November in Moscow is today there.
            assert 'aria-current="date" data-date="2025-11-05"' in content

    def test_a_24x7_calendar_works_every_day(self, client, users):
        calendar = CalendarFactory(is_always_open=True)
        client.force_login(users.engineer)

        content = client.get(f"{calendar.get_absolute_url()}?month=2025-11").content.decode()

        assert "app-day-off" not in content
        assert content.count("00:00–24:00") == 35

    def test_a_24x7_calendar_lists_every_weekday_around_the_clock(self, client, users):
        calendar = CalendarFactory(is_always_open=True, weekly={})
        client.force_login(users.engineer)

        response = client.get(calendar.get_absolute_url())

        weekly = [(row.days, row.hours) for row in response.context["weekly"]]
        assert weekly == [
            (day, ["24 h, around the clock"])
            for day in (
                "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"
            )
        ]  # fmt: skip
        content = response.content.decode()
        table = content[content.index('id="calendar-weekly"') :]
        table = table[: table.index("</table>")]
        assert ">off<" not in table
        assert table.count("24 h, around the clock") == 7

    def test_the_list_sums_up_a_24x7_calendar_in_one_row(self, users):
        from tamdesk.calendars.templatetags.calendars_ui import weekly_summary

        calendar = CalendarFactory(is_always_open=True, weekly={})

        rows = weekly_summary(calendar)

        assert [(row.days, row.hours) for row in rows] == [
            ("Monday – Sunday", ["24 h, around the clock"])
        ]

    def test_the_detail_page_shows_hours_users_and_history(self, client, users, records):
        DepartmentFactory(name="Unix", calendar=records.calendar)
        from tamdesk.calendars import services

        services.set_weekly_hours(
            records.calendar, weekly={0: OFFICE_DAY, 1: [(600, 900)]}, by=users.admin
        )
        client.force_login(users.engineer)

        content = client.get(records.calendar.get_absolute_url()).content.decode()

        assert ">Unix</a>" in content
        assert "10:00–15:00" in content
        assert "Tuesday 14:00–18:00" in content  # a deleted interval, in the history
        assert "Change history" in content
