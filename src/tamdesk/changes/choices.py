from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class ChangeType(models.TextChoices):
    STANDARD = "standard", _("Standard")
    NORMAL = "normal", _("Normal")
    EMERGENCY = "emergency", _("Emergency")


class ChangePriority(models.TextChoices):
    P1 = "p1", _("P1 — critical")
    P2 = "p2", _("P2 — high")
    P3 = "p3", _("P3 — medium")
    P4 = "p4", _("P4 — low")


class ChangeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    ON_HOLD = "on_hold", _("On hold")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


#: The statuses a change may move to from each status (``transition_change``).
CHANGE_TRANSITIONS: dict[str, frozenset[str]] = {
    ChangeStatus.DRAFT: frozenset({ChangeStatus.PLANNED, ChangeStatus.CANCELLED}),
    ChangeStatus.PLANNED: frozenset(
        {
            ChangeStatus.DRAFT,
            ChangeStatus.IN_PROGRESS,
            ChangeStatus.ON_HOLD,
            ChangeStatus.CANCELLED,
        }
    ),
    ChangeStatus.IN_PROGRESS: frozenset(
        {ChangeStatus.DONE, ChangeStatus.ON_HOLD, ChangeStatus.CANCELLED}
    ),
    ChangeStatus.ON_HOLD: frozenset(
        {ChangeStatus.PLANNED, ChangeStatus.IN_PROGRESS, ChangeStatus.CANCELLED}
    ),
    ChangeStatus.DONE: frozenset(),
    ChangeStatus.CANCELLED: frozenset(),
}
#: The statuses a change moves to only with a reason (``transition_change``; the page asks for it).
CHANGE_STATUSES_NEEDING_REASON = frozenset({ChangeStatus.ON_HOLD})
#: Statuses in which the change's tasks are worked (become ready, start, finish).
ACTIVE_CHANGE_STATUSES = (ChangeStatus.PLANNED, ChangeStatus.IN_PROGRESS)
CLOSED_CHANGE_STATUSES = (ChangeStatus.DONE, ChangeStatus.CANCELLED)


class ScheduleStatus(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    LATE = "late", _("Late")


class TaskStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    READY = "ready", _("Ready")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_TASK_STATUSES = (TaskStatus.PENDING, TaskStatus.READY, TaskStatus.IN_PROGRESS)
CLOSED_TASK_STATUSES = (TaskStatus.DONE, TaskStatus.CANCELLED)


@dataclass(frozen=True)
class TaskTransition:
    """An action people take on a task: the statuses it is allowed from, the status it leaves
    the task in (``None``: the status stays — blocking and unblocking set a flag), the verb of
    the permission it needs (``changes.<verb>_departmenttask``) and its other conditions."""

    sources: frozenset[str]
    target: str | None
    verb: str
    needs_active_change: bool = False  # only in a planned or running change
    refused_when_blocked: bool = False  # a blocked task must be unblocked first
    only_when_blocked: bool = False


#: The actions on a task (``start_task``, ``complete_task``, ``block_task``, ``unblock_task``,
#: ``cancel_task``), the one home of what is allowed when: the services refuse what it does not
#: allow, the task table and the API offer what it allows (``task_actions_allowed``). Becoming
#: ready, or pending again, is no action: the services move tasks so as their dependencies say.
TASK_TRANSITIONS: dict[str, TaskTransition] = {
    "start": TaskTransition(
        sources=frozenset({TaskStatus.PENDING, TaskStatus.READY}),
        target=TaskStatus.IN_PROGRESS,
        verb="work",
        needs_active_change=True,
        refused_when_blocked=True,
    ),
    "complete": TaskTransition(
        sources=frozenset({TaskStatus.IN_PROGRESS}),
        target=TaskStatus.DONE,
        verb="work",
        refused_when_blocked=True,
    ),
    "block": TaskTransition(
        sources=frozenset(OPEN_TASK_STATUSES),
        target=None,
        verb="work",
        refused_when_blocked=True,
    ),
    # A task of a cancelled change may keep its flag: it can still be cleared.
    "unblock": TaskTransition(
        sources=frozenset(TaskStatus.values), target=None, verb="work", only_when_blocked=True
    ),
    "cancel": TaskTransition(
        sources=frozenset(OPEN_TASK_STATUSES), target=TaskStatus.CANCELLED, verb="change"
    ),
}
#: The statuses a task moves to from each status by an action (derived from the table).
TASK_STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    status: frozenset(
        t.target for t in TASK_TRANSITIONS.values() if t.target and status in t.sources
    )
    for status in TaskStatus.values
}


def task_actions_allowed(status: str, *, is_blocked: bool, change_status: str) -> list[str]:
    """The actions ``TASK_TRANSITIONS`` allows on a task in ``status`` (blocked or not) of a
    change in ``change_status``, in the table's order — before permissions."""
    active = change_status in ACTIVE_CHANGE_STATUSES
    return [
        action
        for action, t in TASK_TRANSITIONS.items()
        if status in t.sources
        and (active or not t.needs_active_change)
        and not (is_blocked and t.refused_when_blocked)
        and (is_blocked or not t.only_when_blocked)
    ]


class DependencyKind(models.TextChoices):
    FINISH_TO_START = "fs", _("Finish to start")
    START_TO_START = "ss", _("Start to start")


class ActivityKind(models.TextChoices):
    CREATED = "created", _("Created")
    STATUS_CHANGED = "status_changed", _("Status changed")
    BLOCKED = "blocked", _("Blocked")
    UNBLOCKED = "unblocked", _("Unblocked")
    START_OVERRIDE = "start_override", _("Started before its predecessors")
    COMMITTED = "committed", _("Committed date set")
    TEMPLATE_APPLIED = "template_applied", _("Playbook applied")
    STATUS_UPDATE_SENT = "status_update_sent", _("Status update sent")
