"""The directory's sections of the home page: the clients on whose account team the user is
(TAM, backup TAM, service manager, architect) with the role held, and an overview of the
directory. The workspace (``tamdesk.workspace.sections``) puts them on the page, with the health
signals the SLA and changes domains give each client card.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Q
from django.http import HttpRequest
from django.urls import reverse

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


def my_clients(user, *, limit: int | None = None) -> list[Client]:
    """The clients on whose account team ``user`` currently is, in any role (the first
    ``limit`` by name), with the numbers the cards show: active contacts by kind, components,
    the departments the landscape touches, and the user's roles (``my_roles``, e.g. "TAM,
    Architect")."""
    active = Contact.objects.filter(is_active=True)
    clients = list(
        Client.objects.on_account_team_of(user)
        .annotate(
            technical_count=count_of(active.filter(kind=ContactKind.TECHNICAL), "client"),
            decision_maker_count=count_of(active.filter(kind=ContactKind.DECISION_MAKER), "client"),
            component_count=count_of(Component.objects.all(), "client"),
        )
        .order_by("name")[:limit]
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


def overview_context(request: HttpRequest) -> dict:
    """The home page's directory overview (administrators)."""
    return overview()
