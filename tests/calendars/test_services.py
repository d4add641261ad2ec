"""Calendar services: weekly hours replaced as a whole, exceptions one date at a time, public
holidays imported without touching what was entered by hand, deletes refused while in use."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.utils import translation

from tamdesk.calendars import services
from tamdesk.calendars.exceptions import (
    CalendarHasNoWorkingTime,
    CalendarInUse,
    ExceptionDateTaken,
    InvalidCalendarException,
    InvalidCountry,
    InvalidWorkingHours,
    InvalidYears,
)
from tamdesk.calendars.models import Calendar, CalendarException, WorkingInterval
from tamdesk.calendars.views import calendar_history
from tests.calendars.factories import OFFICE_DAY, CalendarExceptionFactory, CalendarFactory
from tests.directory.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

RU_2025_CLOSED = [
    *(dt.date(2025, 1, day) for day in range(1, 9)),  # New Year holidays and Christmas
    dt.date(2025, 2, 23),
    dt.date(2025, 3, 8),
    dt.date(2025, 5, 1),
    dt.date(2025, 5, 2),  # moved from Saturday 4 January
    dt.date(2025, 5, 8),  # moved from Sunday 23 February
    dt.date(2025, 5, 9),
    dt.date(2025, 6, 12),
    dt.date(2025, 6, 13),  # moved from Saturday 8 March
    dt.date(2025, 11, 3),  # moved from Saturday 1 November
    dt.date(2025, 11, 4),
    dt.date(2025, 12, 31),  # moved from Sunday 5 January
]


def _rows(calendar: Calendar) -> list[tuple[int, int, int]]:
    return list(
        calendar.working_intervals.order_by("weekday", "start_minute").values_list(
            "weekday", "start_minute", "end_minute"
        )
    )


class TestCreateCalendar:
    def test_creates_the_calendar_with_its_hours(self, users):
        calendar = services.create_calendar(
            name="Novosibirsk office",
            time_zone="Asia/Novosibirsk",
            weekly={0: [(540, 1080)], 4: [(540, 960)]},
            by=users.admin,
        )
        assert (calendar.name, calendar.time_zone, calendar.is_always_open) == (
            "Novosibirsk office",
            "Asia/Novosibirsk",
            False,
        )
        assert _rows(calendar) == [(0, 540, 1080), (4, 540, 960)]

    def test_bad_hours_create_nothing(self, users):
        with pytest.raises(InvalidWorkingHours) as error:
            services.create_calendar(
                name="Broken", time_zone="UTC", weekly={2: [(540, 780), (700, 900)]}, by=users.admin
            )
        assert error.value.code == "invalid_working_hours"
        assert error.value.field == "wednesday"
        assert error.value.message == "Wednesday: 09:00–13:00 overlaps 11:40–15:00."
        assert not Calendar.objects.exists()


class TestSetWeeklyHours:
    def test_replaces_the_hours_writing_only_what_changed(self, users):
        calendar = CalendarFactory()
        kept = calendar.working_intervals.get(weekday=1, start_minute=540).pk

        with set_actor(users.admin):
            services.set_weekly_hours(
                calendar,
                weekly={day: OFFICE_DAY for day in range(4)} | {4: [(540, 960)]},
                by=users.admin,
            )

        assert _rows(calendar) == [
            *((day, start, end) for day in range(4) for start, end in OFFICE_DAY),
            (4, 540, 960),
        ]
        assert calendar.working_intervals.filter(pk=kept).exists()
        entries = calendar_history(calendar)
        assert sorted((e.action, e.object_repr) for e in entries) == [
            (LogEntry.Action.CREATE, "Friday 09:00–16:00"),
            (LogEntry.Action.DELETE, "Friday 09:00–13:00"),
            (LogEntry.Action.DELETE, "Friday 14:00–18:00"),
        ]

    def test_a_weekday_left_out_is_not_a_working_day(self, users):
        calendar = CalendarFactory()
        services.set_weekly_hours(calendar, weekly={5: [(600, 840)]}, by=users.admin)
        assert _rows(calendar) == [(5, 600, 840)]

    def test_a_calendar_in_use_keeps_some_working_time(self, users):
        calendar = CalendarFactory()
        DepartmentFactory(name="Duty engineers", calendar=calendar)
        before = _rows(calendar)

        with pytest.raises(CalendarHasNoWorkingTime) as error:
            services.set_weekly_hours(calendar, weekly={}, by=users.admin)

        assert (error.value.code, error.value.field) == (
            "calendar_has_no_working_time",
            "weekly_hours",
        )
        assert "departments: Duty engineers" in error.value.message
        assert _rows(calendar) == before

    def test_an_unused_or_24x7_calendar_may_have_no_weekly_hours(self, users):
        unused = CalendarFactory()
        services.set_weekly_hours(unused, weekly={}, by=users.admin)
        assert _rows(unused) == []
        duty = CalendarFactory(is_always_open=True)
        DepartmentFactory(calendar=duty)
        services.set_weekly_hours(duty, weekly={}, by=users.admin)
        assert _rows(duty) == []

    @pytest.mark.parametrize(
        ("weekly", "field"),
        [
            ({0: [(600, 540)]}, "monday"),
            ({6: [(0, 1441)]}, "sunday"),
            ({3: [(540, 780), (600, 700)]}, "thursday"),
            ({7: [(540, 780)]}, "weekly_hours"),
        ],
    )
    def test_bad_hours_change_nothing(self, users, weekly, field):
        calendar = CalendarFactory()
        before = _rows(calendar)
        with pytest.raises(InvalidWorkingHours) as error:
            services.set_weekly_hours(calendar, weekly=weekly, by=users.admin)
        assert error.value.field == field
        assert _rows(calendar) == before


class TestExceptions:
    def test_add_a_closed_day_and_special_hours(self, users):
        calendar = CalendarFactory()
        closed = services.add_exception(
            calendar=calendar, date=dt.date(2025, 1, 1), kind="closed", name="New Year", by=None
        )
        short = services.add_exception(
            calendar=calendar,
            date=dt.date(2025, 12, 30),
            kind="special_hours",
            name="Pre-holiday day",
            intervals=[(840, 1020), (540, 780)],
            by=users.admin,
        )
        assert (closed.kind, closed.intervals, closed.source) == ("closed", [], "manual")
        assert short.intervals == [[540, 780], [840, 1020]]

    @pytest.mark.parametrize(
        ("kind", "intervals", "field"),
        [
            ("closed", [(540, 600)], "intervals"),
            ("special_hours", [], "intervals"),
            ("working_day", [(540, 780), (700, 800)], "intervals"),
            ("holiday", [], "kind"),
        ],
    )
    def test_refused_exceptions_write_nothing(self, users, kind, intervals, field):
        calendar = CalendarFactory()
        with pytest.raises(InvalidCalendarException) as error:
            services.add_exception(
                calendar=calendar,
                date=dt.date(2025, 1, 1),
                kind=kind,
                intervals=intervals,
                by=users.admin,
            )
        assert (error.value.code, error.value.field) == ("invalid_exception", field)
        assert not CalendarException.objects.exists()

    def test_one_exception_per_date(self, users):
        existing = CalendarExceptionFactory()
        with pytest.raises(ExceptionDateTaken) as error:
            services.add_exception(
                calendar=existing.calendar, date=existing.date, kind="closed", by=users.admin
            )
        assert (error.value.code, error.value.field) == ("exception_date_taken", "date")
        assert CalendarException.objects.count() == 1

    def test_editing_an_imported_exception_makes_it_manual(self, users):
        imported = CalendarExceptionFactory(source="imported", kind="closed")
        other = CalendarExceptionFactory(calendar=imported.calendar, date=dt.date(2025, 12, 30))

        edited = services.update_exception(
            imported,
            date=imported.date,
            kind="special_hours",
            name="Short day",
            intervals=[(540, 960)],
            by=users.admin,
        )

        assert (edited.kind, edited.intervals, edited.source) == (
            "special_hours",
            [[540, 960]],
            "manual",
        )
        with pytest.raises(ExceptionDateTaken):
            services.update_exception(
                edited, date=other.date, kind="closed", intervals=[], by=users.admin
            )


class TestImportPublicHolidays:
    def test_russia_2025_closed_days_and_the_working_saturday(self, users):
        calendar = CalendarFactory()

        report = services.import_public_holidays(
            calendar, country="RU", year_from=2025, year_to=2025, by=users.admin, language="en"
        )

        assert report == services.HolidayImportReport(created=20)
        closed = calendar.exceptions.filter(kind="closed")
        assert list(closed.values_list("date", flat=True)) == RU_2025_CLOSED
        assert set(closed.values_list("source", flat=True)) == {"imported"}
        assert closed.get(date=dt.date(2025, 1, 7)).name == "Christmas Day"
        saturday = calendar.exceptions.get(kind="working_day")
        assert (saturday.date, saturday.intervals) == (dt.date(2025, 11, 1), [])
        assert saturday.name == "Working day (moved day off)"
        spec = calendar.to_spec()
        assert spec.intervals_on(dt.date(2025, 11, 1)) == OFFICE_DAY
        assert spec.intervals_on(dt.date(2025, 1, 8)) == ()

    def test_running_it_again_changes_nothing(self, users):
        calendar = CalendarFactory()
        services.import_public_holidays(calendar, year_from=2025, year_to=2026, by=None)
        before = list(CalendarException.objects.order_by("pk").values())

        report = services.import_public_holidays(calendar, year_from=2025, year_to=2026, by=None)

        assert report.created == report.updated == report.skipped == 0
        assert report.unchanged == len(before)
        assert list(CalendarException.objects.order_by("pk").values()) == before

    def test_dates_entered_by_hand_are_kept_and_changed_imports_updated(self, users):
        calendar = CalendarFactory()
        CalendarExceptionFactory(
            calendar=calendar,
            date=dt.date(2025, 1, 8),
            kind="working_day",
            name="We work",
            source="manual",
        )
        CalendarExceptionFactory(
            calendar=calendar, date=dt.date(2025, 5, 9), name="Old name", source="imported"
        )

        report = services.import_public_holidays(
            calendar, year_from=2025, year_to=2025, by=None, language="en"
        )

        assert report == services.HolidayImportReport(created=18, updated=1, skipped=1)
        assert calendar.exceptions.get(date=dt.date(2025, 1, 8)).name == "We work"
        assert calendar.exceptions.get(date=dt.date(2025, 5, 9)).name == "Victory Day"

    def test_names_in_russian_when_the_ui_is(self, users):
        calendar = CalendarFactory()
        with translation.override("ru"):
            services.import_public_holidays(calendar, year_from=2025, year_to=2025, by=None)
        assert calendar.exceptions.get(date=dt.date(2025, 6, 12)).name == "День России"

    def test_another_country_has_no_working_saturdays(self, users):
        calendar = CalendarFactory(time_zone="Europe/Berlin")
        report = services.import_public_holidays(
            calendar, country="de", year_from=2025, year_to=2025, by=None, language="en"
        )
        assert report.created == calendar.exceptions.filter(kind="closed").count() > 5
        assert calendar.exceptions.get(date=dt.date(2025, 10, 3)).name == "German Unity Day"

    @pytest.mark.parametrize(
        ("arguments", "error_class", "field"),
        [
            ({"country": "XX"}, InvalidCountry, "country"),
            ({"country": ""}, InvalidCountry, "country"),
            ({"year_from": 2026, "year_to": 2025}, InvalidYears, "year_to"),
            ({"year_from": 2020, "year_to": 2030}, InvalidYears, "year_to"),
            ({"year_from": 1800, "year_to": 1801}, InvalidYears, "year_from"),
            ({"year_from": 2025, "year_to": 3000}, InvalidYears, "year_to"),
        ],
    )
    def test_bad_country_or_years_import_nothing(self, users, arguments, error_class, field):
        calendar = CalendarFactory()
        with pytest.raises(error_class) as error:
            services.import_public_holidays(
                calendar,
                **{"country": "RU", "year_from": 2025, "year_to": 2025, **arguments},
                by=None,
            )
        assert error.value.field == field
        assert error.value.code in ("invalid_country", "invalid_years")
        assert not CalendarException.objects.exists()


class TestDeleteCalendar:
    def test_refused_while_departments_use_it_naming_them(self, users):
        calendar = CalendarFactory()
        DepartmentFactory(name="Duty engineers", calendar=calendar)
        DepartmentFactory(name="Monitoring", calendar=calendar)

        with pytest.raises(CalendarInUse) as error:
            services.delete_calendar(calendar, by=users.admin)

        assert error.value.code == "calendar_in_use"
        assert error.value.status == 409
        assert "departments: Duty engineers, Monitoring" in error.value.message
        assert Calendar.objects.filter(pk=calendar.pk).exists()

    def test_deletes_an_unused_calendar_with_its_hours_and_exceptions(self, users):
        calendar = CalendarExceptionFactory().calendar
        services.delete_calendar(calendar, by=users.admin)
        assert not Calendar.objects.exists()
        assert not WorkingInterval.objects.exists() and not CalendarException.objects.exists()
