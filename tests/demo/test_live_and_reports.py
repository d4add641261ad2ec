"""The demo's monthly client reports and its live incident source: made after the history, in
every state, once; a reset takes them away."""

from __future__ import annotations

from collections import Counter

import pytest

from tamdesk.demo import live
from tamdesk.demo.generator import build_plan
from tamdesk.demo.loader import load_demo, reset_demo
from tamdesk.sla.choices import MonthlyReportStatus
from tamdesk.sla.models import InboundDelivery, Incident, IncidentSource, MonthlyReport

pytestmark = [pytest.mark.django_db, pytest.mark.demo_live]


@pytest.fixture
def loaded():
    return load_demo(build_plan(), password="demo-password", history_incidents=60)


def test_a_draft_of_last_month_for_every_client_and_one_sent_for_the_tam(loaded):
    statuses = Counter(MonthlyReport.objects.values_list("status", flat=True))

    assert statuses[MonthlyReportStatus.SENT] == 1
    assert statuses[MonthlyReportStatus.DRAFT] >= 30
    sent = MonthlyReport.objects.get(status=MonthlyReportStatus.SENT)
    assert sent.approved_by.username == "tam"
    assert sent.recipients  # the client's decision-makers
    drafts = MonthlyReport.objects.filter(status=MonthlyReportStatus.DRAFT)
    assert drafts.values("month").distinct().count() == 1
    assert drafts.first().month > sent.month


def test_the_live_source_has_a_delivery_in_every_state(loaded):
    source = IncidentSource.objects.get(name=live.NAME)
    statuses = Counter(source.deliveries.values_list("status", flat=True))

    assert statuses == {"applied": 4, "held": 1, "rejected": 1}
    assert loaded.live == {"applied": 4, "held": 1, "rejected": 1, "duplicate": 1}
    rejected = source.deliveries.get(status="rejected")
    assert "Mainframe Ops" in rejected.reason
    assert not Incident.objects.filter(external_id=rejected.external_id).exists()
    running = Incident.objects.get(source_system="servicenow", external_id="INC9000001")
    assert running.department.code == "network"  # reassigned by its third update


def test_loading_again_makes_neither_again(loaded):
    reports, deliveries = MonthlyReport.objects.count(), InboundDelivery.objects.count()

    again = load_demo(build_plan(), password="demo-password", history_incidents=60)

    assert again.live == {}
    assert (MonthlyReport.objects.count(), InboundDelivery.objects.count()) == (
        reports,
        deliveries,
    )


def test_a_reset_takes_them_away(loaded):
    deleted = reset_demo()

    assert deleted["monthly reports"] > 0 and deleted["live incident sources"] == 1
    assert not MonthlyReport.objects.exists()
    assert not IncidentSource.objects.exists() and not InboundDelivery.objects.exists()
