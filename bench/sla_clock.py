"""Benchmark of the SLA clock engine (tamdesk.sla.engine.measure) and of three PyPI peers.

The workload: N incidents over two years on ten calendars (time zones with and without DST,
lunch breaks, Russian-style closed days, shortened days and a working Saturday, German public
holidays, one 24x7). Each incident has a reaction clock and a resolution clock (2N clocks); the
resolution clock has on average one pause (opened -> pause -> resume -> resolved or still open).
The engine compiles the calendars once and measures every clock at one `now`: elapsed and paused
working time, due date, two warning instants (50 %, 75 %), state.

Each size runs in a fresh child process, so that its peak RSS is its own. The peers answer one
(start, end) pair at a time in a Python loop, as their APIs require; they run on the first
--peers-n incidents of the same workload whose calendar they can express, and the engine is
timed on exactly those incidents too. Their answers are checked against the engine's to the
second.

    .venv/bin/python bench/sla_clock.py --write     # prints the report, writes bench/sla_clock.md
    .venv/bin/python bench/sla_clock.py --quick     # a smoke run in a few seconds
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import os
import subprocess
import sys
import textwrap
import time
import zoneinfo
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from common import Intervals, best_of, best_of_with_cpu, hours, machine, peak_rss_mib, week

from tamdesk.calendars.engine import (
    CalendarSpec,
    CompiledCalendars,
    compile_calendars,
    working_seconds,
)
from tamdesk.sla.engine import BEYOND, NO_INSTANT, OPEN, STATE_NAMES, ClockResult, Clocks, measure

COMMAND = ".venv/bin/python bench/sla_clock.py --write"
RESULT = Path(__file__).with_suffix(".md")
SIZES = (1_000_000, 10_000_000)
PEERS_N = 100_000
REPEATS = 3
SEED = 20_261_126
TARGET_SECONDS = 1.0  # the target for measure() on 1 M incidents

MINUTE, HOUR, DAY = 60, 3600, 86_400
NOW = int(dt.datetime(2026, 1, 15, tzinfo=dt.UTC).timestamp())  # the instant measured at
FIRST = NOW - 730 * DAY  # incidents are opened over the two years before NOW
COMPILED_UNTIL = NOW + 60 * DAY  # room for the due dates of the clocks still running

# Priorities P1..P4: share of incidents, reaction and resolution targets in working seconds.
PRIORITY_SHARE = (0.05, 0.15, 0.40, 0.40)
REACTION_TARGET = np.array([30 * MINUTE, HOUR, 4 * HOUR, 8 * HOUR], dtype=np.int64)
RESOLUTION_TARGET = np.array([4 * HOUR, 8 * HOUR, 24 * HOUR, 40 * HOUR], dtype=np.int64)
THRESHOLDS = (50, 75)
MAX_PAUSES = 5  # pauses ~ Poisson(1), capped: 0.9994 on average
RESOLVED, OPEN_RUNNING, OPEN_PAUSED = 0, 1, 2
OUTCOME_SHARE = (0.82, 0.13, 0.05)
REACTION_MEAN = 90 * MINUTE  # wall-clock means of the exponential durations
RUNNING_MEAN = 20 * HOUR
PAUSE_MEAN = 30 * HOUR
LONGEST = 15 * DAY  # any one duration is capped here
OPEN_FOR_AT_MOST = 14 * DAY  # an open incident's last event lies this far before NOW at most

# --- calendars -----------------------------------------------------------------------------------


def russian_exceptions(full: Intervals, short: Intervals) -> dict[dt.date, Intervals]:
    """New-year holidays and other closed days, shortened pre-holiday days, and a working Saturday
    in spring and in autumn each year."""
    exceptions: dict[dt.date, Intervals] = {}
    for year in range(2023, 2027):
        closed = [dt.date(year, 1, day) for day in range(1, 9)]
        closed += [dt.date(year, m, d) for m, d in ((2, 23), (3, 8), (5, 1), (5, 9), (6, 12))]
        closed += [dt.date(year, 11, 4), dt.date(year, 12, 31)]
        for day in closed:
            exceptions[day] = ()
        for month, day in ((2, 22), (3, 7), (4, 30), (5, 8), (6, 11), (11, 3)):
            eve = dt.date(year, month, day)
            if eve.weekday() < 5 and eve not in exceptions:
                exceptions[eve] = short
        for month, day in ((4, 27), (11, 1)):
            saturday = dt.date(year, month, day)
            saturday += dt.timedelta(days=(5 - saturday.weekday()) % 7)
            exceptions[saturday] = full
    return exceptions


def german_holidays() -> dict[dt.date, Intervals]:
    import holidays  # a project dependency

    return {day: () for day in holidays.Germany(subdiv="BE", years=range(2023, 2027))}


def calendars() -> list[CalendarSpec]:
    office, lunch = hours((9, 18)), hours((9, 13), (14, 18))
    return [
        CalendarSpec("Europe/Moscow", week(office), russian_exceptions(office, hours((9, 17)))),
        CalendarSpec(
            "Asia/Novosibirsk", week(lunch), russian_exceptions(lunch, hours((9, 13), (14, 17)))
        ),
        CalendarSpec("Europe/Berlin", week(office), german_holidays()),
        CalendarSpec("America/New_York", week(office)),
        CalendarSpec.always_open("UTC"),
        CalendarSpec("Europe/Moscow", week(office)),
        CalendarSpec("Asia/Yekaterinburg", week(lunch)),
        CalendarSpec("Europe/London", week(hours((9, 17.5)))),
        CalendarSpec("Europe/Berlin", week(hours((8, 12), (13, 17))), german_holidays()),
        CalendarSpec("Asia/Tokyo", week(office)),
    ]


CALENDAR_NOTES = (
    "Moscow 09:00–18:00 5/2 with Russian-style exceptions (closed days, shortened days, "
    "working Saturdays)",
    "Novosibirsk 09:00–18:00 with a lunch break 13–14, Russian-style exceptions",
    "Berlin 09:00–18:00 (DST) with Berlin's public holidays",
    "New York 09:00–18:00 (DST)",
    "UTC 24×7",
    "Moscow 09:00–18:00",
    "Yekaterinburg 09:00–18:00 with a lunch break",
    "London 09:00–17:30 (DST)",
    "Berlin 08:00–17:00 with a lunch break 12–13 and public holidays",
    "Tokyo 09:00–18:00",
)

# --- the workload --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Workload:
    """Incidents (one row each) and the pieces of their resolution timelines.

    A resolution timeline alternates running and pause pieces, running first and last (unless
    the incident is paused now); the last piece of an open incident is OPEN.
    """

    cal: npt.NDArray[np.int64]
    priority: npt.NDArray[np.int64]
    opened: npt.NDArray[np.int64]
    reacted: npt.NDArray[np.int64]  # OPEN: not yet
    resolved: npt.NDArray[np.bool_]
    piece_incident: npt.NDArray[np.int64]
    piece_pause: npt.NDArray[np.bool_]
    piece_start: npt.NDArray[np.int64]
    piece_end: npt.NDArray[np.int64]

    def __len__(self) -> int:
        return int(self.cal.size)


def generate(n: int, *, seed: int = SEED, calendar_count: int = 10) -> Workload:
    """``n`` incidents, vectorised (no Python loop over incidents)."""
    rng = np.random.default_rng(seed)
    cal = rng.integers(0, calendar_count, n)
    priority = rng.choice(len(PRIORITY_SHARE), n, p=PRIORITY_SHARE)
    pauses = np.minimum(rng.poisson(1.0, n), MAX_PAUSES)
    outcome = rng.choice(len(OUTCOME_SHARE), n, p=OUTCOME_SHARE)
    outcome[(outcome == OPEN_PAUSED) & (pauses == 0)] = OPEN_RUNNING

    count = 2 * pauses + 1 - (outcome == OPEN_PAUSED)  # pieces per incident
    first = np.cumsum(count) - count
    total = int(count.sum())
    incident = np.repeat(np.arange(n, dtype=np.int64), count)
    position = np.arange(total, dtype=np.int64) - first[incident]
    pause = (position % 2) == 1
    mean = np.where(pause, PAUSE_MEAN, RUNNING_MEAN)
    length = np.clip((rng.exponential(1.0, total) * mean).astype(np.int64), MINUTE, LONGEST)
    is_open = (position == count[incident] - 1) & (outcome[incident] != RESOLVED)
    length[is_open] = 0  # the open piece has no length yet
    ends = np.cumsum(length)
    offset = ends - length - (ends - length)[first][incident]  # from the opening
    closed_length = np.bincount(incident, weights=length, minlength=n).astype(np.int64)

    resolved = outcome == RESOLVED
    span = NOW - FIRST - closed_length - 1
    opened = np.where(
        resolved,
        FIRST + (rng.random(n) * span).astype(np.int64),
        NOW - closed_length - rng.integers(MINUTE, OPEN_FOR_AT_MOST, n),
    )
    piece_start = opened[incident] + offset
    piece_end = np.where(is_open, OPEN, piece_start + length)

    reaction = np.clip((rng.exponential(1.0, n) * REACTION_MEAN).astype(np.int64), 30, 3 * DAY)
    reacted = opened + np.where(resolved, np.minimum(reaction, closed_length), reaction)
    reacted[reacted >= NOW] = OPEN
    return Workload(
        cal=cal,
        priority=priority,
        opened=opened,
        reacted=reacted,
        resolved=resolved,
        piece_incident=incident,
        piece_pause=pause,
        piece_start=piece_start,
        piece_end=piece_end,
    )


def subset(workload: Workload, rows: npt.NDArray[np.int64]) -> Workload:
    """The incidents ``rows`` (sorted), renumbered from 0."""
    renumber = np.full(len(workload), -1, dtype=np.int64)
    renumber[rows] = np.arange(rows.size)
    keep = renumber[workload.piece_incident] >= 0
    return Workload(
        cal=workload.cal[rows],
        priority=workload.priority[rows],
        opened=workload.opened[rows],
        reacted=workload.reacted[rows],
        resolved=workload.resolved[rows],
        piece_incident=renumber[workload.piece_incident[keep]],
        piece_pause=workload.piece_pause[keep],
        piece_start=workload.piece_start[keep],
        piece_end=workload.piece_end[keep],
    )


def to_clocks(workload: Workload) -> Clocks:
    """Clock ``i`` is incident ``i``'s reaction clock, clock ``n + i`` its resolution clock."""
    n = len(workload)
    running, pause = ~workload.piece_pause, workload.piece_pause
    thresholds = np.empty((2 * n, len(THRESHOLDS)), dtype=np.int64)
    thresholds[:] = THRESHOLDS
    return Clocks(
        cal=np.concatenate([workload.cal, workload.cal]),
        target=np.concatenate(
            [REACTION_TARGET[workload.priority], RESOLUTION_TARGET[workload.priority]]
        ),
        stopped=np.concatenate([workload.reacted != OPEN, workload.resolved]),
        seg_clock=np.concatenate([np.arange(n), n + workload.piece_incident[running]]),
        seg_start=np.concatenate([workload.opened, workload.piece_start[running]]),
        seg_end=np.concatenate([workload.reacted, workload.piece_end[running]]),
        pause_clock=n + workload.piece_incident[pause],
        pause_start=workload.piece_start[pause],
        pause_end=workload.piece_end[pause],
        thresholds=thresholds,
    )


def compile_all(specs: Sequence[CalendarSpec]) -> CompiledCalendars:
    return compile_calendars(specs, start=FIRST, end=COMPILED_UNTIL)


def self_check(cc: CompiledCalendars, clocks: Clocks, result: ClockResult) -> None:
    """Reaction clocks have one segment: their due date is the first instant with target working
    seconds since the opening. (The engine's own tests cover the rest.)"""
    n = len(clocks) // 2
    due = result.due_at[:n]
    has = (due != NO_INSTANT) & (due != BEYOND)
    cal, start, target = clocks.cal[:n][has], clocks.seg_start[:n][has], clocks.target[:n][has]
    assert (working_seconds(cc, cal, start, due[has]) == target).all()
    assert (working_seconds(cc, cal, start, due[has] - 1) < target).all()
    assert (result.elapsed >= 0).all() and (result.paused >= 0).all()


# --- timing the engine ---------------------------------------------------------------------------


def reset_peak_rss() -> bool:
    """Reset the kernel's high-water mark of this process (Linux >= 4.0)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def run_size(n: int, repeats: int) -> dict[str, Any]:
    """Generate, compile and measure ``n`` incidents (in a child process: its RSS is its own)."""
    specs = calendars()
    began = time.perf_counter()
    workload = generate(n)
    clocks = to_clocks(workload)
    del workload
    generated = time.perf_counter() - began
    input_mib = sum(getattr(clocks, name).nbytes for name in Clocks.__dataclass_fields__) / 2**20
    compile_seconds = best_of(lambda: compile_all(specs), REPEATS)
    cc = compile_all(specs)
    rss_before = peak_rss_mib()
    load_before = load_now()
    reset = reset_peak_rss()
    measure_seconds, measure_cpu = best_of_with_cpu(lambda: measure(cc, clocks, now=NOW), repeats)
    rss_measure = peak_rss_mib() if reset else float("nan")
    result = measure(cc, clocks, now=NOW)
    self_check(cc, clocks, result)
    states = np.bincount(result.state, minlength=len(STATE_NAMES))
    return {
        "n": n,
        "load": load_before,
        "clocks": len(clocks),
        "segments": int(clocks.seg_clock.size),
        "pauses": int(clocks.pause_clock.size),
        "generate": generated,
        "compile": compile_seconds,
        "measure": measure_seconds,
        "measure_cpu": measure_cpu,
        "repeats": repeats,
        "input_mib": input_mib,
        "rss_before_measure": rss_before,
        "rss_measure": rss_measure,
        "rss_peak": max(rss_before, peak_rss_mib()),
        "states": {name: int(k) for name, k in zip(STATE_NAMES, states, strict=True)},
        "due_beyond": int((result.due_at == BEYOND).sum()),
    }


def run_size_in_child(n: int, repeats: int) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", str(n), "--repeats", str(repeats)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"size {n:,} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the peers -----------------------------------------------------------------------------------

WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def working_weekdays(spec: CalendarSpec) -> list[int]:
    return [day for day in range(7) if spec.weekly[day]]


def day_shape(spec: CalendarSpec) -> Intervals | None:
    """The intervals shared by all working weekdays (None when they differ or there are none)."""
    shapes = {spec.weekly[day] for day in working_weekdays(spec)}
    return shapes.pop() if len(shapes) == 1 else None


def closed_days(spec: CalendarSpec) -> set[dt.date]:
    return {day for day, intervals in spec.exceptions.items() if not intervals}


def wall(minute: int) -> dt.time:
    return dt.time(minute // 60, minute % 60)


def hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@dataclass(frozen=True)
class Peer:
    """How one library is asked the engine's questions."""

    name: str  # the PyPI distribution
    module: str
    expresses: str
    supports: Callable[[CalendarSpec], bool]
    calendar: Callable[[CalendarSpec], Any]  # the library's calendar object for a spec
    instant: Callable[[CalendarSpec, int], Any]  # an epoch second as the library takes it
    between: Callable[[Any, Any, Any], int]  # working seconds in [start, end)
    add: Callable[[Any, Any, int], int] | None = None  # start + working seconds, epoch seconds

    def available(self) -> bool:
        try:
            importlib.import_module(self.module)
        except ImportError:
            return False
        return True

    @property
    def version(self) -> str:
        return importlib.metadata.version(self.name)


def utc_datetime(_spec: CalendarSpec, t: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(t, dt.UTC)


def local_naive(spec: CalendarSpec, t: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(t, zoneinfo.ZoneInfo(spec.time_zone)).replace(tzinfo=None)


# businesstimedelta: a weekday rule, a lunch rule, a holiday rule, in a pytz zone.


def btd_supports(spec: CalendarSpec) -> bool:
    shape = day_shape(spec)
    return (
        shape is not None
        and len(shape) in (1, 2)
        and shape[-1][1] < 24 * 60
        and all(not intervals for intervals in spec.exceptions.values())
    )


def btd_calendar(spec: CalendarSpec) -> Any:
    import businesstimedelta
    import pytz

    zone, shape, days = pytz.timezone(spec.time_zone), day_shape(spec), working_weekdays(spec)
    assert shape is not None
    rules = [
        businesstimedelta.WorkDayRule(
            start_time=wall(shape[0][0]), end_time=wall(shape[-1][1]), working_days=days, tz=zone
        )
    ]
    if len(shape) == 2:
        rules.append(
            businesstimedelta.LunchTimeRule(
                start_time=wall(shape[0][1]), end_time=wall(shape[1][0]), working_days=days, tz=zone
            )
        )
    if closed_days(spec):
        rules.append(businesstimedelta.HolidayRule(closed_days(spec), tz=zone))
    return businesstimedelta.Rules(rules)


def btd_between(rule: Any, start: dt.datetime, end: dt.datetime) -> int:
    return int(rule.difference(start, end).timedelta.total_seconds())


def btd_add(rule: Any, start: dt.datetime, seconds: int) -> int:
    import businesstimedelta

    return int((start + businesstimedelta.BusinessTimeDelta(rule, seconds=seconds)).timestamp())


# business-duration: one interval a day, weekend days, a holiday list; naive datetimes (no zone).


def bd_supports(spec: CalendarSpec) -> bool:
    shape = day_shape(spec)
    return (
        shape is not None
        and len(shape) == 1
        and shape[0][1] < 24 * 60
        and all(not intervals for intervals in spec.exceptions.values())
    )


def bd_calendar(spec: CalendarSpec) -> dict[str, Any]:
    shape = day_shape(spec)
    assert shape is not None
    return {
        "starttime": wall(shape[0][0]),
        "endtime": wall(shape[0][1]),
        "weekendlist": [day for day in range(7) if not spec.weekly[day]],
        "holidaylist": closed_days(spec) or None,
    }


def bd_between(calendar: dict[str, Any], start: dt.datetime, end: dt.datetime) -> int:
    from business_duration import businessDuration

    if end <= start:
        return 0
    return int(businessDuration(start, end, unit="sec", **calendar))


# bizdurr: one interval per weekday, holidays, per-date overrides (one interval), a zone.


def bizdurr_supports(spec: CalendarSpec) -> bool:
    shape = day_shape(spec)
    return (
        shape is not None
        and len(shape) == 1
        and shape[0][1] < 24 * 60
        and all(
            len(intervals) <= 1 and (not intervals or intervals[0][1] < 24 * 60)
            for intervals in spec.exceptions.values()
        )
    )


def bizdurr_calendar(spec: CalendarSpec) -> Any:
    from bizdurr import BusinessDuration

    return BusinessDuration(
        business_hours={
            WEEKDAY_NAMES[day]: {"start": hhmm(s), "end": hhmm(e)}
            for day in working_weekdays(spec)
            for s, e in spec.weekly[day]
        },
        business_timezone=spec.time_zone,
        holidays=sorted(closed_days(spec)),
        overrides={
            day: {"start": hhmm(intervals[0][0]), "end": hhmm(intervals[0][1])}
            for day, intervals in spec.exceptions.items()
            if intervals
        }
        or None,
    )


def bizdurr_between(calendar: Any, start: dt.datetime, end: dt.datetime) -> int:
    return int(calendar.calculate(start, end).total_seconds())


PEERS = (
    Peer(
        name="businesstimedelta",
        module="businesstimedelta",
        expresses="weekdays, one interval + lunch rule, holiday list, pytz zone; adds time too",
        supports=btd_supports,
        calendar=btd_calendar,
        instant=utc_datetime,
        between=btd_between,
        add=btd_add,
    ),
    Peer(
        name="business-duration",
        module="business_duration",
        expresses="one interval a day, weekend days, holiday list; naive wall-clock times",
        supports=bd_supports,
        calendar=bd_calendar,
        instant=local_naive,
        between=bd_between,
    ),
    Peer(
        name="bizdurr",
        module="bizdurr",
        expresses="one interval per weekday, holidays, per-date overrides, zoneinfo zone",
        supports=bizdurr_supports,
        calendar=bizdurr_calendar,
        instant=utc_datetime,
        between=bizdurr_between,
    ),
)


@dataclass
class PeerRun:
    peer: str
    version: str
    calendars: list[int]
    incidents: int
    pairs: int
    adds: int
    seconds: float
    cpu_seconds: float
    ours_measure: float
    ours_with_compile: float
    load: float
    pair_mismatches: int = 0
    elapsed_compared: int = 0
    elapsed_mismatches: int = 0
    due_compared: int = 0
    due_mismatches: int = 0
    examples: list[str] = field(default_factory=list)


def peer_rows(workload: Workload, peer: Peer, specs: Sequence[CalendarSpec], n: int) -> Any:
    supported = np.array([peer.supports(spec) for spec in specs])
    return np.flatnonzero(supported[workload.cal])[:n]


def run_peer(
    peer: Peer,
    specs: Sequence[CalendarSpec],
    workload: Workload,
    n: int,
    *,
    repeats: int = REPEATS,
    progress: bool = False,
) -> PeerRun:
    """The peer on the first ``n`` incidents of ``workload`` it can express, the engine on the
    same incidents, and their answers compared to the second."""
    load_before = load_now()
    rows = peer_rows(workload, peer, specs, n)
    part = subset(workload, rows)
    clocks = to_clocks(part)
    cc = compile_all(specs)
    ours = measure(cc, clocks, now=NOW)
    ours_measure = best_of(lambda: measure(cc, clocks, now=NOW), repeats)
    ours_with_compile = best_of(lambda: measure(compile_all(specs), clocks, now=NOW), repeats)

    # The questions: every running segment (an open one up to NOW), then for each clock still
    # running the instant its target is reached, counted from its open segment.
    seg_clock, seg_start = clocks.seg_clock, clocks.seg_start
    is_open = clocks.seg_end == OPEN
    seg_end = np.where(is_open, np.maximum(NOW, seg_start), clocks.seg_end)
    seg_cal = clocks.cal[seg_clock]
    used = sorted({int(c) for c in np.unique(part.cal)})
    starts = [peer.instant(specs[c], int(t)) for c, t in zip(seg_cal, seg_start, strict=True)]
    ends = [peer.instant(specs[c], int(t)) for c, t in zip(seg_cal, seg_end, strict=True)]
    cal_list = seg_cal.tolist()
    open_segments = np.flatnonzero(is_open).tolist()
    open_clock = seg_clock[is_open].tolist()
    target = clocks.target.tolist()

    began, cpu = time.perf_counter(), time.process_time()
    objects = {c: peer.calendar(specs[c]) for c in used}
    worked = [
        peer.between(objects[c], s, e) for c, s, e in zip(cal_list, starts, ends, strict=True)
    ]
    due: dict[int, int] = {}
    if peer.add is not None:
        elapsed_list = np.bincount(seg_clock, weights=worked, minlength=len(clocks)).tolist()
        for segment, clock in zip(open_segments, open_clock, strict=True):
            need = target[clock] - (elapsed_list[clock] - worked[segment])
            if need > 0:
                due[clock] = peer.add(objects[cal_list[segment]], starts[segment], need)
    seconds, cpu_seconds = time.perf_counter() - began, time.process_time() - cpu
    if progress:
        print(f"  {peer.name}: {len(worked):,} pairs in {seconds:.1f} s", file=sys.stderr)

    run = PeerRun(
        peer=peer.name,
        version=peer.version,
        calendars=used,
        incidents=len(part),
        pairs=len(worked),
        adds=len(due),
        seconds=seconds,
        cpu_seconds=cpu_seconds,
        ours_measure=ours_measure,
        ours_with_compile=ours_with_compile,
        load=load_before,
    )
    theirs = np.array(worked, dtype=np.int64)
    engine_pairs = working_seconds(cc, seg_cal, seg_start, seg_end)
    wrong = np.flatnonzero(theirs != engine_pairs)
    run.pair_mismatches = int(wrong.size)
    for i in wrong[:3]:
        run.examples.append(
            f"{specs[seg_cal[i]].time_zone} (calendar {seg_cal[i]}) "
            f"[{iso(seg_start[i])}, {iso(seg_end[i])}): ours {engine_pairs[i]} s, "
            f"theirs {theirs[i]} s"
        )
    elapsed = np.bincount(seg_clock, weights=theirs, minlength=len(clocks)).astype(np.int64)
    run.elapsed_compared = len(clocks)
    run.elapsed_mismatches = int((elapsed != ours.elapsed).sum())
    if due:
        clock_ids = np.fromiter(due, dtype=np.int64, count=len(due))
        their_due = np.fromiter(due.values(), dtype=np.int64, count=len(due))
        run.due_compared = len(due)
        run.due_mismatches = int((their_due != ours.due_at[clock_ids]).sum())
    return run


def iso(t: int) -> str:
    return dt.datetime.fromtimestamp(int(t), dt.UTC).strftime("%Y-%m-%d %H:%M:%SZ")


NOTES: tuple[str, ...] = (
    "Scaling. Profiled once at 10 M (cProfile, on this machine), about a third of the time "
    "is the `np.searchsorted` in "
    "`tamdesk.sla.engine.reach`: 2N sorted queries into the 3N segment keys "
    "`seg_clock * _BIG + after`, rebuilt and searched once for the due date and once per warning "
    "threshold. Alone, one such search takes 0.12 s at 1 M and 1.6 s at 10 M (30 M keys, 240 MB: "
    "the binary search leaves the caches). Segments are grouped by clock, so a clock's segment "
    "could be found without a global search (its first segment plus a vectorised count over the "
    "few segments a clock has), and the keys built once for the three calls; that is where a "
    "10 M run would gain, not needed for the 1 M target. The 10 M figure is a single run; repeated "
    "runs in one process took 13.9–17.0 s.",
    "Agreement. The peers' conventions match the engine's only within what they can "
    "express: business-duration takes naive wall-clock times and bizdurr subtracts wall-clock "
    "times of one zone, which equals elapsed time only because the DST changes (at night) fall "
    "outside these calendars' working hours; business-duration counts a day ending at 23:59:59 as "
    "ending at 24:00 (one second added), its only way to reach midnight. businesstimedelta's "
    "HolidayRule looks at most five years ahead for the next holiday and raises TypeError when "
    "there is none (its holiday list must outlast every query); the lists here run to the end "
    "of 2026.",
    "Fairness. The peers get their friendliest inputs: datetimes converted beforehand (not timed), "
    "holiday lists as sets (business-duration's documented list has a linear membership test). "
    "The engine's figure is all of `measure` (paused time, due dates of every clock, two warning "
    "instants, states), more than the peers answer; compiling the ten calendars takes a few "
    "milliseconds, so the ratios with and without it differ little at 100 k.",
)

# --- the report ----------------------------------------------------------------------------------


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f}"


def load_now() -> float:
    return os.getloadavg()[0]


def size_table(sizes: list[dict[str, Any]]) -> str:
    lines = [
        "| incidents | clocks | running segments | pauses | compile s | measure s (CPU s) "
        "| measure, ns per clock | Clocks arrays MiB | peak RSS in measure MiB "
        "| peak RSS of the run MiB | load |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in sizes:
        best = "best of 3" if row["repeats"] == 3 else f"{row['repeats']} run"
        lines.append(
            f"| {row['n']:,} | {row['clocks']:,} | {row['segments']:,} | {row['pauses']:,} "
            f"| {row['compile']:.3f} | **{row['measure']:.3f}** ({row['measure_cpu']:.3f}; {best}) "
            f"| {row['measure'] / row['clocks'] * 1e9:.0f} | {row['input_mib']:,.0f} "
            f"| {row['rss_measure']:,.0f} | {row['rss_peak']:,.0f} | {row['load']:.2f} |"
        )
    return "\n".join(lines)


def peer_table(runs: list[PeerRun]) -> str:
    lines = [
        "| library | version | calendars | incidents | questions | time s (CPU s) | engine s "
        "(measure / compile + measure) | ratio, peer / engine | agreement | load |",
        "|---|---|---|---:|---:|---:|---:|---:|---|---:|",
    ]
    for run in runs:
        questions = f"{run.pairs:,} pairs" + (f" + {run.adds:,} adds" if run.adds else "")
        agreement = (
            f"{run.pair_mismatches} of {run.pairs:,} pairs, "
            f"{run.elapsed_mismatches} of {run.elapsed_compared:,} clocks"
        )
        if run.due_compared:
            agreement += f", {run.due_mismatches} of {run.due_compared:,} due dates"
        lines.append(
            f"| {run.peer} | {run.version} | {', '.join(map(str, run.calendars))} "
            f"| {run.incidents:,} | {questions} | {run.seconds:.1f} ({run.cpu_seconds:.1f}) "
            f"| {run.ours_measure:.4f} / {run.ours_with_compile:.4f} "
            f"| **{run.seconds / run.ours_measure:,.0f}×** / "
            f"{run.seconds / run.ours_with_compile:,.0f}× | {agreement} differ "
            f"| {run.load:.2f} |"
        )
    return "\n".join(lines)


def para(*parts: str) -> str:
    """One markdown paragraph, wrapped."""
    return textwrap.fill(" ".join(parts), width=98, break_on_hyphens=False)


def verdict(sizes: list[dict[str, Any]]) -> str:
    million = [row for row in sizes if row["n"] == 1_000_000]
    if not million:
        return "(No 1 M run here: the target is judged on `--sizes 1000000`.)"
    seconds = million[0]["measure"]
    met = "met" if seconds <= TARGET_SECONDS else "**not met**"
    return (
        f"Target: `measure` on 1 M incidents (2 M clocks) in ≤ {TARGET_SECONDS:g} s — "
        f"{seconds:.3f} s, {met}."
    )


def observed(sizes: list[dict[str, Any]], runs: list[PeerRun]) -> list[str]:
    """What this run shows (the notes that follow are fixed text)."""
    notes = []
    by_n = {row["n"]: row for row in sizes}
    if 1_000_000 in by_n and 10_000_000 in by_n:
        small, large = by_n[1_000_000], by_n[10_000_000]
        per_clock = (large["measure"] / large["clocks"]) / (small["measure"] / small["clocks"])
        notes.append(
            f"This run: `measure` costs {per_clock:.1f} times more per clock at 10 M than at 1 M "
            f"({large['measure'] / small['measure']:.1f} times the time for 10 times the clocks)."
        )
    if runs:
        wrong = [
            run.peer
            for run in runs
            if run.pair_mismatches or run.elapsed_mismatches or run.due_mismatches
        ]
        notes.append(
            "This run: every peer agrees with the engine to the second on every pair, clock and "
            "due date it was asked."
            if not wrong
            else f"This run: {', '.join(wrong)} disagree with the engine (examples above)."
        )
    return notes


def report(
    sizes: list[dict[str, Any]], runs: list[PeerRun], loads: tuple[str, str], missing: list[str]
) -> str:
    first = sizes[0]
    states = ", ".join(f"{name} {k:,}" for name, k in first["states"].items())
    calendar_lines = [f"{i}. {note}" for i, note in enumerate(CALENDAR_NOTES)]
    examples = [f"- {run.peer}: {example}" for run in runs for example in run.examples]
    generation = ", ".join(f"{row['generate']:.1f} s at {row['n']:,}" for row in sizes)
    peers_n = runs[0].incidents if runs else 0
    shares = "/".join(f"{share:.0%}" for share in PRIORITY_SHARE)
    lines = [
        "# SLA clock engine benchmark",
        "",
        para(
            "What is measured: `tamdesk.sla.engine.measure(cc, clocks, now=...)` on N incidents,",
            "each with a reaction clock and a resolution clock (2N clocks): elapsed and paused",
            "working time, remaining time, due date, breach instant, two warning instants (50 %",
            "and 75 % of the target) and the state of every clock — one call for all of them, one",
            "process, one thread. `compile_calendars` (the ten calendars over the two years plus",
            "60 days) is timed apart: it is done once and reused. Timings are",
            "`time.perf_counter`, best of 3 (a single run at 10 M), with the CPU time of that run",
            "(`time.process_time`) in brackets. Each size runs in a fresh",
            "child process; peak RSS is `resource.getrusage(RUSAGE_SELF).ru_maxrss` of that",
            "process, during `measure` (the kernel's high-water mark reset just before it) and",
            "for the whole run (generating the workload included).",
        ),
        "",
        size_table(sizes),
        "",
        verdict(sizes),
        "",
        "## Peers",
        "",
        para(
            f"The peers run on {peers_n:,} incidents each, not on millions (they answer one pair",
            "at a time in a Python loop, as their APIs require): the first incidents of the 1 M",
            "workload (same generator, same seed) whose calendar the library can express (column",
            "calendars, indexes below). Their questions are the engine's: the working seconds of",
            "every running segment of both clocks (a pause splits the resolution clock: opening →",
            "pause, resume → end; an open segment counts up to `now`), summed per clock.",
            "businesstimedelta also answers the due date of every clock still running (the",
            "remaining target added to the start of its open segment); the other two cannot add",
            "working time. The engine is timed on exactly the same incidents (all of `measure`:",
            "paused time, due dates and warnings too), compile excluded (first figure; the ratio",
            "in bold) and included. The peers' time includes building their calendar objects but",
            "not converting epoch seconds into the datetimes they take. Agreement: every pair,",
            "every clock's elapsed time and every due date compared to the second with the",
            "engine's answer.",
        ),
        "",
        peer_table(runs),
        "",
        *([f"Not installed, skipped: {', '.join(missing)}.", ""] if missing else []),
        "What each library can express, and so which calendars it ran on:",
        "",
        *[f"- {peer.name}: {peer.expresses}." for peer in PEERS if peer.name not in missing],
        "",
        para(
            "None of them can express the 24×7 calendar (a day ends before 24:00 in all three);",
            "only bizdurr has per-date working hours (the Russian shortened days and working",
            "Saturdays), but none has a lunch break on such a day; only businesstimedelta adds",
            "working time (due dates); none has warning thresholds, pauses or many clocks in one",
            "call.",
        ),
        *(["", "Mismatches (first examples):", "", *examples] if examples else []),
        "",
        "## Notes",
        "",
        *[para(note) + "\n" for note in (*observed(sizes, runs), *NOTES)],
        "",
        "## Workload",
        "",
        f"Seeded NumPy generator (seed {SEED}), vectorised. Calendars (index. definition):",
        "",
        *calendar_lines,
        "",
        para(
            f"Incidents are spread evenly over the calendars; priorities P1–P4 {shares}; reaction",
            "targets 30 min / 1 h / 4 h / 8 h, resolution targets 4 h / 8 h / 24 h / 40 h of",
            f"working time; warning thresholds 50 and 75 %. `now` is {iso(NOW)}. Resolved",
            f"incidents ({OUTCOME_SHARE[0]:.0%}) were opened evenly over the two years before it;",
            "open ones have their last event (the start of the running segment or of the pause)",
            f"up to 14 days before it (drawn: {OUTCOME_SHARE[1]:.0%} running now, "
            f"{OUTCOME_SHARE[2]:.0%} paused now if it had a pause; most open clocks are breached",
            "already). Pauses per incident ~ Poisson(1) capped at",
            f"{MAX_PAUSES} (0.9994 on average); running stretches last an exponential 20 h of",
            "wall-clock time on average, pauses 30 h (each between 1 minute and 15 days); the",
            "reaction comes after an exponential 90 minutes (capped at 3 days).",
            f"Clock states at {first['n']:,} incidents: {states}; due dates beyond the compiled",
            f"range: {first['due_beyond']:,}. Generating the workload and building the `Clocks`",
            f"arrays took {generation} (not part of the figures above). After each size a",
            "self-check verifies every reaction clock's due date with `working_seconds`.",
        ),
        "",
        f"Command: `{COMMAND}`  ",
        f"Machine: {machine()}  ",
        f"Load average (1, 5, 15 min) at the start: {loads[0]}; at the end: {loads[1]} (the",
        "load columns: the 1-minute figure just before each measurement; this benchmark itself",
        "counts 1)  ",
        f"Run on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        "",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--peers-n", type=int, default=PEERS_N)
    parser.add_argument("--quick", action="store_true", help="a fast smoke run")
    parser.add_argument("--write", action="store_true", help=f"write {RESULT.name}")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--repeats", type=int, default=REPEATS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(run_size(args.child, args.repeats)))
        return 0

    sizes = [int(s) for s in args.sizes.split(",") if s]
    peers_n = args.peers_n
    if args.quick:
        sizes, peers_n = [20_000], min(peers_n, 500)
    loads_start = load()
    rows = []
    for n in sizes:
        print(f"measuring {n:,} incidents…", file=sys.stderr)
        rows.append(run_size_in_child(n, REPEATS if n <= 2_000_000 else 1))

    specs = calendars()
    pool = generate(1_000_000 if not args.quick else 20 * peers_n)
    runs, missing = [], []
    for peer in PEERS:
        if not peer.available():
            missing.append(peer.name)
            continue
        print(f"peer {peer.name} on {peers_n:,} incidents…", file=sys.stderr)
        runs.append(run_peer(peer, specs, pool, peers_n, progress=True))

    text = report(rows, runs, (loads_start, load()), missing)
    print(text)
    if args.write:
        RESULT.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
