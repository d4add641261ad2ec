"""Working hours as people write them: parsing, checking and formatting (no database)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tamdesk.calendars.intervals import (
    check_intervals,
    format_intervals,
    format_minute,
    parse_clock,
    parse_intervals,
    validate_interval_list,
)


@pytest.mark.parametrize(
    ("text", "minutes"), [("00:00", 0), ("09:00", 540), ("9:30", 570), ("23:59", 1439)]
)
def test_clock_times(text, minutes):
    assert parse_clock(text) == minutes
    assert parse_clock(text, is_end=True) == minutes


def test_24_00_is_the_end_of_the_day_only():
    assert parse_clock("24:00", is_end=True) == 1440
    with pytest.raises(ValidationError) as error:
        parse_clock("24:00")
    assert error.value.code == "invalid_time"


@pytest.mark.parametrize("text", ["", "9", "09:60", "25:00", "24:01", "ab:cd", "09.00", "-1:00"])
def test_malformed_clock_times(text):
    with pytest.raises(ValidationError) as error:
        parse_clock(text, is_end=True)
    assert error.value.code == "invalid_time"


def test_a_day_of_two_intervals_is_parsed_sorted():
    assert parse_intervals("14:00-18:00, 09:00 – 13:00") == ((540, 780), (840, 1080))
    assert parse_intervals("00:00-24:00") == ((0, 1440),)
    assert parse_intervals("09:00-13:00;14:00—18:00\n") == ((540, 780), (840, 1080))


def test_empty_text_is_no_working_time():
    assert parse_intervals("") == ()
    assert parse_intervals(" , ") == ()


def test_every_malformed_part_is_reported():
    with pytest.raises(ValidationError) as error:
        parse_intervals("9-13, 14:00-18:00, 19:00")
    assert error.value.messages == [
        "“9” is not a time between 00:00 and 23:59 (HH:MM).",
        "“19:00” is not a time range like 09:00-13:00.",
    ]


def test_overlapping_intervals_are_refused_touching_ones_are_not():
    assert parse_intervals("09:00-13:00, 13:00-18:00") == ((540, 780), (780, 1080))
    with pytest.raises(ValidationError) as error:
        parse_intervals("09:00-13:00, 12:00-14:00")
    assert error.value.code == "overlap"
    assert error.value.messages == ["09:00–13:00 overlaps 12:00–14:00."]


def test_an_end_not_after_the_start_is_refused():
    with pytest.raises(ValidationError) as error:
        parse_intervals("18:00-09:00")
    assert error.value.code == "invalid_range"
    assert "18:00–09:00" in error.value.messages[0]


@pytest.mark.parametrize(
    "value",
    [[[600, 600]], [[-1, 60]], [[0, 1441]], [[1, 2, 3]], [["9", "10"]], [[True, 10]], [5], {}],
)
def test_stored_interval_lists_are_validated(value):
    with pytest.raises(ValidationError):
        validate_interval_list(value)


def test_check_and_format_round_trip():
    intervals = check_intervals([[840, 1080], [540, 780]])
    assert intervals == ((540, 780), (840, 1080))
    assert format_intervals(intervals) == "09:00-13:00, 14:00-18:00"
    assert parse_intervals(format_intervals(intervals)) == intervals
    assert format_minute(1440) == "24:00"
