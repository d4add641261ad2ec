"""The change-tasks and task-dependencies API: CRUD, every task action, the domain codes
(cycle, illegal transition, predecessors open), the permission matrix by department and client
— and a refused or invalid call changes nothing."""

from __future__ import annotations

import pytest
import time_machine

from tamdesk.changes import services
from tamdesk.changes.models import ActivityEntry, DepartmentTask, TaskDependency
from tamdesk.core.roles import Role
from tests.changes.factories import MON_0900, chain, change, task
from tests.changes.test_api_changes import READERS, SNAPSHOT
from tests.conftest import api_as
from tests.directory.factories import DepartmentFactory, EngineerFactory
from tests.support import ACTORS, api_for, db_state, refused

pytestmark = pytest.mark.django_db
#: Who edits tam_client's changes.
EDITORS = {"admin", "administrator", "service_manager", "tam"}
#: Who works a network task: the editors and the network group (engineers and lead).
NETWORK = EDITORS | {"other_tam", "engineer", "lead"}


def _status(actor: str, allowed: set[str], ok: int = 200) -> int:
    if actor == "anonymous":
        return 401
    return ok if actor in allowed else 403


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(MON_0900, tick=False):
        yield


@pytest.fixture
def network(users, department):
    department.lead = users.lead.engineer
    department.save()
    return department


@pytest.fixture
def vmware(db):
    return DepartmentFactory(code="vmware", name="VMware virtualization")


@pytest.fixture
def virtualizer(vmware):
    return EngineerFactory(
        department=vmware, user__username="virt", user__roles=[Role.ENGINEER]
    ).user


@pytest.fixture
def web(tam_client, users):
    return change(tam_client, by=users.tam)


@pytest.fixture
def planned(web, users, network, vmware):
    """A planned change: VLAN (network, ready) → VMs (vmware, pending)."""
    vlan = task(web, network, by=users.tam, title="VLAN")
    vms = task(web, vmware, by=users.tam, title="VMs")
    chain(vlan, vms, by=users.tam)
    services.transition_change(web, to="planned", by=users.tam, now=MON_0900)
    return vlan, vms


def fresh(t: DepartmentTask) -> DepartmentTask:
    return DepartmentTask.objects.get(pk=t.pk)


# --- reading -------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ACTORS)
def test_everyone_with_a_role_reads_tasks_and_dependencies(users, planned, actor):
    api = api_for(users, actor)
    dependency = TaskDependency.objects.get()
    for path in (
        "/api/v1/change-tasks/",
        f"/api/v1/change-tasks/{planned[0].pk}/",
        "/api/v1/task-dependencies/",
        f"/api/v1/task-dependencies/{dependency.pk}/",
    ):
        assert api.get(path).status_code == _status(actor, READERS), path


def test_task_list_filters(users, planned, web, network, vmware, tam_client):
    vlan, vms = planned
    elsewhere = change(tam_client, by=users.tam, title="Other")
    other = task(elsewhere, network, by=users.tam, title="Firewall", assignee=users.engineer)
    api = api_as(users.engineer)

    def ids(query: str) -> set[int]:
        response = api.get(f"/api/v1/change-tasks/{query}")
        assert response.status_code == 200, response.data
        return {item["id"] for item in response.json()["results"]}

    assert ids(f"?change={web.pk}") == {vlan.pk, vms.pk}
    assert ids(f"?department={vmware.pk}") == {vms.pk}
    assert ids("?status=ready") == {vlan.pk}
    assert ids("?ready=true") == {vlan.pk}
    assert ids(f"?assignee={users.engineer.pk}") == {other.pk}
    assert ids("?critical=true") == {t.pk for t in DepartmentTask.objects.filter(is_critical=True)}
    assert ids("?search=VLAN") == {vlan.pk}
    deps = api.get(f"/api/v1/task-dependencies/?change={elsewhere.pk}").json()
    assert deps["count"] == 0
    assert api.get(f"/api/v1/task-dependencies/?change={web.pk}").json()["count"] == 1


def test_the_task_list_keeps_a_query_budget(users, web, network, django_assert_max_num_queries):
    for n in range(5):
        task(web, network, by=users.tam, title=f"Task {n}")
    with django_assert_max_num_queries(6):
        response = api_as(users.engineer).get("/api/v1/change-tasks/")
    assert response.json()["count"] == 5


# --- create and edit -----------------------------------------------------------------------


@pytest.mark.parametrize("actor", ACTORS)
def test_who_adds_a_task(users, web, network, actor):
    before = db_state(*SNAPSHOT)
    response = api_for(users, actor).post(
        "/api/v1/change-tasks/",
        {"change": web.pk, "department": network.pk, "title": "VLAN", "estimate_hours": "6"},
        format="json",
    )
    assert response.status_code == _status(actor, EDITORS, 201), response.data
    if actor in EDITORS:
        assert response.data["status"] == "pending"
        assert response.data["planned_finish_at"] == "2026-11-23T15:00:00Z"
    else:
        assert db_state(*SNAPSHOT) == before


def test_add_task_refuses_an_assignee_of_another_department(users, web, vmware):
    errors = refused(
        api_as(users.tam), "post", "/api/v1/change-tasks/",
        {"change": web.pk, "department": vmware.pk, "title": "VMs", "estimate_hours": "2",
         "assignee": users.engineer.pk}, 400, "invalid_assignee", models=SNAPSHOT,
    )["errors"]  # fmt: skip
    assert list(errors) == ["assignee"]


def test_add_task_validates_fields(users, web, network):
    errors = refused(
        api_as(users.tam),
        "post",
        "/api/v1/change-tasks/",
        {"change": web.pk, "department": network.pk, "estimate_hours": "-1"},
        400,
        "invalid",
        models=SNAPSHOT,
    )["errors"]
    assert set(errors) == {"title", "estimate_hours"}


@pytest.mark.parametrize("actor", ACTORS)
def test_who_edits_a_task(users, planned, actor):
    vlan = planned[0]
    before = db_state(*SNAPSHOT)
    response = api_for(users, actor).patch(
        f"/api/v1/change-tasks/{vlan.pk}/", {"estimate_hours": "8"}, format="json"
    )
    assert response.status_code == _status(actor, EDITORS), response.data
    if actor in EDITORS:
        assert response.data["estimate_hours"] == "8.00"
        assert response.data["planned_finish_at"] == "2026-11-23T17:00:00Z"
    else:
        assert db_state(*SNAPSHOT) == before


def test_patch_refuses_the_status(users, planned):
    errors = refused(api_as(users.tam), "patch", f"/api/v1/change-tasks/{planned[0].pk}/",
                     {"status": "done"}, 400, "invalid", models=SNAPSHOT)["errors"]  # fmt: skip
    assert list(errors) == ["status"]


def test_there_is_no_task_delete(users, planned):
    assert api_as(users.admin).delete(f"/api/v1/change-tasks/{planned[0].pk}/").status_code == 405


# --- actions -------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ACTORS)
def test_who_starts_a_network_task(users, planned, actor):
    vlan = planned[0]
    before = db_state(*SNAPSHOT)
    response = api_for(users, actor).post(
        f"/api/v1/change-tasks/{vlan.pk}/start/", {}, format="json"
    )
    assert response.status_code == _status(actor, NETWORK), response.data
    if actor in NETWORK:
        assert response.data["status"] == "in_progress"
        assert response.data["actual_start_at"] == "2026-11-23T09:00:00Z"
    else:
        assert db_state(*SNAPSHOT) == before


def test_an_engineer_cannot_work_another_departments_task(users, planned):
    vms = planned[1]
    for name in ("start", "complete", "block", "unblock"):
        refused(api_as(users.engineer), "post", f"/api/v1/change-tasks/{vms.pk}/{name}/",
                {"reason": "x"}, 403, "permission_denied", models=SNAPSHOT)  # fmt: skip


def test_the_department_may_not_cancel(users, planned):
    refused(api_as(users.engineer), "post", f"/api/v1/change-tasks/{planned[0].pk}/cancel/",
            {}, 403, "permission_denied", models=SNAPSHOT)  # fmt: skip


def test_the_flow_start_complete_makes_the_successor_ready(users, planned, virtualizer):
    vlan, vms = planned
    api = api_as(users.engineer)

    assert api.post(f"/api/v1/change-tasks/{vlan.pk}/start/").status_code == 200
    with time_machine.travel(MON_0900.replace(hour=12), tick=False):
        response = api.post(f"/api/v1/change-tasks/{vlan.pk}/complete/")

    assert response.status_code == 200, response.data
    assert (response.data["status"], response.data["actual_finish_at"]) == (
        "done",
        "2026-11-23T12:00:00Z",
    )
    assert fresh(vms).status == "ready"
    started = api_as(virtualizer).post(f"/api/v1/change-tasks/{vms.pk}/start/")
    assert started.data["status"] == "in_progress"


def test_starting_before_the_predecessors_is_refused(users, planned, virtualizer):
    vms = planned[1]
    data = refused(api_as(virtualizer), "post", f"/api/v1/change-tasks/{vms.pk}/start/", {},
                   400, "predecessors_open", models=SNAPSHOT)  # fmt: skip
    assert data["detail"] == 'The task waits for "VLAN". Start it anyway only with a reason.'
    refused(
        api_as(virtualizer),
        "post",
        f"/api/v1/change-tasks/{vms.pk}/start/",
        {"override_reason": "Client asked"},
        400,
        "override_not_allowed",
        models=SNAPSHOT,
    )


def test_the_tam_overrides_with_a_reason(users, planned):
    vms = planned[1]
    response = api_as(users.tam).post(
        f"/api/v1/change-tasks/{vms.pk}/start/", {"override_reason": "Hardware is there"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 200, response.data
    assert response.data["started_override_reason"] == "Hardware is there"
    assert ActivityEntry.objects.filter(task=vms, kind="start_override").count() == 1


def test_completing_a_task_not_started_is_an_illegal_transition(users, planned):
    data = refused(api_as(users.engineer), "post",
                   f"/api/v1/change-tasks/{planned[0].pk}/complete/", {}, 400,
                   "illegal_transition", models=SNAPSHOT)  # fmt: skip
    assert data["detail"] == "A task cannot go from Ready to Done."


def test_block_and_unblock(users, planned):
    vlan = planned[0]
    api = api_as(users.lead)
    refused(
        api, "post", f"/api/v1/change-tasks/{vlan.pk}/block/", {}, 400, "invalid", models=SNAPSHOT
    )

    blocked = api.post(f"/api/v1/change-tasks/{vlan.pk}/block/", {"reason": "No IPs"})
    assert (blocked.data["is_blocked"], blocked.data["blocked_reason"]) == (True, "No IPs")
    refused(
        api,
        "post",
        f"/api/v1/change-tasks/{vlan.pk}/start/",
        {},
        400,
        "task_blocked",
        models=SNAPSHOT,
    )

    unblocked = api.post(f"/api/v1/change-tasks/{vlan.pk}/unblock/")
    assert unblocked.status_code == 200
    assert (unblocked.data["is_blocked"], unblocked.data["status"]) == (False, "ready")
    refused(
        api,
        "post",
        f"/api/v1/change-tasks/{vlan.pk}/unblock/",
        {},
        400,
        "not_blocked",
        models=SNAPSHOT,
    )


def test_cancel_frees_the_successor(users, planned):
    vlan, vms = planned
    response = api_as(users.tam).post(
        f"/api/v1/change-tasks/{vlan.pk}/cancel/", {"reason": "Not needed"}, format="json"
    )
    assert response.status_code == 200, response.data
    assert response.data["status"] == "cancelled"
    assert fresh(vms).status == "ready"
    refused(api_as(users.tam), "post", f"/api/v1/change-tasks/{vlan.pk}/cancel/", {}, 400,
            "illegal_transition", models=SNAPSHOT)  # fmt: skip


# --- dependencies --------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ACTORS)
def test_who_adds_a_dependency(users, web, network, vmware, actor):
    vlan = task(web, network, by=users.tam, title="VLAN")
    vms = task(web, vmware, by=users.tam, title="VMs")
    before = db_state(*SNAPSHOT)
    response = api_for(users, actor).post(
        "/api/v1/task-dependencies/",
        {"predecessor": vlan.pk, "successor": vms.pk, "kind": "ss", "lag_hours": "-1.5"},
        format="json",
    )
    assert response.status_code == _status(actor, EDITORS, 201), response.data
    if actor in EDITORS:
        assert (response.data["kind"], response.data["lag_hours"]) == ("ss", "-1.50")
        assert fresh(vms).planned_start_at.isoformat() == "2026-11-23T09:00:00+00:00"
    else:
        assert db_state(*SNAPSHOT) == before


def test_a_cycle_is_refused_naming_it_and_nothing_is_stored(users, planned, web, network):
    vlan, vms = planned
    dns = task(web, network, by=users.tam, title="DNS")
    chain(vms, dns, by=users.tam)

    data = refused(api_as(users.tam), "post", "/api/v1/task-dependencies/",
                   {"predecessor": dns.pk, "successor": vlan.pk}, 400,
                   "dependency_cycle", models=SNAPSHOT)  # fmt: skip

    assert data["detail"] == (
        'This dependency would make a cycle: "VLAN" → "VMs" → "DNS" → "VLAN".'
    ), data["detail"]
    assert list(data["errors"]) == ["successor"]
    assert TaskDependency.objects.count() == 2


def test_a_duplicate_and_a_self_dependency_are_refused(users, planned):
    vlan, vms = planned
    api = api_as(users.tam)
    refused(
        api,
        "post",
        "/api/v1/task-dependencies/",
        {"predecessor": vlan.pk, "successor": vms.pk},
        400,
        "dependency_exists",
        models=SNAPSHOT,
    )
    refused(
        api,
        "post",
        "/api/v1/task-dependencies/",
        {"predecessor": vlan.pk, "successor": vlan.pk},
        400,
        "self_dependency",
        models=SNAPSHOT,
    )


def test_dependencies_are_not_edited(users, planned):
    dependency = TaskDependency.objects.get()
    response = api_as(users.admin).patch(
        f"/api/v1/task-dependencies/{dependency.pk}/", {"lag_hours": "2"}, format="json"
    )
    assert response.status_code == 405


@pytest.mark.parametrize("actor", ACTORS)
def test_who_removes_a_dependency(users, planned, actor):
    vms = planned[1]
    dependency = TaskDependency.objects.get()
    before = db_state(*SNAPSHOT)
    response = api_for(users, actor).delete(f"/api/v1/task-dependencies/{dependency.pk}/")
    assert response.status_code == _status(actor, EDITORS, 204), getattr(response, "data", None)
    if actor in EDITORS:
        assert not TaskDependency.objects.exists()
        assert fresh(vms).status == "ready"
    else:
        assert db_state(*SNAPSHOT) == before


@pytest.mark.parametrize("path", ["/api/v1/change-tasks/", "/api/v1/task-dependencies/"])
def test_no_role_is_refused_before_the_input_is_read(users, path):
    refused(api_as(users.norole), "post", path, {}, 403, "permission_denied", models=SNAPSHOT)
