"""Everything that changes incidents and SLA policies.

Publishes (``core.events``, delivered after the commit): ``incident_resolved`` for each resolved
event recorded, ``clock_warned`` and ``clock_breached`` when ``store`` finds a clock past a
warning threshold or its target for the first time."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q, prefetch_related_objects, signals
from django.utils import timezone
from django.utils.translation import gettext as _

from tamdesk.calendars.exceptions import CalendarHasNoWorkingTime
from tamdesk.core import events as domain_events
from tamdesk.core.exceptions import DomainError
from tamdesk.directory.models import Client, Department, assignee_refusal
from tamdesk.sla import clocks as clock_measure
from tamdesk.sla import holds, terms, timeline
from tamdesk.sla import notifications as sla_notifications
from tamdesk.sla.choices import ClockState, IncidentEventKind, IncidentStatus, Priority
from tamdesk.sla.exceptions import DuplicateIncident, ImpossibleTimeline, SLAError
from tamdesk.sla.models import (
    Incident,
    IncidentClock,
    IncidentEvent,
    SLAPolicy,
    SLAPolicyVersion,
    SLATarget,
)

log = logging.getLogger(__name__)
#: A breach longer ago than this on a clock that has since stopped is history (an import of old
#: incidents), not news: it is recorded as alerted without a notification. Warnings on a stopped
#: clock are never sent: there is nothing left to act on.
NEWS_WINDOW = dt.timedelta(hours=24)
#: Events that record the department the incident is in after them (``holds``).
HOLD_KINDS = (IncidentEventKind.OPENED, IncidentEventKind.REASSIGNED)


@dataclass(frozen=True)
class NewEvent:
    """An event to append, as the entry points give it."""

    kind: str
    at: dt.datetime
    to_value: str = ""
    note: str = ""
    department: Department | None = None  # for reassignments
    assignee: object | None = None  # a user, for reassignments


# --- policies ------------------------------------------------------------------------------


def policy_version_for(client: Client, at: dt.datetime) -> SLAPolicyVersion | None:
    """The version in force at ``at`` of the client's own policy, else of its tier's."""
    return PolicyVersions()(client, at)


class PolicyVersions:
    """``policy_version_for`` for many incidents: each client's versions (of its own policy and
    of its tier's) are read once, the one in force is picked per instant."""

    def __init__(self) -> None:
        self._of_client: dict[int, tuple[list[SLAPolicyVersion], list[SLAPolicyVersion]]] = {}

    def __call__(self, client: Client, at: dt.datetime) -> SLAPolicyVersion | None:
        candidates = self._of_client.get(client.pk)
        if candidates is None:
            versions = list(
                SLAPolicyVersion.objects.select_related("calendar", "policy").filter(
                    Q(policy__client=client) | Q(policy__tier=client.tier, policy__client=None)
                )
            )
            candidates = self._of_client[client.pk] = (
                [v for v in versions if v.policy.client_id == client.pk],
                [v for v in versions if v.policy.client_id is None],
            )
        for versions in candidates:
            for version in versions:
                if version.is_in_force(at):
                    return version
        return None


@transaction.atomic
def add_policy_version(
    policy: SLAPolicy,
    *,
    valid_from: dt.datetime,
    calendar,
    targets: dict[str, tuple[int, int]],
    warning_thresholds: Sequence[int],
    reaction_pause_statuses: Sequence[str],
    resolution_pause_statuses: Sequence[str],
    note: str = "",
    by,
) -> SLAPolicyVersion:
    """Add a version of ``policy`` in force from ``valid_from``: the previous version ends there.
    Incidents opened before keep their version; history is never rewritten. ``targets`` maps a
    priority to (reaction seconds, resolution seconds)."""
    policy = SLAPolicy.objects.select_for_update().get(pk=policy.pk)
    latest = policy.versions.order_by("-number").first()
    if latest is not None and valid_from <= latest.valid_from:
        raise SLAError(
            _("A new version must start after the current one (from %(start)s).")
            % {"start": timezone.localtime(latest.valid_from).strftime("%Y-%m-%d %H:%M")},
            field="valid_from",
            code="version_not_after_latest",
        )
    if latest is not None and latest.incidents.filter(opened_at__gte=valid_from).exists():
        raise SLAError(
            _(
                "Incidents opened after %(start)s are measured by version %(number)s; a new "
                "version cannot start before them."
            )
            % {"start": valid_from.strftime("%Y-%m-%d %H:%M"), "number": latest.number},
            field="valid_from",
            code="version_rewrites_history",
        )
    terms.check_terms(
        targets=targets,
        warning_thresholds=warning_thresholds,
        reaction_pause_statuses=reaction_pause_statuses,
        resolution_pause_statuses=resolution_pause_statuses,
    )
    _check_calendar(calendar)
    if latest is not None:
        latest.valid_until = valid_from
        latest.save(update_fields=["valid_until"])
    version = SLAPolicyVersion.objects.create(
        policy=policy,
        number=(latest.number + 1) if latest else 1,
        valid_from=valid_from,
        calendar=calendar,
        warning_thresholds=sorted(set(warning_thresholds)),
        reaction_pause_statuses=list(reaction_pause_statuses),
        resolution_pause_statuses=list(resolution_pause_statuses),
        note=note,
        created_by=by,
    )
    SLATarget.objects.bulk_create(
        SLATarget(
            version=version,
            priority=priority,
            reaction_seconds=reaction,
            resolution_seconds=resolution,
        )
        for priority, (reaction, resolution) in sorted(targets.items())
    )
    return version


def _check_calendar(calendar) -> None:
    """Targets are measured in the calendar's working time: one that never works (no weekly
    hours, not 24×7) would keep every clock running forever without a due time."""
    if calendar is not None and not calendar.has_working_time():
        raise CalendarHasNoWorkingTime(
            _(
                "“%(calendar)s” has no working time (no weekly hours and not 24×7): the targets "
                "would never run out. Give it weekly hours or choose another calendar."
            )
            % {"calendar": calendar},
            field="calendar",
        )


@transaction.atomic
def create_policy(
    *,
    name: str,
    client: Client | None = None,
    tier: str = "",
    description: str = "",
    valid_from: dt.datetime,
    calendar,
    targets: dict[str, tuple[int, int]],
    warning_thresholds: Sequence[int],
    reaction_pause_statuses: Sequence[str],
    resolution_pause_statuses: Sequence[str],
    note: str = "",
    by,
) -> SLAPolicy:
    """Create a policy for one client or for a tier together with its first version, in one
    transaction: a policy never exists without terms."""
    if (client is None) == (not tier):
        raise SLAError(
            _("A policy belongs to one client or to one tier: choose exactly one."),
            field="client",
            code="invalid",
        )
    if client is not None and SLAPolicy.objects.filter(client=client).exists():
        raise SLAError(
            _("%(client)s already has a policy; add a version to it instead.") % {"client": client},
            field="client",
            code="client_has_policy",
        )
    if tier and SLAPolicy.objects.filter(tier=tier, client__isnull=True).exists():
        raise SLAError(
            _("The tier already has a policy; add a version to it instead."),
            field="tier",
            code="tier_has_policy",
        )
    if SLAPolicy.objects.filter(name=name).exists():
        raise SLAError(_("A policy with this name exists."), field="name", code="policy_name_taken")
    policy = SLAPolicy.objects.create(
        name=name, client=client, tier=tier or "", description=description
    )
    add_policy_version(
        policy,
        valid_from=valid_from,
        calendar=calendar,
        targets=targets,
        warning_thresholds=warning_thresholds,
        reaction_pause_statuses=reaction_pause_statuses,
        resolution_pause_statuses=resolution_pause_statuses,
        note=note,
        by=by,
    )
    return policy


@transaction.atomic
def delete_policy(policy: SLAPolicy, *, by) -> None:
    from tamdesk.sla.exceptions import PolicyInUse

    policy = SLAPolicy.objects.select_for_update().get(pk=policy.pk)
    used = Incident.objects.filter(policy_version__policy=policy).count()
    if used:
        raise PolicyInUse(
            _(
                "%(count)d incidents are measured by this policy; it cannot be deleted. Add a "
                "version with new terms instead."
            )
            % {"count": used}
        )
    SLATarget.objects.filter(version__policy=policy).delete()
    policy.versions.all().delete()
    policy.delete()


# --- incidents -----------------------------------------------------------------------------


def _timeline_events(incident: Incident, existing, new: Sequence[NewEvent]):
    return [timeline.Event(e.kind, clock_measure.epoch(e.at), e.to_value) for e in existing] + [
        timeline.Event(e.kind, clock_measure.epoch(e.at), e.to_value) for e in new
    ]


#: The incident's own field for a refusal of its opening event (``open_incident``).
OPENING_FIELDS = {"at": "opened_at", "to_value": "status"}


def _check_timeline(events, *, priority: str, offset: int, now: dt.datetime) -> None:
    try:
        timeline.check(events, now=clock_measure.epoch(now), priority=priority)
    except timeline.TimelineError as exc:
        index = exc.index - offset
        if index >= 0:
            field = f"events[{index}].{exc.field}"
        else:
            field = OPENING_FIELDS.get(exc.field, "events")
        raise ImpossibleTimeline(exc.message, field=field) from exc


def _check_assignees(events: Sequence[NewEvent], *, assignee=None) -> None:
    """Incidents are assigned to engineers (``directory.models.assignee_refusal``): at the
    opening (``assignee``) and by reassignments (``events[i].assignee``)."""
    refusal = assignee_refusal(assignee)
    if refusal:
        raise SLAError(refusal, field="assignee", code="invalid_assignee")
    for index, event in enumerate(events):
        refusal = assignee_refusal(event.assignee)
        if refusal:
            raise SLAError(refusal, field=f"events[{index}].assignee", code="invalid_assignee")


@transaction.atomic
def open_incident(
    *,
    client: Client,
    title: str,
    priority: str,
    opened_at: dt.datetime,
    by,
    description: str = "",
    department: Department | None = None,
    assignee=None,
    source_system: str = "tamdesk",
    external_id: str = "",
    status: str = IncidentStatus.NEW,
    events: Sequence[NewEvent] = (),
    now: dt.datetime | None = None,
) -> Incident:
    """Open an incident (``opened_at`` may be in the past, for imports) with any later events,
    pick the SLA policy version in force at the opening and measure its clocks."""
    now = now or timezone.now()
    opening = _checked_opening(
        priority=priority,
        status=status,
        opened_at=opened_at,
        events=events,
        assignee=assignee,
        now=now,
    )
    if (
        external_id
        and Incident.objects.filter(source_system=source_system, external_id=external_id).exists()
    ):
        raise _duplicate(source_system, external_id)
    try:
        with transaction.atomic():
            incident = Incident.objects.create(
                client=client,
                title=title,
                description=description,
                priority=priority,
                status=status,
                department=department,
                assignee=assignee,
                source_system=source_system,
                external_id=external_id,
                policy_version=policy_version_for(client, opened_at),
                opened_at=opened_at,
            )
    except IntegrityError as exc:  # a concurrent import of the same external id
        raise _duplicate(source_system, external_id) from exc
    _record(incident, [opening, *events], by=by, first_seq=1)
    refresh_clocks([incident.pk], now=now)
    return incident


def _checked_opening(
    *,
    priority: str,
    status: str,
    opened_at: dt.datetime,
    events: Sequence[NewEvent],
    assignee,
    now: dt.datetime,
) -> NewEvent:
    """The opening event of an incident to open, after ``open_incident``'s checks of what it is
    given (the priority, the timeline, the assignees); raises the refusal."""
    if priority not in Priority.values:  # the API checks it too; an import's reader may not
        raise SLAError(
            _("%(priority)s is not a priority.") % {"priority": priority or '""'},
            field="priority",
            code="invalid",
        )
    opening = NewEvent(IncidentEventKind.OPENED, opened_at, to_value=status)
    timeline_events = _timeline_events(None, [], [opening, *events])
    _check_timeline(timeline_events, priority=priority, offset=1, now=now)
    _check_assignees(events, assignee=assignee)
    return opening


def _duplicate(source_system: str, external_id: str) -> DuplicateIncident:
    return DuplicateIncident(
        _("%(system)s already has an incident %(id)s here.")
        % {"system": source_system, "id": external_id},
        field="external_id",
    )


@dataclass(frozen=True)
class Opening:
    """An incident to open with ``open_incidents``: what ``open_incident`` takes."""

    client: Client
    title: str
    priority: str
    opened_at: dt.datetime
    description: str = ""
    department: Department | None = None
    assignee: object | None = None
    source_system: str = "tamdesk"
    external_id: str = ""
    status: str = IncidentStatus.NEW
    events: Sequence[NewEvent] = ()


def check_opening(opening: Opening, *, now: dt.datetime) -> NewEvent:
    """``open_incident``'s checks of an opening (not of its external id): raises the refusal,
    else returns its opening event. Writes nothing."""
    return _checked_opening(
        priority=opening.priority,
        status=opening.status,
        opened_at=opening.opened_at,
        events=opening.events,
        assignee=opening.assignee,
        now=now,
    )


@transaction.atomic
def open_incidents(
    openings: Sequence[Opening], *, by, now: dt.datetime | None = None
) -> list[Incident | DomainError]:
    """Open many incidents at once (imports): ``open_incident`` for each, in bulk. Each opening
    is checked as ``open_incident`` checks it (an external id already here, or twice in
    ``openings``, is a ``DuplicateIncident``); a refused one comes back as its error and nothing
    of it is written, the others come back opened — inserted together with their events, their
    clocks measured in one ``refresh_clocks``. A concurrent writer of the same external id makes
    the insert raise ``IntegrityError`` (nothing is then written: retry with ``open_incident``
    one by one)."""
    now = now or timezone.now()
    results: list[Incident | DomainError] = []
    keys = {(o.source_system, o.external_id) for o in openings if o.external_id}
    taken: set[tuple[str, str]] = set()
    for system in {system for system, _id in keys}:
        ids = [external_id for s, external_id in keys if s == system]
        taken.update(
            Incident.objects.filter(source_system=system, external_id__in=ids).values_list(
                "source_system", "external_id"
            )
        )
    versions = PolicyVersions()
    incidents, rows, recorded = [], [], []
    for o in openings:
        try:
            opening = check_opening(o, now=now)
            if o.external_id:
                if (o.source_system, o.external_id) in taken:
                    raise _duplicate(o.source_system, o.external_id)
                taken.add((o.source_system, o.external_id))
        except DomainError as exc:
            results.append(exc)
            continue
        incident = Incident(
            client=o.client,
            title=o.title,
            description=o.description,
            priority=o.priority,
            status=o.status,
            department=o.department,
            assignee=o.assignee,
            source_system=o.source_system,
            external_id=o.external_id,
            policy_version=versions(o.client, o.opened_at),
            opened_at=o.opened_at,
        )
        rows += _event_rows(incident, [opening, *o.events], by=by, first_seq=1)[0]
        incidents.append(incident)
        recorded.append((incident, o.events))
        results.append(incident)
    if not incidents:
        return results
    Incident.objects.bulk_create(incidents)
    for incident in incidents:
        # What saving it one by one tells the receivers of a save: the change history
        # (auditlog's entry of its creation), as ``open_incident`` writes it.
        signals.post_save.send(
            sender=Incident,
            instance=incident,
            created=True,
            update_fields=None,
            raw=False,
            using=incident._state.db,
        )
    IncidentEvent.objects.bulk_create(rows)
    for incident, events in recorded:
        _publish_resolved(incident, events)
    # Measured from the rows in hand (reading 1,000 incidents' events back costs more than
    # measuring them), with what ``clocks.measure`` reads of their policy versions.
    prefetch_related_objects(
        list(
            {i.policy_version.pk: i.policy_version for i in incidents if i.policy_version}.values()
        ),
        "targets",
        "calendar__working_intervals",
        "calendar__exceptions",
    )
    events_of: dict[int, list[IncidentEvent]] = {incident.pk: [] for incident in incidents}
    for row in rows:
        events_of[row.incident.pk].append(row)
    measure_and_store(incidents, now=now, events_of=events_of)
    return results


@transaction.atomic
def append_events(
    incident: Incident, events: Sequence[NewEvent], *, by, now: dt.datetime | None = None
) -> Incident:
    """Append events to an incident's timeline (after its last event), then re-measure."""
    now = now or timezone.now()
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    existing = list(incident.events.all())
    timeline_events = _timeline_events(incident, existing, events)
    _check_timeline(
        timeline_events,
        priority=clock_measure.opening_priority(incident, existing),
        offset=len(existing),
        now=now,
    )
    _check_assignees(events)
    _record(incident, events, by=by, first_seq=len(existing) + 1)
    refresh_clocks([incident.pk], now=now)
    return Incident.objects.get(pk=incident.pk)


def _record(incident: Incident, events: Sequence[NewEvent], *, by, first_seq: int) -> None:
    """Write ``events`` and carry their effect onto the incident's fields; publish
    ``incident_resolved`` for each resolved event."""
    rows, changed = _event_rows(incident, events, by=by, first_seq=first_seq)
    IncidentEvent.objects.bulk_create(rows)
    if changed and incident.pk:
        incident.save(update_fields=sorted(changed | {"updated_at"}))
    _publish_resolved(incident, events)


def _event_rows(
    incident: Incident, events: Sequence[NewEvent], *, by, first_seq: int
) -> tuple[list[IncidentEvent], set[str]]:
    """The rows of ``events`` (unsaved), their effect carried onto the incident's fields;
    returns them and the names of the fields changed."""
    rows = []
    changed = set()
    for seq, event in enumerate(events, start=first_seq):
        from_value = ""
        to_value = event.to_value
        kind = event.kind
        if kind == IncidentEventKind.OPENED:
            to_value = incident.status
        elif kind == IncidentEventKind.FIRST_RESPONSE:
            incident.first_response_at = event.at
            changed.add("first_response_at")
        elif kind == IncidentEventKind.STATUS_CHANGED:
            from_value, incident.status = incident.status, to_value
            changed.add("status")
        elif kind == IncidentEventKind.PRIORITY_CHANGED:
            from_value, incident.priority = incident.priority, to_value
            changed.add("priority")
        elif kind == IncidentEventKind.RESOLVED:
            from_value, incident.status = incident.status, IncidentStatus.RESOLVED
            to_value = IncidentStatus.RESOLVED
            incident.resolved_at = event.at
            if incident.first_response_at is None:
                incident.first_response_at = event.at
            changed |= {"status", "resolved_at", "first_response_at"}
        elif kind == IncidentEventKind.REOPENED:
            to_value = to_value or IncidentStatus.IN_PROGRESS
            from_value, incident.status = incident.status, to_value
            incident.resolved_at = None
            changed |= {"status", "resolved_at"}
        elif kind == IncidentEventKind.CLOSED:
            from_value, incident.status = incident.status, IncidentStatus.CLOSED
            to_value = IncidentStatus.CLOSED
            incident.closed_at = event.at
            changed |= {"status", "closed_at"}
        elif kind == IncidentEventKind.REASSIGNED:
            before = _assignment_label(incident)
            incident.department = event.department
            incident.assignee = event.assignee
            from_value, to_value = before, _assignment_label(incident)
            changed |= {"department", "assignee"}
        rows.append(
            IncidentEvent(
                incident=incident,
                kind=kind,
                at=event.at,
                seq=seq,
                by=by,
                from_value=IncidentEvent.clip(from_value),
                to_value=IncidentEvent.clip(to_value),
                note=event.note,
                department=incident.department if kind in HOLD_KINDS else None,
            )
        )
    return rows, changed


def _publish_resolved(incident: Incident, events: Sequence[NewEvent]) -> None:
    for event in events:
        if event.kind == IncidentEventKind.RESOLVED:
            domain_events.publish(
                domain_events.IncidentResolved(
                    incident_id=incident.pk, client_id=incident.client_id, resolved_at=event.at
                )
            )


def _assignment_label(incident: Incident) -> str:
    parts = [str(incident.department) if incident.department else ""]
    if incident.assignee is not None:
        parts.append(incident.assignee.get_full_name() or incident.assignee.get_username())
    return " / ".join(p for p in parts if p)


# --- clocks --------------------------------------------------------------------------------


def refresh_clocks(incident_ids: Iterable[int], *, now: dt.datetime | None = None) -> int:
    """Measure the incidents' clocks, store them, and notify the thresholds newly crossed.
    Returns the number of notifications' events raised."""
    now = now or timezone.now()
    incidents = list(clock_measure.prefetched(Incident.objects.filter(pk__in=list(incident_ids))))
    if not incidents:
        return 0
    return measure_and_store(incidents, now=now)


def measure_and_store(incidents: Sequence[Incident], *, now: dt.datetime, events_of=None) -> int:
    """Measure the incidents' clocks (``clocks.measure``: one engine call for all of them) and
    ``store`` them: every measurement goes this way — ``refresh_clocks`` with the incidents it
    read, ``open_incidents`` with those it has just written (``events_of``: their events)."""
    measured = clock_measure.measure(incidents, now=now, events_of=events_of)
    return store(measured, now=now, events_of=events_of)


@transaction.atomic
def store(measured: list[clock_measure.Measured], *, now: dt.datetime, events_of=None) -> int:
    """Store the measured clocks and the incidents' department holds; notify and publish the
    thresholds newly crossed. ``events_of``: the incidents' events when in hand (else read)."""
    incident_ids = {m.incident.pk for m in measured}
    existing = {
        (c.incident_id, c.kind): c
        for c in IncidentClock.objects.select_for_update().filter(incident_id__in=incident_ids)
    }
    to_create, to_update, alerts = [], [], []
    for m in measured:
        clock = existing.get((m.incident.pk, m.kind))
        if clock is None:
            clock = IncidentClock(incident=m.incident, kind=m.kind, alerted_percent=0)
            to_create.append(clock)
        else:
            to_update.append(clock)
        clock.state = m.state
        clock.target_seconds = m.target
        clock.elapsed_seconds = m.elapsed
        clock.paused_seconds = m.paused
        clock.due_at = m.due_at
        clock.breached_at = m.breached_at
        clock.warn_at = [
            {"percent": percent, "at": when.isoformat() if when else None}
            for percent, when in m.warn_at
        ]
        clock.measured_at = now
        level, crossed_at = _crossed(m, now)
        if level > clock.alerted_percent:
            # A warning is for acting on a clock that still runs; a stopped clock's breach is news
            # for a day (then it is history, e.g. an import of old incidents).
            news = m.state in (ClockState.RUNNING, ClockState.PAUSED) or (
                level == 100 and crossed_at is not None and now - crossed_at <= NEWS_WINDOW
            )
            if news:
                alerts.append((m, level))
            _publish_crossed(m, level, crossed_at, is_news=news)
            clock.alerted_percent = level
        clock.next_alert_at = _next_alert(m, clock.alerted_percent, now)
    holds.store_holds([m.incident for m in measured], now=now, events_of=events_of)
    IncidentClock.objects.bulk_create(to_create)
    IncidentClock.objects.bulk_update(
        to_update,
        [
            "state",
            "target_seconds",
            "elapsed_seconds",
            "paused_seconds",
            "due_at",
            "breached_at",
            "warn_at",
            "measured_at",
            "alerted_percent",
            "next_alert_at",
        ],
    )
    for m, level in alerts:
        sla_notifications.clock_alert(m.incident, kind=m.kind, percent=level, measured=m, now=now)
    return len(alerts)


def _publish_crossed(
    m: clock_measure.Measured, level: int, crossed_at: dt.datetime | None, *, is_news: bool
) -> None:
    """Publish the threshold a clock has just crossed (``store`` calls it once per level, as the
    clock's ``alerted_percent`` only grows): a breach always — history too, flagged —, a
    warning only on a clock that still runs (a stopped clock's warning is nothing to act on)."""
    ids = {"incident_id": m.incident.pk, "client_id": m.incident.client_id, "clock": str(m.kind)}
    if level == 100:
        domain_events.publish(
            domain_events.ClockBreached(
                **ids, breached_at=m.breached_at, due_at=m.due_at, is_news=is_news
            )
        )
    elif is_news:
        domain_events.publish(
            domain_events.ClockWarned(**ids, percent=level, warned_at=crossed_at, due_at=m.due_at)
        )


def _crossed(m: clock_measure.Measured, now: dt.datetime) -> tuple[int, dt.datetime | None]:
    """The highest level reached by ``now`` (100 = breached) and when it was reached."""
    if m.state == ClockState.BREACHED:
        return 100, m.breached_at
    level, when = 0, None
    for percent, at in m.warn_at:
        if at is not None and at <= now and percent > level:
            level, when = percent, at
    return level, when


def _next_alert(m: clock_measure.Measured, alerted: int, now: dt.datetime) -> dt.datetime | None:
    if m.state != ClockState.RUNNING:
        return None
    upcoming = [at for percent, at in m.warn_at if percent > alerted and at is not None]
    if alerted < 100 and m.due_at is not None:
        upcoming.append(m.due_at)
    if m.due_beyond:
        upcoming.append(now + clock_measure.RECHECK_BEYOND)
    later = [at for at in upcoming if at > now]
    if later:
        return min(later)
    return now + dt.timedelta(seconds=1) if upcoming else None


def recompute_all(*, batch_size: int = 1000, now: dt.datetime | None = None) -> int:
    """Re-measure every incident's clocks (after a calendar or policy fix), in batches."""
    now = now or timezone.now()
    ids = list(Incident.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        refresh_clocks(ids[start : start + batch_size], now=now)
    return len(ids)


def alert_due(*, now: dt.datetime | None = None, limit: int = 1000) -> int:
    """Re-measure the incidents whose clocks are due to cross a threshold or breach."""
    now = now or timezone.now()
    ids = list(
        IncidentClock.objects.alert_due(now)
        .order_by("next_alert_at")
        .values_list("incident_id", flat=True)
        .distinct()[:limit]
    )
    return refresh_clocks(ids, now=now) if ids else 0
