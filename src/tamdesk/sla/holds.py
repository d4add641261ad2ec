"""Time per department: which department held an incident when, and how much of the resolution
clock's working time it used (docs/domains/sla.md, "Time per department").

A department **holds** an incident from the opening (the opening department) or from a
reassignment to it until the next reassignment or the resolution (or closing); a reopening
starts a new hold by the department the incident is in at that moment. An incident in no
department is held by "no department" (``department`` empty). Consecutive holds by the same
department (a reassignment between two of its engineers) are one hold; a hold of no time (two
reassignments at the same instant) is dropped.

A hold's ``working_seconds`` is the resolution clock's running time inside it, in the working
time of the clock's calendar (``clocks.measure``'s, from the same compiled calendars and
``working_seconds``): the holds of an incident add up to its resolution clock's elapsed time.
Paused time (statuses the policy version lists for the resolution clock) is ``paused_seconds``.
An incident without a policy version is measured around the clock, as a version without a
calendar is.

``measure_holds`` takes many incidents at once (as prefetched for ``clocks.measure``) and makes
one ``working_seconds`` call for all their holds; ``store_holds`` replaces their stored holds in
two statements. ``services.store`` calls it wherever clocks are stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from django.db import transaction

from tamdesk.calendars.engine import CalendarSpec, compile_calendars, working_seconds
from tamdesk.sla import clocks
from tamdesk.sla.choices import IncidentEventKind
from tamdesk.sla.models import Incident, IncidentHold

Kind = IncidentEventKind


@dataclass(frozen=True)
class Spell:
    """One hold before it is measured: UTC epoch seconds, ``end`` None while it lasts."""

    department_id: int | None
    start: int
    end: int | None


def spells(events: Sequence[tuple[str, int, int | None]]) -> list[Spell]:
    """The holds of one incident from its events ``(kind, at, department id)`` in order (the
    first one the opening) — pure."""
    out: list[Spell] = []
    department: int | None = None
    since: int | None = None

    def close(at: int) -> None:
        if since is None or at <= since:
            return
        if out and out[-1].department_id == department and out[-1].end == since:
            out[-1] = Spell(department, out[-1].start, at)
        else:
            out.append(Spell(department, since, at))

    for kind, at, department_id in events:
        if kind == Kind.OPENED:
            department, since = department_id, at
        elif kind == Kind.REASSIGNED:
            if since is not None:
                close(at)
                since = at
            department = department_id
        elif kind in (Kind.RESOLVED, Kind.CLOSED):
            if since is not None:
                close(at)
            since = None
        elif kind == Kind.REOPENED and since is None:
            since = at
    if since is not None:
        if out and out[-1].department_id == department and out[-1].end == since:
            out[-1] = Spell(department, out[-1].start, None)
        else:
            out.append(Spell(department, since, None))
    return out


def _overlaps(spell: Spell, segments, now: int) -> list[tuple[int, int]]:
    """The parts of ``segments`` (start, end or None) inside ``spell``, up to ``now``."""
    spell_end = now if spell.end is None else min(spell.end, now)
    found = []
    for start, end in segments:
        lo = max(start, spell.start, clocks.SUPPORTED_FROM)
        hi = min(now if end is None else end, spell_end)
        if hi > lo:
            found.append((lo, hi))
    return found


def measure_holds(
    incidents: Iterable[Incident], *, now: dt.datetime, events_of=None
) -> list[IncidentHold]:
    """The holds of every incident at ``now`` (unsaved, in incident then time order). The
    incidents come as ``clocks.prefetched`` gives them, or with their events in ``events_of``
    (incident id → its events in order, as ``clocks.measure`` takes them); one incident given
    twice counts once."""
    now_s = clocks.epoch(now)
    specs: list[CalendarSpec] = [clocks.TWENTY_FOUR_SEVEN]
    spec_index: dict[int | None, int] = {None: 0}
    holds: list[IncidentHold] = []
    # One row per overlap of a hold with a running (is_pause False) or pause segment.
    pair_hold, pair_cal, pair_lo, pair_hi, pair_pause = [], [], [], [], []
    seen: set[int] = set()
    for incident in incidents:
        if incident.pk in seen:
            continue
        seen.add(incident.pk)
        version = incident.policy_version
        calendar = version.calendar if version else None
        key = calendar.pk if calendar else None
        if key not in spec_index:
            spec_index[key] = len(specs)
            specs.append(calendar.to_spec())
        events = list(incident.events.all() if events_of is None else events_of[incident.pk])
        if not events:
            continue
        line = clocks.timeline_of(incident, events).resolution
        found = spells([(e.kind, clocks.epoch(e.at), e.department_id) for e in events])
        for seq, spell in enumerate(found, start=1):
            index = len(holds)
            holds.append(
                IncidentHold(
                    incident=incident,
                    seq=seq,
                    department_id=spell.department_id,
                    started_at=clocks.instant(spell.start),
                    ended_at=None if spell.end is None else clocks.instant(spell.end),
                    measured_at=now,
                )
            )
            for is_pause, segments in ((False, line.running), (True, line.pauses)):
                for lo, hi in _overlaps(spell, segments, now_s):
                    pair_hold.append(index)
                    pair_cal.append(spec_index[key])
                    pair_lo.append(lo)
                    pair_hi.append(hi)
                    pair_pause.append(is_pause)
    if not pair_hold:
        return holds
    lo = np.array(pair_lo, dtype=np.int64)
    hi = np.array(pair_hi, dtype=np.int64)
    cc = compile_calendars(specs, start=int(lo.min()), end=max(int(hi.max()), now_s))
    worked = working_seconds(cc, np.array(pair_cal, dtype=np.int64), lo, hi)
    index = np.array(pair_hold, dtype=np.int64)
    pause = np.array(pair_pause, dtype=bool)
    running = np.bincount(index[~pause], weights=worked[~pause], minlength=len(holds))
    paused = np.bincount(index[pause], weights=worked[pause], minlength=len(holds))
    for i, hold in enumerate(holds):
        hold.working_seconds = int(running[i])
        hold.paused_seconds = int(paused[i])
    return holds


@transaction.atomic
def store_holds(incidents: Iterable[Incident], *, now: dt.datetime, events_of=None) -> int:
    """Measure the incidents' holds and replace those stored (one delete, one insert). Returns
    the number of holds stored."""
    incidents = list(incidents)
    holds = measure_holds(incidents, now=now, events_of=events_of)
    IncidentHold.objects.filter(incident_id__in={i.pk for i in incidents}).delete()
    IncidentHold.objects.bulk_create(holds, batch_size=2000)
    return len(holds)


# --- reading them ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DepartmentTime:
    """One department's share of an incident: its holds summed."""

    department_id: int | None
    department_name: str
    working_seconds: int
    paused_seconds: int
    holds: int
    is_holding: bool
    target_seconds: int | None

    @property
    def is_over_target(self) -> bool:
        return self.target_seconds is not None and self.working_seconds > self.target_seconds


def per_department(
    holds: Sequence[IncidentHold], targets: dict[int, int], names: dict[int, str]
) -> list[DepartmentTime]:
    """The holds of one incident summed per department, in the order each first held it.
    ``targets`` maps a department id to its OLA target for the incident's priority."""
    order: list[int | None] = []
    sums: dict[int | None, list[int]] = {}
    holding: set[int | None] = set()
    for hold in holds:
        if hold.department_id not in sums:
            order.append(hold.department_id)
            sums[hold.department_id] = [0, 0, 0]
        entry = sums[hold.department_id]
        entry[0] += hold.working_seconds
        entry[1] += hold.paused_seconds
        entry[2] += 1
        if hold.ended_at is None:
            holding.add(hold.department_id)
    return [
        DepartmentTime(
            department_id=department,
            department_name=names.get(department, "") if department is not None else "",
            working_seconds=sums[department][0],
            paused_seconds=sums[department][1],
            holds=sums[department][2],
            is_holding=department in holding,
            target_seconds=targets.get(department) if department is not None else None,
        )
        for department in order
    ]
