"""The demo's monthly client reports (``sla.monthly``), made after the incident history is in:
last month's draft for every client with an SLA policy — the report a TAM reviews, approves
and sends — and, for the demo TAM's first client, the month before last already approved and
sent to the client's decision-makers (the e-mail with the PDF lands in the outbox). Loading
again adds nothing: a month that has a report keeps it."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from tamdesk.directory.choices import AccountRole
from tamdesk.directory.models import Client
from tamdesk.sla import monthly
from tamdesk.sla.models import MonthlyReport

DEMO_TAM = "tam"


def load_monthly_reports(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Make the demo's monthly reports; returns how many drafts and sent reports were made."""
    now = now or timezone.now()
    last = monthly.add_months(now.date().replace(day=1), -1)
    before = monthly.add_months(last, -1)
    made = {"monthly report drafts": 0, "monthly reports sent": 0}
    tam = get_user_model().objects.filter(username=DEMO_TAM).first()
    first = (
        Client.objects.filter(
            account_assignments__user=tam,
            account_assignments__role=AccountRole.TAM,
            account_assignments__end_on__isnull=True,
        )
        .order_by("name")
        .first()
        if tam is not None
        else None
    )
    if (
        first is not None
        and not MonthlyReport.objects.filter(client=first, month=before).exists()
        and monthly.decision_makers(first)
    ):
        sent = monthly.generate_report(client=first, month=before, by=tam, now=now)
        monthly.approve_and_send(sent, by=tam, now=now)
        made["monthly reports sent"] += 1
    for client in monthly.clients_with_policy():
        if MonthlyReport.objects.filter(client=client, month=last).exists():
            continue
        try:
            monthly.generate_report(client=client, month=last, now=now)
        except monthly.MonthlyReportError as refused:  # its month ends later in its zone
            if refused.code != "month_not_over":
                raise
            continue
        made["monthly report drafts"] += 1
    return made
