"""Background entry points of the SLA domain."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tamdesk.core.jobs import crontab, job, periodic_job, run_recorded
from tamdesk.sla import services


@periodic_job(
    "sla.alerts",
    crontab(minute="*"),
    _("Re-measure the incidents whose clocks cross a warning threshold or breach now, and notify"),
    text="every minute",
)
def sla_alerts() -> str:
    return f"{services.alert_due()} alerts"


@periodic_job(
    "sla.inbound_release",
    crontab(minute="*"),
    _("Apply the live incident updates held too long for a missing predecessor"),
    text="every minute",
)
def inbound_release() -> str:
    from tamdesk.sla.imports import inbound

    return f"{inbound.release_due()} held updates applied"


@job(name="sla.import_incidents", retries=2, retry_delay=60)
def import_incidents(import_id: int) -> None:
    """Run a stored incident import (``sla.imports.runs.run_import``); safe to run again: a
    failed or killed import resumes, a done one is left alone."""
    from tamdesk.sla.imports import runs

    def run() -> str:
        row = runs.run_import(import_id)
        return f"import {row.pk}: {row.incidents_done} incidents"

    run_recorded("sla.import_incidents", run)


@periodic_job(
    "sla.monthly_reports",
    crontab(minute="30"),
    _(
        "On the first working day of the month, make the draft of the previous month's report "
        "of every client with an SLA policy and send it to the client's TAM"
    ),
    text="every hour; acts on the first working day of the month",
)
def sla_monthly_reports() -> str:
    from tamdesk.sla import monthly

    return f"{monthly.monthly_reports_due()} monthly reports drafted"
