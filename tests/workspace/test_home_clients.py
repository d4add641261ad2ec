"""The home page's client cards (``workspace/sections.py``, "my-clients"): the clients on whose
account team the user is, with the role held; an overview of the directory for administrators;
never a message that tells a person something untrue about their role."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.directory.factories import AssignmentFactory, ClientFactory
from tests.workspace.test_home import sections_of

pytestmark = pytest.mark.django_db

NOT_ON_A_TEAM = "You are not on the account team of any client at the moment."


def test_a_service_manager_sees_the_clients_she_manages_with_her_role(client, users, tam_client):
    # Given the service manager of two clients (and of a third one until last year)
    second = ClientFactory(name="Bravo Bank")
    ended = ClientFactory(name="Zulu Former")
    AssignmentFactory(client=tam_client, user=users.service_manager, role="service_manager")
    AssignmentFactory(client=second, user=users.service_manager, role="service_manager")
    AssignmentFactory(
        client=ended,
        user=users.service_manager,
        role="service_manager",
        end_on=dt.date(2025, 12, 31),
    )
    ClientFactory(name="Not hers")
    client.force_login(users.service_manager)

    response = client.get("/")

    clients = sections_of(response)["my-clients"]["clients"]
    assert [(c.name, c.my_role) for c in clients] == [
        ("Acme Retail", "Service manager"),
        ("Bravo Bank", "Service manager"),
    ]
    content = response.content.decode()
    assert "You are on the account team of 2 clients." in content
    assert "not the TAM" not in content and NOT_ON_A_TEAM not in content
    assert "Not hers" not in content and "Zulu Former" not in content
    assert "overview" not in sections_of(response)


def test_every_role_held_on_a_client_is_shown(client, users, tam_client):
    both = ClientFactory(name="Bravo Bank")
    AssignmentFactory(client=both, user=users.tam, role="tam")
    AssignmentFactory(client=both, user=users.tam, role="architect")
    client.force_login(users.tam)

    response = client.get("/")

    assert [(c.name, c.my_role) for c in sections_of(response)["my-clients"]["clients"]] == [
        ("Acme Retail", "TAM"),
        ("Bravo Bank", "TAM, Architect"),
    ]


def test_the_architect_sees_her_clients(client, users, tam_client):
    client.force_login(users.architect)

    response = client.get("/")

    assert [(c.name, c.my_role) for c in sections_of(response)["my-clients"]["clients"]] == [
        ("Acme Retail", "Architect")
    ]


def test_a_tam_without_a_client_is_told_so(client, users, tam_client):
    client.force_login(users.other_tam)

    response = client.get("/")

    assert NOT_ON_A_TEAM in response.content.decode()
    assert sections_of(response)["my-clients"]["clients"] == []


@pytest.mark.parametrize("role", ["engineer", "lead", "programme_lead", "administrator", "admin"])
def test_roles_off_account_teams_get_no_message_about_clients(client, users, tam_client, role):
    client.force_login(getattr(users, role))

    response = client.get("/")

    content = response.content.decode()
    assert response.status_code == 200
    assert NOT_ON_A_TEAM not in content and "not the TAM" not in content
    assert "my-clients" not in sections_of(response)


@pytest.mark.parametrize("role", ["administrator", "admin"])
def test_administrators_see_the_directory_at_a_glance(client, users, tam_client, role):
    client.force_login(getattr(users, role))

    content = client.get("/").content.decode()

    assert "The directory at a glance" in content
    assert 'href="/directory/clients/?status=active"' in content


def test_the_home_page_runs_a_bounded_number_of_queries(
    client, users, tam_client, django_assert_max_num_queries
):
    for number in range(5):
        AssignmentFactory(
            client=ClientFactory(name=f"Client {number}"), user=users.tam, role="backup_tam"
        )
    client.force_login(users.tam)
    client.get("/")

    with django_assert_max_num_queries(35):
        response = client.get("/")

    assert len(sections_of(response)["my-clients"]["clients"]) == 6
