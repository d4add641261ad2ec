"""The working-time engine on hand-computed examples (no database)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import zoneinfo

import numpy as np
import pytest

from tamdesk.calendars import engine
from tamdesk.calendars.engine import (
    COMPILE_MARGIN_SECONDS,
    CalendarRangeError,
    CalendarSpec,
    add_working_seconds,
    add_working_time,
    compile_calendars,
    is_working,
    is_working_at,
    next_working_datetime,
    next_working_instant,
    working_seconds,
    working_seconds_between,
)

HOUR = 3600
NONE: tuple = ()
OFFICE_DAY = ((9 * 60, 13 * 60), (14 * 60, 18 * 60))  # 09-13 and 14-18: a lunch break
OFFICE = CalendarSpec("Europe/Berlin", (OFFICE_DAY,) * 5 + (NONE, NONE))


def at(zone: str, *fields: int) -> dt.datetime:
    """A wall-clock time in a zone (fold=0: the first of a repeated hour)."""
    return dt.datetime(*fields, tzinfo=zoneinfo.ZoneInfo(zone))


def utc(*fields: int) -> dt.datetime:
    return dt.datetime(*fields, tzinfo=dt.UTC)


def epoch(moment: dt.datetime) -> int:
    return int(moment.timestamp())


def berlin(*fields: int) -> dt.datetime:
    return at("Europe/Berlin", *fields)


def every_day(*intervals: tuple[int, int], zone: str) -> CalendarSpec:
    return CalendarSpec(zone, (tuple(intervals),) * 7)


# --- ordinary days (January 2024: Monday the 15th, CET all month) ---------------------------------


def test_lunch_break_is_not_worked():
    # Given an office day 09-13, 14-18, when counting 08:00-19:00, then 8 hours
    assert working_seconds_between(OFFICE, berlin(2024, 1, 15, 8), berlin(2024, 1, 15, 19)) == (
        8 * HOUR
    )
    # 12:30-14:30 straddles lunch: half an hour on each side
    assert working_seconds_between(
        OFFICE, berlin(2024, 1, 15, 12, 30), berlin(2024, 1, 15, 14, 30)
    ) == (HOUR)
    # entirely inside lunch
    assert (
        working_seconds_between(OFFICE, berlin(2024, 1, 15, 13, 10), berlin(2024, 1, 15, 13, 50))
        == 0
    )


def test_adding_across_lunch_and_exactly_to_an_interval_end():
    assert add_working_time(OFFICE, berlin(2024, 1, 15, 12, 30), HOUR) == berlin(
        2024, 1, 15, 14, 30
    )
    assert add_working_time(OFFICE, berlin(2024, 1, 15, 13, 15), HOUR // 2) == berlin(
        2024, 1, 15, 14, 30
    )
    # 4 hours from 09:00 end at 13:00, the earliest such instant, not at 14:00
    assert add_working_time(OFFICE, berlin(2024, 1, 15, 9), 4 * HOUR) == berlin(2024, 1, 15, 13)


def test_results_are_utc_aware():
    result = add_working_time(OFFICE, berlin(2024, 1, 15, 9), HOUR)
    assert result.tzinfo == dt.UTC
    assert result == utc(2024, 1, 15, 9)  # 10:00 CET


def test_span_starting_and_ending_outside_working_hours():
    # Sunday evening to Monday 08:00: nothing
    assert working_seconds_between(OFFICE, berlin(2024, 1, 14, 20), berlin(2024, 1, 15, 8)) == 0
    # Friday 17:00 to Monday 10:00: Friday 17-18 and Monday 09-10
    assert working_seconds_between(OFFICE, berlin(2024, 1, 19, 17), berlin(2024, 1, 22, 10)) == (
        2 * HOUR
    )


def test_weekend_is_skipped():
    # Friday 12:00 to Monday 12:00: Friday 12-13, 14-18 (5 h) and Monday 09-12 (3 h)
    assert working_seconds_between(OFFICE, berlin(2024, 1, 19, 12), berlin(2024, 1, 22, 12)) == (
        8 * HOUR
    )
    # an hour added at Friday 17:30 ends Monday 09:30
    assert add_working_time(OFFICE, berlin(2024, 1, 19, 17, 30), HOUR) == berlin(2024, 1, 22, 9, 30)
    assert next_working_datetime(OFFICE, berlin(2024, 1, 20, 11)) == berlin(2024, 1, 22, 9)


def test_next_working_datetime_is_the_instant_itself_inside_working_time():
    assert next_working_datetime(OFFICE, berlin(2024, 1, 15, 10, 7)) == berlin(2024, 1, 15, 10, 7)
    assert next_working_datetime(OFFICE, berlin(2024, 1, 15, 13)) == berlin(2024, 1, 15, 14)
    assert is_working_at(OFFICE, berlin(2024, 1, 15, 12, 59, 59))
    assert not is_working_at(OFFICE, berlin(2024, 1, 15, 13))


def test_end_before_start_is_zero():
    assert working_seconds_between(OFFICE, berlin(2024, 1, 15, 12), berlin(2024, 1, 15, 10)) == 0


def test_closed_exception_day():
    # Given Wednesday 17 January closed, when counting Monday to Saturday, then 4 days of 8 hours
    spec = dataclasses.replace(OFFICE, exceptions={dt.date(2024, 1, 17): ()})
    assert working_seconds_between(spec, berlin(2024, 1, 15), berlin(2024, 1, 20)) == 32 * HOUR
    assert add_working_time(spec, berlin(2024, 1, 16, 17, 30), HOUR) == berlin(2024, 1, 18, 9, 30)


def test_extra_working_saturday_with_a_transferred_day_off():
    # Russian-style transfer: Saturday 20 January works 10:00-15:00, Monday 22 January is off
    spec = dataclasses.replace(
        OFFICE, exceptions={dt.date(2024, 1, 20): ((600, 900),), dt.date(2024, 1, 22): ()}
    )
    assert working_seconds_between(spec, berlin(2024, 1, 20), berlin(2024, 1, 21)) == 5 * HOUR
    assert working_seconds_between(spec, berlin(2024, 1, 19, 18), berlin(2024, 1, 23, 10)) == (
        6 * HOUR
    )
    assert next_working_datetime(spec, berlin(2024, 1, 19, 20)) == berlin(2024, 1, 20, 10)


def test_midnight_crossing_night_shift_merges_into_one_interval():
    # 22:00-24:00 and 00:00-06:00 every day: one shift 22:00-06:00 across midnight
    night = every_day((0, 360), (1320, 1440), zone="UTC")
    assert working_seconds_between(night, utc(2024, 1, 15, 23), utc(2024, 1, 16, 1)) == 2 * HOUR
    assert add_working_time(night, utc(2024, 1, 15, 5), 2 * HOUR) == utc(2024, 1, 15, 23)
    cc = compile_calendars([night], start=epoch(utc(2024, 1, 15)), end=epoch(utc(2024, 1, 16)))
    starts, ends = cc.intervals(0)
    shift = np.searchsorted(starts, epoch(utc(2024, 1, 15, 22)))
    assert (starts[shift], ends[shift]) == (epoch(utc(2024, 1, 15, 22)), epoch(utc(2024, 1, 16, 6)))


def test_always_open_in_utc_is_plain_arithmetic():
    spec = CalendarSpec.always_open()
    assert working_seconds_between(spec, utc(2024, 1, 1), utc(2024, 3, 1)) == 60 * 24 * HOUR
    assert add_working_time(spec, utc(2024, 1, 1, 12), 10**7) == utc(2024, 1, 1, 12) + dt.timedelta(
        seconds=10**7
    )
    cc = compile_calendars([spec], start=epoch(utc(2024, 1, 1)), end=epoch(utc(2024, 12, 31)))
    starts, _ends = cc.intervals(0)
    assert starts.size == 1  # every day merged into one interval


def test_always_open_days_last_23_or_25_hours_across_dst():
    spec = CalendarSpec.always_open("Europe/Berlin")
    assert working_seconds_between(spec, berlin(2024, 3, 31), berlin(2024, 4, 1)) == 23 * HOUR
    assert working_seconds_between(spec, berlin(2024, 10, 27), berlin(2024, 10, 28)) == 25 * HOUR


# --- DST: the skipped hour is never worked, the repeated hour is worked twice ---------------------


def test_berlin_spring_forward_skips_the_hour():
    # Every day 01:00-04:00; on 31 March 2024, 02:00 CET jumps to 03:00 CEST (01:00 UTC)
    spec = every_day((60, 240), zone="Europe/Berlin")
    assert working_seconds_between(spec, berlin(2024, 3, 30), berlin(2024, 3, 31)) == 3 * HOUR
    assert working_seconds_between(spec, berlin(2024, 3, 31), berlin(2024, 4, 1)) == 2 * HOUR
    # an hour from 01:30 CET (00:30 UTC) ends at 03:30 CEST (01:30 UTC)
    assert add_working_time(spec, utc(2024, 3, 31, 0, 30), HOUR) == utc(2024, 3, 31, 1, 30)


def test_berlin_fall_back_works_the_repeated_hour_twice():
    # On 27 October 2024, 03:00 CEST goes back to 02:00 CET (01:00 UTC)
    spec = every_day((60, 240), zone="Europe/Berlin")
    assert working_seconds_between(spec, berlin(2024, 10, 27), berlin(2024, 10, 28)) == 4 * HOUR
    # 02:30-04:00 happens from 02:30 CEST to 03:00 CEST (00:30-01:00 UTC), then again from
    # 02:30 CET to 04:00 CET (01:30-03:00 UTC): 2 hours instead of 1.5
    spec = every_day((150, 240), zone="Europe/Berlin")
    assert working_seconds_between(spec, berlin(2024, 10, 26), berlin(2024, 10, 27)) == 90 * 60
    assert working_seconds_between(spec, berlin(2024, 10, 27), berlin(2024, 10, 28)) == 2 * HOUR
    assert is_working_at(spec, utc(2024, 10, 27, 0, 45))  # 02:45 CEST
    assert not is_working_at(spec, utc(2024, 10, 27, 1, 15))  # 02:15 CET
    assert next_working_datetime(spec, utc(2024, 10, 27, 1)) == utc(2024, 10, 27, 1, 30)


def test_an_interval_entirely_inside_the_skipped_hour_is_never_worked():
    spec = every_day((120, 150), zone="Europe/Berlin")  # 02:00-02:30
    assert working_seconds_between(spec, berlin(2024, 3, 31), berlin(2024, 4, 1)) == 0
    assert next_working_datetime(spec, berlin(2024, 3, 31)) == berlin(2024, 4, 1, 2)


def test_new_york_spring_forward_and_fall_back():
    # Every day 00:00-06:00; 10 March 2024 02:00 EST -> 03:00 EDT, 3 November 02:00 EDT -> 01:00 EST
    spec = every_day((0, 360), zone="America/New_York")
    new_york = "America/New_York"
    day = working_seconds_between
    assert day(spec, at(new_york, 2024, 3, 9), at(new_york, 2024, 3, 10)) == 6 * HOUR
    assert day(spec, at(new_york, 2024, 3, 10), at(new_york, 2024, 3, 11)) == 5 * HOUR
    assert day(spec, at(new_york, 2024, 11, 3), at(new_york, 2024, 11, 4)) == 7 * HOUR
    # 3 hours from 23:00 EDT on the 2nd: 00-01 EDT, 01-02 EDT, 01-02 EST, ending 02:00 EST
    assert add_working_time(spec, utc(2024, 11, 3, 3), 3 * HOUR) == utc(2024, 11, 3, 7)


def test_lord_howe_shifts_by_half_an_hour():
    # +10:30 standard, +11:00 summer time; every day 01:00-03:00
    spec = every_day((60, 180), zone="Australia/Lord_Howe")
    zone = "Australia/Lord_Howe"
    day = working_seconds_between
    assert day(spec, at(zone, 2024, 5, 1), at(zone, 2024, 5, 2)) == 2 * HOUR
    # 7 April 2024: 02:00 back to 01:30, so 01:30-02:00 is worked twice
    assert day(spec, at(zone, 2024, 4, 7), at(zone, 2024, 4, 8)) == 150 * 60
    # 6 October 2024: 02:00 jumps to 02:30, so 02:00-02:30 never happens
    assert day(spec, at(zone, 2024, 10, 6), at(zone, 2024, 10, 7)) == 90 * 60
    # 01:00 standard (14:30 UTC) + 1 h 30 min: 01:00-02:00 standard, 02:30-03:00 summer time
    assert add_working_time(spec, utc(2024, 10, 5, 14, 30), 90 * 60) == utc(2024, 10, 5, 16)


def test_moscow_2011_permanent_summer_time_and_2014_return():
    spec = CalendarSpec.always_open("Europe/Moscow")
    moscow = "Europe/Moscow"
    day = working_seconds_between
    assert day(spec, at(moscow, 2011, 3, 27), at(moscow, 2011, 3, 28)) == 23 * HOUR
    assert day(spec, at(moscow, 2011, 10, 30), at(moscow, 2011, 10, 31)) == 24 * HOUR  # no change
    assert day(spec, at(moscow, 2014, 10, 26), at(moscow, 2014, 10, 27)) == 25 * HOUR


def test_moscow_office_hours_in_utc_follow_the_offset():
    office = CalendarSpec("Europe/Moscow", (((540, 1080),),) * 5 + (NONE, NONE))
    # winter 2011/12 stayed at +4: 09:00 is 05:00 UTC
    assert next_working_datetime(office, utc(2011, 12, 3)) == utc(2011, 12, 5, 5)
    # 2014: +4 until Sunday 26 October, +3 from then on
    assert next_working_datetime(office, utc(2014, 10, 23, 12)) == utc(2014, 10, 23, 12)
    assert next_working_datetime(office, utc(2014, 10, 24, 15)) == utc(2014, 10, 27, 6)


# --- many calendars, vectorised -------------------------------------------------------------------


def test_many_calendars_in_one_call():
    night = every_day((0, 360), (1320, 1440), zone="UTC")
    specs = [OFFICE, CalendarSpec.always_open("America/New_York"), night]
    monday = epoch(utc(2024, 1, 15))
    cc = compile_calendars(specs, start=monday, end=monday + 7 * 24 * HOUR)
    cal = np.array([0, 1, 2, 0, 2])
    start = np.array([monday, monday, monday, monday + 13 * HOUR, monday + 5 * HOUR])
    end = start + np.array([24, 24, 24, 1, 20]) * HOUR
    # office: 08-12, 13-17 UTC; 24x7: 24 h; night: 00-06 and 22-24; 13:00 UTC is 14:00 CET;
    # night from 05:00 for 20 h: 05-06 and 22-01
    assert working_seconds(cc, cal, start, end).tolist() == [h * HOUR for h in (8, 24, 8, 1, 4)]
    added = add_working_seconds(cc, cal, start, np.array([HOUR, HOUR, HOUR, 0, 2 * HOUR]))
    expected = [monday + h * HOUR for h in (9, 1, 1, 13, 23)]
    assert added.tolist() == expected
    t = np.array([monday + 12 * HOUR + 1800] * 3)
    assert is_working(cc, np.arange(3), t).tolist() == [False, True, False]
    assert next_working_instant(cc, np.arange(3), t).tolist() == [
        monday + 13 * HOUR,
        t[1],
        monday + 22 * HOUR,
    ]


def test_a_scalar_calendar_index_broadcasts_over_instants():
    monday = epoch(utc(2024, 1, 15))
    cc = compile_calendars([OFFICE], start=monday, end=monday + 24 * HOUR)
    starts = monday + np.arange(0, 24, 6) * HOUR
    assert working_seconds(cc, 0, starts, starts + 6 * HOUR).tolist() == [0, 4 * HOUR, 4 * HOUR, 0]


def test_large_queries_run_in_chunks_with_the_same_answers(monkeypatch):
    # Given 24x7 in UTC (plain arithmetic) and an office calendar, over more rows than a chunk
    specs = [CalendarSpec.always_open(), OFFICE]
    monday = epoch(utc(2024, 1, 15))
    cc = compile_calendars(specs, start=monday, end=monday + 60 * 24 * HOUR)
    rng = np.random.default_rng(7)
    rows = 3 * engine._CHUNK_ROWS + 5
    cal = rng.integers(0, 2, rows)
    start = rng.integers(monday, monday + 30 * 24 * HOUR, rows)
    end = start + rng.integers(-HOUR, 10 * 24 * HOUR, rows)
    amount = rng.integers(0, 24 * HOUR, rows)
    counted = working_seconds(cc, cal, start, end)
    added = add_working_seconds(cc, cal, start, amount)
    always = cal == 0
    assert (counted[always] == np.maximum(end - start, 0)[always]).all()
    assert (added[always] == (start + amount)[always]).all()
    # when chunks are tiny, then every answer is the same
    monkeypatch.setattr(engine, "_CHUNK_ROWS", 7)
    assert (working_seconds(cc, cal, start, end) == counted).all()
    assert (add_working_seconds(cc, cal, start, amount) == added).all()


def test_one_calendar_never_borrows_another_ones_working_time():
    closed = CalendarSpec("UTC", (NONE,) * 7)
    monday = epoch(utc(2024, 1, 15))
    cc = compile_calendars([closed, CalendarSpec.always_open()], start=monday, end=monday + HOUR)
    assert working_seconds(cc, [0, 1], [cc.start] * 2, [cc.end] * 2).tolist() == [
        0,
        cc.end - cc.start,
    ]
    with pytest.raises(CalendarRangeError):
        add_working_seconds(cc, [0], [monday], [1])
    with pytest.raises(CalendarRangeError):
        next_working_instant(cc, [0], [monday])


# --- ranges ---------------------------------------------------------------------------------------


def test_compiled_range_has_a_margin_and_rejects_instants_outside_it():
    monday = epoch(utc(2024, 1, 15))
    cc = compile_calendars([OFFICE], start=monday, end=monday + HOUR)
    assert (cc.start, cc.end) == (
        monday - COMPILE_MARGIN_SECONDS,
        monday + HOUR + COMPILE_MARGIN_SECONDS,
    )
    with pytest.raises(CalendarRangeError):
        working_seconds(cc, [0], [cc.start - 1], [monday])
    with pytest.raises(CalendarRangeError):
        is_working(cc, [0], [cc.end + 1])
    # Monday 8 January to 02:00 CET on Monday 22 January: two weeks of five 8-hour days
    assert working_seconds(cc, [0], [cc.start], [cc.end]).tolist() == [2 * 5 * 8 * HOUR]


def test_results_beyond_the_compiled_range_raise():
    friday_evening = epoch(berlin(2024, 1, 19, 20))
    cc = compile_calendars([OFFICE], start=friday_evening, end=friday_evening, margin_seconds=0)
    with pytest.raises(CalendarRangeError, match="beyond"):
        next_working_instant(cc, [0], [friday_evening])
    with pytest.raises(CalendarRangeError, match="beyond"):
        add_working_seconds(cc, [0], [friday_evening], [1])
    assert add_working_seconds(cc, [0], [friday_evening], [0]).tolist() == [friday_evening]


def test_bad_queries_raise():
    cc = compile_calendars([OFFICE], start=0, end=HOUR)
    with pytest.raises(ValueError, match="calendar indexes"):
        working_seconds(cc, [1], [0], [HOUR])
    with pytest.raises(ValueError, match="seconds >= 0"):
        add_working_seconds(cc, [0], [0], [-1])
    with pytest.raises(TypeError):
        is_working(cc, [0], [0.5])
    with pytest.raises(ValueError, match="start <= end"):
        compile_calendars([OFFICE], start=HOUR, end=0)
    with pytest.raises(ValueError, match="aware"):
        working_seconds_between(OFFICE, dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 2))
    with pytest.raises(ValueError, match="non-negative"):
        add_working_time(OFFICE, berlin(2024, 1, 15), -1)


def test_calendar_without_working_time():
    closed = CalendarSpec("Europe/Berlin", (NONE,) * 7)
    assert working_seconds_between(closed, berlin(2024, 1, 1), berlin(2025, 1, 1)) == 0
    assert add_working_time(closed, berlin(2024, 1, 1), 0) == berlin(2024, 1, 1)
    with pytest.raises(CalendarRangeError, match="no answer within"):
        add_working_time(closed, berlin(2024, 1, 1), 1)
    with pytest.raises(CalendarRangeError, match="no answer within"):
        next_working_datetime(closed, berlin(2024, 1, 1))


def test_only_a_far_exception_day_is_found_within_the_search_limit():
    closed_but_once = CalendarSpec(
        "UTC", (NONE,) * 7, exceptions={dt.date(2031, 6, 2): ((600, 660),)}
    )
    assert add_working_time(closed_but_once, utc(2024, 1, 1), 1800) == utc(2031, 6, 2, 10, 30)


# --- validation -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weekly", "message"),
    [
        ((OFFICE_DAY,) * 6, "7 entries"),
        (((600, 600),) * 7, "sequence of"),
        ((((600, 600),),) * 7, "0 <= start < end <= 1440"),
        ((((-1, 60),),) * 7, "0 <= start < end <= 1440"),
        ((((0, 1441),),) * 7, "0 <= start < end <= 1440"),
        ((((600, 700), (500, 550)),) * 7, "sorted"),
        ((((500, 700), (600, 800)),) * 7, "overlap"),
        ((((540.0, 600),),) * 7, "sequence of"),
    ],
)
def test_invalid_weekly_hours_are_rejected(weekly, message):
    with pytest.raises(ValueError, match=message):
        CalendarSpec("UTC", weekly)


@pytest.mark.parametrize("time_zone", ["Mars/Olympus_Mons", "", "Europe", "../etc/passwd"])
def test_unknown_time_zone_is_rejected(time_zone):
    with pytest.raises(ValueError, match="time zone"):
        CalendarSpec(time_zone, (OFFICE_DAY,) * 7)


@pytest.mark.parametrize(
    ("exceptions", "message"),
    [
        ({dt.date(2024, 1, 1): ((700, 600),)}, r"exceptions\[2024-01-01\]"),
        ({dt.datetime(2024, 1, 1): ()}, "must be dates"),
        ({"2024-01-01": ()}, "must be dates"),
    ],
)
def test_invalid_exceptions_are_rejected(exceptions, message):
    with pytest.raises(ValueError, match=message):
        CalendarSpec("UTC", (OFFICE_DAY,) * 7, exceptions=exceptions)


def test_valid_specs_are_normalised_to_tuples_and_may_touch():
    spec = CalendarSpec("UTC", [[[0, 60], [60, 120]]] * 7, exceptions={dt.date(2024, 1, 1): []})
    assert spec.weekly[0] == ((0, 60), (60, 120))
    assert spec.intervals_on(dt.date(2024, 1, 1)) == ()
    assert working_seconds_between(spec, utc(2024, 1, 2), utc(2024, 1, 3)) == 2 * HOUR
