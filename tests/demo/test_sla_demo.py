"""The demo's SLA: policies, and incidents in every state dated from the load, whose first
clocks warn and breach minutes after it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tamdesk.demo.incidents import SCENARIOS
from tamdesk.demo.loader import load_demo, reset_demo
from tamdesk.notifications.models import Notification
from tamdesk.sla import services
from tamdesk.sla.models import Incident, IncidentClock, SLAPolicy
from tests.directory.factories import ClientFactory

pytestmark = pytest.mark.django_db
LOADED = dt.datetime(2026, 11, 25, 10, tzinfo=dt.UTC)


@pytest.fixture
def loaded(plan):
    with time_machine.travel(LOADED, tick=False):
        load_demo(plan, password="demo-password-42")


def test_the_demo_has_incidents_in_every_clock_state_and_every_status(loaded):
    assert Incident.objects.filter(source_system="demo").count() == len(SCENARIOS)
    states = set(IncidentClock.objects.values_list("state", flat=True))
    assert {"running", "paused", "met", "breached"} <= states
    statuses = set(Incident.objects.values_list("status", flat=True))
    assert {"new", "in_progress", "waiting_client", "resolved", "closed"} <= statuses
    assert SLAPolicy.objects.filter(tier="").count() == 1  # the demo TAM's strict client
    assert SLAPolicy.objects.exclude(tier="").count() == 4


def test_a_tam_watches_the_first_incident_warn_and_breach_minutes_after_the_load(loaded):
    first = Incident.objects.get(external_id="DEMO-001")
    tam = first.client.account_assignments.get(role="tam").user
    assert tam.username == "tam"
    reaction = first.clocks.get(kind="reaction")
    assert reaction.state == "running" and reaction.due_at == LOADED + dt.timedelta(minutes=10)
    with time_machine.travel(LOADED + dt.timedelta(minutes=11), tick=False):
        services.alert_due()
    reaction.refresh_from_db()
    assert reaction.state == "breached"
    inbox = Notification.objects.filter(recipient_user=tam, channel="in_app")
    assert inbox.filter(event_key=f"incident:{first.pk}:reaction:100").exists()


def test_loading_again_adds_no_incident(loaded, plan):
    with time_machine.travel(LOADED + dt.timedelta(hours=1), tick=False):
        report = load_demo(plan, password="demo-password-42")
    assert report.created["incidents"] == 0
    assert Incident.objects.count() == len(SCENARIOS)


def test_reset_deletes_the_demo_incidents_and_policies_only(loaded):
    other = ClientFactory(name="Not a demo client", code="NOTDEMO")
    deleted = reset_demo()
    assert deleted["incidents"] == len(SCENARIOS)
    assert deleted["sla policies"] == 5
    assert not Incident.objects.exists() and not SLAPolicy.objects.exists()
    assert other.pk


def test_reset_deletes_changes_made_for_demo_clients(loaded):
    from tamdesk.changes import services as change_services
    from tamdesk.changes.models import ChangeRequest
    from tamdesk.directory.models import Client

    first = Incident.objects.get(external_id="DEMO-001")
    tam = first.client.account_assignments.get(role="tam").user
    change_services.create_change(client=first.client, title="Add a VLAN", owner=tam, by=tam)
    deleted = reset_demo()
    assert deleted["changes"] == 1
    assert not ChangeRequest.objects.exists() and not Client.objects.exists()
