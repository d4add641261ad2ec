"""The live incident source pages: who may use them, the token shown once after creation and
rotation, the mapping checked on save, the latest deliveries."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from tamdesk.core import tokens
from tamdesk.core.forms import VERSION_FIELD
from tamdesk.sla.imports import inbound
from tamdesk.sla.models import InboundDelivery, IncidentSource
from tests.support import ROLES, db_state

pytestmark = pytest.mark.django_db

MANAGERS = {"admin", "administrator", "service_manager"}


@pytest.fixture
def source(users):
    made = IncidentSource(name="ServiceNow prod", preset="servicenow", time_zone="Europe/Moscow")
    inbound.create_source(made, by=users.administrator)
    InboundDelivery.objects.create(
        source=made,
        event_id="INC1:0",
        external_id="INC1",
        sequence=0,
        payload={"number": "INC1"},
        received_at=made.created_at,
        status="rejected",
        reason="status: The status Nonsense is not in the mapping.",
    )
    return made


def pages(source) -> dict[str, str]:
    return {
        "list": reverse("sla:source_list"),
        "create": reverse("sla:source_create"),
        "detail": reverse("sla:source_detail", args=[source.pk]),
        "update": reverse("sla:source_update", args=[source.pk]),
    }


@pytest.mark.parametrize("role", ROLES)
def test_only_administrators_and_service_managers_open_the_source_pages(
    client, users, source, role
):
    client.force_login(getattr(users, role))

    for name, url in pages(source).items():
        response = client.get(url)
        if role in MANAGERS:
            assert response.status_code == 200, (name, role)
        else:
            assert response.status_code in (403, 404), (name, role, response.status_code)


def test_anonymous_visitors_are_sent_to_the_login(client, source):
    for url in pages(source).values():
        assert client.get(url).status_code == 302


def test_the_detail_lists_the_deliveries_and_the_endpoint(client, users, source):
    client.force_login(users.service_manager)

    response = client.get(reverse("sla:source_detail", args=[source.pk]))

    html = response.content.decode()
    assert f"/api/v1/inbound/incidents/{source.pk}/" in html
    assert "INC1:0" in html and "The status Nonsense is not in the mapping." in html
    assert source.token_prefix in html


def form_data(**values) -> dict:
    return {
        "name": "Jira cloud",
        "preset": "jira",
        "source_system": "",
        "client": "",
        "time_zone": "",
        "mapping": "",
        "is_active": "on",
        **values,
    }


def test_creating_a_source_shows_its_token_once(client, users, tam_client):
    client.force_login(users.service_manager)

    response = client.post(reverse("sla:source_create"), form_data(client=tam_client.pk))

    made = IncidentSource.objects.get(name="Jira cloud")
    assert response.status_code == 302 and response.url == made.get_absolute_url()
    assert (made.source_system, made.created_by, made.client) == (
        "jira",
        users.service_manager,
        tam_client,
    )
    first = client.get(made.get_absolute_url()).content.decode()
    key = first.split('id="source-token" value="')[1].split('"')[0]
    assert key.startswith("tdi_") and tokens.digest(key) == made.token_digest
    assert inbound.authenticate(made.pk, key) == made
    assert key not in client.get(made.get_absolute_url()).content.decode()  # once only


GENERIC_WITHOUT_CLIENT = """shape = "event"
[columns]
"t" = "external_id"
"s" = "status"
"p" = "priority"
"w" = "at"
"""


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"mapping": "shape = ["}, "mapping"),
        ({"mapping": '[statuses]\n"Open" = "opened"'}, "mapping"),
        ({"preset": "generic", "mapping": 'shape = "incident"'}, "mapping"),
        ({"time_zone": "Mars/Base"}, "time_zone"),
        ({"preset": "generic", "mapping": GENERIC_WITHOUT_CLIENT}, "client"),
        ({"preset": "bpi2013"}, "preset"),
    ],
)
def test_a_source_whose_mapping_does_not_read_is_refused(client, users, values, field):
    client.force_login(users.administrator)
    before = db_state(IncidentSource)

    response = client.post(reverse("sla:source_create"), form_data(**values))

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert db_state(IncidentSource) == before


def test_a_tam_cannot_create_a_source(client, users):
    client.force_login(users.tam)

    response = client.post(reverse("sla:source_create"), form_data())

    assert response.status_code == 403
    assert not IncidentSource.objects.exists()


def test_deactivating_a_source_stops_its_token(client, users, source):
    key = inbound.rotate_token(source, by=users.administrator)
    client.force_login(users.service_manager)
    url = reverse("sla:source_update", args=[source.pk])
    page = client.get(url)
    version = page.context["form"].version_token()

    response = client.post(
        url,
        {
            VERSION_FIELD: version,
            "name": source.name,
            "preset": "servicenow",
            "source_system": "servicenow",
            "time_zone": "Europe/Moscow",
            "mapping": '[columns]\n"company" = "client"',
        },
    )

    assert response.status_code == 302
    source.refresh_from_db()
    assert not source.is_active
    assert inbound.authenticate(source.pk, key) is None
    entry = LogEntry.objects.get_for_object(source).filter(actor=users.service_manager).get()
    assert set(entry.changes_dict) == {"is_active", "mapping"}  # the history, without a digest


def test_rotating_the_token_shows_the_new_one_and_stops_the_old(client, users, source):
    old = inbound.rotate_token(source, by=users.administrator)
    client.force_login(users.administrator)

    response = client.post(reverse("sla:source_rotate_token", args=[source.pk]), follow=True)

    html = response.content.decode()
    new = html.split('id="source-token" value="')[1].split('"')[0]
    assert inbound.authenticate(source.pk, old) is None
    assert inbound.authenticate(source.pk, new) == source


@pytest.mark.parametrize("role", ["tam", "engineer", "programme_lead"])
def test_others_cannot_rotate_the_token(client, users, source, role):
    before = db_state(IncidentSource)
    client.force_login(getattr(users, role))

    response = client.post(reverse("sla:source_rotate_token", args=[source.pk]))

    assert response.status_code in (403, 404)
    assert db_state(IncidentSource) == before


def test_the_list_reads_within_a_query_budget(client, users, source, django_assert_max_num_queries):
    client.force_login(users.service_manager)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("sla:source_list"))
    assert response.context["page_obj"].paginator.count == 1
