"""Every change page renders for the roles allowed and is refused to the others: anonymous users
go to the login page, a user without a role gets the 403 page, read-only roles cannot open the
forms."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import time_machine
from django.urls import reverse

from tests.changes.factories import at, change, task

pytestmark = pytest.mark.django_db

READ = [
    ("changes:change_list", None),
    ("changes:change_detail", "change"),
    ("changes:department_queue_index", None),
    ("changes:department_queue", "department"),
]
WRITE = [("changes:change_create", None), ("changes:change_create_from_playbook", None)]
PAGES = READ + WRITE
READERS = ["tam", "engineer", "lead", "service_manager", "architect", "programme_lead"]
CREATORS = ["admin", "administrator", "service_manager", "tam"]
ONLOOKERS = ["engineer", "lead", "architect", "programme_lead"]


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(at(1), tick=False):
        yield


@pytest.fixture
def records(users, tam_client, department):
    made = change(tam_client, by=users.tam)
    task(made, department, by=users.tam)
    return SimpleNamespace(change=made, department=department)


def url(name: str, key: str | None, records) -> str:
    return reverse(name) if key is None else reverse(name, args=[getattr(records, key).pk])


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize(("name", "key"), PAGES)
def test_page_renders_for_an_administrator(client, users, records, name, key, language):
    client.force_login(users.admin)

    response = client.get(url(name, key, records), HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 200
    assert f'<html lang="{language}"' in response.content.decode()


@pytest.mark.parametrize(("name", "key"), PAGES)
def test_anonymous_is_sent_to_the_login_page(client, records, name, key):
    response = client.get(url(name, key, records))

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")


@pytest.mark.parametrize(("name", "key"), PAGES)
def test_a_user_without_a_role_is_refused(client, users, records, name, key):
    client.force_login(users.norole)

    assert client.get(url(name, key, records)).status_code == 403


@pytest.mark.parametrize("role", READERS)
@pytest.mark.parametrize(("name", "key"), READ)
def test_every_role_reads(client, users, records, name, key, role):
    client.force_login(getattr(users, role))

    assert client.get(url(name, key, records)).status_code == 200


@pytest.mark.parametrize("role", CREATORS)
@pytest.mark.parametrize(("name", "key"), WRITE)
def test_creators_open_the_forms(client, users, records, name, key, role):
    client.force_login(getattr(users, role))

    assert client.get(url(name, key, records)).status_code == 200


@pytest.mark.parametrize("role", ONLOOKERS)
@pytest.mark.parametrize(("name", "key"), WRITE)
def test_onlookers_cannot_open_the_forms(client, users, records, name, key, role):
    client.force_login(getattr(users, role))

    assert client.get(url(name, key, records)).status_code == 403


@pytest.mark.parametrize("role", ["engineer", "architect"])
def test_onlookers_see_no_write_forms_on_the_change_page(client, users, records, role):
    client.force_login(getattr(users, role))

    content = client.get(url("changes:change_detail", "change", records)).content.decode()

    assert 'id="task-form"' not in content
    assert 'id="dependency-form"' not in content
    assert 'id="transitions"' not in content
    assert 'id="comment-form"' in content  # every role comments


def test_the_tam_sees_the_write_forms(client, users, records):
    client.force_login(users.tam)

    content = client.get(url("changes:change_detail", "change", records)).content.decode()

    assert 'id="task-form"' in content
    assert 'id="dependency-form"' in content
    assert 'id="transitions"' in content


def test_the_sidebar_links_to_the_pages(client, users):
    client.force_login(users.engineer)

    content = client.get(reverse("changes:change_list")).content.decode()

    assert reverse("changes:department_queue_index") in content
