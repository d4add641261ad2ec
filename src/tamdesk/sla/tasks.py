"""Background entry points of the SLA domain."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tamdesk.core.jobs import crontab, periodic_job
from tamdesk.sla import services


@periodic_job(
    "sla.alerts",
    crontab(minute="*"),
    _("Re-measure the incidents whose clocks cross a warning threshold or breach now, and notify"),
    text="every minute",
)
def sla_alerts() -> str:
    return f"{services.alert_due()} alerts"
