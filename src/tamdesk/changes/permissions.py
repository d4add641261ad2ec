"""Who may do what with changes, their tasks and playbooks.

- Everyone with a role reads changes, tasks and playbooks — the changes (with their tasks) they
  may see: ``ChangeRequestQuerySet.visible_to`` decides which rows.
- Administrators and service managers create and edit every change; a TAM creates and edits
  changes of the clients they manage (TAM or backup TAM today). ``add_changerequest`` takes the
  client as its object; without one it tells whether the user opens changes at all.
- The task's department — its engineers and its lead — also move the task's status (start,
  complete, block, unblock); cancelling a task, starting one before its predecessors are done
  (the override) and editing tasks and dependencies stay with the people who edit the change.
- Administrators and TAMs maintain playbooks.
- Nobody deletes a change or a task: they are cancelled.
"""

from __future__ import annotations

import rules

from tamdesk.core.permissions import (
    has_any_role,
    is_administrator,
    is_department_lead,
    is_engineer,
    is_service_manager,
    is_tam,
)
from tamdesk.directory.models import Client


@rules.predicate
def manages_client_of(user, obj) -> bool:
    """The change (or the task's change) belongs to a client the user manages as TAM."""
    if obj is None:
        return False
    change = getattr(obj, "change", obj)
    return Client.objects.managed_by(user).filter(pk=change.client_id).exists()


@rules.predicate
def may_open_change_for(user, client) -> bool:
    """Without a client: yes (the right to open changes at all); with one: the user manages it."""
    if client is None:
        return True
    return Client.objects.managed_by(user).filter(pk=client.pk).exists()


@rules.predicate
def works_in_department_of(user, task) -> bool:
    """The user is an engineer (or the lead) of the task's department."""
    if task is None:
        return False
    engineer = getattr(user, "engineer", None)
    if engineer is not None and engineer.department_id == task.department_id:
        return True
    lead = task.department.lead
    return lead is not None and lead.user_id == user.pk


creates_changes = is_administrator | is_service_manager | (is_tam & may_open_change_for)
edits_change = is_administrator | is_service_manager | (is_tam & manages_client_of)
works_task = edits_change | ((is_engineer | is_department_lead) & works_in_department_of)

rules.add_perm("changes.view_changerequest", has_any_role)
rules.add_perm("changes.add_changerequest", creates_changes)  # object: the client
rules.add_perm("changes.change_changerequest", edits_change)
rules.add_perm("changes.delete_changerequest", rules.always_deny)

rules.add_perm("changes.view_departmenttask", has_any_role)
rules.add_perm("changes.add_departmenttask", edits_change)  # object: the change
rules.add_perm("changes.change_departmenttask", edits_change)  # object: the task
rules.add_perm("changes.work_departmenttask", works_task)  # start, complete, block, unblock
rules.add_perm("changes.override_departmenttask", edits_change)  # start before predecessors
rules.add_perm("changes.delete_departmenttask", rules.always_deny)

rules.add_perm("changes.view_taskdependency", has_any_role)
for _verb in ("add", "change", "delete"):
    rules.add_perm(f"changes.{_verb}_taskdependency", edits_change)  # object: a task or change

rules.add_perm("changes.view_changetemplate", has_any_role)
rules.add_perm("changes.add_changetemplate", is_administrator | is_tam)
rules.add_perm("changes.change_changetemplate", is_administrator | is_tam)
rules.add_perm("changes.delete_changetemplate", is_administrator)

rules.add_perm("changes.view_comment", has_any_role)
rules.add_perm("changes.add_comment", has_any_role)
