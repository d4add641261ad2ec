"""The home page of every role: the clients on whose account team the user is (TAM, backup
TAM, service manager, architect) with the role held, the sections other domains add (the
changes domain: the user's work — department queues, tasks, changes), and an overview of the
directory for those without clients.

Like the client page, the home page is a list of sections: a later domain, which may import the
directory but not the other way round, adds its own with ``add_home_section`` from its
``AppConfig.ready()``. A section's ``context(request)`` returns None when it has nothing for the
user, and the section is left out; otherwise its template gets ``section`` and ``data`` (what
``context`` returned).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest
from django.shortcuts import render
from django.urls import reverse

from tamdesk.core.roles import Role, has_role
from tamdesk.core.ui import require_perm
from tamdesk.directory.choices import AccountRole, ClientStatus, ContactKind
from tamdesk.directory.models import (
    AccountTeamAssignment,
    Client,
    Component,
    Contact,
    Department,
    Engineer,
)
from tamdesk.directory.views.common import count_of

#: The roles that put a person on account teams: without a client they are told so.
ACCOUNT_TEAM_ROLES = (Role.TAM, Role.SERVICE_MANAGER, Role.ARCHITECT)


@dataclass(frozen=True)
class HomeSection:
    key: str
    title: str
    icon: str  # a Bootstrap icon name
    template: str
    context: Callable[[HttpRequest], dict | None]  # None: nothing for this user


HOME_SECTIONS: list[HomeSection] = []


def add_home_section(section: HomeSection) -> None:
    """Add a section to the home page (once), below the user's clients."""
    if all(existing.key != section.key for existing in HOME_SECTIONS):
        HOME_SECTIONS.append(section)


@login_required
def home(request):
    require_perm(request.user, Client, "view")
    clients = my_clients(request.user)
    sections = []
    for section in HOME_SECTIONS:
        data = section.context(request)
        if data is not None:
            sections.append({"section": section, "data": data})
    context = {
        "my_clients": clients,
        "on_account_teams": has_role(request.user, *ACCOUNT_TEAM_ROLES),
        "sections": sections,
        "overview": None if clients else overview(),
    }
    return render(request, "directory/home.html", context)


def my_clients(user) -> list[Client]:
    """The clients on whose account team ``user`` currently is, in any role, with the numbers
    the cards show: active contacts by kind, components, the departments the landscape touches,
    and the user's roles (``my_roles``, e.g. "TAM, Architect")."""
    active = Contact.objects.filter(is_active=True)
    clients = list(
        Client.objects.on_account_team_of(user)
        .annotate(
            technical_count=count_of(active.filter(kind=ContactKind.TECHNICAL), "client"),
            decision_maker_count=count_of(active.filter(kind=ContactKind.DECISION_MAKER), "client"),
            component_count=count_of(Component.objects.all(), "client"),
        )
        .order_by("name")
    )
    if not clients:
        return []
    ids = [client.pk for client in clients]
    departments = defaultdict(list)
    touched = (
        Department.objects.filter(components__client__in=ids)
        .values_list("components__client", "name")
        .distinct()
        .order_by("name")
    )
    for client_id, name in touched:
        departments[client_id].append(name)
    roles = defaultdict(set)
    for client_id, role in (
        AccountTeamAssignment.objects.current()
        .filter(user=user, client__in=ids)
        .values_list("client", "role")
    ):
        roles[client_id].add(role)
    for client in clients:
        client.departments_touched = departments[client.pk]
        held = [label for value, label in AccountRole.choices if value in roles[client.pk]]
        client.my_roles = held
        client.my_role = ", ".join(str(label) for label in held)
    return clients


def overview() -> dict:
    """Real counts of the directory: clients per status (with a link to the filtered list) and
    the size of the organisation."""
    by_status = dict(Client.objects.order_by().values_list("status").annotate(n=Count("pk")))
    list_url = reverse("directory:client_list")
    statuses = [
        {
            "value": value,
            "label": label,
            "count": by_status.get(value, 0),
            "href": f"{list_url}?status={value}",
        }
        for value, label in ClientStatus.choices
    ]
    totals = Client.objects.aggregate(
        clients=Count("pk"),
        with_tam=Count(
            "pk",
            filter=Q(
                pk__in=AccountTeamAssignment.objects.current()
                .filter(role=AccountRole.TAM)
                .values("client")
            ),
        ),
    )
    return {
        "statuses": statuses,
        "clients": totals["clients"],
        "clients_without_tam": totals["clients"] - totals["with_tam"],
        "departments": Department.objects.filter(is_active=True).count(),
        "engineers": Engineer.objects.filter(user__is_active=True).count(),
        "contacts": Contact.objects.filter(is_active=True).count(),
        "components": Component.objects.count(),
    }
