"""Who edits clients and departments through the pages (the same rules as the API,
``directory/permissions.py``): the client's service manager and the programme lead edit clients,
a department lead edits her own department's name, description and queue address — and a
refused edit changes nothing."""

from __future__ import annotations

import pytest

from tamdesk.directory.models import Client, Department
from tests.calendars.factories import CalendarFactory
from tests.directory.factories import AssignmentFactory, ClientFactory, DepartmentFactory

pytestmark = pytest.mark.django_db


def client_data(client: Client, **overrides) -> dict:
    data = {
        "name": client.name,
        "code": client.code,
        "status": client.status,
        "tier": client.tier,
        "time_zone": client.time_zone,
        "notes": client.notes,
    }
    return {**data, **overrides}


def rows(model) -> list[dict]:
    return list(model.objects.order_by("pk").values())


@pytest.fixture
def led(users, department):
    """``department`` (Network group) led by users.lead, working by a calendar."""
    department.lead = users.lead.engineer
    department.calendar = CalendarFactory(name="Office")
    department.queue_email = "network@example.com"
    department.save()
    return department


# --- clients ---------------------------------------------------------------------------------


def test_the_clients_service_manager_edits_it(client, users, tam_client):
    AssignmentFactory(client=tam_client, user=users.service_manager, role="service_manager")
    client.force_login(users.service_manager)
    url = f"/directory/clients/{tam_client.pk}/edit/"

    assert client.get(url).status_code == 200
    response = client.post(url, client_data(tam_client, tier="premium"))

    assert response.status_code == 302
    tam_client.refresh_from_db()
    assert tam_client.tier == "premium"
    page = client.get(tam_client.get_absolute_url()).content.decode()
    assert f'href="/directory/clients/{tam_client.pk}/edit/"' in page


def test_a_service_manager_may_not_edit_another_client_and_nothing_changes(
    client, users, tam_client
):
    other = ClientFactory(name="Other Corp")
    AssignmentFactory(client=tam_client, user=users.service_manager, role="service_manager")
    client.force_login(users.service_manager)
    url = f"/directory/clients/{other.pk}/edit/"
    before = rows(Client)

    assert client.get(url).status_code == 403
    response = client.post(url, client_data(other, name="Hijacked"))

    assert response.status_code == 403
    assert rows(Client) == before


def test_the_programme_lead_edits_any_client(client, users, tam_client):
    client.force_login(users.programme_lead)

    response = client.post(
        f"/directory/clients/{tam_client.pk}/edit/", client_data(tam_client, notes="Reviewed")
    )

    assert response.status_code == 302
    tam_client.refresh_from_db()
    assert tam_client.notes == "Reviewed"


# --- departments -----------------------------------------------------------------------------


def test_a_department_lead_gets_a_form_with_her_fields_only(client, users, led):
    client.force_login(users.lead)

    response = client.get(f"/directory/departments/{led.pk}/edit/")

    assert response.status_code == 200
    assert list(response.context["form"].fields) == ["name", "description", "queue_email"]
    detail = client.get(led.get_absolute_url()).content.decode()
    assert f'href="/directory/departments/{led.pk}/edit/"' in detail


def test_a_department_lead_edits_her_fields_and_posted_others_are_ignored(client, users, led):
    client.force_login(users.lead)
    calendar = led.calendar

    response = client.post(
        f"/directory/departments/{led.pk}/edit/",
        {
            "name": "Network engineering",
            "description": "Routing and switching",
            "queue_email": "net-queue@example.com",
            # not hers: ignored
            "code": "hijacked",
            "lead": "",
            "calendar": "",
            "is_active": "",
        },
    )

    assert response.status_code == 302
    led.refresh_from_db()
    assert (led.name, led.description, led.queue_email) == (
        "Network engineering",
        "Routing and switching",
        "net-queue@example.com",
    )
    assert (led.code, led.lead, led.calendar, led.is_active) == (
        "network",
        users.lead.engineer,
        calendar,
        True,
    )


def test_a_department_lead_may_not_edit_another_department_and_nothing_changes(client, users, led):
    other = DepartmentFactory(code="unix", name="Unix")
    client.force_login(users.lead)
    url = f"/directory/departments/{other.pk}/edit/"
    before = rows(Department)

    assert client.get(url).status_code == 403
    response = client.post(url, {"name": "Hijacked", "description": "", "queue_email": ""})

    assert response.status_code == 403
    assert rows(Department) == before
    assert client.get(f"/directory/departments/{led.pk}/delete/").status_code == 403


@pytest.mark.parametrize("role", ["engineer", "tam", "service_manager", "programme_lead"])
def test_others_may_not_edit_a_department_and_nothing_changes(client, users, led, role):
    client.force_login(getattr(users, role))
    url = f"/directory/departments/{led.pk}/edit/"
    before = rows(Department)

    assert client.get(url).status_code == 403
    assert client.post(url, {"name": "Hijacked"}).status_code == 403
    assert rows(Department) == before


def test_an_administrator_still_edits_every_field(client, users, led):
    client.force_login(users.administrator)

    response = client.get(f"/directory/departments/{led.pk}/edit/")

    assert list(response.context["form"].fields) == [
        "code",
        "name",
        "description",
        "lead",
        "queue_email",
        "calendar",
        "is_active",
    ]
