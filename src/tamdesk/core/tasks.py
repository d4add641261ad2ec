"""Periodic housekeeping of the core app."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tamdesk.core import events
from tamdesk.core.jobs import crontab, periodic_job, prune_job_runs


@periodic_job(
    "core.prune_job_runs",
    crontab(minute="17", hour="3"),
    _("Forget job runs older than 30 days"),
    text="03:17 UTC daily",
)
def prune_old_job_runs() -> str:
    return f"{prune_job_runs()} runs removed"


@periodic_job(
    "core.sweep_events",
    crontab(minute="*/5"),
    _("Deliver the domain events still owed to a subscriber"),
    text="every 5 minutes",
)
def sweep_events() -> str:
    return f"{events.sweep()} deliveries enqueued"
