"""The database's last line of defence: named constraints and model validation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tamdesk.changes.models import ChangeRequest, DepartmentTask, TaskDependency
from tests.changes.factories import (
    ChangeRequestFactory,
    DepartmentTaskFactory,
    TaskDependencyFactory,
)
from tests.directory.factories import DepartmentFactory, EngineerFactory
from tests.support import violates

pytestmark = pytest.mark.django_db


def test_a_task_cannot_depend_on_itself():
    task = DepartmentTaskFactory()
    violates(
        TaskDependency,
        "dependency_not_self",
        lambda: TaskDependency.objects.create(predecessor=task, successor=task),
    )


def test_a_dependency_is_unique_per_pair():
    link = TaskDependencyFactory()
    violates(
        TaskDependency,
        "dependency_unique_pair",
        lambda: TaskDependency.objects.create(
            predecessor=link.predecessor, successor=link.successor, kind="ss"
        ),
    )


def test_estimates_are_not_negative():
    violates(
        DepartmentTask,
        "task_estimate_not_negative",
        lambda: DepartmentTaskFactory(estimate_hours=-1),
    )


def test_a_blocked_task_has_a_reason():
    violates(
        DepartmentTask, "task_blocked_has_reason", lambda: DepartmentTaskFactory(is_blocked=True)
    )


def test_a_change_on_hold_has_a_reason():
    violates(
        ChangeRequest, "change_on_hold_has_reason", lambda: ChangeRequestFactory(status="on_hold")
    )


def test_a_dependency_across_changes_is_invalid():
    first, second = DepartmentTaskFactory(), DepartmentTaskFactory()
    with pytest.raises(ValidationError):
        TaskDependency(predecessor=first, successor=second).clean()


def test_the_assignee_must_be_an_engineer_of_the_department():
    network, unix = DepartmentFactory(code="network"), DepartmentFactory(code="unix")
    engineer = EngineerFactory(department=network)
    task = DepartmentTaskFactory.build(
        change=ChangeRequestFactory(), department=unix, assignee=engineer.user
    )
    with pytest.raises(ValidationError) as refused:
        task.clean()
    assert "assignee" in refused.value.message_dict
    task.department = network
    task.clean()


def test_lag_may_be_negative():
    link = TaskDependencyFactory(lag_hours=Decimal("-2.5"))
    link.refresh_from_db()
    assert link.lag_hours == Decimal("-2.50")
    assert DepartmentTask.objects.count() == 2


def test_activity_shows_statuses_as_their_labels_in_the_active_language():
    from django.utils import translation

    from tamdesk.changes.models import ActivityEntry

    change_entry = ActivityEntry(kind="status_changed", from_value="draft", to_value="planned")
    task_entry = ActivityEntry(kind="status_changed", task_id=1, from_value="ready",
                               to_value="in_progress")  # fmt: skip
    committed = ActivityEntry(kind="committed", to_value="2026-11-27")

    assert (change_entry.from_display, change_entry.to_display) == ("Draft", "Planned")
    assert task_entry.to_display == "In progress"
    assert committed.to_display == "2026-11-27"
    with translation.override("ru"):
        assert task_entry.to_display == "В работе"  # noqa: RUF001
