"""The monthly report pages, role by role: who reads the list and a report (others: 404, or 403
without a role), who generates one, who approves and sends it — a refusal changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tamdesk.notifications.models import Notification
from tamdesk.sla import monthly
from tamdesk.sla.models import MonthlyReport
from tests.directory.factories import ContactFactory
from tests.support import ROLES, db_state

pytestmark = pytest.mark.django_db
DEC_2 = dt.datetime(2026, 12, 2, 9, tzinfo=dt.UTC)
OCTOBER = dt.date(2026, 10, 1)

READERS = {"admin", "administrator", "service_manager", "programme_lead", "tam", "architect"}
GENERATORS = {"admin", "administrator", "service_manager", "tam"}
SENDERS = {"admin", "service_manager", "tam"}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(DEC_2, tick=False):
        yield


@pytest.fixture
def report(tam_client):
    ContactFactory(client=tam_client, email="boss@acme.example", kind="decision_maker")
    return monthly.generate_report(client=tam_client, month=OCTOBER)


@pytest.mark.parametrize("role", ROLES)
def test_reading_the_list_the_report_and_its_pdf(client, users, report, role):
    client.force_login(getattr(users, role))

    listed = client.get(reverse("sla:monthly_report_list"))
    page = client.get(reverse("sla:monthly_report_detail", args=[report.pk]))

    if role == "norole":
        assert (listed.status_code, page.status_code) == (403, 403)
        return
    assert listed.context["page_obj"].paginator.count == (1 if role in READERS else 0)
    assert page.status_code == (200 if role in READERS else 404)
    if role in READERS:
        assert b"Acme Retail" in page.content
        assert b"Not investigated yet" not in page.content  # no violations in this month
        assert (b'id="monthly-approve"' in page.content) is (role in SENDERS)


def test_the_pdf_download(client, users, report):
    client.force_login(users.tam)

    response = client.get(reverse("sla:monthly_report_pdf", args=[report.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "sla-report-ACME-2026-10.pdf" in response["Content-Disposition"]


@pytest.mark.parametrize("role", ROLES)
def test_generating_now(client, users, tam_client, role):
    client.force_login(getattr(users, role))
    url = reverse("sla:monthly_report_create")

    shown = client.get(url)
    response = client.post(url, {"client": tam_client.pk, "month": "2026-10"})

    made = MonthlyReport.objects.filter(client=tam_client, month=OCTOBER).first()
    if role in GENERATORS:
        assert shown.status_code == 200
        assert response.status_code == 302
        assert response["Location"] == made.get_absolute_url()
        assert made.generated_by == getattr(users, role)
    elif role == "other_tam":  # a TAM, of other clients: Acme is not among the choices
        assert response.status_code == 200
        assert "client" in response.context["form"].errors
        assert made is None
    else:
        assert (shown.status_code, response.status_code) == (403, 403)
        assert made is None


def test_a_month_not_over_is_refused_on_the_form(client, users, tam_client):
    client.force_login(users.tam)

    response = client.post(
        reverse("sla:monthly_report_create"), {"client": tam_client.pk, "month": "2026-12"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not MonthlyReport.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_approving_and_sending(client, users, report, role, django_capture_on_commit_callbacks):
    client.force_login(getattr(users, role))
    before = db_state(MonthlyReport, Notification)

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("sla:monthly_report_approve", args=[report.pk]))

    report.refresh_from_db()
    if role in SENDERS:
        assert response.status_code == 302
        assert report.status == "sent"
        assert report.approved_by == getattr(users, role)
        assert [person["email"] for person in report.recipients] == ["boss@acme.example"]
    else:
        expected = 404 if role not in READERS and role != "norole" else 403
        assert response.status_code == expected
        assert db_state(MonthlyReport, Notification) == before


def test_a_refusal_is_a_message_and_writes_nothing(client, users, tam_client):
    report = monthly.generate_report(client=tam_client, month=OCTOBER)  # no decision-maker
    client.force_login(users.tam)
    before = db_state(MonthlyReport, Notification)

    response = client.post(reverse("sla:monthly_report_approve", args=[report.pk]), follow=True)

    assert db_state(MonthlyReport, Notification) == before
    messages = [str(m) for m in response.context["messages"]]
    assert any("no active decision-maker" in m for m in messages)


def test_sending_again_and_a_get_is_not_allowed(client, users, report):
    client.force_login(users.tam)
    approve = reverse("sla:monthly_report_approve", args=[report.pk])
    resend = reverse("sla:monthly_report_resend", args=[report.pk])

    assert client.get(approve).status_code == 405
    client.post(resend)
    report.refresh_from_db()
    assert report.send_count == 0  # a draft is not sent again
    client.post(approve)
    client.post(approve)  # twice: refused, not sent twice
    report.refresh_from_db()
    assert report.send_count == 1
    client.post(resend)
    report.refresh_from_db()
    assert report.send_count == 2


def test_the_client_page_and_the_report_page_link_the_monthly_reports(client, users, tam_client):
    client.force_login(users.tam)
    target = reverse("sla:monthly_report_list") + f"?client={tam_client.pk}"

    assert target.encode() in client.get(tam_client.get_absolute_url()).content
    assert reverse("sla:monthly_report_list").encode() in client.get(reverse("sla:report")).content


def test_the_list_filters_and_keeps_its_query_budget(
    client, users, tam_client, django_assert_max_num_queries
):
    for months_back in range(1, 6):
        month = monthly.add_months(OCTOBER, -months_back)
        monthly.generate_report(client=tam_client, month=month)
    client.force_login(users.tam)
    url = reverse("sla:monthly_report_list")

    with django_assert_max_num_queries(10):
        response = client.get(url, {"client": tam_client.pk, "status": "draft"})

    assert response.context["page_obj"].paginator.count == 5
    assert client.get(url, {"status": "sent"}).context["page_obj"].paginator.count == 0
