"""Create and edit pages: valid input is saved (through the service where there is one), bad
input is shown as field errors with nothing written, a refusal by a service appears on its field,
and the permission is checked on the server for the record as it will be saved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from tamdesk.directory.models import AccountTeamAssignment, Client, Component, Contact, Engineer
from tests.directory.factories import AssignmentFactory, ClientFactory, ContactFactory

pytestmark = pytest.mark.django_db
User = get_user_model()


def client_data(**overrides) -> dict:
    data = {
        "name": "Acme Retail",
        "code": "ACME",
        "status": "active",
        "tier": "business",
        "time_zone": "Europe/Moscow",
        "notes": "",
    }
    return {**data, **overrides}


def contact_data(client_pk: int, **overrides) -> dict:
    data = {
        "client": client_pk,
        "name": "Jane Tech",
        "kind": "technical",
        "email": "jane@acme.example",
        "phone": "+7 495 000-00-00",
        "messenger": "@jane",
        "notes": "",
        "is_active": "on",
    }
    return {**data, **overrides}


def test_contact_with_a_bad_email_shows_the_field_error_and_writes_nothing(
    client, users, tam_client
):
    client.force_login(users.tam)

    response = client.post(
        "/directory/contacts/new/", contact_data(tam_client.pk, email="not-an-email")
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert 'class="form-control is-invalid"' in content
    assert 'id="id_email_error"' in content
    assert "Enter a valid email address." in content
    assert 'aria-invalid="true"' in content
    assert Contact.objects.count() == 0


def test_tam_adds_a_contact_to_own_client_and_returns_to_the_client_page(client, users, tam_client):
    client.force_login(users.tam)
    next_url = tam_client.get_absolute_url()

    response = client.post(
        f"/directory/contacts/new/?client={tam_client.pk}",
        {**contact_data(tam_client.pk), "next": next_url},
    )

    assert response.status_code == 302
    assert response.url == next_url
    contact = Contact.objects.get()
    assert (contact.client, contact.name, contact.email) == (
        tam_client,
        "Jane Tech",
        "jane@acme.example",
    )


def test_create_from_the_client_page_preselects_the_client_and_kind(client, users, tam_client):
    ClientFactory(name="Other client")
    client.force_login(users.tam)

    response = client.get(f"/directory/contacts/new/?client={tam_client.pk}&kind=decision_maker")

    content = response.content.decode()
    assert response.status_code == 200
    assert f'<option value="{tam_client.pk}" selected>Acme Retail</option>' in content
    assert '<option value="decision_maker" selected>' in content


def test_tam_may_not_add_a_contact_to_another_tams_client(client, users, tam_client):
    other = ClientFactory(name="Other client")
    AssignmentFactory(client=other, user=users.other_tam, role="tam")
    client.force_login(users.tam)

    assert client.get(f"/directory/contacts/new/?client={other.pk}").status_code == 403
    # Choosing the other client in the form of an own client is refused on the server too.
    response = client.post(
        f"/directory/contacts/new/?client={tam_client.pk}", contact_data(other.pk)
    )

    assert response.status_code == 403
    assert Contact.objects.count() == 0


def test_duplicate_contact_email_is_a_field_error(client, users, tam_client):
    ContactFactory(client=tam_client, email="jane@acme.example")
    client.force_login(users.tam)

    response = client.post("/directory/contacts/new/", contact_data(tam_client.pk))

    assert response.status_code == 200
    assert "This client already has a contact with this e-mail." in response.content.decode()
    assert Contact.objects.count() == 1


def test_tam_editing_another_tams_client_is_refused_and_nothing_changes(client, users, tam_client):
    client.force_login(users.other_tam)
    url = f"/directory/clients/{tam_client.pk}/edit/"

    assert client.get(url).status_code == 404  # not a client they read
    response = client.post(url, client_data(name="Hijacked"))

    assert response.status_code == 404
    tam_client.refresh_from_db()
    assert tam_client.name == "Acme Retail"


def test_tam_edits_own_client_and_the_history_shows_before_and_after(client, users, tam_client):
    client.force_login(users.tam)

    response = client.post(
        f"/directory/clients/{tam_client.pk}/edit/",
        client_data(name="Acme Wholesale", tier="premium"),
    )

    assert response.status_code == 302
    assert response.url == tam_client.get_absolute_url()
    tam_client.refresh_from_db()
    assert (tam_client.name, tam_client.tier) == ("Acme Wholesale", "premium")
    page = client.get(tam_client.get_absolute_url()).content.decode()
    history = page[page.index('id="history-title"') :]
    assert '<td class="app-before">Acme Retail</td>' in history
    assert '<td class="app-after">Acme Wholesale</td>' in history
    assert '<td class="app-before">Standard</td>' in history
    assert '<td class="app-after">Premium</td>' in history
    assert users.tam.get_full_name() in history
    assert "Saved “Acme Wholesale”." in page


def test_client_code_must_be_unique(client, users, tam_client):
    client.force_login(users.admin)

    response = client.post("/directory/clients/new/", client_data(name="Acme 2"))

    assert response.status_code == 200
    assert 'id="id_code_error"' in response.content.decode()
    assert Client.objects.count() == 1


def test_time_zone_is_a_select_of_iana_zones(client, users):
    client.force_login(users.admin)

    content = client.get("/directory/clients/new/").content.decode()

    assert '<select name="time_zone"' in content
    assert '<option value="Asia/Vladivostok">' in content
    assert '<option value="Europe/Moscow" selected>' in content


def test_unknown_time_zone_is_refused(client, users):
    client.force_login(users.admin)

    response = client.post("/directory/clients/new/", client_data(time_zone="Mars/Olympus"))

    assert response.status_code == 200
    assert 'id="id_time_zone_error"' in response.content.decode()
    assert Client.objects.count() == 0


def test_architect_adds_a_component_to_their_client(client, users, tam_client, department):
    client.force_login(users.architect)

    response = client.post(
        f"/directory/components/new/?client={tam_client.pk}",
        {
            "client": tam_client.pk,
            "kind": "database",
            "department": department.pk,
            "name": "pg-main",
            "description": "",
            "identifiers": "db01\ndb02",
            "url": "",
        },
    )

    assert response.status_code == 302
    assert Component.objects.get().identifier_list == ["db01", "db02"]


def engineer_data(department_pk: int, **overrides) -> dict:
    data = {
        "username": "new.engineer",
        "password": "",
        "first_name": "Nina",
        "last_name": "Volkova",
        "email": "nina@example.com",
        "department": department_pk,
        "position": "Network engineer",
        "time_zone": "Asia/Yekaterinburg",
        "roles": ["Engineer", "TAM"],
        "competency_network": "4",
        "competency_virtualization": "2",
    }
    return {**data, **overrides}


def test_administrator_creates_an_engineer_with_roles_and_competencies(client, users, department):
    client.force_login(users.administrator)

    response = client.post("/directory/engineers/new/", engineer_data(department.pk))

    assert response.status_code == 302
    engineer = Engineer.objects.get(user__username="new.engineer")
    assert response.url == engineer.get_absolute_url()
    assert engineer.time_zone == "Asia/Yekaterinburg"
    assert set(engineer.user.groups.values_list("name", flat=True)) == {"Engineer", "TAM"}
    assert {c.field: c.level for c in engineer.competencies.all()} == {
        "network": 4,
        "virtualization": 2,
    }
    assert not engineer.user.has_usable_password()


def test_taken_user_name_is_shown_on_the_user_name_field(client, users, department):
    client.force_login(users.administrator)
    engineers = Engineer.objects.count()

    response = client.post(
        "/directory/engineers/new/", engineer_data(department.pk, username="TAM")
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="id_username_error"' in content
    assert "is already taken" in content
    assert Engineer.objects.count() == engineers


def test_administrator_updates_an_engineer(client, users, department):
    engineer = users.engineer.engineer
    client.force_login(users.administrator)
    data = engineer_data(department.pk, first_name="Pavel", roles=["Engineer", "Department lead"])
    del data["username"], data["password"]

    response = client.post(f"/directory/engineers/{engineer.pk}/edit/", {**data, "is_active": "on"})

    assert response.status_code == 302
    engineer.refresh_from_db()
    assert engineer.user.first_name == "Pavel"
    assert engineer.position == "Network engineer"
    assert set(engineer.user.groups.values_list("name", flat=True)) == {
        "Engineer",
        "Department lead",
    }


def test_new_tam_replaces_the_current_one_and_the_history_is_kept(client, users, tam_client):
    client.force_login(users.service_manager)
    old = tam_client.account_assignments.get(role="tam")

    response = client.post(
        f"/directory/account-team/new/?client={tam_client.pk}",
        {
            "client": tam_client.pk,
            "role": "tam",
            "user": users.other_tam.pk,
            "start_on": "2025-03-01",
        },
    )

    assert response.status_code == 302
    old.refresh_from_db()
    assert old.end_on == dt.date(2025, 2, 28)
    new = AccountTeamAssignment.objects.get(client=tam_client, role="tam", end_on=None)
    assert new.user == users.other_tam


def test_service_refusal_is_shown_on_its_field_and_nothing_is_written(client, users, tam_client):
    client.force_login(users.service_manager)
    before = AccountTeamAssignment.objects.count()

    response = client.post(
        "/directory/account-team/new/",
        {
            "client": tam_client.pk,
            "role": "tam",
            "user": users.engineer.pk,
            "start_on": "2025-03-01",
        },
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="id_user_error"' in content
    assert "Only a person with the TAM role can be a client" in content
    assert AccountTeamAssignment.objects.count() == before
    assert tam_client.account_assignments.get(role="tam").end_on is None


def test_ending_an_assignment_sets_its_end_date(client, users, tam_client):
    assignment = tam_client.account_assignments.get(role="tam")
    client.force_login(users.programme_lead)

    response = client.post(
        f"/directory/account-team/{assignment.pk}/edit/", {"end_on": "2025-06-30"}
    )

    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.end_on == dt.date(2025, 6, 30)


def test_end_date_before_the_start_is_a_field_error(client, users, tam_client):
    assignment = tam_client.account_assignments.get(role="tam")
    client.force_login(users.programme_lead)

    response = client.post(
        f"/directory/account-team/{assignment.pk}/edit/", {"end_on": "2023-01-01"}
    )

    assert response.status_code == 200
    assert 'id="id_end_on_error"' in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.end_on is None


def test_tam_may_not_change_the_account_team(client, users, tam_client):
    assignment = tam_client.account_assignments.get(role="tam")
    client.force_login(users.tam)

    response = client.post(
        f"/directory/account-team/{assignment.pk}/edit/", {"end_on": "2025-06-30"}
    )

    assert response.status_code == 403
    assignment.refresh_from_db()
    assert assignment.end_on is None


def test_department_code_is_validated(client, users):
    client.force_login(users.administrator)

    response = client.post(
        "/directory/departments/new/",
        {
            "code": "bad code!",
            "name": "Backup",
            "description": "",
            "queue_email": "",
            "is_active": "on",
        },
    )

    assert response.status_code == 200
    assert 'id="id_code_error"' in response.content.decode()
    assert not User.objects.filter(username="bad code!").exists()


def test_next_pointing_to_another_site_is_ignored(client, users, tam_client):
    client.force_login(users.tam)

    response = client.post(
        "/directory/contacts/new/",
        {**contact_data(tam_client.pk), "next": "https://evil.example/"},
    )

    assert response.status_code == 302
    assert response.url == Contact.objects.get().get_absolute_url()
