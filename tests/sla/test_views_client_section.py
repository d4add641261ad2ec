"""The SLA section of the client page: the policy in force, the open incidents with their clocks
measured now, the last 90 days in figures."""

from __future__ import annotations

import pytest
import time_machine

from tamdesk.sla.services import NewEvent
from tests.directory.factories import AssignmentFactory, ClientFactory
from tests.sla.factories import at, incident, office_calendar, policy

pytestmark = pytest.mark.django_db


def section(content: str) -> str:
    start = content.index('id="section-sla"')
    return content[start : content.index("</section>", start)]


def test_the_section_shows_the_policy_open_incidents_and_figures(client, users, tam_client):
    sla, version = policy(client=tam_client, calendar=office_calendar(), by=users.administrator)
    running = incident(tam_client, by=users.tam, title="Web farm slow")
    incident(  # resolved in time: reaction and resolution met
        tam_client,
        by=users.tam,
        title="Printer",
        events=[NewEvent("first_response", at(0.1)), NewEvent("resolved", at(0.2))],
        now=at(0.2),
    )
    incident(  # resolved late: both breached (P1: 30 min and 4 h)
        tam_client,
        by=users.tam,
        priority="p1",
        title="Core down",
        events=[NewEvent("resolved", at(5))],
        now=at(5),
    )
    incident(tam_client, by=users.tam, opened=at(0, days=-120), now=at(0, days=-120))  # too old
    client.force_login(users.architect)

    with time_machine.travel(at(6.5), tick=False):
        content = section(client.get(tam_client.get_absolute_url()).content.decode())

    assert sla.name in content and version.get_absolute_url() in content
    assert "Web farm slow" in content and "Printer" not in content and "Core down" not in content
    row = content[content.index(f'data-incident="{running.pk}"') :]
    assert 'data-state="breached"' in row[:1500]  # measured now, 15:30: reaction ran out at 13:00
    figures = content[content.index('id="sla-figures"') :]
    assert '<dd class="fs-5 mb-0" data-figure="incidents">3</dd>' in figures
    reaction = figures[figures.index('data-figure="reaction"') :]
    assert '<span class="text-primary">1</span> / <span class="text-danger">1</span>' in reaction


def test_the_section_links_to_open_an_incident_for_the_client(client, users, tam_client):
    client.force_login(users.tam)

    content = section(client.get(tam_client.get_absolute_url()).content.decode())

    assert f"/sla/incidents/new/?client={tam_client.pk}" in content
    assert "No SLA policy applies" in content and "No open incidents." in content


def test_onlookers_get_no_open_button(client, users, tam_client):
    client.force_login(users.architect)

    content = section(client.get(tam_client.get_absolute_url()).content.decode())

    assert "/sla/incidents/new/" not in content


def test_a_tier_policy_applies_to_clients_without_their_own(client, users):
    premium = ClientFactory(name="Premium Co", tier="premium")
    AssignmentFactory(client=premium, user=users.tam, role="tam")
    policy(tier="premium", name="Premium tier")
    client.force_login(users.tam)

    content = section(client.get(premium.get_absolute_url()).content.decode())

    assert "Premium tier" in content and "tier policy" in content


def test_the_client_page_query_count_does_not_grow_with_open_incidents(
    client, users, tam_client, django_assert_max_num_queries
):
    policy(client=tam_client, calendar=office_calendar(), by=users.administrator)
    for number in range(25):
        incident(tam_client, by=users.tam, title=f"Incident {number}", assignee=users.engineer)
    client.force_login(users.tam)

    # 27: one of them asks whether the reader reads the client's monthly reports (the link).
    with time_machine.travel(at(1), tick=False), django_assert_max_num_queries(27):
        response = client.get(tam_client.get_absolute_url())

    assert section(response.content.decode()).count("<tr data-incident=") == 20
