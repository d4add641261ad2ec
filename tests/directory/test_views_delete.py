"""Delete pages: a confirmation, then the delete — or, when a service refuses, a clear message
and nothing deleted."""

from __future__ import annotations

import pytest

from tamdesk.directory.models import Client, Contact, Department, Engineer
from tests.directory.factories import ClientFactory, ContactFactory, DepartmentFactory

pytestmark = pytest.mark.django_db


def test_delete_page_asks_for_confirmation(client, users, department):
    client.force_login(users.administrator)

    response = client.get(f"/directory/departments/{department.pk}/delete/")

    content = response.content.decode()
    assert response.status_code == 200
    assert "Delete the department “Network group”?" in content
    assert Department.objects.filter(pk=department.pk).exists()


def test_department_with_engineers_is_not_deleted_and_the_reason_is_shown(
    client, users, department
):
    client.force_login(users.administrator)

    response = client.post(f"/directory/departments/{department.pk}/delete/", follow=True)

    assert response.status_code == 200
    assert response.redirect_chain == [(department.get_absolute_url(), 302)]
    content = response.content.decode()
    assert "The department still has 4 engineers." in content
    assert 'class="alert alert-danger' in content
    assert Department.objects.filter(pk=department.pk).exists()


def test_empty_department_is_deleted(client, users):
    empty = DepartmentFactory(name="Old group")
    client.force_login(users.administrator)

    response = client.post(f"/directory/departments/{empty.pk}/delete/", follow=True)

    assert response.redirect_chain == [("/directory/departments/", 302)]
    assert "Deleted “Old group”." in response.content.decode()
    assert not Department.objects.filter(pk=empty.pk).exists()


def test_client_with_contacts_is_not_deleted(client, users, tam_client):
    ContactFactory(client=tam_client)
    client.force_login(users.admin)

    response = client.post(f"/directory/clients/{tam_client.pk}/delete/", follow=True)

    assert "Set its status to “former” instead of deleting it." in response.content.decode()
    assert Client.objects.filter(pk=tam_client.pk).exists()


def test_client_without_history_is_deleted(client, users):
    new = ClientFactory(name="Typo Ltd")
    client.force_login(users.admin)

    response = client.post(f"/directory/clients/{new.pk}/delete/")

    assert response.status_code == 302
    assert not Client.objects.filter(pk=new.pk).exists()


def test_engineer_on_an_account_team_is_not_deleted(client, users, tam_client):
    engineer = users.tam.engineer
    client.force_login(users.administrator)

    response = client.post(f"/directory/engineers/{engineer.pk}/delete/", follow=True)

    assert "deactivate the user instead" in response.content.decode()
    assert Engineer.objects.filter(pk=engineer.pk).exists()


def test_tam_deletes_a_contact_of_own_client_and_returns_to_the_client(client, users, tam_client):
    contact = ContactFactory(client=tam_client)
    client.force_login(users.tam)

    response = client.post(
        f"/directory/contacts/{contact.pk}/delete/", {"next": tam_client.get_absolute_url()}
    )

    assert response.status_code == 302
    assert response.url == tam_client.get_absolute_url()
    assert not Contact.objects.filter(pk=contact.pk).exists()


def test_other_tam_may_not_delete_the_contact(client, users, tam_client):
    contact = ContactFactory(client=tam_client)
    client.force_login(users.other_tam)

    response = client.post(f"/directory/contacts/{contact.pk}/delete/")

    assert response.status_code == 404  # not a contact of theirs to read, either
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_missing_record_is_the_404_page(client, users):
    client.force_login(users.admin)

    response = client.get("/directory/clients/999999/delete/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
