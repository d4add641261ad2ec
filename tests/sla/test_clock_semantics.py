"""The clock semantics of docs/domains/sla.md, end to end: elapsed is the working time consumed
whenever a calendar is known (also without a target: reports need the resolution time of P4
incidents without one), and a paused clock has no due time, even once breached — in the stored
clocks, the API and the incident page."""

from __future__ import annotations

import pytest
import time_machine

from tamdesk.sla.models import IncidentClock
from tamdesk.sla.services import NewEvent, refresh_clocks
from tests.conftest import api_as
from tests.sla.factories import HOUR, at, incident, office_calendar, policy

pytestmark = pytest.mark.django_db


@pytest.fixture
def sla(tam_client, users):
    """P1–P3 targets, none for P4; office hours Mon–Fri 09–13, 14–18 Moscow."""
    return policy(
        client=tam_client,
        calendar=office_calendar(),
        targets={"p1": (HOUR // 2, 4 * HOUR), "p3": (HOUR, 2 * HOUR)},
        by=users.administrator,
    )


def stored(record, kind: str) -> IncidentClock:
    return IncidentClock.objects.get(incident=record, kind=kind)


def test_a_clock_without_a_target_measures_its_working_time(tam_client, users, sla):
    # Monday 09:00, waiting for the client 10:00–11:00, resolved Tuesday 10:00 (Moscow).
    p4 = incident(
        tam_client,
        by=users.tam,
        priority="p4",
        events=[
            NewEvent("status_changed", at(1), "waiting_client"),
            NewEvent("status_changed", at(2), "in_progress"),
            NewEvent("resolved", at(1, days=1)),
        ],
        now=at(2, days=1),
    )

    resolution = stored(p4, "resolution")
    assert resolution.state == "no_target" and resolution.target_seconds is None
    # Mon 09–10 and 11–18 less lunch (7 h), Tue 09–10 (1 h); the hour waiting is paused.
    assert resolution.elapsed_seconds == 8 * HOUR
    assert resolution.paused_seconds == HOUR
    assert resolution.due_at is None and resolution.breached_at is None
    assert resolution.warn_at == [] and resolution.next_alert_at is None
    reaction = stored(p4, "reaction")  # answered by the resolution, paused while waiting
    assert (reaction.state, reaction.elapsed_seconds) == ("no_target", 8 * HOUR)


def test_no_policy_no_calendar_nothing_measured(tam_client, users):
    record = incident(tam_client, by=users.tam, priority="p4", now=at(3))
    assert {(c.state, c.elapsed_seconds) for c in record.clocks.all()} == {("no_target", 0)}


def test_a_paused_clock_that_breached_has_no_due_time(tam_client, users, sla):
    # P3: resolution 2 h. Running 09:00–12:00 Moscow, then waiting for the client.
    p3 = incident(
        tam_client,
        by=users.tam,
        events=[NewEvent("status_changed", at(3), "waiting_client")],
        now=at(4),
    )

    resolution = stored(p3, "resolution")
    assert resolution.state == "breached"
    assert resolution.breached_at == at(2)
    assert resolution.due_at is None
    assert resolution.elapsed_seconds == 3 * HOUR


def test_a_running_breached_clock_keeps_the_breach_as_its_due_time(tam_client, users, sla):
    p3 = incident(tam_client, by=users.tam, now=at(3))
    resolution = stored(p3, "resolution")
    assert resolution.state == "breached"
    assert resolution.due_at == resolution.breached_at == at(2)


def test_the_api_reports_the_same(tam_client, users, sla):
    p4 = incident(tam_client, by=users.tam, priority="p4", now=at(0))
    p3 = incident(
        tam_client,
        by=users.tam,
        title="Paused",
        events=[NewEvent("status_changed", at(3), "waiting_client")],
        now=at(3),
    )
    api = api_as(users.tam)

    with time_machine.travel(at(4), tick=False):
        live_p4 = api.get(f"/api/v1/incidents/{p4.pk}/").json()["clocks"]["resolution"]
        live_p3 = api.get(f"/api/v1/incidents/{p3.pk}/").json()["clocks"]["resolution"]
        refresh_clocks([p4.pk, p3.pk], now=at(4))
        listed = {
            item["id"]: item["clocks"]["resolution"]
            for item in api.get("/api/v1/incidents/").json()["results"]
        }

    assert live_p4["state"] == "no_target" and live_p4["elapsed_seconds"] == 4 * HOUR  # 09–13
    assert live_p4["remaining_seconds"] is None and live_p4["due_at"] is None
    assert listed[p4.pk]["elapsed_seconds"] == 4 * HOUR
    assert live_p3["state"] == "breached" and live_p3["due_at"] is None
    assert live_p3["breached_at"] == "2026-11-23T08:00:00Z"
    assert listed[p3.pk]["due_at"] is None


def test_the_incident_page_shows_the_elapsed_time_without_a_target(client, users, tam_client, sla):
    p4 = incident(tam_client, by=users.tam, priority="p4")
    client.force_login(users.tam)

    with time_machine.travel(at(3), tick=False):
        content = client.get(p4.get_absolute_url()).content.decode()

    card = content[content.index('data-clock="resolution"') :]
    card = card[: card.index("</section>")]
    assert "No SLA target for this priority" in card
    assert "3:00" in card  # elapsed


def test_a_paused_breached_clock_shows_no_due_time_on_the_page(client, users, tam_client, sla):
    p3 = incident(
        tam_client,
        by=users.tam,
        events=[NewEvent("status_changed", at(3), "waiting_client")],
        now=at(3),
    )
    client.force_login(users.tam)

    with time_machine.travel(at(4), tick=False):
        content = client.get(p3.get_absolute_url()).content.decode()

    card = content[content.index('data-clock="resolution"') :]
    card = card[: card.index('data-clock="', 20) if 'data-clock="' in card[20:] else None]
    assert 'data-state="breached"' in card[:200]
    due = card[card.index("Due") :]
    assert due[: due.index("</dd>")].endswith("—")
