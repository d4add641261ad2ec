"""The monthly client report: one client's SLA month, frozen as a draft, approved by the TAM and
sent to the client's decision-makers as a PDF (docs/domains/sla.md, "The monthly client report").

The figures come from ``sla.reports`` (the same functions as the compliance report), over every
incident of the client, in the client's time zone: a month is the client's local month. They are
frozen in ``MonthlyReport.content`` when the draft is generated — what the TAM approved is what
the client receives, also when it is sent again. A draft may be generated again (its figures
refreshed) until it is sent; a sent report is never rewritten.

Rendering (the page, the PDF, the e-mails) reads the frozen content and shows it in the reader's
language with times in the reader's zone (``render_pdf``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tamdesk.calendars.engine import CalendarSpec
from tamdesk.core import ranges
from tamdesk.core.exceptions import DomainError
from tamdesk.directory.choices import AccountRole, ContactKind
from tamdesk.directory.models import AccountTeamAssignment, Client, Contact
from tamdesk.directory.time_zones import contact_time_zone, department_time_zone, user_time_zone
from tamdesk.notifications.catalog import EventType, register_event_type
from tamdesk.notifications.choices import Channel
from tamdesk.notifications.services import notify
from tamdesk.notifications.timing import default_spec, working_calendar_of_user
from tamdesk.sla import reports
from tamdesk.sla.charts import compliance_chart
from tamdesk.sla.choices import MonthlyReportStatus
from tamdesk.sla.models import Incident, MonthlyReport, SLAPolicy

#: The months the trend chart shows, the report's month the last.
TREND_MONTHS = 12
#: The version of the frozen content's shape (``build_content``).
CONTENT_VERSION = 1


class MonthlyReportError(DomainError):
    code = "monthly_report_error"


# --- the causes of the violations: an extension point -------------------------------------

#: Where the cause of a violation comes from: functions ``(pairs) -> {(incident id, clock kind):
#: cause text}`` for the ``(incident id, clock kind)`` pairs of a report's violations. The SLA
#: domain has no investigations; the domain that brings them (a later issue) hands its function
#: over from its ``AppConfig.ready()`` with ``add_cause_source``. A violation no source explains
#: is shown as "not investigated yet" — never a made-up cause.
CauseSource = Callable[[list[tuple[int, str]]], dict[tuple[int, str], str]]
CAUSE_SOURCES: list[CauseSource] = []


def add_cause_source(source: CauseSource) -> None:
    if source not in CAUSE_SOURCES:
        CAUSE_SOURCES.append(source)


def causes_of(pairs: list[tuple[int, str]]) -> dict[tuple[int, str], str]:
    found: dict[tuple[int, str], str] = {}
    for source in CAUSE_SOURCES:
        for key, cause in source(pairs).items():
            found.setdefault(key, cause)
    return found


# --- months --------------------------------------------------------------------------------


def add_months(month: dt.date, count: int) -> dt.date:
    """The first day of the month ``count`` months after (before, if negative) ``month``."""
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def last_day(month: dt.date) -> dt.date:
    return add_months(month, 1) - dt.timedelta(days=1)


def client_today(client: Client, now: dt.datetime) -> dt.date:
    return timezone.localtime(now, reports.zone(client.time_zone)).date()


def check_month(client: Client, month: dt.date, now: dt.datetime) -> None:
    """A report covers a month that is over in the client's time zone, in the supported range."""
    if month.day != 1:
        raise MonthlyReportError(
            _("A monthly report starts on the first day of a month."),
            field="month",
            code="invalid_month",
        )
    if not ranges.is_supported_date(month):
        raise MonthlyReportError(
            str(ranges.DATE_MESSAGE), field="month", code="out_of_supported_range"
        )
    if month > add_months(client_today(client, now).replace(day=1), -1):
        raise MonthlyReportError(
            _("The month is not over yet for this client."), field="month", code="month_not_over"
        )


# --- the content ---------------------------------------------------------------------------


def build_content(client: Client, month: dt.date) -> dict:
    """The client's month as JSON: the figures per priority and their totals
    (``reports.report``), the trend of the last ``TREND_MONTHS`` months, every violation with
    its cause (if a source knows it), and the account team."""
    incidents = Incident.objects.filter(client=client)
    time_zone = client.time_zone
    end = last_day(month)
    result = reports.report(
        incidents, group_by=["priority"], start=month, end=end, time_zone=time_zone
    )
    first = add_months(month, 1 - TREND_MONTHS)
    trend_rows = {
        row.month: row
        for row in reports.report(
            incidents, group_by=["month"], start=first, end=end, time_zone=time_zone
        ).rows
    }
    trend = []
    for i in range(TREND_MONTHS):
        key = add_months(first, i).strftime("%Y-%m")
        trend.append(asdict(trend_rows.get(key) or reports.Row(month=key)))
    violations = reports.violations(incidents, start=month, end=end, time_zone=time_zone)
    causes = causes_of([(v.incident_id, v.kind) for v in violations])
    team = (
        AccountTeamAssignment.objects.current()
        .filter(client=client)
        .select_related("user")
        .order_by("role", "pk")
    )
    return {
        "version": CONTENT_VERSION,
        "time_zone": time_zone,
        "from": month.isoformat(),
        "to": end.isoformat(),
        "totals": asdict(result.totals),
        "priorities": [asdict(row) for row in result.rows],
        "trend": trend,
        "violations": [
            {
                "incident_id": v.incident_id,
                "title": v.title,
                "priority": v.priority,
                "kind": v.kind,
                "target_seconds": v.target_seconds,
                "due_at": v.due_at.isoformat() if v.due_at else None,
                "breached_by_seconds": v.breached_by_seconds,
                "url": v.url,
                "cause": causes.get((v.incident_id, v.kind)),
            }
            for v in violations
        ],
        "account_team": [
            {
                "role": a.role,
                "name": a.user.get_full_name() or a.user.get_username(),
                "email": a.user.email,
            }
            for a in team
        ],
    }


def _row(data: dict) -> reports.Row:
    data = dict(data)
    return reports.Row(
        **{k: v for k, v in data.items() if k not in reports.KINDS},
        **{kind: reports.ClockFigures(**data[kind]) for kind in reports.KINDS},
    )


@dataclass(frozen=True)
class ShownViolation:
    incident_id: int
    title: str
    priority: str
    kind: str
    target_seconds: int
    due_at: dt.datetime | None
    breached_by_seconds: int
    url: str
    cause: str | None


def shown(report: MonthlyReport) -> dict:
    """The frozen content as the templates read it: rows with their figures, the trend chart,
    the violations with aware times, the account team with its roles' labels (in the language
    active when the template renders)."""
    content = report.content
    trend = [_row(row) for row in content["trend"]]
    return {
        "period_from": dt.date.fromisoformat(content["from"]),
        "period_to": dt.date.fromisoformat(content["to"]),
        "client_time_zone": content["time_zone"],
        "totals": _row(content["totals"]),
        "priorities": [_row(row) for row in content["priorities"]],
        "trend": trend,
        "chart": compliance_chart(trend),
        "violations": [
            ShownViolation(**{**v, "due_at": parse_datetime(v["due_at"]) if v["due_at"] else None})
            for v in content["violations"]
        ],
        "account_team": [
            {**member, "role_label": AccountRole(member["role"]).label}
            for member in content["account_team"]
        ],
    }


# --- rendering -----------------------------------------------------------------------------


def render_html(report: MonthlyReport, *, language: str, time_zone: str) -> str:
    """The standalone printable document (the PDF's source) in ``language``, times in
    ``time_zone``."""
    with translation.override(language), timezone.override(time_zone):
        return render_to_string(
            "sla/monthly_report_pdf.html",
            {
                "report": report,
                "client": report.client,
                "LANGUAGE_CODE": language,
                "TIME_ZONE": time_zone,
                "base_url": settings.BASE_URL,
                "for_pdf": True,
                **shown(report),
            },
        )


#: The PDF's stylesheet (kept out of the template: no template holds inline style).
PDF_STYLE = Path(__file__).parent / "static" / "sla" / "monthly-report-pdf.css"


def _no_fetching(url: str, *args, **kwargs):
    """The PDF is made from the document alone: no stylesheet, image or font is fetched."""
    raise ValueError(f"the monthly report fetches nothing ({url})")


def render_pdf(report: MonthlyReport, *, language: str, time_zone: str) -> bytes:
    """The report as a PDF (WeasyPrint; fonts from the system, DejaVu Sans for Cyrillic)."""
    from weasyprint import CSS, HTML

    html = render_html(report, language=language, time_zone=time_zone)
    style = CSS(string=PDF_STYLE.read_text(encoding="utf-8"), url_fetcher=_no_fetching)
    return HTML(string=html, url_fetcher=_no_fetching).write_pdf(stylesheets=[style])


def pdf_name(report: MonthlyReport) -> str:
    return f"sla-report-{report.client.code}-{report.month:%Y-%m}.pdf"


def pdf_attachment(notification) -> list[tuple[str, bytes, str]]:
    """The report's PDF for an e-mail of the outbox, in the recipient's language and zone."""
    report = MonthlyReport.objects.select_related("client").get(pk=notification.related_id)
    if notification.recipient_contact_id:
        time_zone = contact_time_zone(notification.recipient_contact)
    elif notification.recipient_user_id:
        time_zone = user_time_zone(notification.recipient_user)
    elif notification.recipient_department_id:
        time_zone = department_time_zone(notification.recipient_department)
    else:
        time_zone = settings.TIME_ZONE
    body = render_pdf(report, language=notification.language, time_zone=time_zone)
    return [(pdf_name(report), body, "application/pdf")]


MONTHLY_REPORT_READY = register_event_type(
    EventType(
        code="sla.monthly_report_ready",
        label=gettext_lazy("A monthly client report is ready for approval"),
        template="sla/email/monthly_report_ready",
        webhooks=False,  # the client's figures go to the account team only
        attachments=pdf_attachment,
    )
)
MONTHLY_REPORT = register_event_type(
    EventType(
        code="sla.monthly_report",
        label=gettext_lazy("The monthly SLA report sent to a client"),
        template="sla/email/monthly_report",
        default_channels=frozenset({Channel.EMAIL}),
        urgent=True,  # sent when the TAM approves it
        configurable=False,
        webhooks=False,
        attachments=pdf_attachment,
    )
)


# --- services ------------------------------------------------------------------------------


def generate_report(
    *, client: Client, month: dt.date, by=None, now: dt.datetime | None = None
) -> MonthlyReport:
    """The draft of ``client``'s ``month``, made or made again with the figures as they are
    now. A sent report is never rewritten (``monthly_report_already_sent``)."""
    now = now or timezone.now()
    check_month(client, month, now)
    with transaction.atomic():
        report = (
            MonthlyReport.objects.select_for_update().filter(client=client, month=month).first()
        )
        if report is not None and not report.is_draft:
            raise MonthlyReportError(
                _("The report of this month was sent already; it is not generated again."),
                code="monthly_report_already_sent",
            )
        content = build_content(client, month)
        if report is None:
            return MonthlyReport.objects.create(
                client=client, month=month, generated_at=now, generated_by=by, content=content
            )
        report.content, report.generated_at, report.generated_by = content, now, by
        report.save(update_fields=["content", "generated_at", "generated_by", "updated_at"])
        return report


def decision_makers(client: Client) -> list[Contact]:
    """The client's active decision-makers with an e-mail address: who receives the report."""
    return list(
        Contact.objects.filter(
            client=client, kind=ContactKind.DECISION_MAKER, is_active=True
        ).exclude(email="")
    )


def _send(report: MonthlyReport, *, now: dt.datetime) -> MonthlyReport:
    contacts = decision_makers(report.client)
    if not contacts:
        raise MonthlyReportError(
            _(
                "The client has no active decision-maker with an e-mail address: add one to "
                "its contacts, then send the report."
            ),
            code="no_decision_makers",
        )
    report.send_count += 1
    report.sent_at = now
    report.recipients = [{"contact": c.pk, "name": c.name, "email": c.email} for c in contacts]
    notify(
        event_type=MONTHLY_REPORT.code,
        event_key=f"monthly_report:{report.pk}:sent:{report.send_count}",
        recipients=contacts,
        context={"report": report, "client": report.client},
        related=report,
        payload={"client": report.client_id, "month": report.month.strftime("%Y-%m")},
        now=now,
    )
    return report


def _locked(report: MonthlyReport) -> MonthlyReport:
    return MonthlyReport.objects.select_for_update().select_related("client").get(pk=report.pk)


def approve_and_send(report: MonthlyReport, *, by, now: dt.datetime | None = None) -> MonthlyReport:
    """Approve the draft as it is and send it (the PDF attached, through the outbox, once the
    transaction commits) to the client's decision-makers; records who approved it, when, and
    to whom it went. Refused for a report sent already (``monthly_report_already_sent``: send
    it again explicitly) and for a client without a decision-maker to send to
    (``no_decision_makers``); a refusal writes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        report = _locked(report)
        if not report.is_draft:
            raise MonthlyReportError(
                _("The report was sent already; to send it once more, send it again."),
                code="monthly_report_already_sent",
            )
        _send(report, now=now)
        report.status = MonthlyReportStatus.SENT
        report.approved_at, report.approved_by = now, by
        report.save(
            update_fields=[
                "status",
                "approved_at",
                "approved_by",
                "sent_at",
                "send_count",
                "recipients",
                "updated_at",
            ]
        )
        return report


def send_again(report: MonthlyReport, *, by, now: dt.datetime | None = None) -> MonthlyReport:
    """Send a sent report once more, as approved, to the client's current decision-makers."""
    now = now or timezone.now()
    with transaction.atomic():
        report = _locked(report)
        if report.is_draft:
            raise MonthlyReportError(
                _("A draft is approved before it is sent."), code="monthly_report_not_approved"
            )
        _send(report, now=now)
        report.save(update_fields=["sent_at", "send_count", "recipients", "updated_at"])
        return report


# --- the monthly job -----------------------------------------------------------------------


def clients_with_policy() -> Iterable[Client]:
    """The clients an SLA policy measures: their own, or their tier's."""
    tiers = SLAPolicy.objects.filter(client__isnull=True).values("tier")
    return Client.objects.filter(Q(sla_policy__isnull=False) | Q(tier__in=tiers)).order_by("pk")


def tams_of(client: Client) -> list:
    """The client's current TAM and backup TAM (active accounts), the TAM first."""
    assignments = (
        AccountTeamAssignment.objects.current()
        .filter(client=client, role__in=[AccountRole.TAM, AccountRole.BACKUP_TAM])
        .select_related("user__engineer__department__calendar")
        .order_by("role")  # "backup_tam" < "tam": reversed below
    )
    return [a.user for a in reversed(list(assignments)) if a.user.is_active]


def first_working_day(spec: CalendarSpec, month: dt.date) -> dt.date | None:
    day = month
    while day.month == month.month:
        if spec.intervals_on(day):
            return day
        day += dt.timedelta(days=1)
    return None


def report_day_spec(tams: list) -> CalendarSpec:
    """The calendar whose first working day of the month brings the report: the TAM's working
    calendar (their department's; ``notifications.timing``), else weekdays in
    ``TAMDESK_TIME_ZONE``."""
    return working_calendar_of_user(tams[0]) if tams else default_spec(settings.TIME_ZONE)


def generate_drafts(
    month: dt.date, *, clients: Iterable[Client] | None = None, now: dt.datetime | None = None
) -> list[MonthlyReport]:
    """The drafts of ``month`` for ``clients`` (every client with an SLA policy) that have no
    report of that month yet, each TAM told (an e-mail with the PDF, and in the app). Safe to
    call twice. Returns the drafts made."""
    now = now or timezone.now()
    made = []
    for client in clients_with_policy() if clients is None else clients:
        if MonthlyReport.objects.filter(client=client, month=month).exists():
            continue
        try:
            with transaction.atomic():
                report = generate_report(client=client, month=month, now=now)
                tell_tams(report, tams_of(client), now=now)
        except MonthlyReportError as refused:
            if refused.code != "month_not_over":
                raise
            continue  # the client's month ends later than the TAM's: the next run makes it
        made.append(report)
    return made


def tell_tams(report: MonthlyReport, tams: list, *, now: dt.datetime) -> None:
    notify(
        event_type=MONTHLY_REPORT_READY.code,
        event_key=f"monthly_report:{report.pk}:ready",
        recipients=tams,
        context={"report": report, "client": report.client},
        url=report.get_absolute_url(),
        related=report,
        payload={"client": report.client_id, "month": report.month.strftime("%Y-%m")},
        now=now,
    )


def monthly_reports_due(*, now: dt.datetime | None = None) -> int:
    """The monthly job: for every client with an SLA policy whose TAM's calendar has its first
    working day of the month today, the draft of the previous month (once). Returns the drafts
    made."""
    now = now or timezone.now()
    made = 0
    for client in clients_with_policy():
        spec = report_day_spec(tams_of(client))
        today = timezone.localtime(now, reports.zone(spec.time_zone)).date()
        if today != first_working_day(spec, today.replace(day=1)):
            continue
        made += len(
            generate_drafts(add_months(today.replace(day=1), -1), clients=[client], now=now)
        )
    return made
