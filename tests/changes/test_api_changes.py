"""The changes API: changes (create, patch, transition, schedule) and playbooks (instantiate),
the permission matrix — and a refused or invalid call changes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine

from tamdesk.changes.models import (
    ActivityEntry,
    ChangeRequest,
    ChangeTemplate,
    DepartmentTask,
    TaskDependency,
    TemplateDependency,
    TemplateTask,
)
from tests.changes.factories import MON_0900, chain, change, task
from tests.conftest import api_as
from tests.directory.factories import AssignmentFactory, ClientFactory, DepartmentFactory
from tests.support import ACTORS, api_for, db_state, refused

pytestmark = pytest.mark.django_db
READERS = set(ACTORS) - {"anonymous", "norole"}
#: Who opens and edits tam_client's changes: a TAM only for the clients they manage.
EDITORS = {"admin", "administrator", "service_manager", "tam"}
#: Who reads a change of tam_client without tasks: those who read everything and its account
#: team (``ChangeRequestQuerySet.visible_to``); to the others it is a 404.
WEB_READERS = {"admin", "administrator", "service_manager", "programme_lead", "tam", "architect"}


#: The rows a refused call must leave as they were.
SNAPSHOT = (ChangeRequest, DepartmentTask, TaskDependency, ActivityEntry)


def _expected(actor: str, allowed: set[str], readers: set[str] = READERS) -> int:
    if actor == "anonymous":
        return 401
    if actor in allowed:
        return 200
    return 404 if actor in READERS - readers else 403


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(MON_0900, tick=False):
        yield


@pytest.fixture
def vmware(db):
    return DepartmentFactory(code="vmware", name="VMware virtualization")


@pytest.fixture
def web(tam_client, users):
    return change(tam_client, by=users.tam, committed_on=MON_0900.date())


@pytest.fixture
def playbook(department, vmware):
    template = ChangeTemplate.objects.create(code="small-web", name="Small web")
    net = TemplateTask.objects.create(
        template=template, key="net", department_code="network", title="VLAN",
        estimate_hours=Decimal("2"), position=1,
    )  # fmt: skip
    vm = TemplateTask.objects.create(
        template=template, key="vm", department_code="vmware", title="VMs",
        estimate_hours=Decimal("3"), position=2,
    )  # fmt: skip
    TemplateDependency.objects.create(template=template, predecessor=net, successor=vm)
    return template


# --- reading -------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ACTORS)
def test_everyone_with_a_role_reads_changes_and_playbooks(users, web, playbook, actor):
    api = api_for(users, actor)
    for path in (
        "/api/v1/changes/",
        "/api/v1/change-templates/",
        f"/api/v1/change-templates/{playbook.pk}/",
    ):
        assert api.get(path).status_code == _expected(actor, READERS), path
    for path in (f"/api/v1/changes/{web.pk}/", f"/api/v1/changes/{web.pk}/schedule/"):
        assert api.get(path).status_code == _expected(actor, WEB_READERS, WEB_READERS), path


def test_retrieve_gives_tasks_and_dependencies(users, web, department, vmware):
    first = task(web, department, by=users.tam, title="VLAN")
    second = task(web, vmware, by=users.tam, title="VMs")
    chain(first, second, by=users.tam)

    data = api_as(users.engineer).get(f"/api/v1/changes/{web.pk}/").json()

    assert [t["title"] for t in data["tasks"]] == ["VLAN", "VMs"]
    assert data["dependencies"] == [
        {
            "id": TaskDependency.objects.get().pk,
            "predecessor": first.pk,
            "successor": second.pk,
            "kind": "fs",
            "lag_hours": "0.00",
            "created_at": "2026-11-23T09:00:00Z",
            "updated_at": "2026-11-23T09:00:00Z",
        }
    ]
    assert (data["status"], data["committed_on"]) == ("draft", "2026-11-23")


def test_list_filters(users, web, tam_client, department, vmware):
    other = change(ClientFactory(), by=users.administrator, title="DDoS onboarding")
    task(other, vmware, by=users.administrator)
    task(web, department, by=users.tam, hours="20")  # past the committed date: late
    api = api_as(users.service_manager)  # she reads every change

    def ids(query: str) -> set[int]:
        response = api.get(f"/api/v1/changes/{query}")
        assert response.status_code == 200, response.data
        return {item["id"] for item in response.json()["results"]}

    assert ids("") == {web.pk, other.pk}
    assert ids(f"?client={tam_client.pk}") == {web.pk}
    assert ids(f"?department={vmware.pk}") == {other.pk}
    assert ids("?at_risk=true") == {web.pk}
    assert ids("?schedule_status=late") == {web.pk}
    assert ids("?at_risk=false") == {other.pk}
    assert ids("?q=ddos") == {other.pk}
    assert ids(f"?owner={users.administrator.pk}") == {other.pk}
    assert ids("?status=draft&status=planned") == {web.pk, other.pk}
    assert ids("?status=planned") == set()


def test_the_list_keeps_a_query_budget(users, tam_client, django_assert_max_num_queries):
    for n in range(5):
        change(tam_client, by=users.tam, title=f"Change {n}")
    with django_assert_max_num_queries(8):
        response = api_as(users.tam).get("/api/v1/changes/")
    assert response.json()["count"] == 5


# --- the schedule --------------------------------------------------------------------------


def test_the_schedule_of_a_small_chain(users, web, department, vmware):
    first = task(web, department, by=users.tam, title="VLAN", hours="4")
    second = task(web, vmware, by=users.tam, title="VMs", hours="4")
    chain(first, second, by=users.tam)

    data = api_as(users.engineer).get(f"/api/v1/changes/{web.pk}/schedule/").json()

    def row(t, start, finish, late_start, late_finish):
        return {
            "id": t.pk,
            "title": t.title,
            "department": t.department_id,
            "status": "pending",
            "earliest_start_at": start,
            "earliest_finish_at": finish,
            "latest_start_at": late_start,
            "latest_finish_at": late_finish,
            "slack_seconds": 3600,
            "is_critical": True,
        }

    # 09:00-18:00 working days; committed Monday: the work must end by Tuesday 00:00, and the
    # last working instant before it is Monday 18:00, an hour after the forecast.
    assert data == {
        "scheduled_at": "2026-11-23T09:00:00Z",
        "committed_on": "2026-11-23",
        "committed_deadline_at": "2026-11-24T00:00:00Z",
        "forecast_finish_at": "2026-11-23T17:00:00Z",
        "schedule_status": "at_risk",
        "tasks": [
            row(first, "2026-11-23T09:00:00Z", "2026-11-23T13:00:00Z",
                "2026-11-23T10:00:00Z", "2026-11-23T14:00:00Z"),
            row(second, "2026-11-23T13:00:00Z", "2026-11-23T17:00:00Z",
                "2026-11-23T14:00:00Z", "2026-11-24T00:00:00Z"),
        ],
    }  # fmt: skip


# --- create and edit -----------------------------------------------------------------------


def new_change(client_record, **changes) -> dict:
    data = {"client": client_record.pk, "title": "Web landscape", "committed_on": "2026-11-27"}
    data.update(changes)
    return data


@pytest.mark.parametrize("actor", ACTORS)
def test_who_creates_a_change(users, tam_client, actor):
    before = ChangeRequest.objects.count()
    response = api_for(users, actor).post("/api/v1/changes/", new_change(tam_client), format="json")
    if actor in EDITORS:
        assert response.status_code == 201, response.data
        assert ChangeRequest.objects.count() == before + 1
    else:
        assert response.status_code == (401 if actor == "anonymous" else 403)
        assert response.data["code"] in ("not_authenticated", "permission_denied")
        assert ChangeRequest.objects.count() == before


def test_a_tam_opens_changes_only_for_the_clients_they_manage(users, tam_client):
    own = ClientFactory(name="Other Bank", code="OBANK")
    AssignmentFactory(client=own, user=users.other_tam, role="backup_tam")
    api = api_as(users.other_tam)
    assert api.post("/api/v1/changes/", new_change(own), format="json").status_code == 201
    refused(
        api,
        "post",
        "/api/v1/changes/",
        new_change(tam_client),
        403,
        "permission_denied",
        models=SNAPSHOT,
    )


def test_create_opens_a_draft_owned_by_the_caller(users, tam_client):
    response = api_as(users.tam).post(
        "/api/v1/changes/", new_change(tam_client, type="emergency"), format="json"
    )

    assert response.status_code == 201, response.data
    data = response.json()
    created = ChangeRequest.objects.get(pk=data["id"])
    assert (created.owner, created.status, created.type) == (users.tam, "draft", "emergency")
    assert data["committed_at"] == "2026-11-23T09:00:00Z"
    assert data["tasks"] == [] and data["schedule_status"] == "on_track"


def test_create_refuses_another_clients_contact(users, tam_client):
    from tests.directory.factories import ContactFactory

    stranger = ContactFactory()
    errors = refused(
        api_as(users.tam),
        "post",
        "/api/v1/changes/",
        new_change(tam_client, requesting_contact=stranger.pk),
        400,
        "invalid_contact",
        models=SNAPSHOT,
    )["errors"]
    assert list(errors) == ["requesting_contact"]


def test_create_validates_fields(users, tam_client):
    errors = refused(
        api_as(users.tam), "post", "/api/v1/changes/",
        {"client": tam_client.pk, "type": "whenever"}, 400, "invalid", models=SNAPSHOT,
    )["errors"]  # fmt: skip
    assert set(errors) == {"title", "type"}


@pytest.mark.parametrize("actor", ACTORS)
def test_who_patches_a_change(users, web, actor):
    before = db_state(*SNAPSHOT)
    response = api_for(users, actor).patch(
        f"/api/v1/changes/{web.pk}/", {"title": "Renamed"}, format="json"
    )
    assert response.status_code == _expected(actor, EDITORS, WEB_READERS), response.data
    if actor in EDITORS:
        assert ChangeRequest.objects.get(pk=web.pk).title == "Renamed"
    else:
        assert db_state(*SNAPSHOT) == before


def test_patch_moves_the_committed_date_and_reschedules(users, web, department):
    task(web, department, by=users.tam, hours="20")
    assert ChangeRequest.objects.get(pk=web.pk).schedule_status == "late"

    response = api_as(users.tam).patch(
        f"/api/v1/changes/{web.pk}/", {"committed_on": "2026-11-30"}, format="json"
    )

    assert response.status_code == 200, response.data
    assert response.json()["schedule_status"] == "on_track"
    assert ActivityEntry.objects.filter(change=web, kind="committed").count() == 2


def test_patch_refuses_the_status_and_the_client(users, web, tam_client):
    errors = refused(
        api_as(users.tam), "patch", f"/api/v1/changes/{web.pk}/",
        {"status": "done", "client": tam_client.pk}, 400, "invalid", models=SNAPSHOT,
    )["errors"]  # fmt: skip
    assert set(errors) == {"status", "client"}


def test_there_is_no_delete(users, web):
    response = api_as(users.admin).delete(f"/api/v1/changes/{web.pk}/")
    assert response.status_code == 405
    assert ChangeRequest.objects.filter(pk=web.pk).exists()


# --- transitions ---------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ACTORS)
def test_who_transitions_a_change(users, web, actor):
    before = db_state(*SNAPSHOT)
    response = api_for(users, actor).post(
        f"/api/v1/changes/{web.pk}/transition/", {"to": "planned"}, format="json"
    )
    assert response.status_code == _expected(actor, EDITORS, WEB_READERS), response.data
    if actor in EDITORS:
        assert response.data["status"] == "planned"
    else:
        assert db_state(*SNAPSHOT) == before


def test_transition_on_hold_records_the_reason(users, web):
    api = api_as(users.tam)
    api.post(f"/api/v1/changes/{web.pk}/transition/", {"to": "planned"}, format="json")

    response = api.post(
        f"/api/v1/changes/{web.pk}/transition/",
        {"to": "on_hold", "reason": "Client freeze"},
        format="json",
    )

    assert response.status_code == 200, response.data
    assert (response.data["status"], response.data["hold_reason"]) == ("on_hold", "Client freeze")


def test_an_illegal_transition_is_refused(users, web):
    data = refused(
        api_as(users.tam), "post", f"/api/v1/changes/{web.pk}/transition/",
        {"to": "done"}, 400, "illegal_transition", models=SNAPSHOT,
    )  # fmt: skip
    assert data["detail"] == "A change cannot go from Draft to Done."
    assert data["errors"] == {"status": ["A change cannot go from Draft to Done."]}


def test_on_hold_without_a_reason_is_refused(users, web):
    api = api_as(users.tam)
    api.post(f"/api/v1/changes/{web.pk}/transition/", {"to": "planned"}, format="json")
    refused(api, "post", f"/api/v1/changes/{web.pk}/transition/", {"to": "on_hold"}, 400,
            "reason_required", models=SNAPSHOT)  # fmt: skip


def test_done_while_a_task_is_open_is_a_conflict(users, web, department):
    task(web, department, by=users.tam, title="VLAN")
    api = api_as(users.tam)
    for to in ("planned",):
        api.post(f"/api/v1/changes/{web.pk}/transition/", {"to": to}, format="json")
    start = api.post(f"/api/v1/change-tasks/{web.tasks.get().pk}/start/", {}, format="json")
    assert start.status_code == 200, start.data

    data = refused(api, "post", f"/api/v1/changes/{web.pk}/transition/", {"to": "done"}, 409,
                   "tasks_open", models=SNAPSHOT)  # fmt: skip
    assert "VLAN" in data["detail"]


def test_an_unknown_status_is_invalid(users, web):
    refused(api_as(users.tam), "post", f"/api/v1/changes/{web.pk}/transition/",
            {"to": "finished"}, 400, "invalid", models=SNAPSHOT)  # fmt: skip


# --- playbooks -----------------------------------------------------------------------------


def test_a_playbook_lists_its_tasks_and_dependencies(users, playbook):
    data = api_as(users.engineer).get(f"/api/v1/change-templates/{playbook.pk}/").json()

    assert [t["key"] for t in data["tasks"]] == ["net", "vm"]
    assert [(d["predecessor"], d["successor"], d["kind"]) for d in data["dependencies"]] == [
        (data["tasks"][0]["id"], data["tasks"][1]["id"], "fs")
    ]


def test_playbooks_are_read_only(users, playbook):
    api = api_as(users.admin)
    assert api.post("/api/v1/change-templates/", {}, format="json").status_code == 405
    assert api.patch(f"/api/v1/change-templates/{playbook.pk}/", {}).status_code == 405
    assert api.delete(f"/api/v1/change-templates/{playbook.pk}/").status_code == 405


def test_instantiate_into_a_new_change(users, playbook, tam_client):
    response = api_as(users.tam).post(
        f"/api/v1/change-templates/{playbook.pk}/instantiate/",
        {"client": tam_client.pk, "committed_on": "2026-11-30"},
        format="json",
    )

    assert response.status_code == 201, response.data
    data = response.json()
    assert data["title"] == "Small web"
    assert [t["title"] for t in data["tasks"]] == ["VLAN", "VMs"]
    assert len(data["dependencies"]) == 1
    assert ChangeRequest.objects.get(pk=data["id"]).owner == users.tam


def test_instantiate_into_an_existing_change(users, playbook, web):
    response = api_as(users.tam).post(
        f"/api/v1/change-templates/{playbook.pk}/instantiate/", {"change": web.pk}, format="json"
    )

    assert response.status_code == 201, response.data
    assert response.data["id"] == web.pk
    assert web.tasks.count() == 2


@pytest.mark.parametrize("actor", ["other_tam", "engineer", "architect", "norole"])
def test_instantiate_into_someone_elses_change_is_forbidden(users, playbook, web, actor):
    refused(api_for(users, actor), "post", f"/api/v1/change-templates/{playbook.pk}/instantiate/",
            {"change": web.pk}, 403, "permission_denied", models=SNAPSHOT)  # fmt: skip


@pytest.mark.parametrize("actor", ["engineer", "architect", "other_tam"])
def test_only_who_creates_changes_instantiates_a_new_one(users, playbook, tam_client, actor):
    refused(api_for(users, actor), "post", f"/api/v1/change-templates/{playbook.pk}/instantiate/",
            {"client": tam_client.pk}, 403, "permission_denied", models=SNAPSHOT)  # fmt: skip


def test_instantiate_needs_a_change_or_a_client_not_both(users, playbook, web, tam_client):
    api = api_as(users.tam)
    path = f"/api/v1/change-templates/{playbook.pk}/instantiate/"
    assert set(refused(api, "post", path, {}, 400, "invalid", models=SNAPSHOT)["errors"]) == {
        "client"
    }
    both = refused(
        api,
        "post",
        path,
        {"change": web.pk, "client": tam_client.pk},
        400,
        "invalid",
        models=SNAPSHOT,
    )
    assert set(both["errors"]) == {"client"}


def test_a_playbook_naming_a_missing_department_writes_nothing(users, playbook, tam_client):
    TemplateTask.objects.filter(key="vm").update(department_code="storage")
    refused(api_as(users.tam), "post", f"/api/v1/change-templates/{playbook.pk}/instantiate/",
            {"client": tam_client.pk}, 400, "unknown_department", models=SNAPSHOT)  # fmt: skip
