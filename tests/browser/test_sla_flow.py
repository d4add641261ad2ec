"""A TAM opens an incident for a client with an SLA, watches its clocks run, and puts it on hold
waiting for the client: the event form follows the kind of event chosen (htmx), the clocks
pause."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from tamdesk.sla.models import Incident
from tests.browser.conftest import login
from tests.sla.factories import HOUR, policy


def test_tam_opens_an_incident_and_pauses_its_clocks(page: Page, users, tam_client):
    policy(
        client=tam_client,
        calendar=None,  # 24×7: the clocks run whenever the test runs
        valid_from=timezone.now() - dt.timedelta(days=1),
        targets={"p2": (HOUR, 8 * HOUR)},
        by=users.administrator,
    )
    login(page, users.tam)

    # Given the incident list, when the TAM opens an incident
    page.goto("/sla/incidents/")
    page.locator("main").get_by_role("link", name=re.compile("Add")).click()
    page.select_option("#id_client", str(tam_client.pk))
    page.fill("#id_title", "Mail relay queue growing")
    page.select_option("#id_priority", "p2")
    page.locator("main form [type=submit]").first.click()

    # Then its page shows both clocks running
    incident = Incident.objects.get()
    expect(page).to_have_url(re.compile(rf"/sla/incidents/{incident.pk}/$"))
    reaction = page.locator('[data-clock="reaction"]')
    expect(reaction).to_have_attribute("data-state", "running")
    expect(reaction).to_contain_text(re.compile(r"0:5\d|1:00"))

    # When they choose "Status changed", the form asks for the status
    expect(page.locator("#id_status")).to_have_count(0)
    page.select_option("#id_kind", "status_changed")
    page.select_option("#id_status", "waiting_client")
    page.fill("#id_note", "Asked for the relay logs")
    page.locator("#event-form [type=submit]").click()

    # Then the clocks are paused and the timeline shows the change
    expect(page.locator('[data-clock="reaction"]')).to_have_attribute("data-state", "paused")
    expect(page.locator("#timeline")).to_contain_text("Waiting for the client")
    incident.refresh_from_db()
    assert incident.status == "waiting_client"
