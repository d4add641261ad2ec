"""Re-schedule changes when working time changes: a calendar (its time zone or always-open
flag), its weekly hours or exceptions, or a department (its calendar). The calendars and the
directory know nothing of changes; this domain listens to their models' saves and deletes and
enqueues ``tasks.reschedule_after_working_time_change`` once the transaction commits."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from tamdesk.calendars.models import Calendar, CalendarException, WorkingInterval
from tamdesk.core.jobs import enqueue_on_commit
from tamdesk.directory.models import Department


def _enqueue(*, calendar_ids=(), department_ids=()) -> None:
    from tamdesk.changes.tasks import reschedule_after_working_time_change

    changed_at = timezone.now().isoformat()
    enqueue_on_commit(
        lambda: reschedule_after_working_time_change(
            list(calendar_ids), list(department_ids), changed_at
        ),
        what="re-scheduling after a working-time change",
    )


def calendar_saved(sender, instance: Calendar, created: bool = False, raw=False, **kwargs):
    if not created and not raw:
        _enqueue(calendar_ids=[instance.pk])


def calendar_part_changed(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        _enqueue(calendar_ids=[instance.calendar_id])


def department_saved(sender, instance: Department, created: bool = False, raw=False, **kwargs):
    if not created and not raw:
        _enqueue(department_ids=[instance.pk])


def connect() -> None:
    post_save.connect(calendar_saved, sender=Calendar, dispatch_uid="changes.calendar_saved")
    for model in (WorkingInterval, CalendarException):
        for signal, verb in ((post_save, "saved"), (post_delete, "deleted")):
            signal.connect(
                calendar_part_changed,
                sender=model,
                dispatch_uid=f"changes.{model._meta.model_name}_{verb}",
            )
    post_save.connect(department_saved, sender=Department, dispatch_uid="changes.department_saved")
