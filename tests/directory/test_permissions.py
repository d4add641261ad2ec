"""The permission predicates of the directory (the same rules guard UI and API)."""

from __future__ import annotations

import datetime as dt

import pytest

from tamdesk.directory.permissions import department_fields_editable_by
from tests.directory.factories import (
    AssignmentFactory,
    ClientFactory,
    ContactFactory,
    DepartmentFactory,
)

pytestmark = pytest.mark.django_db

EVERY_ROLE = [
    "admin",
    "administrator",
    "tam",
    "other_tam",
    "engineer",
    "lead",
    "service_manager",
    "architect",
    "programme_lead",
]


@pytest.mark.parametrize("key", EVERY_ROLE)
def test_everyone_with_a_role_reads_the_directory(users, key):
    user = getattr(users, key)
    for model in [
        "department",
        "engineer",
        "client",
        "contact",
        "accountteamassignment",
        "component",
    ]:
        assert user.has_perm(f"directory.view_{model}")


def test_no_role_reads_nothing(users):
    assert not users.norole.has_perm("directory.view_client")


@pytest.mark.parametrize(
    ("key", "allowed"),
    [
        ("admin", True),
        ("administrator", True),
        ("tam", False),
        ("lead", False),
        ("service_manager", False),
        ("programme_lead", False),
    ],
)
def test_only_administrators_manage_departments_and_engineers(users, department, key, allowed):
    user = getattr(users, key)
    assert user.has_perm("directory.change_department", department) is allowed
    assert user.has_perm("directory.add_engineer") is allowed
    assert user.has_perm("auth.manage_users") is allowed


@pytest.mark.parametrize(
    ("key", "change_client", "edit_contact", "edit_component", "edit_team"),
    [
        ("tam", True, True, True, False),
        ("other_tam", False, False, False, False),
        ("engineer", False, False, False, False),
        ("lead", False, False, False, False),
        ("service_manager", False, True, False, True),
        ("architect", False, False, True, False),
        ("programme_lead", True, False, False, True),
        ("administrator", True, True, True, True),
    ],
)
def test_client_matrix(
    users, tam_client, key, change_client, edit_contact, edit_component, edit_team
):
    user = getattr(users, key)
    contact = ContactFactory(client=tam_client)
    assert user.has_perm("directory.change_client", tam_client) is change_client
    assert user.has_perm("directory.change_contact", contact) is edit_contact
    assert user.has_perm("directory.add_contact", tam_client) is edit_contact
    assert user.has_perm("directory.add_component", tam_client) is edit_component
    assert user.has_perm("directory.add_accountteamassignment", tam_client) is edit_team
    assert not user.has_perm("directory.delete_client", tam_client) or key == "administrator"


def test_the_clients_service_manager_edits_the_client_and_no_other(users, tam_client):
    other = ClientFactory()
    AssignmentFactory(client=tam_client, user=users.service_manager, role="service_manager")

    assert users.service_manager.has_perm("directory.change_client", tam_client)
    assert not users.service_manager.has_perm("directory.change_client", other)
    assert users.service_manager.has_perm("directory.add_client")


def test_the_programme_lead_edits_every_client_and_registers_new_ones(users):
    assert users.programme_lead.has_perm("directory.change_client", ClientFactory())
    assert users.programme_lead.has_perm("directory.add_client")
    assert not users.programme_lead.has_perm("directory.delete_client", ClientFactory())


def test_a_department_lead_edits_her_own_department_only(users, department):
    other = DepartmentFactory(code="unix")
    department.lead = users.lead.engineer
    department.save()

    assert users.lead.has_perm("directory.change_department", department)
    assert not users.lead.has_perm("directory.change_department", other)
    assert not users.lead.has_perm("directory.change_department")  # no department named
    assert not users.lead.has_perm("directory.add_department")
    assert not users.lead.has_perm("directory.delete_department", department)
    assert department_fields_editable_by(users.lead, department) == {
        "name",
        "description",
        "queue_email",
    }
    assert department_fields_editable_by(users.lead, other) == set()
    assert "calendar" in department_fields_editable_by(users.administrator, department)


def test_leading_a_department_needs_the_department_lead_role(users, department):
    department.lead = users.engineer.engineer  # an engineer set as lead without the role
    department.save()

    assert not users.engineer.has_perm("directory.change_department", department)


def test_backup_tam_edits_the_client(users):
    client = ClientFactory()
    AssignmentFactory(client=client, user=users.other_tam, role="backup_tam")
    assert users.other_tam.has_perm("directory.change_client", client)


def test_ended_assignment_gives_no_rights(users):
    client = ClientFactory()
    AssignmentFactory(client=client, user=users.other_tam, role="tam", end_on=dt.date(2024, 6, 30))
    assert not users.other_tam.has_perm("directory.change_client", client)


def test_future_assignment_gives_no_rights_yet(users):
    client = ClientFactory()
    AssignmentFactory(client=client, user=users.other_tam, role="tam", start_on=dt.date(2999, 1, 1))
    assert not users.other_tam.has_perm("directory.change_client", client)
