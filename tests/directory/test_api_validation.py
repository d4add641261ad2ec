"""Bad input gets 400 ``invalid`` with field errors, business rules 400/409 with their own code —
and neither writes anything."""

from __future__ import annotations

import pytest

from tamdesk.directory.api import ContactSerializer
from tamdesk.directory.models import Department
from tests.conftest import api_as
from tests.directory.api_support import SNAPSHOT
from tests.directory.factories import (
    AssignmentFactory,
    ClientFactory,
    ComponentFactory,
    ContactFactory,
    DepartmentFactory,
    EngineerFactory,
)
from tests.support import refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_api(users):
    return api_as(users.administrator)


def test_department_field_errors(admin_api, department):
    errors = refused(
        admin_api,
        "post",
        "/api/v1/departments/",
        {"code": "no spaces", "name": "Network group", "queue_email": "not-an-address"},
        400,
        "invalid",
        models=SNAPSHOT,
    )["errors"]
    assert set(errors) == {"code", "name", "queue_email"}


def test_department_with_engineers_cannot_be_deleted(admin_api, users, department):
    errors = refused(
        admin_api,
        "delete",
        f"/api/v1/departments/{department.pk}/",
        None,
        409,
        "department_in_use",
        models=SNAPSHOT,
    )["errors"]
    assert "engineer" in errors["non_field_errors"][0]
    assert Department.objects.filter(pk=department.pk).exists()


def test_department_with_components_cannot_be_deleted(admin_api, users):
    owner = DepartmentFactory(code="backup")
    ComponentFactory(department=owner)
    errors = refused(
        admin_api,
        "delete",
        f"/api/v1/departments/{owner.pk}/",
        None,
        409,
        "department_in_use",
        models=SNAPSHOT,
    )["errors"]
    assert "component" in errors["non_field_errors"][0]


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({}, {"username", "department"}),
        ({"username": "bad name!", "department": 0}, {"username", "department"}),
        ({"username": "x", "department": "{dept}", "time_zone": "Mars/Olympus"}, {"time_zone"}),
        ({"username": "x", "department": "{dept}", "roles": ["Wizard"]}, {"roles"}),
        ({"username": "x", "department": "{dept}", "email": "nope"}, {"email"}),
        (
            {
                "username": "x",
                "department": "{dept}",
                "competencies": [{"field": "unix", "level": 2}, {"field": "unix", "level": 3}],
            },
            {"competencies"},
        ),
        (
            {
                "username": "x",
                "department": "{dept}",
                "competencies": [{"field": "unix", "level": 9}],
            },
            {"competencies"},
        ),
    ],
)
def test_engineer_field_errors(admin_api, department, payload, fields):
    payload = {k: department.pk if v == "{dept}" else v for k, v in payload.items()}
    errors = refused(
        admin_api, "post", "/api/v1/engineers/", payload, 400, "invalid", models=SNAPSHOT
    )["errors"]
    assert set(errors) == fields


def test_engineer_user_name_taken(admin_api, users, department):
    errors = refused(
        admin_api,
        "post",
        "/api/v1/engineers/",
        {"username": "TAM", "department": department.pk},
        400,
        "username_taken",
        models=SNAPSHOT,
    )["errors"]
    assert list(errors) == ["username"]


def test_engineer_user_name_cannot_change(admin_api, users):
    errors = refused(
        admin_api,
        "patch",
        f"/api/v1/engineers/{users.engineer.engineer.pk}/",
        {"username": "renamed"},
        400,
        "invalid",
        models=SNAPSHOT,
    )["errors"]
    assert list(errors) == ["username"]


def test_engineer_with_account_history_is_not_deleted(admin_api, users, tam_client):
    refused(
        admin_api,
        "delete",
        f"/api/v1/engineers/{users.tam.engineer.pk}/",
        None,
        409,
        "engineer_in_use",
        models=SNAPSHOT,
    )


def test_department_lead_is_not_deleted(admin_api, department):
    lead = EngineerFactory(department=DepartmentFactory(code="other"))
    department.lead = lead
    department.save()
    refused(
        admin_api,
        "delete",
        f"/api/v1/engineers/{lead.pk}/",
        None,
        409,
        "engineer_in_use",
        models=SNAPSHOT,
    )


def test_client_field_errors(admin_api, tam_client):
    errors = refused(
        admin_api,
        "post",
        "/api/v1/clients/",
        {
            "name": "Acme Retail",
            "code": "AC ME",
            "status": "gone",
            "tier": "gold",
            "time_zone": "X",
        },
        400,
        "invalid",
        models=SNAPSHOT,
    )["errors"]
    assert set(errors) == {"name", "code", "status", "tier", "time_zone"}


def test_client_with_history_is_not_deleted(admin_api, tam_client):
    refused(
        admin_api,
        "delete",
        f"/api/v1/clients/{tam_client.pk}/",
        None,
        409,
        "client_in_use",
        models=SNAPSHOT,
    )


def test_contact_email_must_be_unique_per_client(admin_api, tam_client):
    ContactFactory(client=tam_client, email="ops@acme.example")
    errors = refused(
        admin_api,
        "post",
        "/api/v1/contacts/",
        {"client": tam_client.pk, "name": "Duplicate", "email": "ops@acme.example"},
        400,
        "invalid",
        models=SNAPSHOT,
    )["errors"]
    assert list(errors) == ["email"]


def test_contact_email_may_repeat_across_clients_and_be_blank(admin_api, tam_client):
    ContactFactory(client=tam_client, email="ops@acme.example")
    ContactFactory(client=tam_client, email="")
    other = ClientFactory()
    response = admin_api.post(
        "/api/v1/contacts/",
        {"client": other.pk, "name": "Same address", "email": "ops@acme.example"},
        format="json",
    )
    assert response.status_code == 201, response.data
    response = admin_api.post(
        "/api/v1/contacts/", {"client": tam_client.pk, "name": "No e-mail"}, format="json"
    )
    assert response.status_code == 201, response.data


def test_contact_update_to_a_taken_email(admin_api, tam_client):
    ContactFactory(client=tam_client, email="ops@acme.example")
    contact = ContactFactory(client=tam_client, email="dev@acme.example")
    errors = refused(
        admin_api,
        "patch",
        f"/api/v1/contacts/{contact.pk}/",
        {"email": "ops@acme.example"},
        400,
        "invalid",
        models=SNAPSHOT,
    )["errors"]
    assert list(errors) == ["email"]
    response = admin_api.patch(
        f"/api/v1/contacts/{contact.pk}/", {"email": "dev@acme.example"}, format="json"
    )
    assert response.status_code == 200


def test_contact_field_errors(admin_api, tam_client):
    errors = refused(
        admin_api,
        "post",
        "/api/v1/contacts/",
        {"client": 0, "name": "", "email": "bad", "kind": "boss"},
        400,
        "invalid",
        models=SNAPSHOT,
    )["errors"]
    assert set(errors) == {"client", "name", "email", "kind"}


def test_component_name_must_be_unique_per_client(admin_api, tam_client, department):
    ComponentFactory(client=tam_client, name="edge-fw")
    errors = refused(
        admin_api,
        "post",
        "/api/v1/components/",
        {
            "client": tam_client.pk,
            "kind": "security",
            "department": department.pk,
            "name": "edge-fw",
        },
        400,
        "invalid",
        models=SNAPSHOT,
    )["errors"]
    assert list(errors) == ["name"]


def test_component_field_errors(admin_api, tam_client):
    errors = refused(
        admin_api,
        "post",
        "/api/v1/components/",
        {"client": tam_client.pk, "kind": "toaster", "name": "x", "url": "not a url"},
        400,
        "invalid",
        models=SNAPSHOT,
    )["errors"]
    assert set(errors) == {"kind", "department", "url"}


def test_assignment_tam_role_needs_a_tam(admin_api, users, tam_client):
    errors = refused(
        admin_api,
        "post",
        "/api/v1/account-team-assignments/",
        {
            "client": tam_client.pk,
            "role": "tam",
            "user": users.engineer.pk,
            "start_on": "2025-01-01",
        },
        400,
        "invalid_assignment",
        models=SNAPSHOT,
    )["errors"]
    assert list(errors) == ["user"]


def test_assignment_same_holder_is_refused(admin_api, users, tam_client):
    errors = refused(
        admin_api,
        "post",
        "/api/v1/account-team-assignments/",
        {"client": tam_client.pk, "role": "tam", "user": users.tam.pk, "start_on": "2025-01-01"},
        409,
        "assignment_overlap",
        models=SNAPSHOT,
    )["errors"]
    assert list(errors) == ["user"]


def test_assignment_cannot_start_before_the_current_holder(admin_api, users, tam_client):
    errors = refused(
        admin_api,
        "post",
        "/api/v1/account-team-assignments/",
        {
            "client": tam_client.pk,
            "role": "tam",
            "user": users.other_tam.pk,
            "start_on": "2023-12-31",
        },
        409,
        "assignment_overlap",
        models=SNAPSHOT,
    )["errors"]
    assert list(errors) == ["start_on"]


def test_assignment_field_errors(admin_api, users):
    errors = refused(
        admin_api,
        "post",
        "/api/v1/account-team-assignments/",
        {"client": 0, "role": "boss", "user": 0, "start_on": "yesterday"},
        400,
        "invalid",
        models=SNAPSHOT,
    )["errors"]
    assert set(errors) == {"client", "role", "user", "start_on"}


def test_assignment_end_before_start(admin_api, users):
    assignment = AssignmentFactory(user=users.architect, role="architect")
    errors = refused(
        admin_api,
        "patch",
        f"/api/v1/account-team-assignments/{assignment.pk}/",
        {"end_on": "2023-12-31"},
        400,
        "invalid_assignment",
        models=SNAPSHOT,
    )["errors"]
    assert list(errors) == ["end_on"]


def test_assignment_put_needs_an_end_date(admin_api, users):
    assignment = AssignmentFactory(user=users.architect, role="architect")
    errors = refused(
        admin_api,
        "put",
        f"/api/v1/account-team-assignments/{assignment.pk}/",
        {"end_on": None},
        400,
        "invalid",
        models=SNAPSHOT,
    )["errors"]
    assert list(errors) == ["end_on"]


def test_database_constraint_backs_up_validation(admin_api, tam_client, monkeypatch):
    """A concurrent insert that validation could not see is a 409, not a 500."""
    ContactFactory(client=tam_client, email="ops@acme.example")
    monkeypatch.setattr(ContactSerializer, "validate", lambda self, attrs: attrs)
    refused(
        admin_api,
        "post",
        "/api/v1/contacts/",
        {"client": tam_client.pk, "name": "Racer", "email": "ops@acme.example"},
        409,
        "integrity_error",
        models=SNAPSHOT,
    )
