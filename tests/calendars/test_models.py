"""Calendars in the database: constraints, and ``to_spec()`` — the calendar as the engine sees
it, with exceptions and 24×7."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tamdesk.calendars.engine import CalendarSpec, working_seconds_between
from tamdesk.calendars.models import Calendar, CalendarException, WorkingInterval
from tests.calendars.factories import (
    OFFICE_DAY,
    CalendarExceptionFactory,
    CalendarFactory,
    WorkingIntervalFactory,
)
from tests.support import violates

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("start", "end"), [(600, 600), (600, 540), (0, 1441), (1440, 1500)])
def test_interval_must_start_before_it_ends_within_the_day(start, end):
    violates(
        WorkingInterval,
        "working_interval_start_before_end_within_day",
        lambda: WorkingIntervalFactory(start_minute=start, end_minute=end),
    )


def test_interval_weekday_is_0_to_6():
    violates(
        WorkingInterval, "working_interval_weekday_range", lambda: WorkingIntervalFactory(weekday=7)
    )


def test_one_interval_per_weekday_and_start():
    interval = WorkingIntervalFactory()
    violates(
        WorkingInterval,
        "working_interval_unique_start",
        lambda: WorkingIntervalFactory(calendar=interval.calendar, end_minute=600),
    )


def test_one_exception_per_calendar_and_date():
    exception = CalendarExceptionFactory()
    CalendarExceptionFactory(date=exception.date)  # another calendar
    violates(
        CalendarException,
        "calendar_exception_unique_date",
        lambda: CalendarExceptionFactory(calendar=exception.calendar, date=exception.date),
    )


@pytest.mark.parametrize(
    ("field", "value", "constraint"),
    [("kind", "weekend", "calendar_exception_kind_valid"),
     ("source", "robot", "calendar_exception_source_valid")],
)  # fmt: skip
def test_exception_kind_and_source_from_their_lists(field, value, constraint):
    violates(CalendarException, constraint, lambda: CalendarExceptionFactory(**{field: value}))


def test_calendar_name_unique():
    CalendarFactory(name="Moscow office")
    violates(Calendar, "name", lambda: CalendarFactory(name="Moscow office"))


def test_time_zone_and_exception_hours_are_validated():
    calendar = Calendar(name="Mars", time_zone="Mars/Olympus")
    with pytest.raises(ValidationError) as error:
        calendar.full_clean()
    assert set(error.value.message_dict) == {"time_zone"}

    closed_with_hours = CalendarException(
        calendar=CalendarFactory(), date=dt.date(2025, 1, 1), kind="closed", intervals=[[0, 60]]
    )
    with pytest.raises(ValidationError) as error:
        closed_with_hours.full_clean()
    assert error.value.message_dict == {"intervals": ["A closed day has no working hours."]}

    overlapping = CalendarException(
        calendar=CalendarFactory(),
        date=dt.date(2025, 1, 1),
        kind="special_hours",
        intervals=[[540, 780], [600, 900]],
    )
    with pytest.raises(ValidationError) as error:
        overlapping.full_clean()
    assert error.value.message_dict == {"intervals": ["09:00–13:00 overlaps 10:00–15:00."]}


def test_to_spec_has_the_weekly_hours_monday_first_and_the_exceptions():
    calendar = CalendarFactory(time_zone="Europe/Moscow")
    CalendarExceptionFactory(calendar=calendar, date=dt.date(2025, 1, 1), kind="closed")
    CalendarExceptionFactory(
        calendar=calendar, date=dt.date(2025, 11, 1), kind="working_day", intervals=[]
    )
    CalendarExceptionFactory(
        calendar=calendar, date=dt.date(2025, 11, 3), kind="working_day", intervals=[[600, 900]]
    )
    CalendarExceptionFactory(
        calendar=calendar, date=dt.date(2025, 12, 30), kind="special_hours", intervals=[[540, 1020]]
    )

    spec = calendar.to_spec()

    assert isinstance(spec, CalendarSpec)
    assert spec.time_zone == "Europe/Moscow"
    assert spec.weekly == (OFFICE_DAY,) * 5 + ((), ())
    assert spec.exceptions == {
        dt.date(2025, 1, 1): (),
        dt.date(2025, 11, 1): OFFICE_DAY,  # a working Saturday works the Monday hours
        dt.date(2025, 11, 3): ((600, 900),),
        dt.date(2025, 12, 30): ((540, 1020),),
    }
    assert spec.intervals_on(dt.date(2025, 1, 2)) == OFFICE_DAY
    assert spec.intervals_on(dt.date(2025, 11, 2)) == ()


def test_a_24x7_calendar_ignores_its_weekly_hours_but_keeps_its_exceptions():
    calendar = CalendarFactory(is_always_open=True, time_zone="Asia/Novosibirsk")
    CalendarExceptionFactory(calendar=calendar, date=dt.date(2025, 5, 9), kind="closed")

    spec = calendar.to_spec()

    assert spec.weekly == (((0, 1440),),) * 7
    assert calendar.weekly_intervals() == spec.weekly
    assert spec.exceptions == {dt.date(2025, 5, 9): ()}
    assert spec.time_zone == "Asia/Novosibirsk"


def test_the_engine_counts_working_time_on_the_spec():
    calendar = CalendarFactory(time_zone="UTC")
    CalendarExceptionFactory(calendar=calendar, date=dt.date(2025, 6, 4), kind="closed")
    spec = calendar.to_spec()

    seconds = working_seconds_between(
        spec,
        dt.datetime(2025, 6, 2, 0, 0, tzinfo=dt.UTC),  # Monday
        dt.datetime(2025, 6, 9, 0, 0, tzinfo=dt.UTC),  # the next Monday
    )

    assert seconds == 4 * 8 * 3600  # five days of eight hours, one of them closed


def test_to_spec_with_prefetched_rows_makes_no_queries(django_assert_num_queries):
    CalendarExceptionFactory(calendar=CalendarFactory(), date=dt.date(2025, 1, 1))
    calendar = Calendar.objects.prefetch_related("working_intervals", "exceptions").get()

    with django_assert_num_queries(0):
        calendar.to_spec()


def test_string_forms():
    calendar = CalendarFactory(name="Moscow office")
    interval = calendar.working_intervals.first()
    exception = CalendarExceptionFactory(calendar=calendar, date=dt.date(2025, 1, 7), name="")

    assert str(calendar) == "Moscow office"
    assert str(interval) == "Monday 09:00–13:00"
    assert str(exception) == "2025-01-07 Closed (holiday, day off)"
    assert exception.get_absolute_url() == f"/calendars/{calendar.pk}/?month=2025-01#exceptions"
