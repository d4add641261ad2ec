"""Who may do what in the directory — the one place access is decided. UI views and the API both
ask ``user.has_perm("directory.<verb>_<model>", obj)``; the predicates behind those names live here.

- Everyone with a role reads the directory — the rows they may see (``visible_to`` in
  ``directory/querysets.py``: a client's contacts are its account team's).
- Administrators manage users, engineers and departments, and may do everything else.
- A client is edited by its account team's TAM (or backup TAM) and service manager, and by the
  programme lead (every client). Service managers and programme leads may register new clients;
  after registering one, a service manager puts herself on its account team (she may assign
  account teams) to go on editing it.
- A department lead edits her own department — its name, description and queue address
  (``DEPARTMENT_LEAD_FIELDS``); its code, lead, calendar and active flag stay with the
  administrators.
- A TAM (or backup TAM) edits the contacts and components of their own clients.
- Service managers edit contacts and account teams; programme leads assign account teams.
- A client's architect edits the client's components.
"""

from __future__ import annotations

import rules
from django.utils import timezone

from tamdesk.core.permissions import (
    has_any_role,
    is_administrator,
    is_department_lead,
    is_programme_lead,
    is_service_manager,
)
from tamdesk.directory.choices import AccountRole


def _client_of(obj):
    """The client a directory object belongs to (the client itself for a Client)."""
    if obj is None:
        return None
    return getattr(obj, "client", obj)


def _holds_account_role(user, client, roles: list[str]) -> bool:
    if client is None or not user.is_authenticated:
        return False
    cache = user.__dict__.setdefault("_tamdesk_account_roles", {})
    if client.pk not in cache:
        today = timezone.localdate()
        cache[client.pk] = {
            assignment.role
            for assignment in client.account_assignments.filter(user=user)
            if assignment.is_current_on(today)
        }
    return bool(cache[client.pk] & set(roles))


@rules.predicate
def is_clients_tam(user, obj) -> bool:
    """``user`` is the current TAM or backup TAM of the object's client."""
    return _holds_account_role(user, _client_of(obj), [AccountRole.TAM, AccountRole.BACKUP_TAM])


@rules.predicate
def is_clients_architect(user, obj) -> bool:
    return _holds_account_role(user, _client_of(obj), [AccountRole.ARCHITECT])


@rules.predicate
def is_clients_service_manager(user, obj) -> bool:
    """``user`` is the current service manager of the object's client."""
    return _holds_account_role(user, _client_of(obj), [AccountRole.SERVICE_MANAGER])


@rules.predicate
def is_departments_lead(user, department) -> bool:
    """``user`` leads ``department`` (its lead engineer) and holds the Department lead role."""
    if department is None or not user.is_authenticated:
        return False
    engineer = getattr(department, "lead", None)
    return engineer is not None and engineer.user_id == user.pk and is_department_lead(user)


#: The fields of her own department a department lead edits. The code (playbooks name
#: departments by it), the lead, the working calendar (every change's schedule follows it) and
#: the active flag are the administrators'.
DEPARTMENT_LEAD_FIELDS = frozenset({"name", "description", "queue_email"})
DEPARTMENT_FIELDS = frozenset(
    {"code", "name", "description", "lead", "queue_email", "calendar", "is_active"}
)


def department_fields_editable_by(user, department) -> frozenset[str]:
    """The fields of ``department`` that ``user`` may change: every one for an administrator,
    ``DEPARTMENT_LEAD_FIELDS`` for its lead, none for anyone else. The edit page shows these
    fields only; the API refuses a change to any other (403)."""
    if is_administrator(user):
        return DEPARTMENT_FIELDS
    if is_departments_lead(user, department):
        return DEPARTMENT_LEAD_FIELDS
    return frozenset()


can_view = has_any_role
can_manage_directory = is_administrator
can_add_client = is_administrator | is_service_manager | is_programme_lead
can_change_client = (
    is_administrator | is_programme_lead | is_clients_tam | is_clients_service_manager
)
can_change_department = is_administrator | is_departments_lead
can_edit_contacts = is_administrator | is_service_manager | is_clients_tam
can_edit_account_team = is_administrator | is_service_manager | is_programme_lead
can_edit_components = is_administrator | is_clients_tam | is_clients_architect

PERMISSIONS = {
    "department": {
        "view": can_view,
        "add": can_manage_directory,
        "change": can_change_department,
        "delete": can_manage_directory,
    },
    "engineer": {
        "view": can_view,
        "add": can_manage_directory,
        "change": can_manage_directory,
        "delete": can_manage_directory,
    },
    "client": {
        "view": can_view,
        "add": can_add_client,
        "change": can_change_client,
        "delete": is_administrator,
    },
    "contact": {
        "view": can_view,
        "add": can_edit_contacts,
        "change": can_edit_contacts,
        "delete": can_edit_contacts,
    },
    "accountteamassignment": {
        "view": can_view,
        "add": can_edit_account_team,
        "change": can_edit_account_team,
        "delete": can_edit_account_team,
    },
    "component": {
        "view": can_view,
        "add": can_edit_components,
        "change": can_edit_components,
        "delete": can_edit_components,
    },
}

for _model, _verbs in PERMISSIONS.items():
    for _verb, _predicate in _verbs.items():
        rules.add_perm(f"directory.{_verb}_{_model}", _predicate)

# Managing user accounts (create users, set roles, reset passwords) is for administrators.
# Accounts are deactivated, never deleted, so that history keeps its people.
rules.add_perm("auth.manage_users", is_administrator)
for _verb in ("view", "add", "change"):
    rules.add_perm(f"auth.{_verb}_user", is_administrator)
