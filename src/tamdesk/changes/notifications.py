"""What the changes domain tells people: a task became ready (its department's queue address
and lead, and its assignee), a change's forecast slipped past the committed date (its TAM), the
status update the TAM sends the client's contacts (the timeline or the summary)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tamdesk.notifications.catalog import EventType, register_event_type
from tamdesk.notifications.choices import Channel
from tamdesk.notifications.services import notify

TASK_READY = register_event_type(
    EventType(
        code="changes.task_ready",
        label=_("A change task is ready to start"),
        template="changes/email/task_ready",
    )
)
FORECAST_SLIPPED = register_event_type(
    EventType(
        code="changes.forecast_slipped",
        label=_("A change's forecast slipped past its committed date"),
        template="changes/email/forecast_slipped",
    )
)


def task_ready_recipients(task) -> list:
    """The department (its queue address), the department lead and the assignee."""
    people = {}
    lead = task.department.lead
    if lead is not None:
        people[lead.user_id] = lead.user
    if task.assignee_id:
        people[task.assignee_id] = task.assignee
    return [task.department, *people.values()]


def task_ready(task, *, occasion: int, now: dt.datetime) -> None:
    """Notify that ``task`` became ready; ``occasion`` (the activity entry recording it) tells
    one readiness from a later one after the task went back to pending."""
    change = task.change
    notify(
        event_type=TASK_READY.code,
        event_key=f"change-task:{task.pk}:ready:{occasion}",
        recipients=task_ready_recipients(task),
        context={"task": task, "change": change},
        related=task,
        payload={
            "change": change.pk,
            "task": task.pk,
            "client": change.client_id,
            "department": task.department.code,
            "planned_finish_at": task.planned_finish_at.isoformat()
            if task.planned_finish_at
            else None,
        },
        urgent=change.priority == "p1" or change.type == "emergency",
        now=now,
    )


def forecast_slipped(change, *, committed_deadline: dt.datetime, now: dt.datetime) -> None:
    """Notify the change's owner that its forecast now finishes after the committed date —
    once per slip: the event key holds the forecast's date."""
    forecast_day = timezone.localtime(change.forecast_finish_at).date().isoformat()
    notify(
        event_type=FORECAST_SLIPPED.code,
        event_key=f"change:{change.pk}:slipped:{forecast_day}",
        recipients=[change.owner],
        context={"change": change, "committed_deadline": committed_deadline},
        related=change,
        payload={
            "change": change.pk,
            "client": change.client_id,
            "committed_on": change.committed_on.isoformat() if change.committed_on else None,
            "forecast_finish_at": change.forecast_finish_at.isoformat(),
        },
        now=now,
    )


# --- the status update a TAM sends the client's contacts (``changes.status_updates``) -------

STATUS_UPDATE = register_event_type(
    EventType(
        code="changes.status_update",
        label=_("Status update of a change to the client's technical contacts"),
        template="changes/email/status_update",
        default_channels=frozenset({Channel.EMAIL}),
        configurable=False,  # sent to client contacts, who have no preferences
    )
)
STATUS_SUMMARY = register_event_type(
    EventType(
        code="changes.status_summary",
        label=_("Status summary of a change to the client's decision-makers"),
        template="changes/email/status_summary",
        default_channels=frozenset({Channel.EMAIL}),
        configurable=False,
    )
)


def status_update_sent(
    change, *, event_type: str, contacts: list, context: dict, occasion: int, now: dt.datetime
) -> list:
    """E-mail one of the two messages of a status update (``STATUS_UPDATE``, the task-level
    timeline, or ``STATUS_SUMMARY``) to ``contacts``. ``occasion`` (the activity entry recording
    the sending) makes every sending a new event, delivered again."""
    message = "timeline" if event_type == STATUS_UPDATE.code else "summary"
    return notify(
        event_type=event_type,
        event_key=f"change:{change.pk}:status-update:{occasion}:{message}",
        recipients=contacts,
        context=context,
        url=reverse("changes:change_detail", args=[change.pk]),
        related=change,
        payload={
            "change": change.pk,
            "client": change.client_id,
            "activity": occasion,
            "message": message,
            "contacts": [contact.pk for contact in contacts],
            "status": change.status,
            "schedule_status": change.schedule_status,
            "committed_on": change.committed_on.isoformat() if change.committed_on else None,
            "forecast_finish_at": change.forecast_finish_at.isoformat()
            if change.forecast_finish_at
            else None,
        },
        now=now,
    )
