"""Background entry points of the changes domain: re-scheduling open changes as time passes and
after a department's working time changed (a subscriber of ``working_time_changed``, subscribed
in ``ChangesConfig.ready``)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tamdesk.changes import rescheduling
from tamdesk.changes.models import ChangeRequest
from tamdesk.core.events import WorkingTimeChanged
from tamdesk.core.jobs import crontab, periodic_job


@periodic_job(
    "changes.reschedule",
    crontab(minute="*/15"),
    _("Re-schedule open changes, so forecasts and late changes follow the clock"),
    text="every 15 minutes",
)
def reschedule_open_changes() -> str:
    return f"{rescheduling.reschedule(ChangeRequest.objects.all())} changes"


def reschedule_after_working_time_change(event: WorkingTimeChanged) -> str:
    """Re-schedule the open changes the working-time change touches. Several events of one
    edit do the work once: a change scheduled after ``event.changed_at`` already knows."""
    count = rescheduling.reschedule(
        rescheduling.affected_by(
            calendar_ids=event.calendar_ids, department_ids=event.department_ids
        ),
        stale_before=event.changed_at,
        now=timezone.now(),
    )
    return f"{count} changes"
