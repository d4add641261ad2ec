"""Shared fixtures: one user per role, plus ``tam_client`` — a client whose TAM is ``users.tam``.

``users.<key>`` for key in: admin (superuser), administrator (group), tam, other_tam, engineer,
lead, service_manager, architect, programme_lead, norole (authenticated, no role).
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from tamdesk.core.roles import Role
from tamdesk.directory.models import Engineer
from tests.directory.factories import (
    PASSWORD,
    AssignmentFactory,
    ClientFactory,
    DepartmentFactory,
    EngineerFactory,
    UserFactory,
)

ROLE_USERS = {
    "administrator": [Role.ADMINISTRATOR],
    "tam": [Role.TAM, Role.ENGINEER],
    "other_tam": [Role.TAM, Role.ENGINEER],
    "engineer": [Role.ENGINEER],
    "lead": [Role.DEPARTMENT_LEAD, Role.ENGINEER],
    "service_manager": [Role.SERVICE_MANAGER],
    "architect": [Role.ARCHITECT],
    "programme_lead": [Role.PROGRAMME_LEAD],
    "norole": [],
}


@pytest.fixture(autouse=True, scope="session")
def _jobs_run_inline():
    """Background tasks run at once, in the test's thread and transaction, on in-memory
    storage. Tests of the queue itself (SQLite file, Redis) swap the storage explicitly."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield
    HUEY.immediate = False


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, settings):
    # Hashing with the production hasher costs ~0.2 s per user: use a fast one in tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Throttle counters live in the cache; every test starts with none.
    from django.core.cache import cache

    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    # Every test starts in English, whatever language an earlier test in the thread left active.
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def department(db):
    return DepartmentFactory(code="network", name="Network group")


@pytest.fixture
def users(db, department):
    """The superuser ``admin`` and one user per entry of ``ROLE_USERS`` (engineers of
    ``department`` where they hold the Engineer role).

    Most tests use this fixture, so it writes in four bulk inserts rather than ~85 queries
    (a third of the setup time of a permission-matrix test). A bulk insert writes no audit-log
    entry: these accounts start without history, like accounts loaded from a fixture file."""
    User = get_user_model()
    made = {"admin": UserFactory.build(username="admin", is_superuser=True, is_staff=True)}
    made |= {key: UserFactory.build(username=key) for key in ROLE_USERS}
    User.objects.bulk_create(made.values())
    wanted = {role.value for roles in ROLE_USERS.values() for role in roles}
    groups = dict(Group.objects.filter(name__in=wanted).values_list("name", "pk"))
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=made[key].pk, group_id=groups[role.value])
        for key, roles in ROLE_USERS.items()
        for role in roles
    )
    Engineer.objects.bulk_create(
        EngineerFactory.build(user=made[key], department=department)
        for key, roles in ROLE_USERS.items()
        if Role.ENGINEER in roles
    )
    return SimpleNamespace(**made)


@pytest.fixture
def tam_client(users):
    client = ClientFactory(name="Acme Retail", code="ACME")
    AssignmentFactory(client=client, user=users.tam, role="tam")
    AssignmentFactory(client=client, user=users.architect, role="architect")
    return client


@pytest.fixture
def api():
    return APIClient()


def api_as(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client
