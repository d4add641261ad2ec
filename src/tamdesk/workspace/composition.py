"""What the workspace's lists are made of (``sections.py`` holds the lists themselves): a home
section, a sidebar entry and group — and the few home sections that join the signals of several
domains (the client cards, the programme's TAMs, the administrators' jobs health), which no
single domain may compose since they cannot import each other."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise

from tamdesk.changes.views import home_section as changes_home
from tamdesk.core.models import JobRun, JobRunOutcome
from tamdesk.core.roles import Role
from tamdesk.directory.choices import AccountRole, ClientStatus
from tamdesk.directory.models import AccountTeamAssignment, Client
from tamdesk.directory.views.home_sections import my_clients
from tamdesk.notifications.views.jobs import outbox_health
from tamdesk.sla.views import home_sections as sla_home

#: Every role: a section for them all (it says None when it has nothing for the user).
EVERYONE = frozenset(Role.values)


@dataclass(frozen=True)
class HomeSection:
    """A section of the home page: its template gets ``section`` (this) and ``data`` (what
    ``context`` returned); it is shown to the users holding one of ``roles`` and left out when
    ``context`` returns None."""

    key: str
    title: str | Promise
    icon: str  # a Bootstrap icon name
    template: str
    context: Callable[[HttpRequest], dict | None]
    roles: frozenset[str]


@dataclass(frozen=True)
class NavEntry:
    url_name: str
    label: str | Promise
    icon: str
    #: The URL-name prefix of the pages the entry is current on (``directory:client_``).
    section: str = ""
    #: The permission needed to open the page (None: every signed-in user).
    permission: str | None = None


@dataclass(frozen=True)
class NavGroup:
    key: str
    heading: str | Promise | None  # None: the first group, without a heading
    entries: tuple[NavEntry, ...]


# --- home sections joining several domains ---------------------------------------------------

#: Client cards on the home page; the rest are a click away on the client list.
CLIENT_CARDS = 12
#: TAMs listed for the programme lead.
TAM_ROWS = 20


def my_clients_context(request: HttpRequest) -> dict:
    """The clients on whose account team the user is, with the role held and the health
    signals of the SLA (open incidents, running breaches, clocks at risk) and the changes (at
    risk, late). A fixed number of queries whatever the number of clients."""
    user = request.user
    clients = my_clients(user, limit=CLIENT_CARDS)
    count = Client.objects.on_account_team_of(user).count()
    ids = [client.pk for client in clients]
    sla = sla_home.client_health(ids)
    changes = changes_home.client_health(ids)
    for client in clients:
        client.health = {**sla[client.pk], **changes[client.pk]}
    return {
        "clients": clients,
        "count": count,
        "more": max(count - len(clients), 0),
        "all_url": reverse("directory:client_list"),
    }


def tams_context(request: HttpRequest) -> dict:
    """The TAMs of the programme with the number of their clients and the running SLA breaches
    on them, the most breaches first."""
    User = get_user_model()
    clients_of: dict[int, set[int]] = defaultdict(set)
    for user_id, client_id in (
        AccountTeamAssignment.objects.current()
        .filter(role=AccountRole.TAM)
        .values_list("user", "client")
    ):
        clients_of[user_id].add(client_id)
    health = sla_home.client_health({pk for ids in clients_of.values() for pk in ids})
    tams = list(User.objects.filter(pk__in=clients_of).order_by("last_name", "first_name", "pk"))
    for tam in tams:
        tam.client_count = len(clients_of[tam.pk])
        tam.breaches = sum(health[pk]["breaches"] for pk in clients_of[tam.pk])
        tam.open_incidents = sum(health[pk]["open_incidents"] for pk in clients_of[tam.pk])
    tams.sort(key=lambda tam: -tam.breaches)
    without_tam = (
        Client.objects.exclude(status=ClientStatus.FORMER)
        .exclude(
            pk__in=AccountTeamAssignment.objects.current()
            .filter(role=AccountRole.TAM)
            .values("client")
        )
        .count()
    )
    return {
        "tams": tams[:TAM_ROWS],
        "count": len(tams),
        "more": max(len(tams) - TAM_ROWS, 0),
        "clients_without_tam": without_tam,
        "all_url": f"{reverse('directory:assignment_list')}?role={AccountRole.TAM}",
    }


#: The failed job runs the administrators' home counts.
FAILED_SINCE = dt.timedelta(hours=24)


def jobs_health_context(request: HttpRequest) -> dict | None:
    """Failed background job runs in the last day, and the outbox's health."""
    if not request.user.has_perm("core.view_jobrun"):
        return None
    since = timezone.now() - FAILED_SINCE
    runs = JobRun.objects.filter(started_at__gte=since).aggregate(
        failed=Count("pk", filter=Q(outcome=JobRunOutcome.FAILED)), total=Count("pk")
    )
    outbox = outbox_health(request)
    return {
        **runs,
        "hours": int(FAILED_SINCE.total_seconds() // 3600),
        "outbox": outbox.context if outbox else None,
        "jobs_url": reverse("jobs"),
        "failed_url": f"{reverse('jobs')}?outcome={JobRunOutcome.FAILED}",
    }
