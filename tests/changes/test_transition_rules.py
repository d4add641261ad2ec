"""One home per rule: ``TASK_TRANSITIONS`` (and ``CHANGE_TRANSITIONS``) decide what may happen
to a task (a change) in each state; the services refuse exactly what the table refuses, and the
task table, the change page and the API offer exactly what it allows."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import pytest
from django.db import transaction

from tamdesk.changes import services
from tamdesk.changes.api import DepartmentTaskViewSet
from tamdesk.changes.choices import (
    CHANGE_TRANSITIONS,
    TASK_STATUS_TRANSITIONS,
    TASK_TRANSITIONS,
    ChangeStatus,
    TaskStatus,
    task_actions_allowed,
)
from tamdesk.changes.models import ChangeRequest, DepartmentTask
from tamdesk.changes.views.changes import transitions_of
from tamdesk.changes.views.common import task_actions_for
from tamdesk.changes.views.tasks import TASK_ACTIONS
from tamdesk.core.exceptions import DomainError
from tests.changes.factories import change, task

TASK_STATES = list(itertools.product(TaskStatus.values, (0, 1)))
STATES = list(itertools.product(TaskStatus.values, (False, True), ChangeStatus.values))


def _worker(may_work: bool):
    """A viewer who does not edit the change and may (or may not) work the task."""
    return SimpleNamespace(has_perm=lambda perm, obj=None: may_work)


@pytest.mark.parametrize(("status", "is_blocked", "change_status"), STATES)
def test_the_task_table_offers_what_the_table_allows(status, is_blocked, change_status):
    task_ = DepartmentTask(status=status, is_blocked=is_blocked)
    change_ = ChangeRequest(status=change_status)
    allowed = set(task_actions_allowed(status, is_blocked=is_blocked, change_status=change_status))

    # Who edits the change may take every allowed action.
    assert task_actions_for(task_, change_, None, can_edit=True) == allowed
    # The department works the task (start, complete, block, unblock), but cancels nothing and
    # starts no task that waits for its predecessors (the TAM's override).
    worker = allowed - {"cancel"} - ({"start"} if status == TaskStatus.PENDING else set())
    assert task_actions_for(task_, change_, _worker(True), can_edit=False) == worker
    assert task_actions_for(task_, change_, _worker(False), can_edit=False) == set()


def test_the_actions_of_the_pages_and_the_api_are_the_tables():
    assert set(TASK_ACTIONS) == set(TASK_TRANSITIONS)
    assert DepartmentTaskViewSet.action_verbs == {
        action: allowed.verb for action, allowed in TASK_TRANSITIONS.items()
    }
    expected = {
        TaskStatus.PENDING: {TaskStatus.IN_PROGRESS, TaskStatus.CANCELLED},
        TaskStatus.READY: {TaskStatus.IN_PROGRESS, TaskStatus.CANCELLED},
        TaskStatus.IN_PROGRESS: {TaskStatus.DONE, TaskStatus.CANCELLED},
        TaskStatus.DONE: set(),
        TaskStatus.CANCELLED: set(),
    }
    assert expected == TASK_STATUS_TRANSITIONS


@pytest.mark.parametrize("status", ChangeStatus.values)
def test_the_change_page_offers_the_changes_transitions(status):
    offered = {t["to"] for t in transitions_of(ChangeRequest(status=status))}

    assert offered == CHANGE_TRANSITIONS[status]


class _Undo(Exception):
    """Rolls back an action that was allowed, so that the next one starts from the same state."""


def _refused(action: str, the_task: DepartmentTask, by) -> bool:
    call = TASK_ACTIONS[action]
    try:
        with transaction.atomic():
            call(the_task, by, "A reason")
            raise _Undo
    except _Undo:
        return False
    except DomainError:
        return True


@pytest.mark.django_db
@pytest.mark.parametrize(("status", "is_blocked"), TASK_STATES)
def test_the_services_refuse_exactly_what_the_table_refuses(
    status, is_blocked, tam_client, users, department
):
    the_task = task(change(tam_client, by=users.tam), department, by=users.tam)
    for change_status in ChangeStatus.values:
        ChangeRequest.objects.filter(pk=the_task.change_id).update(
            status=change_status,
            hold_reason="Waiting" if change_status == ChangeStatus.ON_HOLD else "",
        )
        DepartmentTask.objects.filter(pk=the_task.pk).update(
            status=status, is_blocked=bool(is_blocked), blocked_reason="Parts" * is_blocked
        )
        allowed = task_actions_allowed(
            status, is_blocked=bool(is_blocked), change_status=change_status
        )

        refused = {action for action in TASK_TRANSITIONS if _refused(action, the_task, users.tam)}

        assert refused == set(TASK_TRANSITIONS) - set(allowed), change_status


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["start", "complete", "cancel"])
def test_a_status_action_leaves_the_task_in_the_tables_target(
    action, tam_client, users, department
):
    web = change(tam_client, by=users.tam)
    the_task = task(web, department, by=users.tam)
    services.transition_change(web, to=ChangeStatus.PLANNED, by=users.tam)
    if action == "complete":
        services.start_task(the_task, by=users.tam)

    TASK_ACTIONS[action](the_task, users.tam, "")

    the_task.refresh_from_db()
    assert the_task.status == TASK_TRANSITIONS[action].target
