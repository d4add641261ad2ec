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
