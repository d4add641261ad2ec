"""The monthly client report (``sla.monthly``): its figures agree with the compliance report of
the same month, it is frozen when generated, the monthly job acts on the first working day only
and once, and approving sends the PDF to the decision-makers only — or refuses, writing nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import pytest
import time_machine
from pypdf import PdfReader

from tamdesk.calendars.models import CalendarException
from tamdesk.directory.choices import ContactKind
from tamdesk.notifications.models import Notification, NotificationProfile
from tamdesk.sla import monthly, reports
from tamdesk.sla.choices import MonthlyReportStatus
from tamdesk.sla.models import Incident, MonthlyReport
from tamdesk.sla.monthly import MonthlyReportError
from tests.directory.factories import ClientFactory, ContactFactory
from tests.sla.factories import office_calendar
from tests.sla.reporting import build
from tests.support import db_state, violates

pytestmark = pytest.mark.django_db
UTC = dt.UTC
OCTOBER = dt.date(2026, 10, 1)
NOVEMBER = dt.date(2026, 11, 1)
#: Tuesday 1 December 2026, 10:00 in Moscow: the first working day of December.
DEC_1 = dt.datetime(2026, 12, 1, 7, tzinfo=UTC)


@pytest.fixture
def made(tam_client, users):
    return build(tam_client, users)


@pytest.fixture
def boss(tam_client):
    return ContactFactory(
        client=tam_client, name="Irina Boss", email="boss@acme.example", kind="decision_maker"
    )


def generate(client, month=OCTOBER, **kwargs):
    return monthly.generate_report(client=client, month=month, now=DEC_1, **kwargs)


def test_the_figures_are_the_compliance_reports_of_the_month(made, tam_client, users):
    report = generate(tam_client, by=users.tam)

    incidents = Incident.objects.filter(client=tam_client)
    period = {"start": OCTOBER, "end": dt.date(2026, 10, 31), "time_zone": "Europe/Moscow"}
    expected = reports.report(incidents, group_by=["priority"], **period)
    assert report.content["priorities"] == [dataclasses.asdict(r) for r in expected.rows]
    assert report.content["totals"] == dataclasses.asdict(expected.totals)
    assert report.content["totals"]["incidents"] == 2
    assert report.content["totals"]["reaction"]["breached"] == 1
    violations = reports.violations(incidents, **period)
    assert [(v["incident_id"], v["kind"]) for v in report.content["violations"]] == [
        (v.incident_id, v.kind) for v in violations
    ]
    assert {v["cause"] for v in report.content["violations"]} == {None}
    assert [member["role"] for member in report.content["account_team"]] == ["architect", "tam"]
    assert report.status == MonthlyReportStatus.DRAFT
    assert report.generated_by == users.tam


def test_the_trend_covers_twelve_months_ending_with_the_reports(made, tam_client):
    report = generate(tam_client, month=NOVEMBER)

    trend = report.content["trend"]
    assert trend[0]["month"] == "2025-12"
    assert [row["month"] for row in trend][-2:] == ["2026-10", "2026-11"]
    assert len(trend) == 12
    assert [row["incidents"] for row in trend][-2:] == [2, 3]
    assert sum(row["incidents"] for row in trend[:-2]) == 0


def test_a_cause_source_explains_a_violation(made, tam_client):
    def source(pairs):
        return {pairs[0]: "Disk full on the database host"}

    monthly.add_cause_source(source)
    try:
        report = generate(tam_client)
    finally:
        monthly.CAUSE_SOURCES.remove(source)

    causes = [v["cause"] for v in report.content["violations"]]
    assert causes == ["Disk full on the database host", None]


def test_a_draft_is_generated_again_and_a_sent_one_is_not(made, tam_client, boss, users):
    first = generate(tam_client)
    again = generate(tam_client, by=users.tam)
    assert again.pk == first.pk
    assert MonthlyReport.objects.count() == 1
    monthly.approve_and_send(again, by=users.tam, now=DEC_1)
    before = db_state(MonthlyReport)

    with pytest.raises(MonthlyReportError) as refused:
        generate(tam_client)

    assert refused.value.code == "monthly_report_already_sent"
    assert db_state(MonthlyReport) == before


@pytest.mark.parametrize(
    ("month", "code"),
    [
        (dt.date(2026, 12, 1), "month_not_over"),
        (dt.date(2026, 10, 2), "invalid_month"),
        (dt.date(1900, 1, 1), "out_of_supported_range"),
    ],
)
def test_a_month_that_is_not_over_or_not_a_month_is_refused(tam_client, month, code):
    with pytest.raises(MonthlyReportError) as refused:
        generate(tam_client, month=month)

    assert refused.value.code == code
    assert not MonthlyReport.objects.exists()


def test_the_frozen_figures_do_not_follow_later_changes(made, tam_client):
    report = generate(tam_client)
    Incident.objects.filter(pk=made.a1.pk).update(opened_at=dt.datetime(2026, 9, 1, tzinfo=UTC))

    report.refresh_from_db()
    assert report.content["totals"]["incidents"] == 2
    assert monthly.shown(report)["totals"].incidents == 2


# --- approve and send ----------------------------------------------------------------------


def test_approve_and_send_mails_the_pdf_to_the_decision_makers_only(
    made, tam_client, boss, users, mailoutbox, django_capture_on_commit_callbacks
):
    ContactFactory(client=tam_client, email="tech@acme.example", kind=ContactKind.TECHNICAL)
    ContactFactory(client=tam_client, email="", kind=ContactKind.DECISION_MAKER)
    gone = ContactFactory(client=tam_client, email="old@acme.example", kind="decision_maker")
    gone.is_active = False
    gone.save()
    report = generate(tam_client)

    with django_capture_on_commit_callbacks(execute=True):
        sent = monthly.approve_and_send(report, by=users.tam, now=DEC_1)

    sent.refresh_from_db()
    assert sent.status == MonthlyReportStatus.SENT
    assert (sent.approved_by, sent.approved_at, sent.sent_at) == (users.tam, DEC_1, DEC_1)
    assert sent.send_count == 1
    assert sent.recipients == [{"contact": boss.pk, "name": "Irina Boss", "email": boss.email}]
    (message,) = mailoutbox
    assert message.to == ["boss@acme.example"]
    ((name, body, mimetype),) = message.attachments
    assert (name, mimetype) == ("sla-report-ACME-2026-10.pdf", "application/pdf")
    assert body.startswith(b"%PDF")
    assert "Acme Retail" in message.subject


def test_sending_a_sent_report_again_is_explicit(
    made, tam_client, boss, users, mailoutbox, django_capture_on_commit_callbacks
):
    report = generate(tam_client)
    with django_capture_on_commit_callbacks(execute=True):
        monthly.approve_and_send(report, by=users.tam, now=DEC_1)
    before = db_state(MonthlyReport, Notification)

    with pytest.raises(MonthlyReportError) as refused:
        monthly.approve_and_send(report, by=users.tam, now=DEC_1)
    assert refused.value.code == "monthly_report_already_sent"
    assert db_state(MonthlyReport, Notification) == before

    later = DEC_1 + dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        monthly.send_again(report, by=users.tam, now=later)
    report.refresh_from_db()
    assert (report.send_count, report.sent_at, report.approved_at) == (2, later, DEC_1)
    assert [m.to for m in mailoutbox] == [["boss@acme.example"], ["boss@acme.example"]]


def test_a_draft_is_not_sent_again(made, tam_client, boss, users):
    report = generate(tam_client)

    with pytest.raises(MonthlyReportError) as refused:
        monthly.send_again(report, by=users.tam, now=DEC_1)

    assert refused.value.code == "monthly_report_not_approved"


def test_a_client_without_decision_makers_is_refused_and_nothing_is_written(
    made, tam_client, users
):
    ContactFactory(client=tam_client, email="tech@acme.example", kind=ContactKind.TECHNICAL)
    report = generate(tam_client)
    before = db_state(MonthlyReport, Notification)

    with pytest.raises(MonthlyReportError) as refused:
        monthly.approve_and_send(report, by=users.tam, now=DEC_1)

    assert refused.value.code == "no_decision_makers"
    assert db_state(MonthlyReport, Notification) == before


# --- the monthly job -----------------------------------------------------------------------


def test_the_job_drafts_last_month_on_the_first_working_day_once(
    made, tam_client, users, mailoutbox, django_capture_on_commit_callbacks
):
    no_policy = ClientFactory(name="No Policy", code="NOPOL")
    with django_capture_on_commit_callbacks(execute=True):
        assert monthly.monthly_reports_due(now=DEC_1 - dt.timedelta(days=1)) == 0
        assert monthly.monthly_reports_due(now=DEC_1) == 2
        assert monthly.monthly_reports_due(now=DEC_1 + dt.timedelta(hours=1)) == 0

    drafts = MonthlyReport.objects.order_by("client__name")
    assert [(r.client, r.month, r.status) for r in drafts] == [
        (tam_client, NOVEMBER, "draft"),
        (made.beta, NOVEMBER, "draft"),
    ]
    assert not MonthlyReport.objects.filter(client=no_policy).exists()
    # The TAM of Acme is told, with the PDF; Beta has no TAM.
    (mail,) = mailoutbox
    assert mail.to == [users.tam.email]
    assert mail.attachments[0][0] == "sla-report-ACME-2026-11.pdf"
    assert Notification.objects.filter(
        event_type="sla.monthly_report_ready", recipient_user=users.tam, channel="in_app"
    ).exists()

    MonthlyReport.objects.all().delete()
    Notification.objects.all().delete()
    # The next day is not the first working day: nothing is made again.
    assert monthly.monthly_reports_due(now=DEC_1 + dt.timedelta(days=1)) == 0
    assert not MonthlyReport.objects.exists()


def test_the_first_working_day_follows_the_tams_calendar(made, tam_client):
    # 1 May 2027 is a Saturday: the first working day is Monday 3 May.
    saturday = dt.datetime(2027, 5, 1, 7, tzinfo=UTC)
    monday = dt.datetime(2027, 5, 3, 7, tzinfo=UTC)

    assert monthly.monthly_reports_due(now=saturday) == 0
    assert monthly.monthly_reports_due(now=monday) == 2
    assert set(MonthlyReport.objects.values_list("month", flat=True)) == {dt.date(2027, 4, 1)}


def test_generate_drafts_skips_the_clients_that_have_one(made, tam_client):
    with time_machine.travel(DEC_1, tick=False):
        first = monthly.generate_drafts(OCTOBER)
        second = monthly.generate_drafts(OCTOBER)

    assert sorted(r.client.code for r in first) == ["ACME", "BETA"]
    assert second == []


def test_the_tams_holidays_move_the_first_working_day(made, tam_client, users, department):
    # The TAM's department works by the office calendar, closed 1–8 January 2027: the first
    # working day is Monday 11 January.
    calendar = office_calendar()
    for day in range(1, 9):
        CalendarException.objects.create(
            calendar=calendar, date=dt.date(2027, 1, day), kind="closed"
        )
    department.calendar = calendar
    department.save(update_fields=["calendar"])
    acme = [tam_client]

    for day in (1, 4, 8):
        at = dt.datetime(2027, 1, day, 7, tzinfo=UTC)
        assert not MonthlyReport.objects.filter(client__in=acme).exists()
        monthly.monthly_reports_due(now=at)
    assert not MonthlyReport.objects.filter(client__in=acme).exists()
    monthly.monthly_reports_due(now=dt.datetime(2027, 1, 11, 7, tzinfo=UTC))
    assert MonthlyReport.objects.get(client=tam_client).month == dt.date(2026, 12, 1)


def test_the_tam_gets_the_pdf_in_their_language(
    made, tam_client, users, mailoutbox, django_capture_on_commit_callbacks
):
    NotificationProfile.objects.create(user=users.tam, language="ru")

    with django_capture_on_commit_callbacks(execute=True):
        monthly.generate_drafts(NOVEMBER, clients=[tam_client], now=DEC_1)

    (mail,) = mailoutbox
    _name, body, _mimetype = mail.attachments[0]
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    assert "Нарушения SLA" in " ".join(text.split())


def test_the_database_refuses_what_the_service_would(tam_client):
    now = DEC_1

    def make(**fields):
        values = {"client": tam_client, "month": OCTOBER, "generated_at": now, **fields}
        return lambda: MonthlyReport.objects.create(**values)

    make()()
    violates(MonthlyReport, "monthly_report_one_per_month", make())
    violates(MonthlyReport, "monthly_report_first_day", make(month=dt.date(2026, 9, 2)))
    lost = make(month=NOVEMBER, status="lost", approved_at=now, sent_at=now)
    violates(MonthlyReport, "monthly_report_status_valid", lost)
    violates(MonthlyReport, "monthly_report_sent_is_approved", make(month=NOVEMBER, status="sent"))
