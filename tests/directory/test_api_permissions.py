"""The permission matrix of the directory API: every write for every role.

Anonymous calls get 401, a user without the permission 403 ``permission_denied`` — or 404
``not_found`` when the record is not one they read (``tamdesk.core.scoping``) — and a refused
call leaves every row as it was. The rules themselves are in tamdesk.directory.permissions; the
read side of every list and detail is tests/core/test_read_scoping.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import pytest

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
from tests.support import ACTORS, api_for, db_state

pytestmark = pytest.mark.django_db

ADMINS = {"admin", "administrator"}
#: Who reads every row (``tamdesk.core.scoping.READS_EVERYTHING``).
READ_ALL = frozenset(ADMINS | {"service_manager", "programme_lead"})
#: Who reads ``tam_client``, its contacts, components and account team: its account team.
TAM_CLIENT_READERS = frozenset(READ_ALL | {"tam", "architect"})
OTHER_CLIENT_READERS = frozenset(READ_ALL | {"other_tam"})
LIST_PATHS = [
    "departments",
    "engineers",
    "clients",
    "contacts",
    "account-team-assignments",
    "components",
]


@pytest.fixture
def world(users, tam_client, department):
    """Records to act on: ``tam_client`` (TAM: users.tam, architect: users.architect, service
    manager: users.service_manager), a second client whose TAM is users.other_tam, and
    ``department`` led by users.lead."""
    other_client = ClientFactory(name="Other Corp", code="OTHER")
    AssignmentFactory(client=other_client, user=users.other_tam, role="tam")
    AssignmentFactory(client=tam_client, user=users.service_manager, role="service_manager")
    department.lead = users.lead.engineer
    department.save()
    return SimpleNamespace(
        users=users,
        department=department,
        tam_client=tam_client,
        other_client=other_client,
        empty_department=DepartmentFactory(code="empty"),
        empty_client=ClientFactory(name="Empty", code="EMPTY"),
        loose_engineer=EngineerFactory(department=department),
        contact=ContactFactory(client=tam_client),
        other_contact=ContactFactory(client=other_client),
        component=ComponentFactory(client=tam_client, department=department),
        architect_assignment=tam_client.account_assignments.get(role="architect"),
    )


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    data: dict | None
    allowed: frozenset[str]
    success: int
    #: Who reads the record the call names; the others get 404 (None: every role).
    readers: frozenset[str] | None = None


def _calls(w) -> dict[str, Call]:
    u = w.users
    client_editors = frozenset(ADMINS | {"tam", "service_manager", "programme_lead"})
    other_client_editors = frozenset(ADMINS | {"other_tam", "programme_lead"})
    department_editors = frozenset(ADMINS | {"lead"})
    contact_editors = frozenset(ADMINS | {"tam", "service_manager"})
    team_editors = frozenset(ADMINS | {"service_manager", "programme_lead"})
    component_editors = frozenset(ADMINS | {"tam", "architect"})
    admins = frozenset(ADMINS)
    contact, component = w.contact.pk, w.component.pk
    assignment = w.architect_assignment.pk
    return {
        "department-create": Call(
            "post", "/api/v1/departments/", {"code": "new", "name": "New"}, admins, 201
        ),
        "department-update": Call(
            "patch",
            f"/api/v1/departments/{w.department.pk}/",
            {"name": "Renamed", "description": "d", "queue_email": "queue@example.com"},
            department_editors,
            200,
        ),
        "department-update-lead-and-calendar": Call(
            "patch",
            f"/api/v1/departments/{w.department.pk}/",
            {"lead": None, "calendar": None, "description": "d"},
            admins,
            200,
        ),
        "department-update-code": Call(
            "patch", f"/api/v1/departments/{w.department.pk}/", {"code": "renamed"}, admins, 200
        ),
        "department-deactivate": Call(
            "patch", f"/api/v1/departments/{w.department.pk}/", {"is_active": False}, admins, 200
        ),
        "department-update-another": Call(
            "patch",
            f"/api/v1/departments/{w.empty_department.pk}/",
            {"name": "Renamed"},
            admins,
            200,
        ),
        "department-delete": Call(
            "delete", f"/api/v1/departments/{w.empty_department.pk}/", None, admins, 204
        ),
        "engineer-create": Call(
            "post",
            "/api/v1/engineers/",
            {"username": "new.engineer", "department": w.department.pk},
            admins,
            201,
        ),
        "engineer-update": Call(
            "patch", f"/api/v1/engineers/{u.engineer.engineer.pk}/", {"position": "X"}, admins, 200
        ),
        "engineer-delete": Call(
            "delete", f"/api/v1/engineers/{w.loose_engineer.pk}/", None, admins, 204
        ),
        "client-create": Call(
            "post",
            "/api/v1/clients/",
            {"name": "Initech", "code": "INI"},
            frozenset(ADMINS | {"service_manager", "programme_lead"}),
            201,
        ),
        "client-update": Call(
            "patch",
            f"/api/v1/clients/{w.tam_client.pk}/",
            {"notes": "n"},
            client_editors,
            200,
            readers=TAM_CLIENT_READERS,
        ),
        "client-update-another": Call(
            "patch",
            f"/api/v1/clients/{w.other_client.pk}/",
            {"tier": "premium"},
            other_client_editors,
            200,
            readers=OTHER_CLIENT_READERS,
        ),
        "client-delete": Call(
            "delete", f"/api/v1/clients/{w.empty_client.pk}/", None, admins, 204, readers=READ_ALL
        ),
        "contact-create": Call(
            "post",
            "/api/v1/contacts/",
            {"client": w.tam_client.pk, "name": "New person", "email": "new@acme.example"},
            contact_editors,
            201,
        ),
        "contact-update": Call(
            "patch",
            f"/api/v1/contacts/{contact}/",
            {"phone": "123"},
            contact_editors,
            200,
            readers=TAM_CLIENT_READERS,
        ),
        "contact-move-to-another-client": Call(
            "patch",
            f"/api/v1/contacts/{w.other_contact.pk}/",
            {"client": w.tam_client.pk},
            frozenset(ADMINS | {"service_manager"}),
            200,
            readers=OTHER_CLIENT_READERS,
        ),
        "contact-delete": Call(
            "delete",
            f"/api/v1/contacts/{contact}/",
            None,
            contact_editors,
            204,
            readers=TAM_CLIENT_READERS,
        ),
        "assignment-create": Call(
            "post",
            "/api/v1/account-team-assignments/",
            {
                "client": w.tam_client.pk,
                "role": "backup_tam",
                "user": u.other_tam.pk,
                "start_on": "2025-01-01",
            },
            team_editors,
            201,
        ),
        "assignment-update": Call(
            "patch",
            f"/api/v1/account-team-assignments/{assignment}/",
            {"end_on": "2025-12-31"},
            team_editors,
            200,
            readers=TAM_CLIENT_READERS,
        ),
        "assignment-delete": Call(
            "delete",
            f"/api/v1/account-team-assignments/{assignment}/",
            None,
            team_editors,
            204,
            readers=TAM_CLIENT_READERS,
        ),
        "component-create": Call(
            "post",
            "/api/v1/components/",
            {
                "client": w.tam_client.pk,
                "kind": "network",
                "department": w.department.pk,
                "name": "core-switch",
            },
            component_editors,
            201,
        ),
        "component-update": Call(
            "patch",
            f"/api/v1/components/{component}/",
            {"description": "d"},
            component_editors,
            200,
            readers=TAM_CLIENT_READERS,
        ),
        "component-delete": Call(
            "delete",
            f"/api/v1/components/{component}/",
            None,
            component_editors,
            204,
            readers=TAM_CLIENT_READERS,
        ),
    }


CALL_NAMES = [
    "department-create",
    "department-update",
    "department-update-lead-and-calendar",
    "department-update-code",
    "department-deactivate",
    "department-update-another",
    "department-delete",
    "engineer-create",
    "engineer-update",
    "engineer-delete",
    "client-create",
    "client-update",
    "client-update-another",
    "client-delete",
    "contact-create",
    "contact-update",
    "contact-move-to-another-client",
    "contact-delete",
    "assignment-create",
    "assignment-update",
    "assignment-delete",
    "component-create",
    "component-update",
    "component-delete",
]


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("name", CALL_NAMES)
def test_write_matrix(world, name, actor):
    call = _calls(world)[name]
    before = db_state(*SNAPSHOT)

    response = getattr(api_for(world.users, actor), call.method)(
        call.path, call.data, format="json"
    )

    if actor in call.allowed:
        assert response.status_code == call.success, response.data
        return
    if actor == "anonymous":
        assert response.status_code == 401
        assert response.data["code"] == "not_authenticated"
        assert response["WWW-Authenticate"] == "Token"
    elif actor != "norole" and call.readers is not None and actor not in call.readers:
        assert response.status_code == 404, response.data
        assert response.data["code"] == "not_found"
    else:
        assert response.status_code == 403, response.data
        assert response.data["code"] == "permission_denied"
    assert db_state(*SNAPSHOT) == before


@pytest.mark.parametrize("actor", ACTORS)
def test_read_matrix(world, actor):
    api = api_for(world.users, actor)
    paths = {f"/api/v1/{path}/": None for path in LIST_PATHS}
    paths |= {
        f"/api/v1/clients/{world.tam_client.pk}/": TAM_CLIENT_READERS,
        f"/api/v1/contacts/{world.contact.pk}/": TAM_CLIENT_READERS,
        f"/api/v1/engineers/{world.users.tam.engineer.pk}/": None,
    }
    for path, readers in paths.items():
        expected = {"anonymous": 401, "norole": 403}.get(actor, 200)
        if expected == 200 and readers is not None and actor not in readers:
            expected = 404
        response = api.get(path)
        assert response.status_code == expected, (path, response.data)
        if expected == 403:
            assert response.data["code"] == "permission_denied"


def test_tam_cannot_add_a_contact_to_another_tams_client(world):
    before = db_state(*SNAPSHOT)
    response = api_as(world.users.tam).post(
        "/api/v1/contacts/",
        {"client": world.other_client.pk, "name": "Intruder", "email": "x@other.example"},
        format="json",
    )
    assert response.status_code == 403
    assert response.data["code"] == "permission_denied"
    assert db_state(*SNAPSHOT) == before


def test_tam_may_edit_the_clients_they_are_backup_for(world):
    AssignmentFactory(client=world.other_client, user=world.users.tam, role="backup_tam")
    response = api_as(world.users.tam).patch(
        f"/api/v1/clients/{world.other_client.pk}/", {"notes": "backup"}, format="json"
    )
    assert response.status_code == 200


def test_former_tam_loses_the_client(world):
    world.tam_client.account_assignments.filter(role="tam").update(end_on="2024-06-30")
    before = db_state(*SNAPSHOT)
    response = api_as(world.users.tam).patch(
        f"/api/v1/clients/{world.tam_client.pk}/", {"notes": "still mine?"}, format="json"
    )
    assert response.status_code == 404  # no longer one of the clients they read
    assert db_state(*SNAPSHOT) == before


def test_user_without_role_is_refused_before_validation(world):
    before = db_state(*SNAPSHOT)
    response = api_as(world.users.norole).post("/api/v1/contacts/", {}, format="json")
    assert response.status_code == 403
    assert db_state(*SNAPSHOT) == before


def test_a_department_lead_changing_a_field_of_the_administrators_is_told_which(world):
    before = db_state(*SNAPSHOT)

    response = api_as(world.users.lead).patch(
        f"/api/v1/departments/{world.department.pk}/",
        {"name": "Network", "calendar": None, "lead": None, "code": "net"},
        format="json",
    )

    assert response.status_code == 403
    assert response.data["code"] == "permission_denied"
    assert response.data["detail"] == (
        "You may not change these fields of the department: code, lead."
    )  # the calendar is unset already: sending its value is no change
    assert db_state(*SNAPSHOT) == before


def test_a_department_lead_may_send_the_fields_she_does_not_change(world):
    department = world.department
    current = api_as(world.users.lead).get(f"/api/v1/departments/{department.pk}/").data

    response = api_as(world.users.lead).put(
        f"/api/v1/departments/{department.pk}/", {**current, "name": "Network"}, format="json"
    )

    assert response.status_code == 200, response.data
    department.refresh_from_db()
    assert (department.name, department.code) == ("Network", "network")


def test_a_service_manager_edits_only_the_clients_she_is_service_manager_of(world):
    # Given the service manager of tam_client, and a client she registered herself
    api = api_as(world.users.service_manager)
    created = api.post("/api/v1/clients/", {"name": "Initech", "code": "INI"}, format="json")
    assert created.status_code == 201
    before = db_state(*SNAPSHOT)

    # She may not edit the new one before she is on its account team
    refused = api.patch(f"/api/v1/clients/{created.data['id']}/", {"notes": "n"}, format="json")
    assert refused.status_code == 403
    assert db_state(*SNAPSHOT) == before
    # She assigns herself (service managers edit account teams), then edits it
    assigned = api.post(
        "/api/v1/account-team-assignments/",
        {
            "client": created.data["id"],
            "role": "service_manager",
            "user": world.users.service_manager.pk,
            "start_on": "2025-01-01",
        },
        format="json",
    )
    assert assigned.status_code == 201, assigned.data
    # (a new request: the user as loaded for it)
    fresh = type(world.users.service_manager).objects.get(pk=world.users.service_manager.pk)
    edited = api_as(fresh).patch(
        f"/api/v1/clients/{created.data['id']}/", {"notes": "n"}, format="json"
    )
    assert edited.status_code == 200
