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


SHORT_DAY = [[540, 780], [840, 1020]]  # the office day less its last hour


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

        assert report == services.HolidayImportReport(created=23)
        closed = calendar.exceptions.filter(kind="closed")
        assert list(closed.values_list("date", flat=True)) == RU_2025_CLOSED
        assert set(closed.values_list("source", flat=True)) == {"imported"}
        assert closed.get(date=dt.date(2025, 1, 7)).name == "Christmas Day"
        # Saturday 1 November works for Monday 3 November, the eve of 4 November: shortened.
        saturday = calendar.exceptions.get(kind="working_day")
        assert (saturday.date, saturday.intervals) == (dt.date(2025, 11, 1), SHORT_DAY)
        assert saturday.name == "Working day (moved day off), one hour shorter before a holiday"
        eves = calendar.exceptions.filter(kind="special_hours")
        assert list(eves.values_list("date", flat=True)) == [
            dt.date(2025, 3, 7),
            dt.date(2025, 4, 30),
            dt.date(2025, 6, 11),
        ]
        assert {e.name for e in eves} == {"Pre-holiday day, one hour shorter"}
        spec = calendar.to_spec()
        assert spec.intervals_on(dt.date(2025, 11, 1)) == ((540, 780), (840, 1020))
        assert spec.intervals_on(dt.date(2025, 3, 7)) == ((540, 780), (840, 1020))
        assert spec.intervals_on(dt.date(2025, 5, 7)) == OFFICE_DAY  # before a moved day off
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

        assert report == services.HolidayImportReport(created=21, updated=1, skipped=1)
        assert calendar.exceptions.get(date=dt.date(2025, 1, 8)).name == "We work"
        assert calendar.exceptions.get(date=dt.date(2025, 5, 9)).name == "Victory Day"

    @pytest.mark.parametrize(
        ("year", "norm"),
        [(2019, 1970), (2021, 1972), (2022, 1973), (2023, 1973), (2024, 1979), (2025, 1972)],
    )
    def test_a_40_hour_week_works_the_official_yearly_norm(self, users, year, norm):
        """The yearly working-time norms of a 40-hour week from the official production
        calendars (ConsultantPlus, "Производственный календарь на <year> год", built on the
        government's decrees moving days off: 2019 — 1970 h, 2021 — 1972 h, 2022 — 1973 h,
        2023 — 1973 h, 2024 — 1979 h, 2025 — 1972 h). A norm is 8 h per working day less an
        hour per pre-holiday day, so it checks holidays, moved days and shortened days at once."""
        calendar = CalendarFactory(weekly={day: ((540, 1020),) for day in range(5)})  # 8 h
        services.import_public_holidays(calendar, year_from=year, year_to=year, by=None)
        spec = calendar.to_spec()
        day, minutes = dt.date(year, 1, 1), 0
        while day.year == year:
            minutes += sum(end - start for start, end in spec.intervals_on(day))
            day += dt.timedelta(days=1)
        assert minutes == norm * 60

    @pytest.mark.parametrize(
        ("day", "hours"),
        [
            (dt.date(2024, 2, 22), 7),  # Thursday before Defender of the Fatherland Day
            (dt.date(2024, 3, 7), 7),
            (dt.date(2024, 4, 27), 8),  # Saturday working for Monday 29 April: a full day
            (dt.date(2024, 5, 8), 7),
            (dt.date(2024, 11, 2), 7),  # Saturday working for Tuesday 30 April, eve of 1 May
            (dt.date(2024, 12, 28), 8),  # Saturday working for Monday 30 December: a full day
            (dt.date(2025, 3, 7), 7),  # Friday before 8 March, a Saturday
            (dt.date(2025, 4, 30), 7),
            (dt.date(2025, 5, 7), 8),  # before 8 May, a moved day off, not a holiday
            (dt.date(2025, 6, 11), 7),
            (dt.date(2025, 11, 1), 7),
            (dt.date(2025, 12, 30), 8),  # before 31 December, a moved day off
        ],
    )
    def test_shortened_days_of_2024_and_2025(self, users, day, hours):
        """Saturday 28 December 2024 is a full working day: it takes the place of Monday
        30 December (government decree No. 1335 of 10 August 2023; Rostrud's explanations)."""
        calendar = CalendarFactory(weekly={day: ((540, 1020),) for day in range(5)})
        services.import_public_holidays(calendar, year_from=2024, year_to=2025, by=None)
        worked = sum(end - start for start, end in calendar.to_spec().intervals_on(day))
        assert worked == hours * 60

    def test_a_manual_exception_on_a_shortened_day_wins(self, users):
        calendar = CalendarFactory()
        services.add_exception(
            calendar=calendar,
            date=dt.date(2025, 3, 7),
            kind="special_hours",
            name="Party",
            intervals=[(540, 840)],
            by=users.admin,
        )
        report = services.import_public_holidays(calendar, year_from=2025, year_to=2025, by=None)
        assert report.skipped == 1
        assert calendar.exceptions.get(date=dt.date(2025, 3, 7)).intervals == [[540, 840]]

    def test_shortening_can_be_turned_off_and_is_never_done_on_24x7(self, users):
        calendar = CalendarFactory()
        services.import_public_holidays(
            calendar, year_from=2025, year_to=2025, by=None, shorten_pre_holidays=False
        )
        assert not calendar.exceptions.filter(kind="special_hours").exists()
        assert calendar.exceptions.get(date=dt.date(2025, 11, 1)).intervals == []
        duty = CalendarFactory(is_always_open=True)
        services.import_public_holidays(duty, year_from=2025, year_to=2025, by=None)
        assert not duty.exceptions.filter(kind="special_hours").exists()

    def test_shortened_days_follow_the_weekly_hours_and_the_24x7_switch(self, users):
        calendar = CalendarFactory()
        services.import_public_holidays(calendar, year_from=2025, year_to=2025, by=None)
        # Fridays now 10:00–16:00; Wednesdays off; Mondays 08:00–12:00.
        services.set_weekly_hours(
            calendar, weekly={0: [(480, 720)], 4: [(600, 960)]}, by=users.admin
        )

        assert calendar.exceptions.get(date=dt.date(2025, 3, 7)).intervals == [[600, 900]]
        assert not calendar.exceptions.filter(date=dt.date(2025, 4, 30)).exists()  # Wednesday
        saturday = calendar.exceptions.get(date=dt.date(2025, 11, 1))
        assert saturday.intervals == [[480, 660]]  # the Monday hours less an hour

        calendar.is_always_open = True
        calendar.save()
        assert services.refresh_shortened_days(calendar) == 2
        assert not calendar.exceptions.filter(kind="special_hours").exists()
        assert calendar.exceptions.get(date=dt.date(2025, 11, 1)).intervals == []

    def test_another_weekly_schedule_loses_its_own_last_hour(self, users):
        calendar = CalendarFactory(weekly={4: ((600, 720), (750, 780)), 0: ((540, 600),)})
        services.import_public_holidays(calendar, year_from=2025, year_to=2025, by=None)
        # Friday 7 March: 10:00–12:00, 12:30–13:00 less an hour → 10:00–11:30.
        assert calendar.exceptions.get(date=dt.date(2025, 3, 7)).intervals == [[600, 690]]
        # Wednesday 30 April and 11 June: the calendar does not work Wednesdays.
        assert not calendar.exceptions.filter(date=dt.date(2025, 4, 30)).exists()
        # Saturday 1 November works the Monday hours (one hour): nothing to shorten.
        assert calendar.exceptions.get(date=dt.date(2025, 11, 1)).intervals == []

    def test_names_are_kept_in_every_language_and_shown_in_the_viewers(self, users):
        calendar = CalendarFactory()
        services.import_public_holidays(
            calendar, year_from=2025, year_to=2025, by=None, language="en"
        )
        russia_day = calendar.exceptions.get(date=dt.date(2025, 6, 12))
        assert russia_day.name == "Russia Day"
        assert russia_day.name_translations == {"en": "Russia Day", "ru": "День России"}
        # Our own labels are stored in each language too (translated by the catalogue).
        eve = calendar.exceptions.get(date=dt.date(2025, 6, 11))
        assert set(eve.name_translations) == {"en", "ru"}
        assert eve.name_translations["en"] == "Pre-holiday day, one hour shorter"
        with translation.override("ru"):
            assert russia_day.display_name == "День России"
        with translation.override("en"):
            assert russia_day.display_name == "Russia Day"

    def test_a_renamed_holiday_shows_its_new_name_in_every_language(self, users):
        calendar = CalendarFactory()
        services.import_public_holidays(calendar, year_from=2025, year_to=2025, by=None)
        holiday = calendar.exceptions.get(date=dt.date(2025, 6, 12))
        edited = services.update_exception(
            holiday, date=holiday.date, kind="closed", name="Office closed", by=users.admin
        )
        assert edited.name_translations == {}
        with translation.override("ru"):
            assert edited.display_name == "Office closed"

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
