"""Every page renders in English and Russian for a permitted user; anonymous users are sent to
the login page; a user without a role gets the 403 page; read-only roles cannot open edit pages.
An engineer reads a client their department works on, but not its contacts (404)."""

from __future__ import annotations

import pytest

from tests.changes.factories import DepartmentTaskFactory
from tests.directory.views_support import (
    PAGES,
    READ_PAGES,
    WRITE_PAGES,
    page_url,
    records_fixture,  # noqa: F401
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize(("name", "key"), PAGES)
def test_page_renders_for_an_administrator(client, users, records, name, key, language):
    client.force_login(users.admin)

    response = client.get(page_url(name, key, records), HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 200
    assert f'<html lang="{language}"' in response.content.decode()


@pytest.mark.parametrize(("name", "key"), PAGES)
def test_anonymous_is_sent_to_the_login_page(client, records, name, key):
    url = page_url(name, key, records)

    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")


@pytest.mark.parametrize(("name", "key"), PAGES)
def test_user_without_a_role_gets_the_403_page(client, users, records, name, key):
    client.force_login(users.norole)

    response = client.get(page_url(name, key, records))

    assert response.status_code == 403
    assert "Your account has no role in tamdesk yet" in response.content.decode()


@pytest.fixture
def departments_client(records):
    """The engineer's department has a task in a change of the records' client."""
    DepartmentTaskFactory(change__client=records.client, department=records.department)
    return records.client


@pytest.mark.parametrize(("name", "key"), READ_PAGES)
def test_engineer_reads_every_page_but_the_contacts(
    client, users, records, departments_client, name, key
):
    client.force_login(users.engineer)

    expected = 404 if key == "contact" else 200  # contacts: the account team's only
    assert client.get(page_url(name, key, records)).status_code == expected


@pytest.mark.parametrize(("name", "key"), WRITE_PAGES)
def test_engineer_may_not_open_edit_pages(client, users, records, departments_client, name, key):
    client.force_login(users.engineer)

    response = client.get(page_url(name, key, records))

    if key == "contact":
        assert response.status_code == 404  # not even hers to read
        return
    assert response.status_code == 403
    assert "Your role does not allow this" in response.content.decode()


def test_engineer_does_not_read_a_client_her_department_does_not_work_on(client, users, records):
    client.force_login(users.engineer)

    assert client.get(records.client.get_absolute_url()).status_code == 404
    assert client.get(records.component.get_absolute_url()).status_code == 404


def test_engineer_sees_no_edit_buttons(client, users, records, departments_client):
    client.force_login(users.engineer)

    content = client.get(records.client.get_absolute_url()).content.decode()

    assert "/edit/" not in content
    assert "/delete/" not in content
    assert "/directory/contacts/new/" not in content


def test_tam_sees_edit_and_add_buttons_on_own_client_only(client, users, records):
    client.force_login(users.tam)

    own = client.get(records.client.get_absolute_url()).content.decode()

    assert f"/directory/clients/{records.client.pk}/edit/" in own
    assert f"/directory/contacts/new/?client={records.client.pk}" in own
    assert f"/directory/clients/{records.client.pk}/delete/" not in own  # administrators only


def test_pages_show_the_navigation_and_the_shell(client, users, records):
    client.force_login(users.tam)

    content = client.get("/directory/clients/").content.decode()

    assert 'href="#main"' in content  # skip link
    assert "X-CSRFToken" in content  # htmx sends the CSRF token
    assert 'action="/i18n/setlang/"' in content
    assert 'action="/accounts/logout/"' in content
    assert 'aria-current="page"' in content
    for url in ("/directory/contacts/", "/directory/components/", "/directory/account-team/"):
        assert f'href="{url}"' in content
    assert "/api/docs/" in content


def test_engineer_page_shows_the_name_change_of_the_user_account(client, users, department):
    from auditlog.context import set_actor

    from tamdesk.directory import services
    from tests.directory.factories import EngineerFactory

    engineer = EngineerFactory(department=department)
    with set_actor(users.admin):
        services.update_engineer(
            engineer,
            department=department,
            first_name="Renamed",
            last_name="Person",
            email="renamed@example.com",
            position="Engineer",
            time_zone="Europe/Moscow",
            by=users.admin,
        )
    client.force_login(users.engineer)
    response = client.get(engineer.get_absolute_url())
    assert response.status_code == 200
    assert "Renamed" in response.content.decode()
    assert "renamed@example.com" in response.content.decode()
