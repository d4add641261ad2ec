"""The changes rules, role by role: everyone with a role reads; administrators, service managers
and the client's TAM edit a change; the task's department (engineers and lead) also moves its
status; nobody deletes a change or a task."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from tamdesk.changes.models import ChangeTemplate
from tests.changes.factories import ChangeRequestFactory, DepartmentTaskFactory
from tests.directory.factories import DepartmentFactory, EngineerFactory
from tests.support import ROLES

pytestmark = pytest.mark.django_db

READERS = set(ROLES) - {"norole"}
CREATORS = {"admin", "administrator", "service_manager", "tam", "other_tam"}
EDITORS = {"admin", "administrator", "service_manager", "tam"}  # not the TAM of another client
#: ``department`` (conftest) is the task's department: tam, other_tam, engineer and lead work in it.
WORKERS = EDITORS | {"other_tam", "engineer", "lead"}
PLAYBOOK_EDITORS = {"admin", "administrator", "tam", "other_tam"}


@pytest.fixture
def records(users, tam_client, department):
    web = ChangeRequestFactory(client=tam_client, owner=users.tam)
    return web, DepartmentTaskFactory(change=web, department=department)


@pytest.mark.parametrize("role", ROLES)
def test_rules(users, records, role):
    user = getattr(users, role)
    web, job = records
    playbook = ChangeTemplate.objects.first()

    assert user.has_perm("changes.view_changerequest", web) is (role in READERS)
    assert user.has_perm("changes.view_departmenttask", job) is (role in READERS)
    assert user.has_perm("changes.add_changerequest") is (role in CREATORS)
    assert user.has_perm("changes.add_changerequest", web.client) is (role in EDITORS)
    assert user.has_perm("changes.change_changerequest", web) is (role in EDITORS)
    assert user.has_perm("changes.add_departmenttask", web) is (role in EDITORS)
    assert user.has_perm("changes.change_departmenttask", job) is (role in EDITORS)
    assert user.has_perm("changes.override_departmenttask", job) is (role in EDITORS)
    assert user.has_perm("changes.add_taskdependency", job) is (role in EDITORS)
    assert user.has_perm("changes.work_departmenttask", job) is (role in WORKERS)
    assert user.has_perm("changes.change_changetemplate", playbook) is (role in PLAYBOOK_EDITORS)
    assert user.has_perm("changes.add_comment") is (role in READERS)
    # Changes and tasks are cancelled, never deleted (a superuser holds every permission).
    assert user.has_perm("changes.delete_changerequest", web) is (role == "admin")
    assert user.has_perm("changes.delete_departmenttask", job) is (role == "admin")


def test_engineers_of_another_department_do_not_work_the_task(records):
    _web, job = records
    outsider = EngineerFactory(department=DepartmentFactory(), user__roles=["Engineer"]).user
    assert not outsider.has_perm("changes.work_departmenttask", job)


def test_the_lead_of_the_tasks_department_works_it_from_another_department(records, users):
    _web, job = records
    head = EngineerFactory(department=DepartmentFactory(), user__roles=["Department lead"])
    job.department.lead = head
    job.department.save()
    assert head.user.has_perm("changes.work_departmenttask", job)


def test_anonymous_has_no_changes_permission(records):
    web, job = records
    anonymous = AnonymousUser()
    assert not anonymous.has_perm("changes.view_changerequest", web)
    assert not anonymous.has_perm("changes.work_departmenttask", job)
