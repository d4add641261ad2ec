"""subtract_working_seconds: hand cases, and the minute-by-minute reference on random calendars."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tamdesk.calendars.engine import (
    CalendarRangeError,
    CalendarSpec,
    add_working_seconds,
    compile_calendars,
    is_working,
    subtract_working_seconds,
    working_seconds,
)
from tests.calendars import reference
from tests.calendars.test_engine_properties import DAY, MINUTE, REFERENCE_SPAN, cases, floor_minute

HOUR = 3600
NONE: tuple = ()
OFFICE_DAY = ((9 * 60, 13 * 60), (14 * 60, 18 * 60))  # 09-13 and 14-18: a lunch break
OFFICE = CalendarSpec("Europe/Berlin", (OFFICE_DAY,) * 5 + (NONE, NONE))


def berlin(*fields: int) -> int:
    return int(dt.datetime(*fields, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin")).timestamp())


@pytest.fixture(scope="module")
def cc():
    # January 2024: Monday the 15th, CET all month
    return compile_calendars(
        [OFFICE, CalendarSpec.always_open("UTC")],
        start=berlin(2024, 1, 8),
        end=berlin(2024, 1, 31),
    )


def sub(cc, end: int, seconds: int, cal: int = 0) -> int:
    return int(subtract_working_seconds(cc, cal, end, seconds))


def test_zero_gives_the_end_unchanged_even_outside_working_time(cc):
    assert sub(cc, berlin(2024, 1, 15, 13, 30), 0) == berlin(2024, 1, 15, 13, 30)
    assert sub(cc, berlin(2024, 1, 20, 10), 0) == berlin(2024, 1, 20, 10)


def test_within_one_interval(cc):
    assert sub(cc, berlin(2024, 1, 15, 12), HOUR) == berlin(2024, 1, 15, 11)


def test_across_lunch(cc):
    # Given 14:30 on Monday, when going back one hour, then 12:30 (lunch is not worked)
    assert sub(cc, berlin(2024, 1, 15, 14, 30), HOUR) == berlin(2024, 1, 15, 12, 30)


def test_used_up_at_an_interval_end_gives_the_next_start(cc):
    # 14:00-15:00 is one hour, and so is 13:00-15:00: the latest is 14:00 (a working instant)
    assert sub(cc, berlin(2024, 1, 15, 15), HOUR) == berlin(2024, 1, 15, 14)
    # A whole day back from Tuesday 09:00 is Monday 09:00 (not Monday 18:00 of the week before)
    assert sub(cc, berlin(2024, 1, 16, 9), 8 * HOUR) == berlin(2024, 1, 15, 9)


def test_across_the_weekend(cc):
    # Monday 10:00 back two hours: Friday 17:00
    assert sub(cc, berlin(2024, 1, 15, 10), 2 * HOUR) == berlin(2024, 1, 12, 17)
    # from inside the weekend: Saturday noon back one hour is Friday 17:00
    assert sub(cc, berlin(2024, 1, 13, 12), HOUR) == berlin(2024, 1, 12, 17)


def test_vectorised_over_calendars_and_instants(cc):
    ends = np.array([berlin(2024, 1, 15, 14, 30), berlin(2024, 1, 15, 14, 30)])
    result = subtract_working_seconds(cc, np.array([0, 1]), ends, np.array([HOUR, HOUR]))
    assert result.tolist() == [berlin(2024, 1, 15, 12, 30), berlin(2024, 1, 15, 13, 30)]
    assert subtract_working_seconds(cc, 0, ends.reshape(2, 1), HOUR).shape == (2, 1)


def test_a_result_before_the_compiled_range_raises(cc):
    with pytest.raises(CalendarRangeError, match="before the compiled range"):
        subtract_working_seconds(cc, 0, berlin(2024, 1, 10, 10), 10 * 8 * HOUR)
    with pytest.raises(CalendarRangeError):
        subtract_working_seconds(cc, 1, cc.start + 10, 11)
    assert sub(cc, cc.start + 10, 10, cal=1) == cc.start  # exactly the first instant is fine


def test_invalid_arguments(cc):
    with pytest.raises(ValueError, match="seconds >= 0"):
        subtract_working_seconds(cc, 0, berlin(2024, 1, 15, 10), -1)
    with pytest.raises(CalendarRangeError):
        subtract_working_seconds(cc, 0, cc.end + 1, 1)
    with pytest.raises(TypeError):
        subtract_working_seconds(cc, 0, 1.5, 1)
    with pytest.raises(ValueError, match="calendar indexes"):
        subtract_working_seconds(cc, 2, berlin(2024, 1, 15, 10), 1)


def reference_subtract(spec: CalendarSpec, end: int, seconds: int) -> int:
    """The latest whole minute t with `seconds` of working time in [t, end)."""
    t, remaining = end, seconds
    while remaining:
        assert end - t < REFERENCE_SPAN
        t -= MINUTE
        if reference.is_working(spec, t):
            remaining -= MINUTE
    return t


@settings(max_examples=150, deadline=None)
@given(case=cases(), minutes=st.integers(0, 12 * 60))
def test_subtract_agrees_with_the_reference_on_whole_minutes(case, minutes):
    spec, t = case
    end = floor_minute(t)
    cc = compile_calendars([spec], start=end - 2 * REFERENCE_SPAN, end=end)
    assume(working_seconds(cc, 0, end - REFERENCE_SPAN + MINUTE, end) >= minutes * MINUTE)
    assert sub(cc, end, minutes * MINUTE) == reference_subtract(spec, end, minutes * MINUTE)


@settings(max_examples=200, deadline=None)
@given(case=cases(), seconds=st.integers(0, 2 * DAY))
def test_subtract_is_the_latest_inverse_of_working_seconds(case, seconds):
    spec, end = case
    cc = compile_calendars([spec], start=end - 30 * DAY, end=end)
    available = int(working_seconds(cc, 0, cc.start, end))
    if seconds > available:
        with pytest.raises(CalendarRangeError):
            subtract_working_seconds(cc, 0, end, seconds)
        return
    result = sub(cc, end, seconds)
    assert cc.start <= result <= end
    assert working_seconds(cc, 0, result, end) == seconds
    if seconds == 0:
        assert result == end
    else:
        assert working_seconds(cc, 0, result + 1, end) == seconds - 1
        assert is_working(cc, 0, result)
        # and adding the same amount back lands no later than where it started
        assert add_working_seconds(cc, 0, result, seconds) <= end
