"""What the SLA domain tells people: a clock crossed a warning threshold, a clock breached.

Recipients: the incident's assignee, its department (the queue address) and the client's current
TAM and backup TAM. Alerts of P1 and P2 incidents are urgent (sent at once); the others wait for
each recipient's working hours."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from tamdesk.directory.choices import AccountRole
from tamdesk.directory.models import AccountTeamAssignment
from tamdesk.notifications.catalog import EventType, register_event_type
from tamdesk.notifications.digest import DigestItem
from tamdesk.notifications.services import notify
from tamdesk.sla.choices import ClockKind, ClockState, IncidentStatus, Priority

CLOSED_STATUSES = (IncidentStatus.RESOLVED, IncidentStatus.CLOSED)

User = get_user_model()
URGENT_PRIORITIES = {Priority.P1, Priority.P2}

SLA_WARNING = register_event_type(
    EventType(
        code="sla.warning",
        label=_("An incident's SLA clock crossed a warning threshold"),
        template="sla/email/clock_warning",
    )
)
SLA_BREACHED = register_event_type(
    EventType(
        code="sla.breached",
        label=_("An incident breached its SLA"),
        template="sla/email/clock_breached",
    )
)


def recipients_of(incident) -> list:
    people = {}
    if incident.assignee_id and incident.assignee.is_active:
        people[incident.assignee_id] = incident.assignee
    tam_ids = (
        AccountTeamAssignment.objects.current()
        .filter(client_id=incident.client_id, role__in=[AccountRole.TAM, AccountRole.BACKUP_TAM])
        .values_list("user_id", flat=True)
    )
    for user in User.objects.filter(pk__in=list(tam_ids), is_active=True):
        people[user.pk] = user
    recipients = list(people.values())
    if incident.department_id:
        recipients.append(incident.department)
    return recipients


def clock_alert(incident, *, kind: str, percent: int, measured, now: dt.datetime) -> None:
    """Notify that ``incident``'s ``kind`` clock reached ``percent`` of its target (100 = the
    breach), once per clock and level."""
    event = SLA_BREACHED if percent >= 100 else SLA_WARNING
    notify(
        event_type=event.code,
        event_key=f"incident:{incident.pk}:{kind}:{percent}",
        recipients=recipients_of(incident),
        context={
            "incident": incident,
            "clock": measured,
            "kind": ClockKind(kind).label,
            "percent": percent,
        },
        url=incident.get_absolute_url(),
        related=incident,
        payload={
            "incident": incident.pk,
            "client": incident.client_id,
            "priority": incident.priority,
            "clock": kind,
            "percent": percent,
            "due_at": measured.due_at.isoformat() if measured.due_at else None,
            "breached_at": measured.breached_at.isoformat() if measured.breached_at else None,
        },
        urgent=incident.priority in URGENT_PRIORITIES,
        now=now,
    )


# --- the daily digest's section ------------------------------------------------------------

#: Running clocks due within this time count as a risk in the digest.
DUE_SOON = dt.timedelta(hours=8)


def sla_risks(user, now: dt.datetime) -> list[DigestItem]:
    """The open incidents of the TAM's clients whose clocks breached, crossed a warning
    threshold or run out within the next hours — worst first."""
    from django.db.models import Q

    from tamdesk.directory.models import Client
    from tamdesk.sla.models import IncidentClock

    clocks = (
        IncidentClock.objects.filter(
            incident__client__in=Client.objects.managed_by(user),
            incident__status__in=[s for s in IncidentStatus.values if s not in CLOSED_STATUSES],
        )
        .filter(
            # A breach still running; a reaction answered late is history, not a risk.
            (
                Q(state=ClockState.BREACHED)
                & ~Q(kind=ClockKind.REACTION, incident__first_response_at__isnull=False)
            )
            | Q(state=ClockState.RUNNING, alerted_percent__gt=0)
            | Q(state=ClockState.RUNNING, due_at__lte=now + DUE_SOON)
        )
        .select_related("incident__client")
        .order_by("-alerted_percent", "due_at")
    )
    items = []
    for clock in clocks[:20]:
        incident = clock.incident
        if clock.state == ClockState.BREACHED:
            what = _("%(clock)s breached") % {"clock": ClockKind(clock.kind).label}
        else:
            what = _("%(clock)s due %(due)s") % {
                "clock": ClockKind(clock.kind).label,
                "due": date_format(timezone.localtime(clock.due_at), "SHORT_DATETIME_FORMAT")
                if clock.due_at
                else "—",
            }
        items.append(
            DigestItem(
                text=f"[{incident.get_priority_display()}] #{incident.pk} "
                f"{incident.client.name}: {incident.title} — {what}",
                url=incident.get_absolute_url(),
            )
        )
    return items
