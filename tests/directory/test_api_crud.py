"""Happy paths of every directory endpoint, as an administrator (or the role that owns the
record): list, retrieve, create, update, partial update, delete."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from tamdesk.directory.models import (
    AccountTeamAssignment,
    Client,
    Component,
    Contact,
    Department,
    Engineer,
)
from tests.conftest import api_as
from tests.directory.factories import (
    AssignmentFactory,
    ClientFactory,
    CompetencyFactory,
    ComponentFactory,
    ContactFactory,
    DepartmentFactory,
    EngineerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def admin_api(users):
    return api_as(users.administrator)


# --- departments -------------------------------------------------------------------------------


def test_department_list_and_retrieve(admin_api, department):
    listed = admin_api.get("/api/v1/departments/")
    assert listed.status_code == 200
    assert listed.data["count"] == 1
    assert listed.data["results"][0]["code"] == "network"

    detail = admin_api.get(f"/api/v1/departments/{department.pk}/")
    assert detail.status_code == 200
    assert {key: detail.data[key] for key in ("id", "code", "name", "lead", "is_active")} == {
        "id": department.pk,
        "code": "network",
        "name": "Network group",
        "lead": None,
        "is_active": True,
    }


def test_department_create(admin_api, users):
    response = admin_api.post(
        "/api/v1/departments/",
        {"code": "dba", "name": "DBA", "queue_email": "dba@example.com"},
        format="json",
    )
    assert response.status_code == 201, response.data
    department = Department.objects.get(code="dba")
    assert response.data["id"] == department.pk
    assert (department.name, department.queue_email, department.is_active) == (
        "DBA",
        "dba@example.com",
        True,
    )


def test_department_update_and_partial_update(admin_api, department, users):
    lead = users.lead.engineer
    response = admin_api.put(
        f"/api/v1/departments/{department.pk}/",
        {"code": "net", "name": "Network", "lead": lead.pk, "description": "Routers"},
        format="json",
    )
    assert response.status_code == 200, response.data
    department.refresh_from_db()
    assert (department.code, department.name, department.lead, department.description) == (
        "net",
        "Network",
        lead,
        "Routers",
    )

    response = admin_api.patch(
        f"/api/v1/departments/{department.pk}/", {"is_active": False}, format="json"
    )
    assert response.status_code == 200
    department.refresh_from_db()
    assert department.is_active is False
    assert department.name == "Network"


def test_department_delete_when_empty(admin_api, users):
    empty = DepartmentFactory(code="unused")
    response = admin_api.delete(f"/api/v1/departments/{empty.pk}/")
    assert response.status_code == 204
    assert not Department.objects.filter(pk=empty.pk).exists()


# --- engineers ---------------------------------------------------------------------------------


def test_engineer_representation(admin_api, users, department):
    engineer = users.tam.engineer
    CompetencyFactory(engineer=engineer, field="network", level=4)
    CompetencyFactory(engineer=engineer, field="virtualization", level=2)
    response = admin_api.get(f"/api/v1/engineers/{engineer.pk}/")
    assert response.status_code == 200
    data = response.data
    assert {key: data[key] for key in data if key not in ("created_at", "updated_at")} == {
        "id": engineer.pk,
        "user": users.tam.pk,
        "username": "tam",
        "first_name": users.tam.first_name,
        "last_name": users.tam.last_name,
        "email": "tam@example.com",
        "is_active": True,
        "department": department.pk,
        "position": "Engineer",
        "time_zone": "Europe/Moscow",
        "roles": ["TAM", "Engineer"],
        "competencies": [
            {"field": "network", "level": 4},
            {"field": "virtualization", "level": 2},
        ],
    }


def test_engineer_create_with_roles_and_competencies(admin_api, users, department):
    response = admin_api.post(
        "/api/v1/engineers/",
        {
            "username": "ivanov",
            "first_name": "Ivan",
            "last_name": "Ivanov",
            "email": "ivanov@example.com",
            "department": department.pk,
            "position": "Network engineer",
            "time_zone": "Asia/Yekaterinburg",
            "roles": ["Engineer", "TAM"],
            "competencies": [
                {"field": "network", "level": 4},
                {"field": "virtualization", "level": 2},
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    engineer = Engineer.objects.get(user__username="ivanov")
    assert response.data["id"] == engineer.pk
    assert response.data["roles"] == ["TAM", "Engineer"]
    assert (engineer.user.get_full_name(), engineer.position, engineer.time_zone) == (
        "Ivan Ivanov",
        "Network engineer",
        "Asia/Yekaterinburg",
    )
    assert set(engineer.user.groups.values_list("name", flat=True)) == {"Engineer", "TAM"}
    assert dict(engineer.competencies.values_list("field", "level")) == {
        "network": 4,
        "virtualization": 2,
    }
    assert engineer.user.is_active is True
    assert not engineer.user.has_usable_password()


def test_engineer_create_inactive_defaults_to_engineer_role(admin_api, department):
    response = admin_api.post(
        "/api/v1/engineers/",
        {"username": "petrov", "department": department.pk, "is_active": False},
        format="json",
    )
    assert response.status_code == 201, response.data
    engineer = Engineer.objects.get(user__username="petrov")
    assert engineer.user.is_active is False
    assert response.data["is_active"] is False
    assert response.data["roles"] == ["Engineer"]
    assert response.data["competencies"] == []


def test_engineer_partial_update_keeps_what_is_not_sent(admin_api, users):
    engineer = users.engineer.engineer
    CompetencyFactory(engineer=engineer, field="unix", level=3)
    other = DepartmentFactory(code="unix")
    response = admin_api.patch(
        f"/api/v1/engineers/{engineer.pk}/",
        {"department": other.pk, "position": "Senior engineer"},
        format="json",
    )
    assert response.status_code == 200, response.data
    engineer.refresh_from_db()
    assert (engineer.department, engineer.position) == (other, "Senior engineer")
    assert response.data["roles"] == ["Engineer"]
    assert response.data["competencies"] == [{"field": "unix", "level": 3}]
    assert engineer.user.first_name == users.engineer.first_name


def test_engineer_update_replaces_roles_and_competencies(admin_api, users, department):
    engineer = users.engineer.engineer
    CompetencyFactory(engineer=engineer, field="unix", level=3)
    response = admin_api.put(
        f"/api/v1/engineers/{engineer.pk}/",
        {
            "username": "engineer",
            "first_name": "Olga",
            "last_name": "Smirnova",
            "email": "olga@example.com",
            "department": department.pk,
            "position": "Lead",
            "time_zone": "UTC",
            "is_active": True,
            "roles": ["Engineer", "Department lead"],
            "competencies": [{"field": "database", "level": 1}],
        },
        format="json",
    )
    assert response.status_code == 200, response.data
    engineer.refresh_from_db()
    user = User.objects.get(pk=users.engineer.pk)
    assert (user.first_name, user.last_name, user.email) == (
        "Olga",
        "Smirnova",
        "olga@example.com",
    )
    assert (engineer.position, engineer.time_zone) == ("Lead", "UTC")
    assert set(user.groups.values_list("name", flat=True)) == {"Engineer", "Department lead"}
    assert response.data["roles"] == ["Engineer", "Department lead"]
    assert response.data["competencies"] == [{"field": "database", "level": 1}]


def test_engineer_delete_deactivates_the_account(admin_api, department):
    engineer = EngineerFactory(department=department)
    response = admin_api.delete(f"/api/v1/engineers/{engineer.pk}/")
    assert response.status_code == 204
    assert not Engineer.objects.filter(pk=engineer.pk).exists()
    assert User.objects.get(pk=engineer.user_id).is_active is False


# --- clients -----------------------------------------------------------------------------------


def test_client_crud(admin_api, users):
    created = admin_api.post(
        "/api/v1/clients/",
        {"name": "Globex", "code": "GLX", "tier": "premium", "time_zone": "Europe/Berlin"},
        format="json",
    )
    assert created.status_code == 201, created.data
    client = Client.objects.get(code="GLX")
    assert (client.status, client.tier, client.time_zone) == (
        "onboarding",
        "premium",
        "Europe/Berlin",
    )

    detail = admin_api.get(f"/api/v1/clients/{client.pk}/")
    assert detail.data["name"] == "Globex"

    updated = admin_api.put(
        f"/api/v1/clients/{client.pk}/",
        {"name": "Globex Corp", "code": "GLX", "status": "active", "tier": "strategic"},
        format="json",
    )
    assert updated.status_code == 200, updated.data
    patched = admin_api.patch(f"/api/v1/clients/{client.pk}/", {"notes": "VIP"}, format="json")
    assert patched.status_code == 200
    client.refresh_from_db()
    assert (client.name, client.status, client.tier, client.notes) == (
        "Globex Corp",
        "active",
        "strategic",
        "VIP",
    )

    deleted = admin_api.delete(f"/api/v1/clients/{client.pk}/")
    assert deleted.status_code == 204
    assert not Client.objects.filter(pk=client.pk).exists()


def test_tam_updates_own_client(users, tam_client):
    response = api_as(users.tam).patch(
        f"/api/v1/clients/{tam_client.pk}/", {"status": "suspended"}, format="json"
    )
    assert response.status_code == 200, response.data
    tam_client.refresh_from_db()
    assert tam_client.status == "suspended"


# --- contacts ----------------------------------------------------------------------------------


def test_contact_crud_by_the_clients_tam(users, tam_client):
    api = api_as(users.tam)
    created = api.post(
        "/api/v1/contacts/",
        {
            "client": tam_client.pk,
            "name": "Anna Petrova",
            "email": "anna@acme.example",
            "phone": "+7 900 000-00-00",
            "kind": "decision_maker",
        },
        format="json",
    )
    assert created.status_code == 201, created.data
    contact = Contact.objects.get(pk=created.data["id"])
    assert (contact.client, contact.name, contact.kind, contact.is_active) == (
        tam_client,
        "Anna Petrova",
        "decision_maker",
        True,
    )

    assert api.get(f"/api/v1/contacts/{contact.pk}/").data["email"] == "anna@acme.example"
    updated = api.put(
        f"/api/v1/contacts/{contact.pk}/",
        {"client": tam_client.pk, "name": "Anna P.", "email": "anna@acme.example"},
        format="json",
    )
    assert updated.status_code == 200, updated.data
    patched = api.patch(f"/api/v1/contacts/{contact.pk}/", {"is_active": False}, format="json")
    assert patched.status_code == 200
    contact.refresh_from_db()
    assert (contact.name, contact.kind, contact.is_active) == ("Anna P.", "decision_maker", False)

    assert api.delete(f"/api/v1/contacts/{contact.pk}/").status_code == 204
    assert not Contact.objects.filter(pk=contact.pk).exists()


# --- account-team assignments ------------------------------------------------------------------


def test_assignment_create_ends_the_previous_holder(users, tam_client):
    previous = AccountTeamAssignment.objects.get(client=tam_client, role="tam")
    response = api_as(users.service_manager).post(
        "/api/v1/account-team-assignments/",
        {
            "client": tam_client.pk,
            "role": "tam",
            "user": users.other_tam.pk,
            "start_on": "2025-03-01",
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    assert response.data["end_on"] is None
    assert response.data["user"] == users.other_tam.pk
    previous.refresh_from_db()
    assert previous.end_on == dt.date(2025, 2, 28)
    assert list(Client.objects.managed_by(users.other_tam)) == [tam_client]


def test_assignment_update_sets_only_the_end_date(users, tam_client):
    assignment = AccountTeamAssignment.objects.get(client=tam_client, role="architect")
    other = ClientFactory()
    response = api_as(users.service_manager).patch(
        f"/api/v1/account-team-assignments/{assignment.pk}/",
        {"end_on": "2025-06-30", "client": other.pk, "role": "tam", "start_on": "2020-01-01"},
        format="json",
    )
    assert response.status_code == 200, response.data
    assignment.refresh_from_db()
    assert (assignment.client, assignment.role, assignment.start_on, assignment.end_on) == (
        tam_client,
        "architect",
        dt.date(2024, 1, 1),
        dt.date(2025, 6, 30),
    )
    assert response.data["end_on"] == "2025-06-30"
    assert response.data["is_current"] is False


def test_assignment_put_and_retrieve_and_delete(users, tam_client):
    api = api_as(users.programme_lead)
    assignment = AssignmentFactory(client=ClientFactory(), user=users.architect, role="architect")
    detail = api.get(f"/api/v1/account-team-assignments/{assignment.pk}/")
    assert detail.status_code == 200
    assert (detail.data["role"], detail.data["is_current"]) == ("architect", True)

    response = api.put(
        f"/api/v1/account-team-assignments/{assignment.pk}/", {"end_on": "2024-12-31"}
    )
    assert response.status_code == 200, response.data
    assignment.refresh_from_db()
    assert assignment.end_on == dt.date(2024, 12, 31)

    assert api.delete(f"/api/v1/account-team-assignments/{assignment.pk}/").status_code == 204
    assert not AccountTeamAssignment.objects.filter(pk=assignment.pk).exists()


# --- components --------------------------------------------------------------------------------


def test_component_crud_by_the_clients_architect(users, tam_client, department):
    api = api_as(users.architect)
    created = api.post(
        "/api/v1/components/",
        {
            "client": tam_client.pk,
            "kind": "database",
            "department": department.pk,
            "name": "pg-main",
            "identifiers": "pg1.acme.example\npg2.acme.example",
            "url": "https://wiki.example/acme/pg",
        },
        format="json",
    )
    assert created.status_code == 201, created.data
    component = Component.objects.get(pk=created.data["id"])
    assert component.identifier_list == ["pg1.acme.example", "pg2.acme.example"]

    assert api.get(f"/api/v1/components/{component.pk}/").data["name"] == "pg-main"
    updated = api.put(
        f"/api/v1/components/{component.pk}/",
        {
            "client": tam_client.pk,
            "kind": "database",
            "department": department.pk,
            "name": "pg-primary",
        },
        format="json",
    )
    assert updated.status_code == 200, updated.data
    patched = api.patch(
        f"/api/v1/components/{component.pk}/", {"description": "Primary"}, format="json"
    )
    assert patched.status_code == 200
    component.refresh_from_db()
    assert (component.name, component.description, component.url) == (
        "pg-primary",
        "Primary",
        "https://wiki.example/acme/pg",
    )

    assert api.delete(f"/api/v1/components/{component.pk}/").status_code == 204
    assert not Component.objects.filter(pk=component.pk).exists()


def test_lists_return_every_record(admin_api, users, tam_client):
    ContactFactory(client=tam_client)
    ComponentFactory(client=tam_client)
    UserFactory()
    counts = {
        "departments": Department.objects.count(),
        "engineers": Engineer.objects.count(),
        "clients": Client.objects.count(),
        "contacts": Contact.objects.count(),
        "account-team-assignments": AccountTeamAssignment.objects.count(),
        "components": Component.objects.count(),
    }
    for path, count in counts.items():
        response = admin_api.get(f"/api/v1/{path}/")
        assert response.status_code == 200, path
        assert response.data["count"] == count, path
        assert len(response.data["results"]) == count, path
