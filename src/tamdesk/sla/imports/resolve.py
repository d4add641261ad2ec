"""Resolving the names a helpdesk uses — its clients, groups and people — against the directory,
for the writer (``sla.imports.writer``).

A name is looked up first in the mapping's dictionary (source name → tamdesk name or code), then
directly (a client by name or code, a department by code or name, case-insensitive). What is
still unknown follows the policy given for clients and for groups:

- ``reject``: the incident is refused (every one of its lines, with the reason);
- ``create``: a client or department of that name is created through the directory services
  (recorded in the change history as created by the importer) — a TAM cannot create clients:
  a client outside their account teams is "not your client";
- ``map``: the incident goes to the fallback the mapping names (``client_fallback``,
  ``group_fallback``); a group without a fallback leaves the incident without a department.

People (assignees) are found by user name, then by full name; someone unknown, or not an
engineer, leaves the incident unassigned with a note — never a refusal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Q, Value
from django.db.models.functions import Concat, Lower
from django.utils.translation import gettext as _

from tamdesk.directory import services as directory_services
from tamdesk.directory.models import Client, Department, assignee_refusal
from tamdesk.sla import permissions

POLICIES = ("reject", "create", "map")


class Unresolved(Exception):
    """A name the policy refuses: ``column`` and ``reason`` become the incident's rejects."""

    def __init__(self, column: str, reason: str):
        super().__init__(reason)
        self.column = column
        self.reason = reason


@dataclass
class Resolver:
    """Turns source names into directory rows, remembering each answer for the whole file.

    ``client``: every incident goes to this client, whatever the file says (``--client``).
    ``clients``/``groups``: the mapping's dictionaries (source name → tamdesk name or code)."""

    by: object
    client_policy: str = "reject"
    group_policy: str = "reject"
    clients: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    client: str = ""
    client_fallback: str = ""
    group_fallback: str = ""
    _clients: dict[str, Client] = field(default_factory=dict, repr=False)
    _departments: dict[str, Department | None] = field(default_factory=dict, repr=False)
    _people: dict[str, tuple[object | None, str]] = field(default_factory=dict, repr=False)
    _allowed: dict[int, bool] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for policy in (self.client_policy, self.group_policy):
            if policy not in POLICIES:
                raise ValueError(f"unknown policy {policy!r}: one of {', '.join(POLICIES)}")
        self.clients = {k.casefold(): v for k, v in self.clients.items()}
        self.groups = {k.casefold(): v for k, v in self.groups.items()}

    def forget(self) -> None:
        """Drop what was remembered (after a rolled-back incident created a row)."""
        self._clients.clear()
        self._departments.clear()

    # --- clients ---------------------------------------------------------------------------

    def resolve_client(self, name: str) -> Client:
        name = (self.client or name).strip()
        key = name.casefold()
        if key not in self._clients:
            self._clients[key] = self._find_client(name)
        client = self._clients[key]
        if client.pk not in self._allowed:
            self._allowed[client.pk] = permissions.imports_into(self.by, client)
        if not self._allowed[client.pk]:
            raise Unresolved(
                "client", _("%(client)s is not your client.") % {"client": client.name}
            )
        return client

    def _find_client(self, name: str) -> Client:
        if not name:
            raise Unresolved("client", _("The incident names no client."))
        found = _client_named(self.clients.get(name.casefold(), name))
        if found is not None:
            return found
        if self.client_policy == "create" and permissions.imports_into_any_client(self.by):
            return directory_services.create_client_named(name, by=self.by)
        if self.client_policy == "map" and self.client_fallback:
            fallback = _client_named(self.client_fallback)
            if fallback is not None:
                return fallback
        if self.client_policy == "create":
            raise Unresolved("client", _("%(client)s is not your client.") % {"client": name})
        raise Unresolved("client", _("No client is called “%(name)s”.") % {"name": name})

    # --- groups ----------------------------------------------------------------------------

    def resolve_group(self, name: str) -> Department | None:
        """The department of a source group; None for no group (or ``map`` without a
        fallback)."""
        name = name.strip()
        if not name:
            return None
        key = name.casefold()
        if key not in self._departments:
            self._departments[key] = self._find_department(name)
        return self._departments[key]

    def _find_department(self, name: str) -> Department | None:
        found = _department_named(self.groups.get(name.casefold(), name))
        if found is not None:
            return found
        if self.group_policy == "create":
            return directory_services.create_department_named(name, by=self.by)
        if self.group_policy == "map":
            return _department_named(self.group_fallback) if self.group_fallback else None
        raise Unresolved(
            "group", _("No department is mapped to the group “%(name)s”.") % {"name": name}
        )

    # --- people ----------------------------------------------------------------------------

    def resolve_assignee(self, name: str) -> tuple[object | None, str]:
        """The engineer a source names, and a note when they cannot be assigned (unknown, or
        not an engineer): the incident is then left unassigned."""
        name = name.strip()
        if not name:
            return None, ""
        key = name.casefold()
        if key not in self._people:
            self._people[key] = _person_named(name)
        return self._people[key]


def _client_named(name: str) -> Client | None:
    name = name.strip()
    if not name:
        return None
    return Client.objects.filter(Q(name__iexact=name) | Q(code__iexact=name)).first()


def _department_named(name: str) -> Department | None:
    name = name.strip()
    if not name:
        return None
    return (
        Department.objects.filter(code__iexact=name).first()
        or Department.objects.filter(name__iexact=name).first()
    )


def _person_named(name: str) -> tuple[object | None, str]:
    User = get_user_model()
    user = User.objects.filter(username__iexact=name).first()
    if user is None:
        user = (
            User.objects.annotate(full=Lower(Concat("first_name", Value(" "), "last_name")))
            .filter(full=name.casefold())
            .first()
        )
    if user is None:
        return None, _("Assignee “%(name)s” is not known here; left unassigned.") % {"name": name}
    refusal = assignee_refusal(user)
    if refusal:
        return None, _("%(reason)s Left unassigned.") % {"reason": refusal}
    return user, ""
