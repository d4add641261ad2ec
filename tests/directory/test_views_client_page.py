"""The client page (the 360° view) and the home page of a TAM (every role: tests/workspace)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.changes.factories import DepartmentTaskFactory
from tests.directory.factories import (
    AssignmentFactory,
    ClientFactory,
    ComponentFactory,
    ContactFactory,
    DepartmentFactory,
)
from tests.workspace.test_home import sections_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def landscape(users, tam_client, department):
    backup = DepartmentFactory(name="Backup")
    ContactFactory(client=tam_client, name="Tina Tech", kind="technical")
    ContactFactory(client=tam_client, name="Dora Decider", kind="decision_maker")
    ContactFactory(client=tam_client, name="Olga Other", kind="other", is_active=False)
    ComponentFactory(client=tam_client, department=department, name="edge-fw")
    ComponentFactory(client=tam_client, department=backup, name="veeam-jobs", kind="backup")
    AssignmentFactory(
        client=tam_client,
        user=users.other_tam,
        role="backup_tam",
        start_on=dt.date(2023, 1, 1),
        end_on=dt.date(2023, 12, 31),
    )
    return tam_client


def section(content: str, key: str) -> str:
    start = content.index(f'id="section-{key}"')
    return content[start : content.index("</section>", start)]


def test_client_page_shows_every_section(client, users, landscape):
    client.force_login(users.architect)  # on the account team: reads the contacts

    content = client.get(landscape.get_absolute_url()).content.decode()

    team = section(content, "account-team")
    assert users.tam.get_full_name() in team  # the current TAM
    assert "vacant" in team  # no current backup TAM, no service manager
    assert "History: 3 assignments" in team  # including the ended backup TAM
    contacts = section(content, "contacts")
    technical = contacts.index("Technical specialists")
    deciders = contacts.index("Decision-makers")
    other = contacts.index("Other contacts")
    assert technical < contacts.index("Tina Tech") < deciders
    assert deciders < contacts.index("Dora Decider") < other < contacts.index("Olga Other")
    landscape_section = section(content, "components")
    assert landscape_section.index("Backup") < landscape_section.index("veeam-jobs")
    assert landscape_section.index("Network group") < landscape_section.index("edge-fw")
    assert 'id="history-title"' in content


def test_a_department_working_on_the_client_does_not_see_its_contacts(
    client, users, landscape, department
):
    DepartmentTaskFactory(change__client=landscape, department=department)
    client.force_login(users.engineer)

    content = client.get(landscape.get_absolute_url()).content.decode()

    contacts = section(content, "contacts")
    assert "shown to its account team only" in contacts
    assert "Tina Tech" not in content
    assert "edge-fw" in section(content, "components")


def test_client_page_add_buttons_follow_the_permissions(client, users, landscape):
    client.force_login(users.service_manager)

    content = client.get(landscape.get_absolute_url()).content.decode()

    # Service managers edit contacts and account teams, not components.
    assert f"/directory/contacts/new/?client={landscape.pk}&amp;kind=technical" in content
    assert f"/directory/account-team/new/?client={landscape.pk}&amp;role=tam" in content
    assert "/directory/components/new/" not in content


def test_client_page_query_count_is_bounded(
    client, users, landscape, django_assert_max_num_queries
):
    client.force_login(users.tam)

    with django_assert_max_num_queries(25):
        assert client.get(landscape.get_absolute_url()).status_code == 200


def test_home_lists_the_tams_clients_with_real_numbers(client, users, landscape):
    ClientFactory(name="Not mine")
    client.force_login(users.tam)

    response = client.get("/")

    clients = sections_of(response)["my-clients"]["clients"]
    assert [c.name for c in clients] == ["Acme Retail"]
    mine = clients[0]
    assert (mine.technical_count, mine.decision_maker_count, mine.component_count) == (1, 1, 2)
    assert mine.departments_touched == ["Backup", "Network group"]
    assert mine.my_role == "TAM"
    assert "Not mine" not in response.content.decode()


def test_home_for_administrators_is_an_overview_of_the_directory(client, users, landscape):
    ClientFactory(name="Onboarding Co", status="onboarding")
    client.force_login(users.administrator)

    response = client.get("/")

    overview = sections_of(response)["overview"]
    assert {s["value"]: s["count"] for s in overview["statuses"]} == {
        "onboarding": 1,
        "active": 1,
        "suspended": 0,
        "former": 0,
    }
    assert overview["clients_without_tam"] == 1
    assert overview["contacts"] == 2  # active ones
    assert overview["components"] == 2
    assert 'href="/directory/clients/?status=onboarding"' in response.content.decode()


def test_login_leads_to_home(client, users, password):
    response = client.post(
        "/accounts/login/", {"username": "tam", "password": password}, follow=True
    )

    assert response.redirect_chain[-1] == ("/", 302)
    assert '<h1 class="h3 mb-0">Home</h1>' in response.content.decode()
