"""Measuring incidents' clocks with the engine, one incident or many at once, and storing what
was measured. Pure arithmetic lives in ``engine.py`` and ``timeline.py``; this module feeds them
from the database and writes the results back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from django.utils import timezone

from tamdesk.calendars.engine import CalendarSpec, compile_calendars
from tamdesk.core import ranges
from tamdesk.sla import engine, timeline
from tamdesk.sla.choices import ClockKind, ClockState
from tamdesk.sla.models import Incident

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
#: Due times are looked for this far past now; a clock due later shows "beyond" and is looked at
#: again in a day.
HORIZON = dt.timedelta(days=400)
RECHECK_BEYOND = dt.timedelta(days=1)
STATE_CHOICES = {
    engine.RUNNING: ClockState.RUNNING,
    engine.PAUSED: ClockState.PAUSED,
    engine.MET: ClockState.MET,
    engine.BREACHED: ClockState.BREACHED,
    engine.NO_TARGET: ClockState.NO_TARGET,
}
TWENTY_FOUR_SEVEN = CalendarSpec.always_open("UTC")
#: Nothing is measured before the supported range starts.
SUPPORTED_FROM = (ranges.FIRST_INSTANT - EPOCH) // dt.timedelta(seconds=1)


def epoch(value: dt.datetime) -> int:
    return (value - EPOCH) // dt.timedelta(seconds=1)


def instant(value: int) -> dt.datetime | None:
    if value in (engine.NO_INSTANT, engine.BEYOND):
        return None
    return EPOCH + dt.timedelta(seconds=int(value))


@dataclass
class Measured:
    """One clock as measured, before it is stored."""

    incident: Incident
    kind: str
    state: str
    target: int | None
    elapsed: int
    paused: int
    due_at: dt.datetime | None
    due_beyond: bool
    breached_at: dt.datetime | None
    warn_at: list[tuple[int, dt.datetime | None]]  # (percent, when)


def opening_priority(incident: Incident, events) -> str:
    for event in events:
        if event.kind == "priority_changed":
            return event.from_value or incident.priority
    return incident.priority


def timeline_of(incident: Incident, events) -> timeline.Timeline:
    version = incident.policy_version
    reaction = frozenset(version.reaction_pause_statuses) if version else frozenset()
    resolution = frozenset(version.resolution_pause_statuses) if version else frozenset()
    return timeline.build(
        [timeline.Event(e.kind, epoch(e.at), e.to_value) for e in events],
        priority=opening_priority(incident, events),
        reaction_pauses=reaction,
        resolution_pauses=resolution,
    )


def measure(
    incidents: Sequence[Incident],
    *,
    now: dt.datetime,
    events_of: Mapping[int, Sequence] | None = None,
) -> list[Measured]:
    """Measure both clocks of every incident at ``now``. The incidents come with
    ``policy_version__calendar`` and ``policy_version__targets`` and ``events`` prefetched (see
    :func:`prefetched`) — or their events in ``events_of`` (incident id → its events in order,
    e.g. the rows just written).

    A clock is measured whenever its calendar is known — the policy version's (24×7 when it has
    none) — also when the version sets no target for the priority (state ``no_target``, elapsed
    and paused measured, never due). Without a policy version there is no calendar to measure in:
    ``no_target`` with nothing elapsed."""
    specs: list[CalendarSpec] = [TWENTY_FOUR_SEVEN]
    spec_index: dict[int | None, int] = {None: 0}
    rows = []  # (incident, kind, calendar index, target seconds or None, segments, thresholds)
    for incident in incidents:
        version = incident.policy_version
        calendar = version.calendar if version else None
        key = calendar.pk if calendar else None
        if key not in spec_index:
            spec_index[key] = len(specs)
            specs.append(calendar.to_spec())
        events = list(incident.events.all() if events_of is None else events_of[incident.pk])
        line = timeline_of(incident, events)
        targets = {t.priority: t for t in version.targets.all()} if version else {}
        target = targets.get(line.priority)
        thresholds = list(version.warning_thresholds) if target is not None else []
        for kind, segments in (
            (ClockKind.REACTION, line.reaction),
            (ClockKind.RESOLUTION, line.resolution),
        ):
            rows.append(
                (
                    incident,
                    kind,
                    spec_index[key],
                    target.seconds(kind) if target else None,
                    segments,
                    thresholds,
                )
            )
    measured = [i for i, row in enumerate(rows) if row[0].policy_version is not None]
    engine_results = _run_engine(specs, [rows[i] for i in measured], now=now) if measured else []
    by_position = dict(zip(measured, engine_results, strict=True))
    results: list[Measured] = []
    for position, (incident, kind, _cal, _target, _segments, _thresholds) in enumerate(rows):
        if position in by_position:
            results.append(by_position[position])
            continue
        results.append(
            Measured(
                incident=incident,
                kind=kind,
                state=ClockState.NO_TARGET,
                target=None,
                elapsed=0,
                paused=0,
                due_at=None,
                due_beyond=False,
                breached_at=None,
                warn_at=[],
            )
        )
    return results


def _supported(t: int) -> int:
    """An instant moved into the supported range: a time stored before the range was checked
    (say year 2) would make the calendars compile for centuries and fail the whole page."""
    return max(t, SUPPORTED_FROM)


def _run_engine(specs, rows, *, now: dt.datetime) -> list[Measured]:
    now_s = epoch(now)
    starts = [_supported(seg[0]) for row in rows for seg in (row[4].running + row[4].pauses)]
    earliest = min(starts, default=now_s)
    cc = compile_calendars(
        specs, start=min(earliest, now_s), end=now_s + int(HORIZON.total_seconds())
    )
    levels_of = [sorted(set(row[5])) for row in rows]
    width = max((len(levels) for levels in levels_of), default=0)
    thresholds = np.zeros((len(rows), width), dtype=np.int64)
    seg_clock, seg_start, seg_end, pause_clock, pause_start, pause_end = [], [], [], [], [], []
    for i, row in enumerate(rows):
        segments = row[4]
        for start, end in segments.running:
            seg_clock.append(i)
            seg_start.append(_supported(start))
            seg_end.append(engine.OPEN if end is None else _supported(end))
        for start, end in segments.pauses:
            pause_clock.append(i)
            pause_start.append(_supported(start))
            pause_end.append(engine.OPEN if end is None else _supported(end))
        levels = levels_of[i]
        thresholds[i, : len(levels)] = levels
    clocks = engine.Clocks(
        cal=np.array([row[2] for row in rows], dtype=np.int64),
        target=np.array(
            [engine.NONE if row[3] is None else row[3] for row in rows], dtype=np.int64
        ),
        stopped=np.array([row[4].stopped for row in rows], dtype=bool),
        seg_clock=np.array(seg_clock, dtype=np.int64),
        seg_start=np.array(seg_start, dtype=np.int64),
        seg_end=np.array(seg_end, dtype=np.int64),
        pause_clock=np.array(pause_clock, dtype=np.int64),
        pause_start=np.array(pause_start, dtype=np.int64),
        pause_end=np.array(pause_end, dtype=np.int64),
        thresholds=thresholds,
    )
    result = engine.measure(cc, clocks, now=now_s)
    return [
        Measured(
            incident=row[0],
            kind=row[1],
            state=STATE_CHOICES[int(result.state[i])],
            target=row[3],
            elapsed=int(result.elapsed[i]),
            paused=int(result.paused[i]),
            due_at=instant(int(result.due_at[i])),
            due_beyond=int(result.due_at[i]) == engine.BEYOND,
            breached_at=instant(int(result.breached_at[i])),
            warn_at=[
                (level, instant(int(result.warn_at[i, k]))) for k, level in enumerate(levels_of[i])
            ],
        )
        for i, row in enumerate(rows)
    ]


def prefetched(incidents: Iterable[Incident] | None = None):
    """The incidents (a queryset) with what :func:`measure` reads."""
    queryset = incidents if incidents is not None else Incident.objects.all()
    return queryset.select_related(
        "policy_version__calendar", "policy_version__policy", "client"
    ).prefetch_related(
        "policy_version__targets",
        "events",
        "policy_version__calendar__working_intervals",
        "policy_version__calendar__exceptions",
    )


def now() -> dt.datetime:
    return timezone.now()
