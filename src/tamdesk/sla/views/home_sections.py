"""The SLA domain's sections of the home page — the content; the workspace
(``tamdesk.workspace.sections``) says who sees which, in what order.

- the open incidents of a TAM's clients, running breaches first;
- an engineer's incidents: assigned to them, and the open ones of their department nobody has
  taken;
- a service manager's clients with their SLA state (open incidents, running breaches, clocks at
  risk);
- ``client_health``: the SLA signals of the client cards and of the programme's TAM list.

Every list is bounded (``LIMIT``) and links to the incident list filtered the same way; each
read goes through ``Incident.objects.visible_to(user)``. A context function returns None when
the section has nothing for the user's role to act on, and a dict with empty lists when the
page must say that nothing is there.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from tamdesk.directory.choices import AccountRole
from tamdesk.directory.models import Client, Department
from tamdesk.sla import clocks
from tamdesk.sla.choices import ClockKind, ClockState, IncidentStatus
from tamdesk.sla.models import Incident, IncidentClock
from tamdesk.sla.views.common import live_rows, viewer_time_zone

#: How many incidents (or clients) a home section lists; the rest are a click away.
LIMIT = 10

#: A clock whose breach is still running: breached, and not a reaction answered late (that is
#: history, not something to act on).
RUNNING_BREACH = Q(state=ClockState.BREACHED) & ~Q(
    kind=ClockKind.REACTION, incident__first_response_at__isnull=False
)
#: A running clock that crossed a warning threshold.
AT_RISK = Q(state=ClockState.RUNNING, alerted_percent__gt=0)


def _open_incidents(user):
    return Incident.objects.visible_to(user).open()


def _with_breach(incidents):
    breached = IncidentClock.objects.filter(RUNNING_BREACH, incident=OuterRef("pk"))
    return incidents.annotate(has_breach=Exists(breached))


def _live(incidents, *, now):
    """The first ``LIMIT`` incidents with their live clocks."""
    return live_rows(clocks.prefetched(incidents.select_related("assignee"))[:LIMIT], now=now)


def _rows(incidents, *, now):
    """The first ``LIMIT`` incidents with their live clocks, and how many there are."""
    return _live(incidents, now=now), incidents.count()


def _list_url(**params) -> str:
    return f"{reverse('sla:incident_list')}?{urlencode(params)}"


def client_health(client_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Per client: its open incidents, the running breaches and the clocks at risk among them.
    Two queries whatever the number of clients."""
    ids = list(client_ids)
    health = {pk: {"open_incidents": 0, "breaches": 0, "at_risk": 0} for pk in ids}
    if not ids:
        return health
    opened = (
        Incident.objects.open()
        .filter(client__in=ids)
        .order_by()
        .values_list("client")
        .annotate(n=Count("pk"))
    )
    for client_id, count in opened:
        health[client_id]["open_incidents"] = count
    clock_counts = (
        IncidentClock.objects.filter(incident__in=Incident.objects.open().filter(client__in=ids))
        .order_by()
        .values("incident__client")
        .annotate(
            breaches=Count("incident", filter=RUNNING_BREACH, distinct=True),
            at_risk=Count("incident", filter=AT_RISK, distinct=True),
        )
    )
    for row in clock_counts:
        health[row["incident__client"]].update(breaches=row["breaches"], at_risk=row["at_risk"])
    return health


def tam_incidents_context(request: HttpRequest) -> dict:
    """The open incidents of the clients whose TAM (or backup TAM) the user is, running
    breaches first, then by priority and age."""
    user = request.user
    now = timezone.now()
    incidents = _with_breach(
        _open_incidents(user).filter(client__in=Client.objects.managed_by(user))
    ).order_by("-has_breach", "priority", "opened_at", "pk")
    totals = incidents.aggregate(count=Count("pk"), breaches=Count("pk", filter=Q(has_breach=True)))
    count = totals["count"]
    rows = _live(incidents, now=now)
    return {
        "rows": rows,
        "count": count,
        "breaches": totals["breaches"],
        "more": max(count - len(rows), 0),
        "all_url": _list_url(is_open="true"),
        "breached_url": _list_url(is_open="true", clock_state="breached"),
        "time_zone": viewer_time_zone(user),
        "show_client": True,
    }


def my_incidents_context(request: HttpRequest) -> dict:
    """The open incidents assigned to the user, and the open ones of their department(s) that
    nobody has taken."""
    user = request.user
    now = timezone.now()
    mine = _with_breach(_open_incidents(user).filter(assignee=user)).order_by(
        "-has_breach", "priority", "opened_at", "pk"
    )
    rows, count = _rows(mine, now=now)
    departments = Department.objects.filter(Q(engineers__user=user) | Q(lead__user=user))
    unassigned = _with_breach(
        _open_incidents(user).filter(department__in=departments, assignee__isnull=True)
    ).order_by("-has_breach", "priority", "opened_at", "pk")
    queue_rows, queue_count = _rows(unassigned, now=now)
    return {
        "rows": rows,
        "count": count,
        "more": max(count - len(rows), 0),
        "all_url": _list_url(is_open="true", assignee=user.pk),
        "queue_rows": queue_rows,
        "queue_count": queue_count,
        "queue_more": max(queue_count - len(queue_rows), 0),
        "time_zone": viewer_time_zone(user),
        "show_client": True,
    }


def sla_state_context(request: HttpRequest) -> dict:
    """The clients the user manages as service manager, with their SLA state, the worst
    first: running breaches, clocks at risk, open incidents."""
    user = request.user
    managed = Client.objects.on_account_team_of(user, roles=[AccountRole.SERVICE_MANAGER])
    count = managed.count()
    open_incidents = Incident.objects.visible_to(user).open().filter(client=OuterRef("pk"))
    open_clocks = IncidentClock.objects.filter(incident__client=OuterRef("pk")).exclude(
        incident__status__in=[IncidentStatus.RESOLVED, IncidentStatus.CLOSED]
    )
    clients = list(
        managed.annotate(
            breaches=Exists(open_clocks.filter(RUNNING_BREACH)),
            at_risk=Exists(open_clocks.filter(AT_RISK)),
            has_open=Exists(open_incidents),
        ).order_by("-breaches", "-at_risk", "-has_open", "name")[:LIMIT]
    )
    health = client_health(client.pk for client in clients)
    for client in clients:
        client.health = health[client.pk]
        client.open_url = _list_url(client=client.pk, is_open="true")
    return {
        "clients": clients,
        "count": count,
        "more": max(count - len(clients), 0),
        "all_url": _list_url(is_open="true"),
    }
