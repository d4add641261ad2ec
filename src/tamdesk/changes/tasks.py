"""Background entry points of the changes domain: re-scheduling open changes as time passes and
after a department's working time changed (``tamdesk.changes.signals`` enqueues the latter)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tamdesk.changes import rescheduling
from tamdesk.changes.models import ChangeRequest
from tamdesk.core.jobs import crontab, job, periodic_job


@periodic_job(
    "changes.reschedule",
    crontab(minute="*/15"),
    _("Re-schedule open changes, so forecasts and late changes follow the clock"),
    text="every 15 minutes",
)
def reschedule_open_changes() -> str:
    return f"{rescheduling.reschedule(ChangeRequest.objects.all())} changes"


@job(name="changes.reschedule_working_time")
def reschedule_after_working_time_change(
    calendar_ids: list[int], department_ids: list[int], changed_at: str
) -> int:
    """Re-schedule the open changes the working-time change touches. Several such jobs of one
    edit (each interval and exception saved sends one) do the work once: a change scheduled
    after ``changed_at`` already knows."""
    return rescheduling.reschedule(
        rescheduling.affected_by(calendar_ids=calendar_ids, department_ids=department_ids),
        stale_before=dt.datetime.fromisoformat(changed_at),
        now=timezone.now(),
    )
