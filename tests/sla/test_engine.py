"""The SLA clock engine: hand-computed clocks, and random clocks against a minute-by-minute
reference that walks each clock's segments."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tamdesk.calendars.engine import CalendarSpec, compile_calendars
from tamdesk.sla import engine
from tamdesk.sla.engine import (
    BEYOND,
    BREACHED,
    MET,
    NO_INSTANT,
    NO_TARGET,
    NONE,
    OPEN,
    PAUSED,
    RUNNING,
    Clocks,
    measure,
)
from tests.calendars import reference
from tests.calendars.test_engine_properties import PIVOTS, specs

HOUR = 3600
DAY = 86_400
OFFICE = CalendarSpec(
    time_zone="Europe/Moscow",
    weekly=(((9 * 60, 13 * 60), (14 * 60, 18 * 60)),) * 5 + ((), ()),
)


def ts(*args) -> int:
    return int(dt.datetime(*args, tzinfo=dt.UTC).timestamp())


def clocks(clock_list, thresholds=(50, 75)) -> Clocks:
    """``clock_list``: dicts with cal, target, stopped, segments [(s, e)], pauses [(s, e)]."""
    seg = [(i, s, e) for i, c in enumerate(clock_list) for s, e in c["segments"]]
    pauses = [(i, s, e) for i, c in enumerate(clock_list) for s, e in c.get("pauses", [])]

    def col(rows, k):
        return np.array([r[k] for r in rows], dtype=np.int64)

    return Clocks(
        cal=np.array([c.get("cal", 0) for c in clock_list], dtype=np.int64),
        target=np.array([c["target"] for c in clock_list], dtype=np.int64),
        stopped=np.array([c.get("stopped", False) for c in clock_list]),
        seg_clock=col(seg, 0),
        seg_start=col(seg, 1),
        seg_end=col(seg, 2),
        pause_clock=col(pauses, 0),
        pause_start=col(pauses, 1),
        pause_end=col(pauses, 2),
        thresholds=np.array([list(thresholds)] * len(clock_list), dtype=np.int64).reshape(
            len(clock_list), len(thresholds)
        ),
    )


# Monday 2026-11-23, Moscow is UTC+3: 09:00 local = 06:00 UTC.
MONDAY_0900 = ts(2026, 11, 23, 6)


def test_a_running_clock_on_an_office_calendar_with_a_lunch_break():
    cc = compile_calendars([OFFICE], start=MONDAY_0900 - DAY, end=MONDAY_0900 + 30 * DAY)
    now = MONDAY_0900 + 5 * HOUR  # 14:00 local: 4 working hours consumed (lunch is 13-14)
    c = clocks([{"target": 8 * HOUR, "segments": [(MONDAY_0900, OPEN)]}])
    r = measure(cc, c, now=now)
    assert r.elapsed[0] == 4 * HOUR
    assert r.remaining[0] == 4 * HOUR
    assert r.due_at[0] == MONDAY_0900 + 9 * HOUR  # 18:00 local
    assert list(r.warn_at[0]) == [MONDAY_0900 + 4 * HOUR, MONDAY_0900 + 7 * HOUR]  # 13:00, 16:00
    assert r.state[0] == RUNNING and r.breached_at[0] == NO_INSTANT


def test_due_time_crosses_the_night_and_the_weekend():
    friday_1700 = MONDAY_0900 + 4 * DAY + 8 * HOUR
    cc = compile_calendars([OFFICE], start=friday_1700 - DAY, end=friday_1700 + 30 * DAY)
    c = clocks([{"target": 2 * HOUR, "segments": [(friday_1700, OPEN)]}])
    r = measure(cc, c, now=friday_1700)
    assert r.due_at[0] == MONDAY_0900 + 7 * DAY + HOUR  # next Monday 10:00 local


def test_a_pause_is_subtracted_in_working_time_and_the_due_time_moves():
    cc = compile_calendars([OFFICE], start=MONDAY_0900 - DAY, end=MONDAY_0900 + 30 * DAY)
    pause = (MONDAY_0900 + HOUR, MONDAY_0900 + 2 * DAY)  # Mon 10:00 until Wed 09:00
    c = clocks(
        [
            {
                "target": 4 * HOUR,
                "segments": [(MONDAY_0900, pause[0]), (pause[1], OPEN)],
                "pauses": [pause],
            }
        ]
    )
    now = pause[1] + HOUR
    r = measure(cc, c, now=now)
    assert r.elapsed[0] == 2 * HOUR
    assert r.paused[0] == 7 * HOUR + 8 * HOUR  # the rest of Monday and all of Tuesday
    assert r.due_at[0] == pause[1] + 3 * HOUR  # Wed 12:00 local
    assert r.state[0] == RUNNING


def test_paused_clock_has_no_due_time_and_keeps_its_remaining_time():
    cc = compile_calendars([OFFICE], start=MONDAY_0900 - DAY, end=MONDAY_0900 + 30 * DAY)
    c = clocks(
        [
            {
                "target": 4 * HOUR,
                "segments": [(MONDAY_0900, MONDAY_0900 + HOUR)],
                "pauses": [(MONDAY_0900 + HOUR, OPEN)],
            }
        ]
    )
    r = measure(cc, c, now=MONDAY_0900 + 3 * HOUR)
    assert r.state[0] == PAUSED
    assert r.due_at[0] == NO_INSTANT
    assert r.remaining[0] == 3 * HOUR
    assert r.paused[0] == 2 * HOUR  # 10:00 to 12:00 local, all working time


def test_met_and_breached_stopped_clocks():
    cc = compile_calendars([OFFICE], start=MONDAY_0900 - DAY, end=MONDAY_0900 + 30 * DAY)
    c = clocks(
        [
            {"target": HOUR, "stopped": True, "segments": [(MONDAY_0900, MONDAY_0900 + 1800)]},
            {"target": HOUR, "stopped": True, "segments": [(MONDAY_0900, MONDAY_0900 + 2 * HOUR)]},
        ]
    )
    r = measure(cc, c, now=MONDAY_0900 + DAY)
    assert list(r.state) == [MET, BREACHED]
    assert r.breached_at[0] == NO_INSTANT
    assert r.breached_at[1] == MONDAY_0900 + HOUR
    assert r.remaining[1] == -HOUR


def test_running_clock_past_its_due_time_is_breached_at_the_due_time():
    cc = compile_calendars([OFFICE], start=MONDAY_0900 - DAY, end=MONDAY_0900 + 30 * DAY)
    c = clocks([{"target": HOUR, "segments": [(MONDAY_0900, OPEN)]}])
    r = measure(cc, c, now=MONDAY_0900 + 2 * HOUR)
    assert r.state[0] == BREACHED and r.breached_at[0] == MONDAY_0900 + HOUR


def test_due_time_beyond_the_compiled_range_is_reported_not_raised():
    cc = compile_calendars([OFFICE], start=MONDAY_0900, end=MONDAY_0900 + DAY, margin_seconds=0)
    c = clocks([{"target": 100 * HOUR, "segments": [(MONDAY_0900, OPEN)]}])
    r = measure(cc, c, now=MONDAY_0900 + HOUR)
    assert r.due_at[0] == BEYOND


def test_no_clocks_and_clocks_without_segments():
    cc = compile_calendars([OFFICE], start=MONDAY_0900, end=MONDAY_0900 + DAY)
    empty = measure(cc, clocks([]), now=MONDAY_0900)
    assert empty.elapsed.size == 0
    r = measure(cc, clocks([{"target": HOUR, "segments": []}]), now=MONDAY_0900)
    assert r.state[0] == PAUSED and r.elapsed[0] == 0 and r.due_at[0] == NO_INSTANT


# --- against the reference -----------------------------------------------------------------


def reference_add(spec, start, seconds, limit):
    """The reference's add, walking no further than ``limit`` (then BEYOND)."""
    t, remaining = start, seconds
    while remaining:
        if t >= limit:
            return BEYOND
        if reference.is_working(spec, t):
            remaining -= 60
        t += 60
    return t


def reference_clock(spec, segments, target, now, limit):
    """Walk the segments minute by minute: (elapsed, instant the target is reached or None)."""
    elapsed, reached = 0, None
    for start, end in segments:
        stop = now if end == OPEN else end
        t = start
        while t < stop:
            if reference.is_working(spec, t):
                elapsed += 60
                if reached is None and elapsed >= target:
                    reached = t + 60
            t += 60
        if end == OPEN and reached is None and target > elapsed:
            reached = reference_add(spec, max(now, start), target - elapsed, limit)
    if reached is None and target == 0 and segments:
        reached = segments[0][0]
    return elapsed, reached


@st.composite
def clock_cases(draw):
    pivot = draw(st.sampled_from(PIVOTS))
    spec = draw(specs(pivot=pivot))
    base = int(dt.datetime.combine(pivot, dt.time(), tzinfo=dt.UTC).timestamp()) - DAY
    cuts = sorted(draw(st.lists(st.integers(0, 2 * 24 * 60), min_size=2, max_size=6, unique=True)))
    points = [base + 60 * c for c in cuts]
    segments = list(zip(points[0::2], points[1::2], strict=False))
    is_open = draw(st.booleans())
    if is_open:
        segments.append((points[-1] + 60, OPEN))
    now = (segments[-1][0] if is_open else points[-1]) + 60 * draw(st.integers(0, 24 * 60))
    target = 60 * draw(st.integers(1, 16 * 60))
    # A clock without an open segment is paused, or stopped for good.
    stopped = not is_open and draw(st.booleans())
    return spec, segments, target, now, stopped


@settings(max_examples=120, deadline=None)
@given(case=clock_cases())
def test_elapsed_and_due_time_agree_with_the_reference(case):
    """docs/domains/sla.md: elapsed is the working time consumed; the due time is when the
    target runs out if the clock keeps running — none while paused (breached or not); a stopped
    clock keeps the moment it breached."""
    spec, segments, target, now, stopped = case
    cc = compile_calendars([spec], start=segments[0][0], end=now + 10 * DAY)
    ref_elapsed, ref_reached = reference_clock(spec, segments, target, now, cc.end)
    clock = {"target": target, "segments": segments, "stopped": stopped}
    r = measure(cc, clocks([clock], ()), now=now)
    assert r.elapsed[0] == ref_elapsed
    is_paused = segments[-1][1] != OPEN and not stopped
    if ref_reached is None or is_paused:
        assert r.due_at[0] == NO_INSTANT
    else:
        assert r.due_at[0] == ref_reached
    breached = ref_elapsed > target
    assert (r.state[0] == BREACHED) == breached
    assert r.breached_at[0] == (ref_reached if breached else NO_INSTANT)


@settings(max_examples=40, deadline=None)
@given(case=clock_cases())
def test_a_clock_without_a_target_is_measured_all_the_same(case):
    spec, segments, _target, now, stopped = case
    cc = compile_calendars([spec], start=segments[0][0], end=now + 10 * DAY)
    ref_elapsed, _reached = reference_clock(spec, segments, 0, now, cc.end)
    clock = {"target": NONE, "segments": segments, "stopped": stopped}
    r = measure(cc, clocks([clock]), now=now)
    assert r.elapsed[0] == ref_elapsed
    assert r.state[0] == NO_TARGET
    assert r.due_at[0] == NO_INSTANT and r.breached_at[0] == NO_INSTANT
    assert list(r.warn_at[0]) == [NO_INSTANT, NO_INSTANT]


def test_a_paused_clock_that_breached_has_no_due_time_but_keeps_its_breach():
    cc = compile_calendars([OFFICE], start=MONDAY_0900 - DAY, end=MONDAY_0900 + 30 * DAY)
    c = clocks([{"target": HOUR, "segments": [(MONDAY_0900, MONDAY_0900 + 2 * HOUR)]}])
    r = measure(cc, c, now=MONDAY_0900 + 3 * HOUR)
    assert r.state[0] == BREACHED
    assert r.due_at[0] == NO_INSTANT
    assert r.breached_at[0] == MONDAY_0900 + HOUR
    assert r.remaining[0] == -HOUR


def test_many_clocks_in_one_call_equal_one_clock_at_a_time():
    specs_ = [OFFICE, CalendarSpec.always_open("UTC")]
    cc = compile_calendars(specs_, start=MONDAY_0900 - DAY, end=MONDAY_0900 + 60 * DAY)
    rng = np.random.default_rng(7)
    clock_list = []
    for i in range(200):
        t0 = MONDAY_0900 + int(rng.integers(0, 5 * DAY))
        p0 = t0 + int(rng.integers(60, DAY))
        p1 = p0 + int(rng.integers(60, 2 * DAY))
        clock_list.append(
            {
                "cal": i % 2,
                "target": int(rng.integers(1, 20)) * HOUR,
                "segments": [(t0, p0), (p1, OPEN)] if i % 3 else [(t0, p0)],
                "pauses": [(p0, p1)],
                "stopped": i % 3 == 0,
            }
        )
    now = MONDAY_0900 + 8 * DAY
    together = measure(cc, clocks(clock_list), now=now)
    for i, clock in enumerate(clock_list):
        alone = measure(cc, clocks([clock]), now=now)
        for field in ("elapsed", "paused", "due_at", "breached_at", "state"):
            assert getattr(together, field)[i] == getattr(alone, field)[0], (i, field)
        assert list(together.warn_at[i]) == list(alone.warn_at[0])


def test_engine_module_has_no_orm():
    source = Path(engine.__file__).read_text(encoding="utf-8")
    assert "django" not in source
