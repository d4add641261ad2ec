"""The working-time engine against the plain minute-by-minute reference, on random calendars.

Windows are a few days long and centred on days when zones change their UTC offset, where a
mistake would hide; the calendars have random hours, closed days and extra working days.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tamdesk.calendars import engine
from tamdesk.calendars.engine import (
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
from tests.calendars import reference

ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "Europe/Moscow",
    "UTC",
    "Asia/Kolkata",
]
# Offset changes: Berlin, New York and Lord Howe in 2024 (both ways), Moscow 2011 and 2014,
# the autumn Moscow skipped in 2011, and an ordinary winter week.
PIVOTS = [
    dt.date(2024, 3, 31),
    dt.date(2024, 10, 27),
    dt.date(2024, 3, 10),
    dt.date(2024, 11, 3),
    dt.date(2024, 4, 7),
    dt.date(2024, 10, 6),
    dt.date(2011, 3, 27),
    dt.date(2011, 10, 30),
    dt.date(2014, 10, 26),
    dt.date(2024, 1, 15),
]
MINUTE = 60
DAY = 86_400
REFERENCE_SPAN = 3 * DAY  # the reference walks at most this far per example

boundary = st.one_of(st.sampled_from(range(0, 1441, 30)), st.integers(0, 1440))
zone_sets = st.lists(st.sampled_from(ZONES), min_size=1, max_size=3)


@st.composite
def day_intervals(draw) -> tuple[tuple[int, int], ...]:
    points = sorted(draw(st.lists(boundary, max_size=6, unique=True)))
    return tuple(zip(points[0::2], points[1::2], strict=False))


@st.composite
def specs(draw, *, pivot: dt.date, zone: str | None = None) -> CalendarSpec:
    weekly = [draw(day_intervals()) for _ in range(7)]
    if draw(st.booleans()):
        weekly[5] = weekly[6] = ()  # a weekend, so that exceptions add extra working days
    shifts = draw(st.lists(st.integers(-3, 4), unique=True, max_size=4))
    exceptions = {pivot + dt.timedelta(days=shift): draw(day_intervals()) for shift in shifts}
    return CalendarSpec(
        time_zone=zone or draw(st.sampled_from(ZONES)), weekly=tuple(weekly), exceptions=exceptions
    )


@st.composite
def cases(draw) -> tuple[CalendarSpec, int]:
    """A calendar and the instant its window starts from: within two days of a pivot."""
    pivot = draw(st.sampled_from(PIVOTS))
    spec = draw(specs(pivot=pivot))
    midnight = int(dt.datetime.combine(pivot, dt.time(), tzinfo=dt.UTC).timestamp())
    return spec, midnight + draw(st.integers(-2 * DAY, 2 * DAY))


def floor_minute(t: int) -> int:
    return t - t % MINUTE


@settings(max_examples=150, deadline=None)
@given(case=cases(), span=st.integers(0, REFERENCE_SPAN // MINUTE))
def test_working_seconds_agrees_with_the_reference(case, span):
    spec, t = case
    start = floor_minute(t)
    end = start + span * MINUTE
    assert working_seconds_between(spec, start, end) == reference.working_seconds(spec, start, end)


@settings(max_examples=200, deadline=None)
@given(case=cases(), probes=st.lists(st.integers(0, 2 * DAY), min_size=1, max_size=50))
def test_is_working_is_the_definition_to_the_second(case, probes):
    spec, t = case
    instants = np.array([t + probe for probe in probes])
    cc = compile_calendars([spec], start=t, end=t + 2 * DAY)
    expected = [reference.is_working(spec, int(instant)) for instant in instants]
    assert is_working(cc, 0, instants).tolist() == expected


@settings(max_examples=150, deadline=None)
@given(case=cases(), minutes=st.integers(0, 12 * 60))
def test_add_agrees_with_the_reference_on_whole_minutes(case, minutes):
    spec, t = case
    start = floor_minute(t)
    try:
        result = int(add_working_time(spec, start, minutes * MINUTE).timestamp())
    except CalendarRangeError:
        assert working_seconds_between(spec, start, start + 365 * DAY) < minutes * MINUTE
        return
    assume(result - start <= REFERENCE_SPAN)  # a sparse calendar: the walk would be too long
    assert result == reference.add_working_seconds(spec, start, minutes * MINUTE)


@settings(max_examples=200, deadline=None)
@given(case=cases(), seconds=st.integers(0, 2 * DAY))
def test_add_is_the_earliest_inverse_of_working_seconds(case, seconds):
    spec, start = case
    cc = compile_calendars([spec], start=start, end=start + 30 * DAY)
    available = int(working_seconds(cc, 0, start, cc.end))
    if seconds > available:
        try:
            add_working_seconds(cc, 0, start, seconds)
        except CalendarRangeError:
            return
        raise AssertionError("a result beyond the compiled range must raise")
    result = int(add_working_seconds(cc, 0, start, seconds))
    assert result >= start
    assert working_seconds(cc, 0, start, result) == seconds
    if seconds == 0:
        assert result == start
    else:
        assert working_seconds(cc, 0, start, result - 1) == seconds - 1
        assert is_working(cc, 0, result - 1)


@settings(max_examples=200, deadline=None)
@given(case=cases(), cuts=st.lists(st.integers(0, 4 * DAY), min_size=3, max_size=3))
def test_working_seconds_are_additive(case, cuts):
    spec, t = case
    a, b, c = (t + cut for cut in sorted(cuts))
    cc = compile_calendars([spec], start=a, end=c)
    first, second, whole = working_seconds(cc, 0, [a, b, a], [b, c, c]).tolist()
    assert first + second == whole
    assert working_seconds(cc, 0, c, a) == 0  # backwards is nothing


@settings(max_examples=150, deadline=None)
@given(case=cases())
def test_next_working_instant_is_working_and_nothing_before_it_is(case):
    spec, t = case
    at = floor_minute(t)
    try:
        result = int(next_working_datetime(spec, at).timestamp())
    except CalendarRangeError:
        assert working_seconds_between(spec, at, at + 365 * DAY) == 0
        return
    assert result >= at
    assert reference.is_working(spec, result)
    assert working_seconds_between(spec, at, result) == 0
    if result - at <= REFERENCE_SPAN:
        assert result == reference.next_working_instant(spec, at)


@settings(max_examples=100, deadline=None)
@given(
    pivot=st.sampled_from(PIVOTS),
    data=st.data(),
    queries=st.lists(
        st.tuples(st.integers(0, 3), st.integers(-DAY, 2 * DAY), st.integers(0, DAY)),
        min_size=1,
        max_size=20,
    ),
)
def test_vectorised_results_equal_scalar_results(pivot, data, queries):
    calendars = [data.draw(specs(pivot=pivot, zone=zone)) for zone in data.draw(zone_sets)]
    calendars.append(CalendarSpec.always_open(data.draw(st.sampled_from(ZONES))))
    midnight = int(dt.datetime.combine(pivot, dt.time(), tzinfo=dt.UTC).timestamp())
    cc = compile_calendars(calendars, start=midnight - 2 * DAY, end=midnight + 2 * DAY)
    cal = np.array([index % len(calendars) for index, _, _ in queries])
    start = np.array([midnight + offset for _, offset, _ in queries])
    amount = np.array([amount for _, _, amount in queries])
    end = start + amount

    counted = working_seconds(cc, cal, start, end)
    working = is_working(cc, cal, start)
    for i, spec in enumerate(calendars[index] for index in cal):
        assert counted[i] == working_seconds_between(spec, int(start[i]), int(end[i]))
        assert working[i] == is_working_at(spec, int(start[i]))

    reachable = counted > 0  # the result then lies within [start, end]: inside the range
    added = add_working_seconds(cc, cal[reachable], start[reachable], counted[reachable])
    for i, result in zip(np.flatnonzero(reachable), added, strict=True):
        spec = calendars[cal[i]]
        assert result == add_working_time(spec, int(start[i]), int(counted[i])).timestamp()

    following = next_working_instant(cc, cal[reachable], start[reachable])
    for i, result in zip(np.flatnonzero(reachable), following, strict=True):
        assert result == next_working_datetime(calendars[cal[i]], int(start[i])).timestamp()


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(st.integers(0, 10**6), max_size=300).map(sorted),
    queries=st.lists(st.integers(0, 2 * 10**6), min_size=1, max_size=100),
)
def test_the_bucket_lookup_agrees_with_a_binary_search(values, queries):
    array = np.array([-1, *values], dtype=np.int64)  # as compiled: a sentinel first
    locate = engine._Locator(array)
    expected = np.searchsorted(array, queries, side="right") - 1
    assert locate(np.array(queries, dtype=np.int64)).tolist() == expected.tolist()
