"""The home page of every role (``tamdesk.workspace``): what each role sees, the union for a
person with several roles, explicit empty states, both languages, and a number of queries that
does not grow with the data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tamdesk.changes.models import DepartmentTask
from tamdesk.core.models import JobRun, JobRunOutcome
from tamdesk.directory.models import Engineer
from tamdesk.workspace.composition import HomeSection
from tamdesk.workspace.sections import HOME_SECTIONS
from tamdesk.workspace.views import sections_for
from tests.changes.factories import ChangeRequestFactory, DepartmentTaskFactory
from tests.directory.factories import AssignmentFactory, ClientFactory
from tests.sla.factories import incident, policy

pytestmark = pytest.mark.django_db

#: The most queries a home page may run, whatever the role and the data.
BUDGET = 35


def sections_of(response) -> dict[str, dict]:
    return {item["section"].key: item["data"] for item in response.context["sections"]}


def keys_of(response) -> list[str]:
    return [item["section"].key for item in response.context["sections"]]


def now_minus(hours: float) -> dt.datetime:
    return dt.datetime.now(dt.UTC) - dt.timedelta(hours=hours)


@pytest.fixture
def lead_of_department(users, department):
    department.lead = Engineer.objects.get(user=users.lead)
    department.save()
    return department


def grow(users, department, *, clients: int, first: int = 0) -> None:
    """For each of ``clients`` new clients (TAM ``users.tam``, service manager
    ``users.service_manager``): an SLA policy, a breached incident assigned to the engineer and
    an unassigned one of the department, a late change owned by the TAM with a blocked task of
    the engineer, and an overdue ready task of the department."""
    for number in range(first, first + clients):
        account = ClientFactory(name=f"Client {number:02d}")
        AssignmentFactory(client=account, user=users.tam, role="tam")
        AssignmentFactory(client=account, user=users.service_manager, role="service_manager")
        policy(client=account, by=users.administrator)  # 24×7: breached whatever the day
        incident(
            account,
            by=users.tam,
            priority="p1",
            title=f"Core down {number}",
            department=department,
            assignee=users.engineer,
            opened=now_minus(5),
            now=now_minus(0.1),
        )
        incident(account, by=users.tam, title=f"Slow {number}", department=department)
        late = ChangeRequestFactory(
            client=account,
            owner=users.tam,
            status="in_progress",
            schedule_status="late",
            title=f"Late change {number}",
        )
        DepartmentTaskFactory(
            change=late,
            department=department,
            assignee=users.engineer,
            status="ready",
            is_blocked=True,
            blocked_reason="Waiting for the client's firewall",
            title=f"Blocked task {number}",
        )
        DepartmentTaskFactory(
            change=late,
            department=department,
            assignee=users.lead,
            status="in_progress",
            late_finish_at=now_minus(24),
            title=f"Overdue task {number}",
        )


ROLES = ["tam", "engineer", "lead", "service_manager", "programme_lead", "administrator"]


@pytest.mark.parametrize("role", [*ROLES, "architect", "admin"])
def test_the_home_page_runs_the_same_queries_whatever_the_data(
    client, users, tam_client, lead_of_department, role, django_assert_max_num_queries
):
    # Given a small organisation
    grow(users, lead_of_department, clients=1)
    client.force_login(getattr(users, role))
    client.get("/")  # the session and the caches warm up
    with CaptureQueriesContext(connection) as small:
        assert client.get("/").status_code == 200

    # When it grows four times
    grow(users, lead_of_department, clients=4, first=1)
    with django_assert_max_num_queries(BUDGET):
        response = client.get("/")

    # Then the page runs as many queries as before
    assert response.status_code == 200
    with CaptureQueriesContext(connection) as large:
        client.get("/")
    assert len(large.captured_queries) == len(small.captured_queries)


def test_a_tam_sees_her_clients_health_breaches_late_changes_and_blocked_tasks(
    client, users, tam_client, department
):
    grow(users, department, clients=2)
    ClientFactory(name="Not hers")
    client.force_login(users.tam)

    response = client.get("/")

    data = sections_of(response)
    assert keys_of(response)[:4] == [
        "my-clients",
        "client-incidents",
        "changes-at-risk",
        "tasks-waiting",
    ]
    cards = {card.name: card.health for card in data["my-clients"]["clients"]}
    assert list(cards) == ["Acme Retail", "Client 00", "Client 01"]
    assert cards["Client 00"] == {
        "open_incidents": 2,
        "breaches": 1,
        "at_risk": 0,
        "changes_at_risk": 0,
        "changes_late": 1,
    }
    assert cards["Acme Retail"]["open_incidents"] == 0
    incidents = data["client-incidents"]
    assert incidents["count"] == 4 and incidents["breaches"] == 2
    # running breaches first
    assert [row.incident.title for row in incidents["rows"]][:2] == ["Core down 0", "Core down 1"]
    assert [c.title for c in data["changes-at-risk"]["changes"]] == [
        "Late change 0",
        "Late change 1",
    ]
    assert [t.title for t in data["tasks-waiting"]["tasks"]] == ["Blocked task 0", "Blocked task 1"]
    content = response.content.decode()
    assert "Not hers" not in content
    assert "Waiting for the client&#x27;s firewall" in content
    assert 'data-signal="breaches"' in content


def test_a_pending_task_past_its_latest_start_waits_for_the_tams_override(
    client, users, tam_client, department
):
    planned = ChangeRequestFactory(client=tam_client, owner=users.tam, status="planned")
    waiting = DepartmentTaskFactory(
        change=planned, department=department, status="pending", late_start_at=now_minus(1)
    )
    DepartmentTaskFactory(  # pending, but there is still time
        change=planned,
        department=department,
        status="pending",
        late_start_at=now_minus(-48),
    )
    client.force_login(users.tam)

    data = sections_of(client.get("/"))

    assert [t.pk for t in data["tasks-waiting"]["tasks"]] == [waiting.pk]


def test_a_tam_with_nothing_pending_is_told_so(client, users, tam_client):
    client.force_login(users.tam)

    content = client.get("/").content.decode()

    assert "Your clients have no open incidents." in content
    assert "No change of your clients is at risk or late." in content
    assert "No task of your clients is blocked or waiting for an override." in content


def test_an_engineer_sees_her_blocked_task_and_her_incidents(client, users, tam_client, department):
    grow(users, department, clients=1)
    client.force_login(users.engineer)

    response = client.get("/")

    assert keys_of(response) == ["my-work", "my-incidents"]
    data = sections_of(response)
    assert [t.title for t in data["my-work"]["tasks"]] == ["Blocked task 0"]
    assert data["my-work"]["task_counts"] == {"ready": 0, "in_progress": 0, "blocked": 1}
    assert [row.incident.title for row in data["my-incidents"]["rows"]] == ["Core down 0"]
    assert [row.incident.title for row in data["my-incidents"]["queue_rows"]] == ["Slow 0"]
    assert "Blocked" in response.content.decode()


def test_an_engineer_without_incidents_is_told_so(client, users):
    client.force_login(users.engineer)

    content = client.get("/").content.decode()

    assert "No open incident is assigned to you." in content


def test_a_department_lead_sees_the_queue_the_load_and_the_overdue_work(
    client, users, tam_client, lead_of_department
):
    grow(users, lead_of_department, clients=1)
    client.force_login(users.lead)

    response = client.get("/")

    assert keys_of(response) == ["department", "my-work", "my-incidents"]
    (department,) = sections_of(response)["department"]["departments"]
    assert department == lead_of_department
    assert {t.title for t in department.queue} == {"Blocked task 0", "Overdue task 0"}
    assert [t.title for t in department.overdue] == ["Overdue task 0"]
    assert department.overdue_count == 1
    assert {row["engineer"].user for row in department.load} >= {users.engineer, users.lead}
    assert "Overdue: 1 task past its latest finish" in response.content.decode()


def test_a_service_manager_sees_the_sla_state_of_her_clients_worst_first(client, users, department):
    calm = ClientFactory(name="Aardvark Calm")
    AssignmentFactory(client=calm, user=users.service_manager, role="service_manager")
    grow(users, department, clients=1)
    client.force_login(users.service_manager)

    response = client.get("/")

    assert keys_of(response) == ["my-clients", "sla-state"]
    rows = [(c.name, c.health) for c in sections_of(response)["sla-state"]["clients"]]
    assert rows == [
        ("Client 00", {"open_incidents": 2, "breaches": 1, "at_risk": 0}),
        ("Aardvark Calm", {"open_incidents": 0, "breaches": 0, "at_risk": 0}),
    ]


def test_the_programme_lead_sees_the_tams_with_their_clients_and_breaches(
    client, users, tam_client, department
):
    grow(users, department, clients=2)
    ClientFactory(name="Orphan")
    client.force_login(users.programme_lead)

    response = client.get("/")

    assert keys_of(response) == ["tams"]
    data = sections_of(response)["tams"]
    assert [(t.username, t.client_count, t.breaches) for t in data["tams"]] == [("tam", 3, 2)]
    assert data["clients_without_tam"] == 1


def test_an_administrator_sees_the_directory_and_the_jobs_health(client, users, tam_client):
    JobRun.objects.create(name="sla.alerts", started_at=now_minus(1), outcome=JobRunOutcome.FAILED)
    JobRun.objects.create(name="sla.alerts", started_at=now_minus(30), outcome=JobRunOutcome.FAILED)
    client.force_login(users.administrator)

    response = client.get("/")

    assert keys_of(response) == ["jobs-health", "overview"]
    data = sections_of(response)
    assert data["jobs-health"]["failed"] == 1
    assert data["overview"]["clients"] == 1
    assert 'href="/jobs/?outcome=failed"' in response.content.decode()


def test_several_roles_get_the_union_of_their_sections_each_once(users):
    class Person:
        is_authenticated = True
        _tamdesk_roles = {"TAM", "Service manager", "Engineer"}

    keys = [section.key for section in sections_for(Person())]

    assert keys == [
        "my-clients",
        "client-incidents",
        "changes-at-risk",
        "tasks-waiting",
        "sla-state",
        "my-work",
        "my-incidents",
    ]


def test_every_home_section_is_listed_once_with_a_role():
    keys = [section.key for section in HOME_SECTIONS]
    assert len(keys) == len(set(keys))
    assert all(isinstance(s, HomeSection) and s.roles for s in HOME_SECTIONS)


@pytest.mark.parametrize("role", ROLES)
def test_every_home_renders_in_russian(client, users, tam_client, lead_of_department, role):
    grow(users, lead_of_department, clients=1)
    client.force_login(getattr(users, role))

    response = client.get("/", headers={"accept-language": "ru"})

    content = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ru"' in content
    assert "Главная" in content


def test_an_untaken_task_is_not_a_waiting_one(client, users, tam_client, department):
    done = ChangeRequestFactory(client=tam_client, owner=users.tam, status="done")
    DepartmentTaskFactory(
        change=done, department=department, is_blocked=True, blocked_reason="x", status="ready"
    )
    client.force_login(users.tam)

    data = sections_of(client.get("/"))

    assert data["tasks-waiting"]["tasks"] == []
    assert DepartmentTask.objects.count() == 1
