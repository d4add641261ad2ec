"""The client page — the client's 360° view — is a list of sections, one template each.

A section is a template plus a function that returns its context. Each domain writes the
context functions and templates of its own sections (the directory's are below); the list of
sections, in order, is the workspace's (``tamdesk.workspace.sections.CLIENT_SECTIONS``), which
the page reads through the setting ``CLIENT_PAGE_SECTIONS``: the directory cannot import the
layer on top. Each section's template receives ``client`` and ``section`` (its key, title, icon
and context) and starts with ``directory/client/_section_head.html``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from tamdesk.directory.choices import AccountRole, ContactKind
from tamdesk.directory.models import Client, Contact
from tamdesk.directory.querysets import reads_contacts_of

CONTACT_GROUPS = [
    (ContactKind.TECHNICAL, _("Technical specialists"), _("They talk to the TAM.")),
    (ContactKind.DECISION_MAKER, _("Decision-makers"), _("They talk to the service manager.")),
    (ContactKind.OTHER, _("Other contacts"), ""),
]


@dataclass(frozen=True)
class ClientSection:
    key: str
    title: str
    icon: str  # a Bootstrap icon name
    template: str
    context: Callable[[Client, HttpRequest], dict]


def add_url(request: HttpRequest, client: Client, model: str, **params) -> str:
    """The create page of a ``model`` record for ``client`` (pre-selected, coming back to the
    client page), or "" when the user may not add one."""
    if not request.user.has_perm(f"directory.add_{model}", client):
        return ""
    route = "assignment" if model == "accountteamassignment" else model
    query = urlencode({"client": client.pk, **params, "next": client.get_absolute_url()})
    return f"{reverse(f'directory:{route}_create')}?{query}"


def account_team_context(client: Client, request: HttpRequest) -> dict:
    """Current holder per role (vacant roles included) and the full history of assignments."""
    assignments = list(
        client.account_assignments.select_related("user").order_by("-start_on", "role")
    )
    today = timezone.localdate()
    current: dict[str, object] = {}
    for assignment in assignments:
        if assignment.is_current_on(today):
            current.setdefault(assignment.role, assignment)
    return {
        "roles": [
            {
                "role": role,
                "label": label,
                "assignment": current.get(role),
                "assign_url": add_url(request, client, "accountteamassignment", role=role),
            }
            for role, label in AccountRole.choices
        ],
        "history": assignments,
        "can_end": request.user.has_perm("directory.change_accountteamassignment", client),
    }


def contacts_context(client: Client, request: HttpRequest) -> dict:
    """Contacts split by kind; the "other" group only when it has someone. Hidden from those
    who read the client but not its people (a department working on it, not its account team;
    ``ContactQuerySet.visible_to``)."""
    if not reads_contacts_of(request.user, client):
        return {"hidden": True, "groups": [], "count": None}
    contacts = list(
        Contact.objects.visible_to(request.user)
        .filter(client=client)
        .order_by("-is_active", "name")
    )
    groups = []
    for kind, label, hint in CONTACT_GROUPS:
        members = [contact for contact in contacts if contact.kind == kind]
        if members or kind != ContactKind.OTHER:
            groups.append(
                {
                    "kind": kind,
                    "label": label,
                    "hint": hint,
                    "contacts": members,
                    "add_url": add_url(request, client, "contact", kind=kind),
                }
            )
    return {"groups": groups, "count": len(contacts)}


def components_context(client: Client, request: HttpRequest) -> dict:
    """Components grouped by their owning department."""
    groups: list[dict] = []
    components = client.components.select_related("department").order_by(
        "department__name", "kind", "name"
    )
    for component in components:
        if not groups or groups[-1]["department"] != component.department:
            groups.append({"department": component.department, "components": []})
        groups[-1]["components"].append(component)
    return {
        "groups": groups,
        "count": sum(len(group["components"]) for group in groups),
        "add_url": add_url(request, client, "component"),
    }


def page_sections() -> Sequence[ClientSection]:
    """The client page's sections in order: the list the setting ``CLIENT_PAGE_SECTIONS``
    names."""
    return import_string(settings.CLIENT_PAGE_SECTIONS)


def build_sections(
    client: Client, request: HttpRequest, sections: Sequence[ClientSection]
) -> list[dict]:
    return [
        {
            "key": section.key,
            "title": section.title,
            "icon": section.icon,
            "template": section.template,
            **section.context(client, request),
        }
        for section in sections
    ]
