"""Every SLA page renders for the roles allowed and is refused to the others: anonymous users go
to the login page, a user without a role gets the 403 page, read-only roles cannot open the
forms."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import time_machine
from django.urls import reverse

from tests.sla.factories import at, incident, office_calendar, policy

pytestmark = pytest.mark.django_db

INCIDENT_READ = [
    ("sla:incident_list", None),
    ("sla:incident_detail", "incident"),
    ("sla:incident_clocks", "incident"),
]
INCIDENT_WRITE = [
    ("sla:incident_create", None),
    ("sla:incident_update", "incident"),
]
POLICY_READ = [("sla:policy_list", None), ("sla:policy_detail", "policy")]
POLICY_WRITE = [
    ("sla:policy_create", None),
    ("sla:policy_update", "policy"),
    ("sla:policy_version_create", "policy"),
    ("sla:policy_delete", "policy"),
]
PAGES = INCIDENT_READ + INCIDENT_WRITE + POLICY_READ + POLICY_WRITE
READERS = ["tam", "engineer", "lead", "service_manager", "architect", "programme_lead"]
INCIDENT_WORKERS = ["admin", "administrator", "service_manager", "tam", "lead", "engineer"]
INCIDENT_ONLOOKERS = ["architect", "programme_lead"]
POLICY_MANAGERS = ["admin", "administrator", "service_manager"]
POLICY_ONLOOKERS = ["tam", "engineer", "lead", "architect", "programme_lead"]


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(at(1), tick=False):
        yield


@pytest.fixture
def records(users, tam_client, department):
    sla, _version = policy(client=tam_client, calendar=office_calendar(), by=users.administrator)
    # In ``department``: its engineers and lead read the incident, its client and the policy.
    web = incident(tam_client, by=users.tam, department=department)
    return SimpleNamespace(policy=sla, incident=web)


def url(name: str, key: str | None, records) -> str:
    return reverse(name) if key is None else reverse(name, args=[getattr(records, key).pk])


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize(("name", "key"), PAGES)
def test_page_renders_for_an_administrator(client, users, records, name, key, language):
    client.force_login(users.admin)

    response = client.get(url(name, key, records), HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 200
    if name != "sla:incident_clocks":  # a fragment
        assert f'<html lang="{language}"' in response.content.decode()


@pytest.mark.parametrize(("name", "key"), PAGES)
def test_anonymous_is_sent_to_the_login_page(client, records, name, key):
    response = client.get(url(name, key, records))

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")


def test_anonymous_htmx_refresh_sends_the_whole_page_to_the_login(client, records):
    response = client.get(reverse("sla:incident_list"), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/accounts/login/")


@pytest.mark.parametrize(("name", "key"), PAGES)
def test_user_without_a_role_gets_the_403_page(client, users, records, name, key):
    client.force_login(users.norole)

    response = client.get(url(name, key, records))

    assert response.status_code == 403


@pytest.mark.parametrize("role", READERS)
@pytest.mark.parametrize(("name", "key"), INCIDENT_READ + POLICY_READ)
def test_every_role_reads_incidents_and_policies(client, users, records, role, name, key):
    client.force_login(getattr(users, role))

    assert client.get(url(name, key, records)).status_code == 200


@pytest.mark.parametrize("role", INCIDENT_WORKERS)
@pytest.mark.parametrize(("name", "key"), INCIDENT_WRITE)
def test_people_who_work_incidents_open_their_forms(client, users, records, role, name, key):
    client.force_login(getattr(users, role))

    assert client.get(url(name, key, records)).status_code == 200


@pytest.mark.parametrize("role", INCIDENT_ONLOOKERS)
@pytest.mark.parametrize(("name", "key"), INCIDENT_WRITE)
def test_onlookers_may_not_open_incident_forms(client, users, records, role, name, key):
    client.force_login(getattr(users, role))

    assert client.get(url(name, key, records)).status_code == 403


@pytest.mark.parametrize("role", POLICY_MANAGERS)
@pytest.mark.parametrize(("name", "key"), POLICY_WRITE)
def test_policy_managers_open_the_policy_forms(client, users, records, role, name, key):
    client.force_login(getattr(users, role))

    assert client.get(url(name, key, records)).status_code == 200


@pytest.mark.parametrize("role", POLICY_ONLOOKERS)
@pytest.mark.parametrize(("name", "key"), POLICY_WRITE)
def test_other_roles_may_not_open_the_policy_forms(client, users, records, role, name, key):
    client.force_login(getattr(users, role))

    assert client.get(url(name, key, records)).status_code == 403


def test_onlookers_see_no_event_form_and_no_edit_buttons(client, users, records):
    client.force_login(users.architect)

    content = client.get(records.incident.get_absolute_url()).content.decode()

    assert 'id="event-form"' not in content
    assert reverse("sla:incident_update", args=[records.incident.pk]) not in content


def test_tam_sees_the_event_form_but_no_policy_buttons(client, users, records):
    client.force_login(users.tam)

    content = client.get(records.incident.get_absolute_url()).content.decode()
    policy_page = client.get(records.policy.get_absolute_url()).content.decode()

    assert 'id="event-form"' in content
    assert reverse("sla:policy_version_create", args=[records.policy.pk]) not in policy_page
    assert reverse("sla:policy_delete", args=[records.policy.pk]) not in policy_page


def test_the_navigation_links_the_sla_pages(client, users, records):
    client.force_login(users.engineer)

    content = client.get(reverse("sla:incident_list")).content.decode()

    assert f'href="{reverse("sla:incident_list")}"' in content
    assert f'href="{reverse("sla:policy_list")}"' in content


def test_the_event_form_address_sends_a_plain_visit_to_the_incident(client, users, records):
    client.force_login(users.tam)

    response = client.get(reverse("sla:incident_event_create", args=[records.incident.pk]))

    assert response.status_code == 302
    assert response.url == records.incident.get_absolute_url()


def test_the_event_form_address_is_refused_to_onlookers(client, users, records):
    client.force_login(users.architect)
    address = reverse("sla:incident_event_create", args=[records.incident.pk])

    assert client.get(address, HTTP_HX_REQUEST="true").status_code == 403
    assert client.post(address, {"kind": "comment", "note": "hi"}).status_code == 403
    assert records.incident.events.count() == 1
