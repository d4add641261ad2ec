"""Writing what a reader produced (``records.ReadResult``) into incidents: the one import path
for every source (docs/domains/sla.md, "Importing incidents").

- **Idempotent by (source_system, external_id).** A new incident is opened with all its events
  (``services.open_incident``); a known one gets only the events after its last stored one
  (``services.append_events``); the same file twice writes nothing. An export whose earlier
  events differ from the stored ones contradicts them: that incident is refused whole.
- **An incident is written whole or not at all**: a refusal (a ``DomainError`` from the
  services, an unresolved name) becomes rejects for all of its lines and writes nothing of it;
  an incident committed stays whole if the process dies later, and a re-run resumes where it
  stopped. A file of ``BATCH_FROM`` incidents or more is written in chunks of ``CHUNK_SIZE``
  (``chunk_size``), one transaction each: every incident of a chunk is checked whole before
  anything of it is written (names resolved in a savepoint when they may create a row), the new
  ones are opened together (``services.open_incidents``); a process dying loses the chunk being
  written, whole. A smaller file goes one transaction per incident (``services.open_incident``).
- ``dry_run`` runs the same in one transaction rolled back at the end.
- Old breaches notify nobody: the clocks are measured with ``now`` and a breach of a clock that
  stopped more than ``services.NEWS_WINDOW`` ago is history (recorded, published with
  ``is_news`` false, never notified).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, fields

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tamdesk.core.exceptions import DomainError
from tamdesk.sla import services
from tamdesk.sla.choices import PAUSABLE_STATUSES, ClockState, IncidentEventKind
from tamdesk.sla.imports.records import ReadResult, Reject, SourceEvent, SourceIncident
from tamdesk.sla.imports.resolve import Resolver, Unresolved
from tamdesk.sla.models import Incident, IncidentClock, IncidentEvent
from tamdesk.sla.services import NewEvent

#: The stored outcome lists at most this many rejects and disagreements each (the counts stay
#: exact; ``rejects_listed``/``disagreements_listed`` say how many were kept).
MAX_LISTED = 1000

#: Incidents per transaction on the batch path (``write``'s ``chunk_size``).
CHUNK_SIZE = 1000
#: A file of fewer incidents is written one incident per transaction (``chunk_size_for``).
BATCH_FROM = 50

#: The source's verdict keys, by the clock they judge ("" = the incident as a whole).
SOURCE_VERDICTS = {
    "made_sla": "",
    "time_to_first_response": "reaction",
    "time_to_resolution": "resolution",
}


@dataclass
class Disagreement:
    """The source's SLA verdict differs from tamdesk's measurement of the same incident."""

    incident_id: int
    external_id: str
    clock: str  # "reaction", "resolution", or "" for the source's overall flag
    source: str  # "met" or "breached"
    tamdesk: str  # "met" or "breached"
    url: str


@dataclass
class ImportOutcome:
    """The reconciliation of one import."""

    rows: int = 0
    incidents: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    events: int = 0
    pauses: int = 0
    reassignments: int = 0
    reopenings: int = 0
    rejects: list[Reject] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)
    dry_run: bool = False

    def as_json(self, *, limit: int = MAX_LISTED) -> dict:
        """The outcome as stored on ``IncidentImport.outcome``: lists capped at ``limit``."""
        data = {k: v for k, v in asdict(self).items() if k not in ("rejects", "disagreements")}
        rejects = sorted(self.rejects, key=lambda r: (r.line, r.column))
        data["rejects_total"] = len(rejects)
        data["rejects"] = [asdict(r) for r in rejects[:limit]]
        data["disagreements_total"] = len(self.disagreements)
        data["disagreements"] = [asdict(d) for d in self.disagreements[:limit]]
        return data

    @classmethod
    def from_json(cls, data: dict) -> ImportOutcome:
        plain = {
            k: v
            for k, v in data.items()
            if k in cls.__dataclass_fields__ and k not in ("rejects", "disagreements")
        }
        return cls(
            **plain,
            rejects=[Reject(**r) for r in data.get("rejects", [])],
            disagreements=[Disagreement(**d) for d in data.get("disagreements", [])],
        )


def write_rejects_csv(rejects: Iterable[Reject], out) -> int:
    """Write ``rejects`` to the text stream ``out`` as CSV (line, column, external id, reason),
    in line order; returns how many."""
    writer = csv.writer(out)
    writer.writerow(["line", "column", "external_id", "reason"])
    count = 0
    for reject in sorted(rejects, key=lambda r: (r.line, r.column)):
        writer.writerow([reject.line, reject.column, reject.external_id, reject.reason])
        count += 1
    return count


class _Refused(Exception):
    def __init__(self, column: str, reason: str):
        super().__init__(reason)
        self.column = column
        self.reason = reason


def write(
    result: ReadResult,
    *,
    resolver: Resolver,
    by,
    dry_run: bool = False,
    now: dt.datetime | None = None,
    progress: Callable[[int, ImportOutcome], object] | None = None,
    progress_every: int = 100,
    chunk_size: int | None = None,
) -> ImportOutcome:
    """Write the incidents of ``result``; return the reconciliation. ``progress(done,
    outcome)`` is called every ``progress_every`` incidents (at the end of the chunk that gets
    there) and at the end. ``chunk_size``: incidents per transaction (``chunk_size_for``)."""
    now = now or timezone.now()
    outcome = ImportOutcome(
        rows=result.rows,
        incidents=len(result.incidents),
        rejects=list(result.rejects),
        dry_run=dry_run,
    )
    size = chunk_size_for(len(result.incidents), chunk_size)
    args = (result.incidents, outcome, resolver, by, now, progress, progress_every)
    if dry_run:
        with transaction.atomic():
            _write_chunks(*args, size) if size else _write_all(*args)
            transaction.set_rollback(True)
    else:
        _write_chunks(*args, size) if size else _write_all(*args)
    return outcome


def chunk_size_for(incidents: int, chunk_size: int | None = None) -> int:
    """How many incidents go in one transaction: ``chunk_size`` when given (0: each in its own,
    the per-incident path), else ``CHUNK_SIZE`` for a file of ``BATCH_FROM`` incidents or more
    and 0 for a smaller one."""
    if chunk_size is not None:
        if chunk_size < 0:
            raise ValueError("chunk_size is 0 (one incident per transaction) or more")
        return chunk_size
    return CHUNK_SIZE if incidents >= BATCH_FROM else 0


def _write_all(incidents, outcome, resolver, by, now, progress, progress_every) -> None:
    for done, source in enumerate(incidents, start=1):
        _write_one(source, outcome, resolver, by, now)
        if progress is not None and (done % progress_every == 0 or done == len(incidents)):
            progress(done, outcome)


def _write_one(source: SourceIncident, outcome: ImportOutcome, resolver, by, now) -> None:
    try:
        with transaction.atomic():
            incident, events = _write_incident(source, resolver, by, now)
    except (_Refused, Unresolved) as exc:
        _reject(source, outcome, exc.column, exc.reason)
        resolver.forget()
        return
    except DomainError as exc:
        _reject(source, outcome, exc.field or "", exc.message)
        resolver.forget()
        return
    _count(outcome, incident, events)
    if source.source_sla:
        outcome.disagreements.extend(_disagreements(source, incident, _clocks_of([incident.pk])))


def _count(outcome: ImportOutcome, incident: Incident, events: list[NewEvent] | None) -> None:
    if events is None:
        outcome.unchanged += 1
    elif incident.was_created:
        outcome.created += 1
    else:
        outcome.updated += 1
    for event in events or ():
        outcome.events += 1
        if event.kind == IncidentEventKind.STATUS_CHANGED and event.to_value in PAUSABLE_STATUSES:
            outcome.pauses += 1
        elif event.kind == IncidentEventKind.REASSIGNED:
            outcome.reassignments += 1
        elif event.kind == IncidentEventKind.REOPENED:
            outcome.reopenings += 1


def _reject(source: SourceIncident, outcome: ImportOutcome, column: str, reason: str) -> None:
    outcome.rejected += 1
    for line in source.lines or [0]:
        outcome.rejects.append(Reject(line, column, reason, source.external_id))


def _write_incident(source: SourceIncident, resolver: Resolver, by, now):
    """Write one incident; returns it (``was_created`` set) and the source's events written
    (None when nothing was)."""
    client = resolver.resolve_client(source.client)
    existing = (
        Incident.objects.select_for_update()
        .filter(source_system=source.source_system, external_id=source.external_id)
        .first()
    )
    if existing is None:
        opening, events = _opening(source, client, resolver)
        incident = services.open_incident(**_as_kwargs(opening), by=by, now=now)
        incident.was_created = True
        return incident, events
    stored = [e for e in existing.events.order_by("seq") if e.kind != IncidentEventKind.COMMENT]
    return _update(source, client, existing, stored, resolver, by, now)


def _opening(source: SourceIncident, client, resolver: Resolver):
    """What ``services.open_incident``/``open_incidents`` open for a new incident, and the
    source's events in it."""
    department = resolver.resolve_group(source.group)
    assignee, note = resolver.resolve_assignee(source.assignee)
    events = _new_events(source.events, resolver)
    # Who the source named but could not be assigned is said in a comment at the opening.
    said = [NewEvent(IncidentEventKind.COMMENT, source.opened_at, note=note)] if note else []
    opening = services.Opening(
        client=client,
        title=source.title[:300] or source.external_id,
        description=source.description,
        priority=source.priority,
        status=source.status,
        opened_at=source.opened_at,
        department=department,
        assignee=assignee,
        source_system=source.source_system,
        external_id=source.external_id,
        events=[*said, *events],
    )
    return opening, events


def _as_kwargs(opening: services.Opening) -> dict:
    return {f.name: getattr(opening, f.name) for f in fields(opening)}


def _update(source: SourceIncident, client, existing: Incident, stored, resolver, by, now):
    """A known incident: the source's events after the ``stored`` ones (but comments) are
    appended; a source contradicting them, or naming another client, is refused."""
    if existing.client_id != client.pk:
        raise _Refused(
            "client",
            _("This incident is stored for %(stored)s, the file says %(client)s.")
            % {"stored": existing.client, "client": client},
        )
    opening, stored = stored[0], stored[1:]
    if opening.at != source.opened_at:
        raise _Refused(
            "opened_at",
            _("The stored incident was opened at %(stored)s, the file says %(source)s.")
            % {"stored": opening.at.isoformat(), "source": source.opened_at.isoformat()},
        )
    for index, (mine, theirs) in enumerate(zip(stored, source.events, strict=False)):
        if (mine.kind, mine.at) != (theirs.kind, theirs.at):
            raise _Refused(
                "",
                _(
                    "The file contradicts the stored incident at its event %(number)d: stored "
                    "%(stored)s at %(stored_at)s, the file has %(source)s at %(source_at)s."
                )
                % {
                    "number": index + 2,
                    "stored": IncidentEventKind(mine.kind).label,
                    "stored_at": mine.at.isoformat(),
                    "source": _kind_label(theirs.kind),
                    "source_at": theirs.at.isoformat(),
                },
            )
    newer = source.events[len(stored) :]
    existing.was_created = False
    if not newer:
        return existing, None
    events = _new_events(newer, resolver)
    incident = services.append_events(existing, events, by=by, now=now)
    incident.was_created = False
    return incident, events


# --- in chunks ---------------------------------------------------------------------------------


def _write_chunks(incidents, outcome, resolver, by, now, progress, progress_every, size) -> None:
    total = len(incidents)
    for start in range(0, total, size):
        chunk = incidents[start : start + size]
        part = ImportOutcome()
        try:
            with transaction.atomic():
                _write_chunk(chunk, part, resolver, by, now)
        except IntegrityError:
            # Another writer inserted one of the chunk's incidents meanwhile: the chunk is rolled
            # back and written incident by incident, which refuses that one as a duplicate.
            resolver.forget()
            part = ImportOutcome()
            for source in chunk:
                _write_one(source, part, resolver, by, now)
        _merge(outcome, part)
        done = start + len(chunk)
        if progress is not None and (
            done // progress_every > start // progress_every or done == total
        ):
            progress(done, outcome)


def _merge(outcome: ImportOutcome, part: ImportOutcome) -> None:
    for name in (
        "created",
        "updated",
        "unchanged",
        "rejected",
        "events",
        "pauses",
        "reassignments",
        "reopenings",
    ):
        setattr(outcome, name, getattr(outcome, name) + getattr(part, name))
    outcome.rejects.extend(part.rejects)
    outcome.disagreements.extend(part.disagreements)


def _write_chunk(chunk: list[SourceIncident], outcome: ImportOutcome, resolver, by, now) -> None:
    """Write ``chunk`` in the current transaction: its known incidents and their stored events
    read in one go, each incident checked whole before anything of it is written, the new ones
    opened together (``services.open_incidents``: one insert, one measurement of the clocks),
    the known ones updated one by one (``services.append_events``, a savepoint each)."""
    existing = _existing(chunk)
    stored = _stored_events([incident.pk for incident in existing.values()])
    # Names are resolved in a savepoint when resolving may create a client or a department: a
    # refused incident takes its creation back with it, as on the per-incident path.
    may_create = "create" in (resolver.client_policy, resolver.group_policy)
    written: dict[int, tuple[Incident, list[NewEvent] | None]] = {}
    openings: list[tuple[int, services.Opening, list[NewEvent]]] = []
    for index, source in enumerate(chunk):
        try:
            with transaction.atomic() if may_create else contextlib.nullcontext():
                client = resolver.resolve_client(source.client)
                known = existing.get((source.source_system, source.external_id))
                if known is None:
                    opening, events = _opening(source, client, resolver)
                    if may_create:  # refused now, while what was created can be taken back
                        services.check_opening(opening, now=now)
                    openings.append((index, opening, events))
                else:  # append_events writes in a savepoint of its own
                    written[index] = _update(
                        source, client, known, stored.get(known.pk, []), resolver, by, now
                    )
        except (_Refused, Unresolved) as exc:
            _reject(source, outcome, exc.column, exc.reason)
            resolver.forget()
        except DomainError as exc:
            _reject(source, outcome, exc.field or "", exc.message)
            resolver.forget()
    opened = services.open_incidents([o for _i, o, _e in openings], by=by, now=now)
    for (index, _opening_of, events), incident in zip(openings, opened, strict=True):
        if isinstance(incident, DomainError):
            _reject(chunk[index], outcome, incident.field or "", incident.message)
            continue
        incident.was_created = True
        written[index] = (incident, events)
    judged = [i for i in written if chunk[i].source_sla]
    clocks = _clocks_of([written[i][0].pk for i in judged])
    for index in sorted(written):
        incident, events = written[index]
        _count(outcome, incident, events)
        if chunk[index].source_sla:
            outcome.disagreements.extend(_disagreements(chunk[index], incident, clocks))


def _existing(chunk: list[SourceIncident]) -> dict[tuple[str, str], Incident]:
    """The chunk's incidents already stored (locked), by (source system, external id)."""
    ids_of: dict[str, list[str]] = defaultdict(list)
    for source in chunk:
        ids_of[source.source_system].append(source.external_id)
    found = {}
    for system, ids in ids_of.items():
        for incident in Incident.objects.select_for_update().filter(
            source_system=system, external_id__in=ids
        ):
            found[(system, incident.external_id)] = incident
    return found


def _stored_events(incident_ids: list[int]) -> dict[int, list[IncidentEvent]]:
    """The stored events but comments of these incidents, in order."""
    events: dict[int, list[IncidentEvent]] = defaultdict(list)
    if incident_ids:
        rows = (
            IncidentEvent.objects.filter(incident_id__in=incident_ids)
            .exclude(kind=IncidentEventKind.COMMENT)
            .order_by("incident_id", "seq")
        )
        for event in rows:
            events[event.incident_id].append(event)
    return events


def _kind_label(kind: str) -> str:
    try:
        return str(IncidentEventKind(kind).label)
    except ValueError:
        return kind


def _new_events(events: list[SourceEvent], resolver: Resolver) -> list[NewEvent]:
    made = []
    for event in events:
        department, assignee, note = None, None, event.note
        if event.kind == IncidentEventKind.REASSIGNED:
            department = resolver.resolve_group(event.group)
            assignee, unknown = resolver.resolve_assignee(event.assignee)
            note = " ".join(part for part in (note, unknown) if part)
        made.append(
            NewEvent(
                event.kind,
                event.at,
                to_value=event.to_value,
                note=note,
                department=department,
                assignee=assignee,
            )
        )
    return made


# --- reconciliation ----------------------------------------------------------------------------


def _source_verdict(value) -> str | None:
    if isinstance(value, bool):
        return "met" if value else "breached"
    text = str(value).strip().casefold()
    if text in ("met", "true", "yes", "1"):
        return "met"
    if text in ("breached", "false", "no", "0"):
        return "breached"
    return None


def _clocks_of(incident_ids: list[int]) -> dict[int, dict[str, IncidentClock]]:
    """The measured clocks (but those without a target) of these incidents, by kind."""
    found: dict[int, dict[str, IncidentClock]] = defaultdict(dict)
    if incident_ids:
        rows = IncidentClock.objects.filter(incident_id__in=incident_ids).exclude(
            state=ClockState.NO_TARGET
        )
        for clock in rows:
            found[clock.incident_id][clock.kind] = clock
    return found


def _disagreements(
    source: SourceIncident, incident: Incident, clocks_of: dict[int, dict[str, IncidentClock]]
) -> list[Disagreement]:
    if not source.source_sla:
        return []
    clocks = clocks_of.get(incident.pk, {})
    if not clocks:
        return []
    found = []
    for key, clock_kind in SOURCE_VERDICTS.items():
        verdict = _source_verdict(source.source_sla[key]) if key in source.source_sla else None
        if verdict is None:
            continue
        judged = [clocks[clock_kind]] if clock_kind else list(clocks.values())
        if clock_kind and clock_kind not in clocks:
            continue
        ours = "breached" if any(_is_breached(c) for c in judged) else "met"
        if ours != verdict:
            found.append(
                Disagreement(
                    incident_id=incident.pk,
                    external_id=source.external_id,
                    clock=clock_kind,
                    source=verdict,
                    tamdesk=ours,
                    url=incident.get_absolute_url(),
                )
            )
    return found


def _is_breached(clock: IncidentClock) -> bool:
    return clock.state == ClockState.BREACHED or clock.breached_at is not None
