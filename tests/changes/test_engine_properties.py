"""The change scheduler on random DAGs: every dependency holds, work lies in working time, the
critical tasks are exactly those without float and (on one calendar) chain back to a start."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tamdesk.calendars.engine import (
    CalendarSpec,
    compile_calendars,
    is_working,
    next_working_instant,
    working_seconds,
)
from tamdesk.changes.engine import (
    CANCELLED,
    DONE,
    FS,
    IN_PROGRESS,
    NO_INSTANT,
    NOT_STARTED,
    Network,
    schedule,
)
from tests.calendars.test_engine_properties import PIVOTS, specs

MINUTE, HOUR, DAY = 60, 3600, 86_400
NONE: tuple = ()
CALENDARS = [
    CalendarSpec("Europe/Berlin", (((9 * 60, 13 * 60), (14 * 60, 18 * 60)),) * 5 + (NONE,) * 2),
    CalendarSpec("Europe/Berlin", (((10 * 60, 12 * 60), (13 * 60, 17 * 60)),) * 5 + (NONE,) * 2),
    CalendarSpec("America/New_York", (((8 * 60, 16 * 60),),) * 5 + (NONE,) * 2),
    CalendarSpec("Asia/Kolkata", (((0, 1440),),) * 6 + (NONE,)),
    CalendarSpec.always_open("Australia/Lord_Howe"),
]


@st.composite
def networks(draw, *, calendars: int, all_not_started: bool = False) -> Network:
    n = draw(st.integers(1, 30))
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=60)) if pairs else []
    rank = np.array(draw(st.permutations(range(n))))  # hide the order the edges were drawn in
    m = len(chosen)
    start = int(dt.datetime.combine(draw(st.sampled_from(PIVOTS)), dt.time(), dt.UTC).timestamp())
    start += draw(st.integers(0, 7 * DAY))
    now = start + draw(st.integers(-DAY, 5 * DAY))
    if all_not_started:
        state = np.zeros(n, dtype=np.int8)
    else:
        state = np.array(
            draw(st.lists(st.sampled_from([0, 0, 0, 1, 2, 3]), min_size=n, max_size=n)),
            dtype=np.int8,
        )
    started = draw(st.lists(st.integers(10 * DAY, 20 * DAY), min_size=n, max_size=n))
    lengths = draw(st.lists(st.integers(0, 5 * DAY), min_size=n, max_size=n))
    actual_start = np.where(state >= IN_PROGRESS, now - np.array(started), NO_INSTANT)
    actual_finish = np.where(
        state == DONE, np.minimum(actual_start + np.array(lengths), now), NO_INSTANT
    )
    return Network(
        cal=np.array(draw(st.lists(st.integers(0, calendars - 1), min_size=n, max_size=n))),
        duration=np.array(
            draw(
                st.lists(
                    st.sampled_from([0, 30 * MINUTE, 8 * HOUR]) | st.integers(0, 16 * HOUR),
                    min_size=n,
                    max_size=n,
                )
            )
        ),
        state=state,
        actual_start=actual_start.astype(np.int64),
        actual_finish=actual_finish.astype(np.int64),
        pred=rank[[i for i, _ in chosen]].astype(np.int64),
        succ=rank[[j for _, j in chosen]].astype(np.int64),
        kind=np.array(draw(st.lists(st.integers(0, 1), min_size=m, max_size=m)), dtype=np.int8),
        lag=np.array(
            draw(
                st.lists(
                    st.sampled_from([0, HOUR, -HOUR]) | st.integers(-4 * HOUR, 4 * HOUR),
                    min_size=m,
                    max_size=m,
                )
            ),
            dtype=np.int64,
        ),
        start=start,
        now=now,
        committed=draw(
            st.sampled_from([int(NO_INSTANT), start + DAY, start + 10 * DAY, start + 40 * DAY])
        ),
    )


def compile_for(calendars, net: Network):
    return compile_calendars(calendars, start=net.start - 40 * DAY, end=net.start + 200 * DAY)


def signed(cc, cal, a, b):
    """Signed working seconds from a to b."""
    return working_seconds(cc, cal, a, b) - working_seconds(cc, cal, b, a)


def check_dependencies_and_working_time(cc, net: Network, result) -> None:
    active = net.state != CANCELLED
    fresh = net.state == NOT_STARTED
    tasks = np.flatnonzero(fresh)
    cal = net.cal[tasks]
    es, ef = result.early_start[tasks], result.early_finish[tasks]
    assert is_working(cc, cal, es).all()  # never starts in non-working time
    assert (working_seconds(cc, cal, es, ef) == net.duration[tasks]).all()
    assert (es >= max(net.start, net.now)).all()
    edges = np.flatnonzero(active[net.pred] & fresh[net.succ])
    pred, succ = net.pred[edges], net.succ[edges]
    base = np.where(net.kind[edges] == FS, result.early_finish[pred], result.early_start[pred])
    gap = signed(cc, net.cal[succ], base, result.early_start[succ])
    assert (gap >= net.lag[edges]).all()
    if net.lag[edges].size:
        assert (result.early_start[succ] >= np.where(net.lag[edges] >= 0, base, 0)).all()
    cancelled = ~active
    assert (result.early_start[cancelled] == NO_INSTANT).all()
    assert not result.critical[cancelled].any()


@settings(max_examples=150, deadline=None)
@given(net=networks(calendars=len(CALENDARS)))
def test_dependencies_hold_and_work_lies_in_working_time(net):
    cc = compile_for(CALENDARS, net)
    result = schedule(cc, net)
    check_dependencies_and_working_time(cc, net, result)


@settings(max_examples=150, deadline=None)
@given(net=networks(calendars=len(CALENDARS)))
def test_critical_tasks_are_those_without_float_and_late_is_not_before_early(net):
    cc = compile_for(CALENDARS, net)
    result = schedule(cc, net)
    remaining = (net.state == NOT_STARTED) | (net.state == IN_PROGRESS)
    assert (result.critical == (remaining & (result.float_to_forecast == 0))).all()
    assert (result.float_to_forecast >= 0).all()
    active = net.state != CANCELLED
    if active.any():
        assert result.forecast_finish == result.early_finish[active].max()
    # anchored at the forecast, late is never before early, nor after the forecast
    forecast_only = schedule(cc, dataclasses.replace(net, committed=int(NO_INSTANT)))
    assert (forecast_only.float_to_forecast == result.float_to_forecast).all()
    assert (forecast_only.slack == result.float_to_forecast).all()
    fresh = net.state == NOT_STARTED
    assert (forecast_only.late_start[fresh] >= forecast_only.early_start[fresh]).all()
    late_finish = forecast_only.late_finish[remaining]
    assert (late_finish >= forecast_only.early_finish[remaining]).all()
    assert (late_finish <= result.forecast_finish).all()
    # and the late dates satisfy every dependency too
    edges = np.flatnonzero(active[net.pred] & fresh[net.succ] & fresh[net.pred])
    pred, succ = net.pred[edges], net.succ[edges]
    base = np.where(
        net.kind[edges] == FS, forecast_only.late_finish[pred], forecast_only.late_start[pred]
    )
    late = next_working_instant(cc, net.cal[succ], forecast_only.late_start[succ])
    assert (signed(cc, net.cal[succ], base, late) >= net.lag[edges]).all()


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_on_one_calendar_a_critical_chain_leads_from_a_start_to_the_latest_finisher(data):
    pivot = data.draw(st.sampled_from(PIVOTS))
    spec = data.draw(specs(pivot=pivot) | st.sampled_from(CALENDARS))
    net = data.draw(networks(calendars=1, all_not_started=True))
    cc = compile_for([spec], net)
    if working_seconds(cc, 0, net.start, net.start + 7 * DAY) < 4 * HOUR:
        return  # too sparse a calendar for months of work
    try:
        result = schedule(cc, net)
    except ValueError:  # CalendarRangeError: the work does not fit the compiled range
        return
    check_dependencies_and_working_time(cc, net, result)
    task = int(np.flatnonzero(result.early_finish == result.forecast_finish)[0])
    first = int(next_working_instant(cc, 0, max(net.start, net.now)))
    seen = 0
    while True:
        assert result.critical[task], task
        assert result.float_to_forecast[task] == 0
        if result.early_start[task] == first:
            break  # a start
        incoming = np.flatnonzero(net.succ == task)
        pred = net.pred[incoming]
        base = np.where(
            net.kind[incoming] == FS, result.early_finish[pred], result.early_start[pred]
        )
        lagged = [
            _shift_one(cc, int(b), int(lag)) for b, lag in zip(base, net.lag[incoming], strict=True)
        ]
        driving = [
            int(p)
            for p, candidate in zip(pred, lagged, strict=True)
            if next_working_instant(cc, 0, candidate) == result.early_start[task]
        ]
        assert driving, "a task that does not start at the change's start is driven by one"
        critical = [p for p in driving if result.critical[p]]
        assert critical, (task, driving)
        task = critical[0]
        seen += 1
        assert seen <= len(net)


def _shift_one(cc, base: int, lag: int) -> int:
    from tamdesk.calendars.engine import add_working_seconds, subtract_working_seconds

    if lag >= 0:
        return int(add_working_seconds(cc, 0, base, lag))
    return int(subtract_working_seconds(cc, 0, base, -lag))
