"""The status update a TAM sends the client's contacts about a change: one e-mail each, written to
the outbox in the transaction that records the sending in the change's activity timeline.

Who gets what:

- **technical** contacts get the task-level timeline (``changes.status_update``): every task
  of the plan with its department, status, planned and actual start and finish, and why it is
  blocked — cancelled tasks are internal and left out (``DepartmentTask.is_in_plan``);
- **decision-makers** and **other** contacts get the summary (``changes.status_summary``): the
  status, the committed date against the forecast, the schedule in words, the share of the work
  done (by estimated hours) and what comes next. A contact of unknown role gets the summary:
  it tells what the client needs to know without the inner workings of the departments.

Both carry the sender's note. Only active contacts of the change's client with an e-mail
address receive it. Times are in the client's time zone.

Which changes: planned, in progress, on hold and done ones. A draft is refused
(``change_draft``): nothing is agreed with the client yet and its dates mean nothing; a
cancelled change is refused (``change_cancelled``): there is no progress to report, the TAM tells
the client in person. Without a contact to write to: ``no_recipients``. A refusal writes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tamdesk.changes import notifications as change_notifications
from tamdesk.changes.choices import (
    OPEN_TASK_STATUSES,
    ActivityKind,
    ChangeStatus,
    ScheduleStatus,
    TaskStatus,
)
from tamdesk.changes.exceptions import ChangeError
from tamdesk.changes.models import ActivityEntry, ChangeRequest, DepartmentTask
from tamdesk.directory.choices import ContactKind
from tamdesk.directory.models import Contact
from tamdesk.notifications.catalog import get_event_type
from tamdesk.notifications.models import Notification
from tamdesk.notifications.services import Rendered, render

#: The two messages: the task-level timeline and the summary.
TIMELINE = "timeline"
SUMMARY = "summary"
EVENT_TYPE = {
    TIMELINE: change_notifications.STATUS_UPDATE.code,
    SUMMARY: change_notifications.STATUS_SUMMARY.code,
}
#: The statuses of a change whose status may be sent to the client.
SENDABLE_STATUSES = (
    ChangeStatus.PLANNED,
    ChangeStatus.IN_PROGRESS,
    ChangeStatus.ON_HOLD,
    ChangeStatus.DONE,
)
#: How many of the coming tasks the summary names.
NEXT_TASKS = 3

SCHEDULE_WORDS = {
    ScheduleStatus.ON_TRACK: gettext_lazy("On track: forecast to finish by the committed date."),
    ScheduleStatus.AT_RISK: gettext_lazy(
        "At risk: still forecast to finish by the committed date, with less than a working day "
        "to spare."
    ),
    ScheduleStatus.LATE: gettext_lazy("Late: forecast to finish after the committed date."),
}
NO_COMMITTED_DATE = gettext_lazy("No date has been committed yet.")
FINISHED = gettext_lazy("Finished.")


@dataclass(frozen=True)
class Recipient:
    contact: Contact
    message: str  # TIMELINE or SUMMARY


@dataclass(frozen=True)
class Summary:
    """What the summary says besides the change's own fields."""

    schedule_words: str
    percent_done: int | None  # None: no estimated work
    done_hours: Decimal
    total_hours: Decimal
    next_tasks: list[DepartmentTask]


@dataclass(frozen=True)
class Preview:
    """What a sending would do now: the recipients, the messages, or why it is refused."""

    recipients: list[Recipient]
    messages: dict[str, Rendered]  # TIMELINE / SUMMARY → the text, in LANGUAGE_CODE
    refusal: ChangeError | None

    def of(self, message: str) -> list[Recipient]:
        return [r for r in self.recipients if r.message == message]

    @property
    def timeline_recipients(self) -> list[Recipient]:
        return self.of(TIMELINE)

    @property
    def summary_recipients(self) -> list[Recipient]:
        return self.of(SUMMARY)


@dataclass(frozen=True)
class StatusUpdateResult:
    change: ChangeRequest
    activity: ActivityEntry
    recipients: list[Recipient]
    notifications: list[Notification]


def message_for(contact: Contact) -> str:
    """Technical contacts get the timeline; decision-makers and the others the summary."""
    return TIMELINE if contact.kind == ContactKind.TECHNICAL else SUMMARY


def recipients_of(change: ChangeRequest) -> list[Recipient]:
    """The active contacts of the change's client with an e-mail address, the timeline's first,
    each group by name."""
    contacts = (
        Contact.objects.filter(client_id=change.client_id, is_active=True)
        .exclude(email="")
        .order_by("name", "pk")
    )
    recipients = [Recipient(contact=c, message=message_for(c)) for c in contacts]
    return sorted(recipients, key=lambda r: r.message != TIMELINE)


def check_sendable(change: ChangeRequest, recipients: list[Recipient]) -> None:
    """Raise the ``ChangeError`` that refuses sending a status update of ``change`` now."""
    if change.status == ChangeStatus.DRAFT:
        raise ChangeError(
            _("The change is a draft: plan it before you send the client its status."),
            field="status",
            code="change_draft",
        )
    if change.status not in SENDABLE_STATUSES:
        raise ChangeError(
            _("The change is cancelled: there is no status to send."),
            field="status",
            code="change_cancelled",
        )
    if not recipients:
        raise ChangeError(
            _("No active contact of %(client)s has an e-mail address: there is nobody to send to.")
            % {"client": change.client.name},
            field="contacts",
            code="no_recipients",
        )


def summarise(change: ChangeRequest, tasks: list[DepartmentTask]) -> Summary:
    """The summary's figures: the schedule in words, the work done by estimated hours (done
    tasks in full, tasks in progress up to what remains of them; cancelled ones do not count),
    and the next open tasks by planned start, those in progress first."""
    if change.status == ChangeStatus.DONE:
        words = FINISHED
    elif change.committed_on is None:
        words = NO_COMMITTED_DATE
    else:
        words = SCHEDULE_WORDS[ScheduleStatus(change.schedule_status)]
    total = done = Decimal("0")
    for task in tasks:
        if task.status == TaskStatus.CANCELLED:
            continue
        total += task.estimate_hours
        if task.status == TaskStatus.DONE:
            done += task.estimate_hours
        elif task.status == TaskStatus.IN_PROGRESS and task.remaining_hours is not None:
            done += max(task.estimate_hours - task.remaining_hours, Decimal("0"))
    percent = None
    if total > 0:
        percent = int((done * 100 / total).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    coming = sorted(
        (t for t in tasks if t.status in OPEN_TASK_STATUSES),
        key=lambda t: (
            t.status != TaskStatus.IN_PROGRESS,
            t.planned_start_at or far,
            t.position,
            t.pk,
        ),
    )
    return Summary(
        schedule_words=words,
        percent_done=percent,
        done_hours=done,
        total_hours=total,
        next_tasks=coming[:NEXT_TASKS],
    )


#: The language of the messages to the client's contacts (contacts have no language of their own).
MESSAGE_LANGUAGE = settings.LANGUAGE_CODE


def message_context(change: ChangeRequest, *, note: str, by, now: dt.datetime) -> dict:
    """The context of both messages' templates: the tasks of the plan (not the cancelled ones)."""
    tasks = list(
        DepartmentTask.objects.filter(change=change)
        .in_plan()
        .select_related("department")
        .order_by("position", "pk")
    )
    return {
        "change": change,
        "client": change.client,
        "time_zone": change.client.time_zone,
        "tasks": tasks,
        "summary": summarise(change, tasks),
        "note": note.strip(),
        "sender_name": by.get_full_name() or by.get_username(),
        "sender_email": by.email,
        "as_of": now,
    }


def render_messages(context: dict) -> dict[str, Rendered]:
    """Both messages as the contacts receive them (in ``MESSAGE_LANGUAGE``)."""
    return {
        message: render(get_event_type(code), context, MESSAGE_LANGUAGE, context["time_zone"])
        for message, code in EVENT_TYPE.items()
    }


def preview(
    change: ChangeRequest, *, by, note: str = "", now: dt.datetime | None = None
) -> Preview:
    """What :func:`send_status_update` would send now, without writing anything."""
    now = now or timezone.now()
    recipients = recipients_of(change)
    try:
        check_sendable(change, recipients)
    except ChangeError as error:
        refusal = error
    else:
        refusal = None
    context = message_context(change, note=note, by=by, now=now)
    return Preview(recipients=recipients, messages=render_messages(context), refusal=refusal)


def _recipients_line(recipients: list[Recipient]) -> str:
    """The activity entry's ``to_value``, in the instance's language (it is stored)."""
    timeline = sum(1 for r in recipients if r.message == TIMELINE)
    with translation.override(settings.LANGUAGE_CODE):
        return ngettext(
            "%(count)d contact (%(timeline)d timeline, %(summary)d summary)",
            "%(count)d contacts (%(timeline)d timeline, %(summary)d summary)",
            len(recipients),
        ) % {
            "count": len(recipients),
            "timeline": timeline,
            "summary": len(recipients) - timeline,
        }


@transaction.atomic
def send_status_update(
    change: ChangeRequest, *, by, note: str = "", now: dt.datetime | None = None
) -> StatusUpdateResult:
    """Send the client's contacts the status of ``change``: the timeline to the technical ones,
    the summary to the others, each with ``note``; record it in the activity timeline (``reason``
    = the note). Every call is a new sending, delivered again (the event key holds the activity
    entry). Refused — nothing written — for a draft (``change_draft``), a cancelled change
    (``change_cancelled``) and when no active contact has an e-mail (``no_recipients``). The
    caller checks that ``by`` may edit the change."""
    now = now or timezone.now()
    change = (
        ChangeRequest.objects.select_for_update(of=("self",))
        .select_related("client", "owner")
        .get(pk=change.pk)
    )
    recipients = recipients_of(change)
    check_sendable(change, recipients)
    note = note.strip()
    entry = ActivityEntry.objects.create(
        change=change,
        kind=ActivityKind.STATUS_UPDATE_SENT,
        at=now,
        by=by,
        to_value=ActivityEntry.clip(_recipients_line(recipients)),
        reason=note,
    )
    context = message_context(change, note=note, by=by, now=now)
    written: list[Notification] = []
    for message, code in EVENT_TYPE.items():
        contacts = [r.contact for r in recipients if r.message == message]
        if not contacts:
            continue
        written += change_notifications.status_update_sent(
            change, event_type=code, contacts=contacts, context=context, occasion=entry.pk,
            now=now,
        )  # fmt: skip
    return StatusUpdateResult(
        change=change, activity=entry, recipients=recipients, notifications=written
    )
