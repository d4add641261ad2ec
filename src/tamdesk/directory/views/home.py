"""The home page: "My clients" for a TAM, a short overview of the directory for everyone else."""

from __future__ import annotations

from collections import defaultdict

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import render
from django.urls import reverse

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

TAM_ROLES = [AccountRole.TAM, AccountRole.BACKUP_TAM]


@login_required
def home(request):
    require_perm(request.user, Client, "view")
    clients = my_clients(request.user)
    context = {"my_clients": clients, "overview": None if clients else overview()}
    return render(request, "directory/home.html", context)


def my_clients(user) -> list[Client]:
    """The clients ``user`` is the current TAM or backup TAM of, with the numbers the cards show:
    active contacts by kind, components, the departments the landscape touches, the user's role."""
    active = Contact.objects.filter(is_active=True)
    clients = list(
        Client.objects.managed_by(user)
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
    roles = dict(
        AccountTeamAssignment.objects.current()
        .filter(user=user, client__in=ids, role__in=TAM_ROLES)
        .order_by("client", "role")
        .values_list("client", "role")
    )
    for client in clients:
        client.departments_touched = departments[client.pk]
        client.my_role = AccountRole(roles[client.pk]).label if client.pk in roles else ""
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
