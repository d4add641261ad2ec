"""The calendars API: CRUD with nested weekly hours, the exceptions resource, the import of
public holidays, the permission matrix — and refused or invalid calls change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry

from tamdesk.calendars.models import Calendar, CalendarException, WorkingInterval
from tests.calendars.factories import CalendarExceptionFactory, CalendarFactory
from tests.conftest import api_as
from tests.directory.factories import DepartmentFactory
from tests.support import api_for, db_state, refused

pytestmark = pytest.mark.django_db

ACTORS = [
    "anonymous",
    "norole",
    "admin",
    "administrator",
    "service_manager",
    "engineer",
    "tam",
    "lead",
    "architect",
    "programme_lead",
]
EDITORS = {"admin", "administrator", "service_manager"}
OFFICE_HOURS = [
    {"weekday": day, "start": start, "end": end}
    for day in range(5)
    for start, end in (("09:00", "13:00"), ("14:00", "18:00"))
]


#: The rows a refused call must leave as they were.
SNAPSHOT = (Calendar, WorkingInterval, CalendarException, LogEntry)


@pytest.fixture
def admin_api(users):
    return api_as(users.administrator)


@pytest.fixture
def calendar(db):
    return CalendarFactory(name="Moscow office")


class TestCrud:
    def test_a_calendar_in_use_keeps_some_working_time(self, admin_api, calendar):
        DepartmentFactory(name="Duty engineers", calendar=calendar)
        path = f"/api/v1/calendars/{calendar.pk}/"

        errors = refused(
            admin_api,
            "patch",
            path,
            {"weekly_hours": []},
            400,
            "calendar_has_no_working_time",
            models=SNAPSHOT,
        )["errors"]
        assert list(errors) == ["weekly_hours"]

        calendar.is_always_open = True
        calendar.save()
        calendar.working_intervals.all().delete()
        errors = refused(
            admin_api,
            "patch",
            path,
            {"is_always_open": False},
            400,
            "calendar_has_no_working_time",
            models=SNAPSHOT,
        )["errors"]
        assert list(errors) == ["is_always_open"]

    def test_create_with_weekly_hours_and_read_it_back(self, admin_api):
        response = admin_api.post(
            "/api/v1/calendars/",
            {
                "name": "Moscow office 5/2",
                "time_zone": "Europe/Moscow",
                "weekly_hours": OFFICE_HOURS,
            },
            format="json",
        )

        assert response.status_code == 201, response.data
        body = response.data
        assert (body["name"], body["time_zone"], body["is_always_open"]) == (
            "Moscow office 5/2",
            "Europe/Moscow",
            False,
        )
        assert body["weekly_hours"] == OFFICE_HOURS
        assert body["exceptions"] == []
        calendar = Calendar.objects.get()
        assert calendar.to_spec().weekly[0] == ((540, 780), (840, 1080))
        assert admin_api.get(f"/api/v1/calendars/{calendar.pk}/").data["weekly_hours"] == (
            OFFICE_HOURS
        )

    def test_update_replaces_the_hours_only_when_given(self, admin_api, calendar):
        path = f"/api/v1/calendars/{calendar.pk}/"

        renamed = admin_api.patch(path, {"name": "Head office"}, format="json")
        assert renamed.status_code == 200
        assert len(renamed.data["weekly_hours"]) == 10

        night = [{"weekday": 6, "start": "22:00", "end": "24:00"}]
        response = admin_api.patch(path, {"weekly_hours": night}, format="json")
        assert response.status_code == 200, response.data
        assert response.data["weekly_hours"] == night
        assert list(
            calendar.working_intervals.values_list("weekday", "start_minute", "end_minute")
        ) == [(6, 1320, 1440)]

    def test_exceptions_are_read_with_the_calendar(self, admin_api, calendar):
        CalendarExceptionFactory(
            calendar=calendar,
            date=dt.date(2025, 12, 30),
            kind="special_hours",
            name="Short day",
            intervals=[[540, 1020]],
        )

        body = admin_api.get(f"/api/v1/calendars/{calendar.pk}/").data

        assert [dict(item) | {"id": 0} for item in body["exceptions"]] == [
            {
                "id": 0,
                "calendar": calendar.pk,
                "date": "2025-12-30",
                "kind": "special_hours",
                "name": "Short day",
                "name_translations": {},
                "intervals": [{"start": "09:00", "end": "17:00"}],
                "source": "manual",
                "created_at": body["exceptions"][0]["created_at"],
                "updated_at": body["exceptions"][0]["updated_at"],
            }
        ]

    def test_delete_refused_while_a_department_uses_it(self, admin_api, calendar):
        DepartmentFactory(name="Duty engineers", calendar=calendar)
        errors = refused(
            admin_api,
            "delete",
            f"/api/v1/calendars/{calendar.pk}/",
            None,
            409,
            "calendar_in_use",
            models=SNAPSHOT,
        )["errors"]
        assert "departments: Duty engineers" in errors["non_field_errors"][0]

    def test_delete_an_unused_calendar(self, admin_api, calendar):
        response = admin_api.delete(f"/api/v1/calendars/{calendar.pk}/")
        assert response.status_code == 204
        assert not Calendar.objects.exists() and not WorkingInterval.objects.exists()

    def test_list_search_and_query_budget(self, users, django_assert_max_num_queries):
        for number in range(15):
            calendar = CalendarFactory(name=f"Branch {number}")
            CalendarExceptionFactory(calendar=calendar)
        CalendarFactory(name="Duty", is_always_open=True)
        api = api_as(users.engineer)

        with django_assert_max_num_queries(8):
            response = api.get("/api/v1/calendars/")
        assert response.data["count"] == 16
        assert [
            item["name"]
            for item in api.get("/api/v1/calendars/?is_always_open=true").data["results"]
        ] == ["Duty"]
        assert api.get("/api/v1/calendars/?search=branch 1").data["count"] == 6


class TestValidation:
    @pytest.mark.parametrize(
        ("payload", "fields"),
        [
            ({}, {"name"}),
            ({"name": "Moscow office"}, {"name"}),
            ({"name": "X", "time_zone": "Mars/Olympus"}, {"time_zone"}),
            (
                {"name": "X", "weekly_hours": [{"weekday": 7, "start": "09:00", "end": "10:00"}]},
                {"weekly_hours"},
            ),
            (
                {"name": "X", "weekly_hours": [{"weekday": 0, "start": "24:00", "end": "24:00"}]},
                {"weekly_hours"},
            ),
            (
                {"name": "X", "weekly_hours": [{"weekday": 0, "start": "9", "end": 10}]},
                {"weekly_hours"},
            ),
            ({"name": "X", "weekly_hours": "09:00-18:00"}, {"weekly_hours"}),
        ],
    )
    def test_field_errors(self, admin_api, calendar, payload, fields):
        errors = refused(
            admin_api, "post", "/api/v1/calendars/", payload, 400, "invalid", models=SNAPSHOT
        )["errors"]
        assert set(errors) == fields

    def test_overlaps_and_reversed_intervals_are_named_by_weekday(self, admin_api, calendar):
        errors = refused(
            admin_api,
            "patch",
            f"/api/v1/calendars/{calendar.pk}/",
            {
                "weekly_hours": [
                    {"weekday": 0, "start": "09:00", "end": "13:00"},
                    {"weekday": 0, "start": "12:00", "end": "18:00"},
                    {"weekday": 2, "start": "18:00", "end": "09:00"},
                ]
            },
            400,
            "invalid",
            models=SNAPSHOT,
        )["errors"]
        assert errors == {
            "weekly_hours": [
                "Monday: 09:00–13:00 overlaps 12:00–18:00.",
                "Wednesday: 18:00–09:00: the end must be after the start, within 00:00-24:00.",
            ]
        }

    def test_item_errors_are_reported_per_item(self, admin_api, calendar):
        errors = refused(
            admin_api,
            "patch",
            f"/api/v1/calendars/{calendar.pk}/",
            {"weekly_hours": [{"weekday": 0, "start": "09:00", "end": "18:00"}, {"weekday": 1}]},
            400,
            "invalid",
            models=SNAPSHOT,
        )["errors"]
        assert errors["weekly_hours"] == {
            1: {"start": ["This field is required."], "end": ["This field is required."]}
        }


class TestExceptionsResource:
    def test_create_update_delete(self, admin_api, calendar):
        created = admin_api.post(
            "/api/v1/calendar-exceptions/",
            {
                "calendar": calendar.pk,
                "date": "2025-11-01",
                "kind": "working_day",
                "name": "Working Saturday",
            },
            format="json",
        )
        assert created.status_code == 201, created.data
        assert created.data["intervals"] == [] and created.data["source"] == "manual"
        path = f"/api/v1/calendar-exceptions/{created.data['id']}/"

        updated = admin_api.patch(
            path,
            {"kind": "special_hours", "intervals": [{"start": "10:00", "end": "15:00"}]},
            format="json",
        )
        assert updated.status_code == 200, updated.data
        assert updated.data["intervals"] == [{"start": "10:00", "end": "15:00"}]
        assert calendar.to_spec().intervals_on(dt.date(2025, 11, 1)) == ((600, 900),)

        assert admin_api.delete(path).status_code == 204
        assert not CalendarException.objects.exists()

    def test_filters(self, users, calendar):
        CalendarExceptionFactory(calendar=calendar, date=dt.date(2025, 1, 1))
        CalendarExceptionFactory(calendar=calendar, date=dt.date(2026, 1, 1), source="imported")
        CalendarExceptionFactory(date=dt.date(2025, 5, 9))
        api = api_as(users.engineer)

        def dates(query: str) -> list[str]:
            return [
                row["date"]
                for row in api.get(f"/api/v1/calendar-exceptions/?{query}").data["results"]
            ]

        assert dates(f"calendar={calendar.pk}") == ["2025-01-01", "2026-01-01"]
        assert dates("year=2025&ordering=-date") == ["2025-05-09", "2025-01-01"]
        assert dates("source=imported") == ["2026-01-01"]
        assert dates("date_from=2025-02-01&date_to=2025-12-31") == ["2025-05-09"]

    @pytest.mark.parametrize(
        ("payload", "status", "code", "fields"),
        [
            ({"date": "2025-01-01", "kind": "closed"}, 400, "exception_date_taken", {"date"}),
            (
                {
                    "date": "2025-03-01",
                    "kind": "closed",
                    "intervals": [{"start": "09:00", "end": "12:00"}],
                },
                400,
                "invalid",
                {"intervals"},
            ),
            ({"date": "2025-03-01", "kind": "special_hours"}, 400, "invalid", {"intervals"}),
            (
                {
                    "date": "2025-03-01",
                    "kind": "special_hours",
                    "intervals": [{"start": "09:00", "end": "24:30"}],
                },
                400,
                "invalid",
                {"intervals"},
            ),
            ({"date": "2025-02-30", "kind": "holiday"}, 400, "invalid", {"date", "kind"}),
        ],
    )
    def test_refused_input(self, admin_api, calendar, payload, status, code, fields):
        CalendarExceptionFactory(calendar=calendar, date=dt.date(2025, 1, 1))
        errors = refused(
            admin_api,
            "post",
            "/api/v1/calendar-exceptions/",
            {"calendar": calendar.pk, **payload},
            status,
            code,
            models=SNAPSHOT,
        )["errors"]
        assert set(errors) == fields

    def test_an_exception_does_not_move_to_another_calendar(self, admin_api, calendar):
        exception = CalendarExceptionFactory(calendar=calendar)
        other = CalendarFactory()
        errors = refused(
            admin_api,
            "patch",
            f"/api/v1/calendar-exceptions/{exception.pk}/",
            {"calendar": other.pk},
            400,
            "invalid",
            models=SNAPSHOT,
        )["errors"]
        assert set(errors) == {"calendar"}


class TestImportHolidays:
    def test_imports_russia_2025_and_reports_counts(self, admin_api, calendar):
        path = f"/api/v1/calendars/{calendar.pk}/import-holidays/"

        response = admin_api.post(path, {"year_from": 2025, "year_to": 2025}, format="json")

        assert response.status_code == 200, response.data
        # 19 closed days, the working Saturday and three shortened pre-holiday days.
        assert response.data == {"created": 23, "updated": 0, "unchanged": 0, "skipped": 0}
        assert calendar.exceptions.get(date=dt.date(2025, 11, 1)).kind == "working_day"
        assert calendar.exceptions.get(date=dt.date(2025, 4, 30)).intervals == [
            [540, 780],
            [840, 1020],
        ]
        again = admin_api.post(
            path, {"country": "RU", "year_from": 2025, "year_to": 2025}, format="json"
        )
        assert again.data == {"created": 0, "updated": 0, "unchanged": 23, "skipped": 0}

    def test_shortening_can_be_turned_off(self, admin_api, calendar):
        path = f"/api/v1/calendars/{calendar.pk}/import-holidays/"
        data = {"year_from": 2025, "year_to": 2025, "shorten_pre_holidays": False}

        response = admin_api.post(path, data, format="json")

        assert response.data["created"] == 20
        assert not calendar.exceptions.filter(kind="special_hours").exists()

    @pytest.mark.parametrize(
        ("payload", "code", "fields"),
        [
            ({"country": "ZZ", "year_from": 2025, "year_to": 2025}, "invalid_country", {"country"}),
            ({"year_from": 2026, "year_to": 2025}, "invalid_years", {"year_to"}),
            ({"year_from": 2000, "year_to": 2030}, "invalid_years", {"year_to"}),
            ({"year_from": 2150, "year_to": 2150}, "invalid_years", {"year_from"}),
            # Outside the supported range (1970–2200): refused at the edge.
            ({"year_from": 1000, "year_to": 1000}, "invalid", {"year_from", "year_to"}),
            ({"year_from": "soon"}, "invalid", {"year_from", "year_to"}),
        ],
    )
    def test_refused_input(self, admin_api, calendar, payload, code, fields):
        errors = refused(
            admin_api,
            "post",
            f"/api/v1/calendars/{calendar.pk}/import-holidays/",
            payload,
            400,
            code,
            models=SNAPSHOT,
        )["errors"]
        assert set(errors) == fields


def _write_calls(calendar, exception) -> dict:
    return {
        "calendar-create": ("post", "/api/v1/calendars/", {"name": "New", "time_zone": "UTC"}, 201),
        "calendar-update": (
            "patch",
            f"/api/v1/calendars/{calendar.pk}/",
            {"weekly_hours": []},
            200,
        ),
        "calendar-delete": ("delete", f"/api/v1/calendars/{calendar.pk}/", None, 204),
        "import-holidays": (
            "post",
            f"/api/v1/calendars/{calendar.pk}/import-holidays/",
            {"year_from": 2025, "year_to": 2025},
            200,
        ),
        "exception-create": (
            "post",
            "/api/v1/calendar-exceptions/",
            {"calendar": calendar.pk, "date": "2025-05-09", "kind": "closed"},
            201,
        ),
        "exception-update": (
            "patch",
            f"/api/v1/calendar-exceptions/{exception.pk}/",
            {"name": "Renamed"},
            200,
        ),
        "exception-delete": ("delete", f"/api/v1/calendar-exceptions/{exception.pk}/", None, 204),
    }


CALLS = [
    "calendar-create",
    "calendar-update",
    "calendar-delete",
    "import-holidays",
    "exception-create",
    "exception-update",
    "exception-delete",
]


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("name", CALLS)
def test_write_matrix(users, calendar, actor, name):
    exception = CalendarExceptionFactory(calendar=calendar, date=dt.date(2025, 1, 1))
    method, path, data, success = _write_calls(calendar, exception)[name]
    before = db_state(*SNAPSHOT)

    response = getattr(api_for(users, actor), method)(path, data, format="json")

    if actor in EDITORS:
        assert response.status_code == success, response.data
        return
    if actor == "anonymous":
        assert response.status_code == 401
        assert response.data["code"] == "not_authenticated"
    else:
        assert response.status_code == 403, response.data
        assert response.data["code"] == "permission_denied"
    assert db_state(*SNAPSHOT) == before


@pytest.mark.parametrize("actor", ACTORS)
def test_read_matrix(users, calendar, actor):
    exception = CalendarExceptionFactory(calendar=calendar)
    api = api_for(users, actor)
    expected = {"anonymous": 401, "norole": 403}.get(actor, 200)
    for path in (
        "/api/v1/calendars/",
        f"/api/v1/calendars/{calendar.pk}/",
        "/api/v1/calendar-exceptions/",
        f"/api/v1/calendar-exceptions/{exception.pk}/",
    ):
        assert api.get(path).status_code == expected, path


def test_the_schema_documents_the_calendars(settings):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)

    assert set(schema["paths"]["/api/v1/calendars/"]) == {"get", "post"}
    assert set(schema["paths"]["/api/v1/calendar-exceptions/{id}/"]) == {
        "get",
        "put",
        "patch",
        "delete",
    }
    action = schema["paths"]["/api/v1/calendars/{id}/import-holidays/"]["post"]
    assert {"200", "400", "401", "403", "404"} <= set(action["responses"])
    weekly = schema["components"]["schemas"]["WeeklyInterval"]["properties"]
    assert weekly["start"]["pattern"] == r"^([01]?\d|2[0-3]):[0-5]\d$"
    assert weekly["end"]["pattern"].endswith("|^24:00$")
