"""Directory services: the rules behind deletes, account-team history and engineer accounts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from tamdesk.core.roles import Role
from tamdesk.directory import services
from tamdesk.directory.exceptions import (
    AssignmentOverlap,
    ClientInUse,
    DepartmentInUse,
    EngineerInUse,
    InvalidAssignment,
)
from tamdesk.directory.models import AccountTeamAssignment, Client, Department, Engineer
from tests.directory.factories import (
    AssignmentFactory,
    ClientFactory,
    ComponentFactory,
    ContactFactory,
    DepartmentFactory,
    EngineerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
User = get_user_model()


class TestDeleteDepartment:
    def test_refused_while_engineers_remain(self, users, department):
        with pytest.raises(DepartmentInUse) as error:
            services.delete_department(department, by=users.admin)
        assert error.value.code == "department_in_use"
        assert "engineers" in error.value.message
        assert Department.objects.filter(pk=department.pk).exists()

    def test_refused_while_it_owns_components(self, users):
        empty = DepartmentFactory()
        ComponentFactory(department=empty)
        with pytest.raises(DepartmentInUse):
            services.delete_department(empty, by=users.admin)
        assert Department.objects.filter(pk=empty.pk).exists()

    def test_deletes_an_unused_department(self, users):
        empty = DepartmentFactory()
        services.delete_department(empty, by=users.admin)
        assert not Department.objects.filter(pk=empty.pk).exists()


class TestDeleteClient:
    @pytest.mark.parametrize("related", [ContactFactory, ComponentFactory, AssignmentFactory])
    def test_refused_when_it_has_history(self, users, related):
        client = ClientFactory()
        related(client=client)
        with pytest.raises(ClientInUse):
            services.delete_client(client, by=users.admin)
        assert Client.objects.filter(pk=client.pk).exists()

    def test_deletes_an_empty_client(self, users):
        client = ClientFactory()
        services.delete_client(client, by=users.admin)
        assert not Client.objects.filter(pk=client.pk).exists()


class TestAssignAccountRole:
    def test_new_tam_ends_the_previous_assignment_the_day_before(self, users, tam_client):
        new = services.assign_account_role(
            client=tam_client,
            role="tam",
            user=users.other_tam,
            start_on=dt.date(2025, 3, 1),
            by=users.admin,
        )
        previous = AccountTeamAssignment.objects.get(client=tam_client, user=users.tam)
        assert previous.end_on == dt.date(2025, 2, 28)
        assert new.end_on is None and new.user == users.other_tam
        assert list(Client.objects.managed_by(users.other_tam, dt.date(2025, 3, 1))) == [tam_client]
        assert list(Client.objects.managed_by(users.tam, dt.date(2025, 3, 1))) == []
        assert list(Client.objects.managed_by(users.tam, dt.date(2025, 2, 28))) == [tam_client]

    def test_same_person_again_is_refused_and_nothing_changes(self, users, tam_client):
        with pytest.raises(AssignmentOverlap):
            services.assign_account_role(
                client=tam_client,
                role="tam",
                user=users.tam,
                start_on=dt.date(2025, 3, 1),
                by=users.admin,
            )
        assert AccountTeamAssignment.objects.get(client=tam_client, role="tam").end_on is None
        assert AccountTeamAssignment.objects.filter(client=tam_client).count() == 2

    def test_start_before_the_current_holder_is_refused(self, users, tam_client):
        with pytest.raises(AssignmentOverlap) as error:
            services.assign_account_role(
                client=tam_client,
                role="tam",
                user=users.other_tam,
                start_on=dt.date(2023, 12, 31),
                by=users.admin,
            )
        assert error.value.field == "start_on"
        assert AccountTeamAssignment.objects.filter(client=tam_client, role="tam").count() == 1

    def test_tam_role_requires_the_tam_group(self, users, tam_client):
        with pytest.raises(InvalidAssignment):
            services.assign_account_role(
                client=tam_client,
                role="backup_tam",
                user=users.engineer,
                start_on=dt.date(2025, 1, 1),
                by=users.admin,
            )
        assert not AccountTeamAssignment.objects.filter(role="backup_tam").exists()

    def test_end_before_start_is_refused(self, users, tam_client):
        assignment = AccountTeamAssignment.objects.get(client=tam_client, role="tam")
        with pytest.raises(InvalidAssignment):
            services.end_account_role(assignment, end_on=dt.date(2023, 1, 1), by=users.admin)
        assignment.refresh_from_db()
        assert assignment.end_on is None


class TestEngineers:
    def test_create_engineer_with_roles_and_competencies(self, users, department):
        engineer = services.create_engineer(
            username="ipetrov",
            first_name="Ivan",
            last_name="Petrov",
            department=department,
            roles=[Role.TAM, Role.ENGINEER],
            competencies={"network": 4, "virtualization": 2},
            by=users.admin,
        )
        assert set(engineer.user.groups.values_list("name", flat=True)) == {"TAM", "Engineer"}
        assert dict(engineer.competencies.values_list("field", "level")) == {
            "network": 4,
            "virtualization": 2,
        }
        assert not engineer.user.has_usable_password()

    def test_taken_username_is_refused_and_nothing_written(self, users, department):
        before = (User.objects.count(), Engineer.objects.count())
        with pytest.raises(services.UsernameTaken) as error:
            services.create_engineer(username="TAM", department=department, by=users.admin)
        assert error.value.field == "username"
        assert (User.objects.count(), Engineer.objects.count()) == before

    def test_update_replaces_competencies(self, users, department):
        engineer = EngineerFactory(department=department)
        services.update_engineer(
            engineer,
            department=department,
            first_name="A",
            last_name="B",
            email="a@b.example",
            position="Lead",
            time_zone="Asia/Novosibirsk",
            competencies={"unix": 3},
            by=users.admin,
        )
        engineer.refresh_from_db()
        assert engineer.time_zone == "Asia/Novosibirsk"
        assert dict(engineer.competencies.values_list("field", "level")) == {"unix": 3}

    def test_delete_refused_for_account_team_history(self, users, tam_client):
        with pytest.raises(EngineerInUse):
            services.delete_engineer(users.tam.engineer, by=users.admin)
        assert Engineer.objects.filter(user=users.tam).exists()

    def test_delete_deactivates_the_account(self, users):
        engineer = EngineerFactory(user=UserFactory(username="leaver"))
        services.delete_engineer(engineer, by=users.admin)
        assert not Engineer.objects.filter(pk=engineer.pk).exists()
        assert not User.objects.get(username="leaver").is_active
