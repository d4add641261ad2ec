"""Changes through the services: dependencies and cycles, status transitions, readiness and its
notifications, the start override, playbooks, comments."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tamdesk.changes import services
from tamdesk.changes.models import (
    ActivityEntry,
    ChangeRequest,
    ChangeTemplate,
    Comment,
    DepartmentTask,
    TaskDependency,
)
from tamdesk.core.exceptions import DomainError
from tamdesk.notifications.models import Notification
from tests.changes.factories import MON_0900, at, chain, change, task
from tests.directory.factories import (
    ClientFactory,
    ContactFactory,
    DepartmentFactory,
    EngineerFactory,
)


@pytest.fixture
def network(users, department):
    """The network group (from conftest) led by ``users.lead``; engineers: tam, other_tam,
    engineer, lead."""
    department.lead = users.lead.engineer
    department.save()
    return department


@pytest.fixture
def vmware(db):
    return DepartmentFactory(code="vmware", name="VMware virtualization")


@pytest.fixture
def virtualizer(vmware):
    return EngineerFactory(department=vmware, user__username="virt").user


@pytest.fixture
def web(tam_client, users):
    return change(tam_client, by=users.tam)


def rows():
    """How many rows the changes domain and the outbox hold."""
    return (
        ChangeRequest.objects.count(),
        DepartmentTask.objects.count(),
        TaskDependency.objects.count(),
        ActivityEntry.objects.count(),
        Notification.objects.count(),
    )


def refused(code: str, call, *args, **kwargs) -> DomainError:
    before = rows()
    with pytest.raises(DomainError) as caught:
        call(*args, **kwargs)
    assert caught.value.code == code, caught.value.message
    assert rows() == before, "a refused call wrote something"
    return caught.value


def status_of(obj) -> str:
    obj.refresh_from_db()
    return obj.status


# --- changes -------------------------------------------------------------------------------


def test_a_new_change_is_a_draft_owned_by_its_creator(web, users, tam_client):
    assert web.status == "draft"
    assert web.owner == users.tam
    assert web.forecast_finish_at is None
    assert web.schedule_status == "on_track"
    entry = ActivityEntry.objects.get(change=web)
    assert (entry.kind, entry.by, entry.at, entry.to_value) == ("created", users.tam, MON_0900,
                                                                 "draft")  # fmt: skip


def test_a_change_takes_only_its_own_clients_contacts(tam_client, users):
    stranger = ContactFactory(client=ClientFactory())
    refused(
        "invalid_contact",
        services.create_change,
        client=tam_client,
        title="Web landscape",
        requesting_contact=stranger,
        by=users.tam,
    )


def test_committing_a_date_records_when(web, users):
    import datetime as dt

    web = services.update_change(web, committed_on=dt.date(2026, 11, 27), by=users.tam, now=at(1))
    assert web.committed_at == at(1)
    entry = ActivityEntry.objects.get(change=web, kind="committed")
    assert (entry.by, entry.to_value) == (users.tam, "2026-11-27")


# --- dependencies --------------------------------------------------------------------------


def test_a_dependency_that_closes_a_cycle_is_refused_naming_it_and_nothing_is_written(
    web, users, network, vmware
):
    first = task(web, network, title="Network segment", by=users.tam)
    second = task(web, vmware, title="Virtual machines", by=users.tam)
    third = task(web, network, title="Firewall rules", by=users.tam)
    chain(first, second, third, by=users.tam)

    error = refused(
        "dependency_cycle",
        services.add_dependency,
        predecessor=third,
        successor=first,
        by=users.tam,
    )

    assert error.message == (
        'This dependency would make a cycle: "Network segment" → "Virtual machines" → '
        '"Firewall rules" → "Network segment".'
    )
    assert error.field == "successor"


def test_self_duplicate_and_cross_change_dependencies_are_refused(web, users, network, tam_client):
    first = task(web, network, title="A", by=users.tam)
    second = task(web, network, title="B", by=users.tam)
    services.add_dependency(predecessor=first, successor=second, by=users.tam)
    other = task(change(tam_client, by=users.tam, title="Other"), network, by=users.tam)

    refused("self_dependency", services.add_dependency, predecessor=first, successor=first,
            by=users.tam)  # fmt: skip
    refused("dependency_exists", services.add_dependency, predecessor=first, successor=second,
            by=users.tam)  # fmt: skip
    refused("different_changes", services.add_dependency, predecessor=first, successor=other,
            by=users.tam)  # fmt: skip


def test_removing_the_last_open_predecessor_makes_the_task_ready(web, users, network, vmware):
    first = task(web, network, by=users.tam)
    second = task(web, vmware, by=users.tam)
    chain(first, second, by=users.tam)
    services.transition_change(web, to="planned", by=users.tam, now=at(0))
    assert status_of(second) == "pending"

    services.remove_dependency(TaskDependency.objects.get(), by=users.tam, now=at(1))

    assert status_of(second) == "ready"


# --- change transitions --------------------------------------------------------------------


def test_illegal_change_transitions_are_refused_naming_both_statuses(web, users):
    error = refused("illegal_transition", services.transition_change, web, to="done", by=users.tam)
    assert error.message == "A change cannot go from Draft to Done."
    assert status_of(web) == "draft"


def test_every_status_change_is_recorded(web, users):
    services.transition_change(web, to="planned", by=users.tam, now=at(1))
    services.transition_change(web, to="on_hold", reason="Client freeze", by=users.tam, now=at(2))

    entries = list(
        ActivityEntry.objects.filter(change=web, kind="status_changed").values_list(
            "by__username", "at", "from_value", "to_value", "reason"
        )
    )
    assert entries == [
        ("tam", at(1), "draft", "planned", ""),
        ("tam", at(2), "planned", "on_hold", "Client freeze"),
    ]
    web.refresh_from_db()
    assert web.hold_reason == "Client freeze"


def test_on_hold_needs_a_reason(web, users):
    services.transition_change(web, to="planned", by=users.tam)
    refused("reason_required", services.transition_change, web, to="on_hold", by=users.tam)


def test_a_change_cannot_be_done_while_a_task_is_open(web, users, network):
    first = task(web, network, title="Network segment", by=users.tam)
    services.transition_change(web, to="planned", by=users.tam, now=at(0))
    services.start_task(first, by=users.engineer, now=at(1))
    assert status_of(web) == "in_progress"  # the first start puts the change in progress

    error = refused("tasks_open", services.transition_change, web, to="done", by=users.tam)
    assert error.message == "The change cannot be done while 1 tasks are open: Network segment."

    services.complete_task(first, by=users.engineer, now=at(3))
    services.transition_change(web, to="done", by=users.tam, now=at(4))
    assert status_of(web) == "done"


def test_cancelling_a_change_cancels_its_open_tasks(web, users, network):
    first = task(web, network, by=users.tam)
    services.transition_change(web, to="cancelled", reason="Client changed plans", by=users.tam)
    assert status_of(first) == "cancelled"
    assert ActivityEntry.objects.filter(task=first, to_value="cancelled").exists()


# --- task transitions and readiness --------------------------------------------------------


def test_tasks_wait_in_a_draft_and_those_free_to_start_become_ready_when_planned(
    web, users, network, vmware, virtualizer
):
    first = task(web, network, by=users.tam, assignee=users.engineer)
    second = task(web, vmware, by=users.tam, assignee=virtualizer)
    chain(first, second, by=users.tam)
    assert (status_of(first), status_of(second)) == ("pending", "pending")
    assert not Notification.objects.exists()

    services.transition_change(web, to="planned", by=users.tam, now=at(0))

    assert (status_of(first), status_of(second)) == ("ready", "pending")
    assert set(Notification.objects.values_list("event_type", flat=True)) == {"changes.task_ready"}


def test_when_the_last_predecessor_is_done_the_task_becomes_ready_and_its_people_are_told(
    web, users, network, vmware, virtualizer
):
    vmware.lead = EngineerFactory(department=vmware, user__username="vlead").user.engineer
    vmware.save()
    first = task(web, network, title="Network segment", by=users.tam)
    side = task(web, network, title="Public addresses", by=users.tam)
    second = task(web, vmware, title="Virtual machines", by=users.tam, assignee=virtualizer)
    chain(first, second, by=users.tam)
    chain(side, second, by=users.tam)
    services.transition_change(web, to="planned", by=users.tam, now=at(0))
    for predecessor in (first, side):
        services.start_task(predecessor, by=users.engineer, now=at(1))
    services.complete_task(first, by=users.engineer, now=at(2))
    assert status_of(second) == "pending"  # "Public addresses" is still open
    Notification.objects.all().delete()

    services.complete_task(side, by=users.engineer, now=at(3))

    assert status_of(second) == "ready"
    sent = Notification.objects.filter(event_type="changes.task_ready")
    assert set(sent.values_list("related_id", flat=True)) == {str(second.pk)}
    queue = sent.get(recipient_department=vmware)
    assert (queue.channel, queue.address) == ("email", "vmware@example.com")
    assert '"Virtual machines"' in queue.subject
    assert "Planned finish: 2026-11-23 16:00 (UTC)." in queue.body_text  # 12:00 + 4 h
    in_app = set(sent.filter(channel="in_app").values_list("recipient_user__username", flat=True))
    assert in_app == {"vlead", "virt"}
    entry = ActivityEntry.objects.get(task=second, to_value="ready")
    assert (entry.from_value, entry.at, entry.by) == ("pending", at(3), users.engineer)


def test_starting_a_task_whose_predecessors_are_open_needs_the_tams_override(
    web, users, network, vmware, virtualizer
):
    first = task(web, network, title="Network segment", by=users.tam)
    second = task(web, vmware, title="Virtual machines", by=users.tam)
    chain(first, second, by=users.tam)
    services.transition_change(web, to="planned", by=users.tam, now=at(0))

    error = refused("predecessors_open", services.start_task, second, by=virtualizer)
    assert error.message == (
        'The task waits for "Network segment". Start it anyway only with a reason.'
    )
    refused("override_not_allowed", services.start_task, second, by=virtualizer,
            override_reason="Network done by hand")  # fmt: skip

    started = services.start_task(
        second, by=users.tam, override_reason="Pre-provision on the old VLAN", now=at(1)
    )

    assert started.status == "in_progress"
    assert started.actual_start_at == at(1)
    assert started.started_override_reason == "Pre-provision on the old VLAN"
    override = ActivityEntry.objects.get(task=second, kind="start_override")
    assert (override.by, override.reason, override.to_value) == (
        users.tam,
        "Pre-provision on the old VLAN",
        "Network segment",
    )


def test_illegal_task_transitions_are_refused(web, users, network):
    first = task(web, network, by=users.tam)
    refused("change_not_active", services.start_task, first, by=users.engineer)  # a draft
    services.transition_change(web, to="planned", by=users.tam)

    error = refused("illegal_transition", services.complete_task, first, by=users.engineer)
    assert error.message == "A task cannot go from Ready to Done."
    services.start_task(first, by=users.engineer)
    refused("illegal_transition", services.start_task, first, by=users.engineer)
    services.complete_task(first, by=users.engineer)
    refused("illegal_transition", services.cancel_task, first, by=users.tam)
    refused("illegal_transition", services.block_task, first, reason="x", by=users.tam)


def test_a_blocked_task_keeps_its_status_and_cannot_start_until_unblocked(web, users, network):
    first = task(web, network, by=users.tam)
    services.transition_change(web, to="planned", by=users.tam, now=at(0))
    refused("reason_required", services.block_task, first, reason=" ", by=users.engineer)

    blocked = services.block_task(first, reason="Waiting for the client's IP plan",
                                  by=users.engineer, now=at(1))  # fmt: skip

    assert (blocked.status, blocked.is_blocked) == ("ready", True)
    refused("task_blocked", services.start_task, first, by=users.engineer)
    refused("task_blocked", services.block_task, first, reason="again", by=users.engineer)
    services.unblock_task(first, by=users.engineer, now=at(2))
    assert services.start_task(first, by=users.engineer, now=at(3)).status == "in_progress"
    assert list(ActivityEntry.objects.filter(task=first).values_list("kind", flat=True)) == [
        "created",
        "status_changed",
        "blocked",
        "unblocked",
        "status_changed",
    ]


def test_a_cancelled_predecessor_no_longer_holds_its_successor(web, users, network, vmware):
    first = task(web, network, by=users.tam)
    second = task(web, vmware, by=users.tam)
    chain(first, second, by=users.tam)
    services.transition_change(web, to="planned", by=users.tam)

    services.cancel_task(first, reason="Not needed", by=users.tam)

    assert status_of(second) == "ready"


def test_a_start_to_start_successor_is_ready_once_its_predecessor_starts(
    web, users, network, vmware
):
    first = task(web, network, by=users.tam)
    second = task(web, vmware, by=users.tam)
    services.add_dependency(predecessor=first, successor=second, kind="ss",
                            lag_hours=Decimal("2"), by=users.tam)  # fmt: skip
    services.transition_change(web, to="planned", by=users.tam)
    assert status_of(second) == "pending"

    services.start_task(first, by=users.engineer)

    assert status_of(second) == "ready"


def test_the_assignee_must_be_an_engineer_of_the_department(web, users, vmware):
    refused("invalid_assignee", services.add_task, web, department=vmware, title="VMs",
            estimate_hours=4, assignee=users.engineer, by=users.tam)  # fmt: skip


def test_closed_changes_are_not_edited(web, users, network):
    services.transition_change(web, to="cancelled", by=users.tam)
    refused("change_closed", services.add_task, web, department=network, title="x",
            estimate_hours=1, by=users.tam)  # fmt: skip
    refused("change_closed", services.update_change, web, title="New", by=users.tam)


# --- playbooks -----------------------------------------------------------------------------


@pytest.fixture
def web_departments(network):
    return {
        code: DepartmentFactory(code=code) for code in ("vmware", "unix", "monitoring", "backup")
    } | {"network": network}


def test_a_playbook_makes_a_new_change_with_its_tasks_and_dependencies(
    users, tam_client, web_departments
):
    playbook = ChangeTemplate.objects.get(code="web-project-landscape")

    made = services.instantiate_template(playbook, client=tam_client, by=users.tam, now=at(0))

    assert (made.title, made.status, made.owner) == ("New web project landscape", "draft",
                                                     users.tam)  # fmt: skip
    tasks = list(made.tasks.order_by("position"))
    assert [(t.department.code, t.estimate_hours) for t in tasks] == [
        ("network", Decimal("6")),
        ("vmware", Decimal("8")),
        ("unix", Decimal("8")),
        ("unix", Decimal("6")),
        ("unix", Decimal("6")),
        ("monitoring", Decimal("4")),
        ("backup", Decimal("5")),
    ]
    links = {
        (d.predecessor.department.code + ":" + d.predecessor.title.split()[0],
         d.successor.title.split()[0], d.lag_hours)
        for d in TaskDependency.objects.filter(successor__change=made)
    }  # fmt: skip
    assert len(links) == 7
    assert ("unix:Operating", "Backup:", Decimal("2")) in links
    assert ActivityEntry.objects.filter(change=made, kind="template_applied").exists()
    assert made.forecast_finish_at is not None  # scheduled


def test_a_playbook_is_added_to_an_existing_change(web, users, web_departments):
    task(web, web_departments["network"], title="Survey", by=users.tam)
    playbook = ChangeTemplate.objects.get(code="backup-onboarding")

    services.instantiate_template(playbook, change=web, by=users.tam)

    assert web.tasks.count() == 7
    assert list(web.tasks.order_by("position").values_list("position", flat=True)) == list(
        range(1, 8)
    )


def test_a_playbook_naming_a_missing_department_writes_nothing(users, tam_client, network):
    playbook = ChangeTemplate.objects.get(code="web-project-landscape")
    error = refused("unknown_department", services.instantiate_template, playbook,
                    client=tam_client, by=users.tam)  # fmt: skip
    assert error.message == (
        "The playbook needs departments that do not exist: backup, monitoring, unix, vmware."
    )


# --- comments ------------------------------------------------------------------------------


def test_comments_on_a_change_and_its_tasks(web, users, network):
    first = task(web, network, by=users.tam)
    services.add_comment(change=web, body="Client confirmed the window", by=users.tam)
    services.add_comment(change=web, task=first, body="VLAN 120 reserved", by=users.engineer)
    assert Comment.objects.filter(change=web).count() == 2
    refused("invalid", services.add_comment, change=web, body="  ", by=users.tam)


def test_a_ready_task_that_gets_an_open_predecessor_waits_again(web, users, network, vmware):
    first = task(web, network, by=users.tam)
    second = task(web, vmware, by=users.tam)
    services.transition_change(web, to="planned", by=users.tam, now=at(0))
    assert status_of(second) == "ready"

    services.add_dependency(predecessor=first, successor=second, by=users.tam, now=at(1))

    assert status_of(second) == "pending"
    entry = ActivityEntry.objects.filter(task=second).latest("id")
    assert (entry.from_value, entry.to_value) == ("ready", "pending")
