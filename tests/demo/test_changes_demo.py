"""The demo's change requests: every status, every schedule outcome and every task state, with a
history that keeps its dependencies — whatever the day and hour of the load."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
import time_machine
from django.db import transaction
from django.test import override_settings

from tamdesk.changes import engine
from tamdesk.changes.choices import (
    ActivityKind,
    ChangeStatus,
    DependencyKind,
    ScheduleStatus,
    TaskStatus,
)
from tamdesk.changes.models import (
    ActivityEntry,
    ChangeRequest,
    Comment,
    DepartmentTask,
    TaskDependency,
)
from tamdesk.changes.scheduling import committed_deadline
from tamdesk.demo.changes import SCENARIOS
from tamdesk.demo.loader import load_demo, reset_demo
from tamdesk.directory.choices import AccountRole
from tests.changes import factories as change_factories
from tests.directory.factories import ClientFactory, DepartmentFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.demo_changes]
PASSWORD = "demo-password-42"
LOAD_INSTANTS = {
    "wednesday-morning": dt.datetime(2026, 11, 25, 10, tzinfo=dt.UTC),
    # After office hours on the Friday before the New Year holidays: the open work runs into them.
    "friday-evening-before-the-holidays": dt.datetime(2026, 12, 25, 16, 30, tzinfo=dt.UTC),
}


@pytest.fixture(scope="module", params=list(LOAD_INSTANTS.values()), ids=list(LOAD_INSTANTS))
def loaded(request, django_db_setup, django_db_blocker, plan):
    """The demo loaded once per module and instant, rolled back afterwards; each test runs in a
    savepoint of it. Yields the instant of the load and the load's report."""
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), transaction.atomic():
        with (
            override_settings(PASSWORD_HASHERS=hashers),
            time_machine.travel(request.param, tick=False),
        ):
            report = load_demo(plan, password=PASSWORD)
        yield request.param, report
        transaction.set_rollback(True)


def test_the_demo_has_a_change_in_every_status(loaded):
    at, report = loaded
    assert report.created["changes"] == len(SCENARIOS) == ChangeRequest.objects.count()
    assert set(ChangeRequest.objects.values_list("status", flat=True)) == set(ChangeStatus.values)
    assert ChangeRequest.objects.get(status=ChangeStatus.ON_HOLD).hold_reason
    cancelled = ChangeRequest.objects.get(status=ChangeStatus.CANCELLED)
    assert cancelled.activity.get(task=None, to_value=ChangeStatus.CANCELLED).reason
    for done in ChangeRequest.objects.filter(status=ChangeStatus.DONE):
        tasks = list(done.tasks.all())
        assert tasks and {t.status for t in tasks} == {TaskStatus.DONE}
        assert all(t.actual_start_at <= t.actual_finish_at < at for t in tasks)


def test_open_changes_are_on_track_at_risk_and_late(loaded):
    at, _ = loaded
    open_changes = list(ChangeRequest.objects.open())
    assert {c.schedule_status for c in open_changes} == set(ScheduleStatus.values)
    for change in open_changes:
        assert change.scheduled_at == at  # scheduled as of the load
        deadline = committed_deadline(change)
        if change.schedule_status == ScheduleStatus.LATE:
            assert change.forecast_finish_at > deadline
        elif change.schedule_status == ScheduleStatus.AT_RISK:
            assert change.forecast_finish_at <= deadline
            slack = change.tasks.open().values_list("slack_seconds", flat=True)
            assert min(slack) < engine.AT_RISK_SECONDS


def test_every_task_state_a_blocked_task_and_a_start_before_the_predecessors(loaded):
    assert set(DepartmentTask.objects.values_list("status", flat=True)) == set(TaskStatus.values)
    blocked = DepartmentTask.objects.get(is_blocked=True)
    assert blocked.blocked_reason and blocked.activity.filter(kind=ActivityKind.BLOCKED).exists()
    assert DepartmentTask.objects.filter(
        status=TaskStatus.IN_PROGRESS, remaining_hours__gt=0
    ).exists()
    override = ActivityEntry.objects.get(kind=ActivityKind.START_OVERRIDE)
    task = override.task
    assert override.by == task.change.owner  # the TAM
    assert override.reason and task.started_override_reason == override.reason
    waited_for = [link.predecessor for link in task.predecessor_links.all()]
    assert any(
        p.actual_finish_at is None or p.actual_finish_at > task.actual_start_at for p in waited_for
    )


def test_the_history_keeps_the_dependencies_and_its_order(loaded):
    at, _ = loaded
    links = list(TaskDependency.objects.select_related("predecessor", "successor"))
    assert {link.kind for link in links} == set(DependencyKind.values)
    assert any(link.lag_hours > 0 for link in links)
    for link in links:
        pred, succ = link.predecessor, link.successor
        if succ.actual_start_at is None or pred.status == TaskStatus.CANCELLED:
            continue
        if link.kind == DependencyKind.START_TO_START:
            assert pred.actual_start_at <= succ.actual_start_at, link
        elif not succ.started_override_reason:
            assert pred.actual_finish_at is not None, link
            assert pred.actual_finish_at <= succ.actual_start_at, link
    for change in ChangeRequest.objects.all():
        instants = list(change.activity.order_by("pk").values_list("at", flat=True))
        assert instants == sorted(instants) and instants[-1] <= at, change


def test_changes_belong_to_the_clients_tams_and_are_worked_by_their_departments(loaded):
    at, _ = loaded
    changes = list(ChangeRequest.objects.select_related("client", "requesting_contact"))
    for change in changes:
        tams = change.client.account_assignments.filter(
            role=AccountRole.TAM, start_on__lte=at.date(), end_on__isnull=True
        ).values_list("user", flat=True)
        assert list(tams) == [change.owner_id], change
        assert change.requesting_contact.client == change.client
        components = list(change.affected_components.all())
        assert components and {c.client_id for c in components} == {change.client_id}
        plans = (change.implementation_plan, change.rollback_plan, change.test_plan)
        assert all(plans) and change.risk_notes and change.description
    assert len({c.client_id for c in changes}) >= 5 and len({c.owner_id for c in changes}) >= 3
    assigned = DepartmentTask.objects.filter(assignee__isnull=False).select_related(
        "assignee__engineer"
    )
    assert assigned.count() >= 20
    for task in assigned:
        assert task.assignee.engineer.department_id == task.department_id, task
    authors = {(c.author_id == c.change.owner_id) for c in Comment.objects.select_related("change")}
    assert authors == {True, False}  # the TAMs and the engineers


def test_loading_again_creates_no_change(loaded, plan):
    at, _ = loaded

    def counts():
        return Counter(
            changes=ChangeRequest.objects.count(),
            tasks=DepartmentTask.objects.count(),
            dependencies=TaskDependency.objects.count(),
            activity=ActivityEntry.objects.count(),
            comments=Comment.objects.count(),
        )

    before = counts()
    with time_machine.travel(at + dt.timedelta(hours=1), tick=False):
        report = load_demo(plan, password=PASSWORD)
    assert report.created["changes"] == 0
    assert counts() == before


def test_reset_deletes_the_demo_changes_and_nothing_else(loaded):
    owner, department = UserFactory(username="outsider"), DepartmentFactory()
    own = change_factories.change(ClientFactory(code="OWN"), by=owner, title="Our own change")
    first = change_factories.task(own, department, by=owner)
    second = change_factories.task(own, department, by=owner)
    change_factories.chain(first, second, by=owner)

    deleted = reset_demo()

    assert deleted["changes"] == len(SCENARIOS)
    assert list(ChangeRequest.objects.all()) == [own]
    assert set(DepartmentTask.objects.all()) == {first, second}
    assert TaskDependency.objects.get().successor == second
    assert not ActivityEntry.objects.exclude(change=own).exists()
    assert not Comment.objects.exists()
