"""Change requests split into department tasks with dependencies, the playbooks they are made
from, and their comments and activity timeline."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tamdesk.changes.choices import (
    CLOSED_CHANGE_STATUSES,
    CLOSED_TASK_STATUSES,
    OPEN_TASK_STATUSES,
    ActivityKind,
    ChangePriority,
    ChangeStatus,
    ChangeType,
    DependencyKind,
    ScheduleStatus,
    TaskStatus,
)
from tamdesk.changes.querysets import (
    ActivityEntryQuerySet,
    ChangeRequestQuerySet,
    ChangeTemplateQuerySet,
    CommentQuerySet,
    DepartmentTaskQuerySet,
    TaskDependencyQuerySet,
)
from tamdesk.core.models import TimelineEntry, TimeStampedModel
from tamdesk.directory.models import assignee_refusal, code_validator

#: Working hours: up to 99,999.99 h, two decimals.
HOURS = {"max_digits": 7, "decimal_places": 2}
ZERO = Decimal("0")


class ChangeRequest(TimeStampedModel):
    """A client's change: what, why, how to do it and undo it, and when — requested by the
    client, committed by the TAM, forecast by the scheduler."""

    client = models.ForeignKey(
        "directory.Client",
        verbose_name=_("client"),
        on_delete=models.PROTECT,
        related_name="change_requests",
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    requesting_contact = models.ForeignKey(
        "directory.Contact",
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="change_requests",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner (TAM)"),
        on_delete=models.PROTECT,
        related_name="owned_changes",
    )
    type = models.CharField(
        _("type"), max_length=16, choices=ChangeType.choices, default=ChangeType.NORMAL
    )
    priority = models.CharField(
        _("priority"), max_length=4, choices=ChangePriority.choices, default=ChangePriority.P3
    )
    affected_components = models.ManyToManyField(
        "directory.Component",
        verbose_name=_("affected components"),
        blank=True,
        related_name="change_requests",
    )
    implementation_plan = models.TextField(_("implementation plan"), blank=True)
    rollback_plan = models.TextField(_("rollback plan"), blank=True)
    test_plan = models.TextField(_("test plan"), blank=True)
    risk_notes = models.TextField(_("risk notes"), blank=True)
    requested_on = models.DateField(_("requested date"), null=True, blank=True)
    committed_on = models.DateField(
        _("committed date"),
        null=True,
        blank=True,
        help_text=_("The date the TAM promised the client; the work must finish by its end."),
    )
    committed_at = models.DateTimeField(_("committed at"), null=True, blank=True)
    planned_start_at = models.DateTimeField(_("planned start"), null=True, blank=True)
    forecast_finish_at = models.DateTimeField(_("forecast finish"), null=True, blank=True)
    schedule_status = models.CharField(
        _("schedule"),
        max_length=16,
        choices=ScheduleStatus.choices,
        default=ScheduleStatus.ON_TRACK,
    )
    scheduled_at = models.DateTimeField(_("scheduled at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ChangeStatus.choices, default=ChangeStatus.DRAFT
    )
    hold_reason = models.TextField(_("hold reason"), blank=True)

    objects = ChangeRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="change_status_valid", condition=Q(status__in=ChangeStatus.values)
            ),
            models.CheckConstraint(
                name="change_type_valid", condition=Q(type__in=ChangeType.values)
            ),
            models.CheckConstraint(
                name="change_schedule_status_valid",
                condition=Q(schedule_status__in=ScheduleStatus.values),
            ),
            models.CheckConstraint(
                name="change_on_hold_has_reason",
                condition=~Q(status=ChangeStatus.ON_HOLD) | ~Q(hold_reason=""),
            ),
        ]
        indexes = [models.Index(fields=["client", "status"], name="change_client_status")]

    def __str__(self) -> str:
        return f"CR-{self.pk} {self.title}"

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_CHANGE_STATUSES


class DepartmentTask(TimeStampedModel):
    """The piece of a change one department does. ``is_blocked`` is a flag beside the status
    (a blocked task keeps its place in the flow and resumes where it was); the ``planned_*``,
    ``late_*``, ``slack_seconds`` and ``is_critical`` fields are the scheduler's output."""

    change = models.ForeignKey(
        ChangeRequest, verbose_name=_("change"), on_delete=models.PROTECT, related_name="tasks"
    )
    department = models.ForeignKey(
        "directory.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="change_tasks",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="change_tasks",
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    estimate_hours = models.DecimalField(_("estimate, working hours"), **HOURS)
    remaining_hours = models.DecimalField(
        _("remaining, working hours"),
        null=True,
        blank=True,
        help_text=_("What is left of a task in progress; empty means the estimate."),
        **HOURS,
    )
    status = models.CharField(
        _("status"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.PENDING
    )
    is_blocked = models.BooleanField(_("blocked"), default=False)
    blocked_reason = models.TextField(_("blocked because"), blank=True)
    planned_start_at = models.DateTimeField(_("planned start"), null=True, blank=True)
    planned_finish_at = models.DateTimeField(_("planned finish"), null=True, blank=True)
    late_start_at = models.DateTimeField(_("latest start"), null=True, blank=True)
    late_finish_at = models.DateTimeField(_("latest finish"), null=True, blank=True)
    slack_seconds = models.BigIntegerField(_("slack, working seconds"), null=True, blank=True)
    is_critical = models.BooleanField(_("on the critical path"), default=False)
    actual_start_at = models.DateTimeField(_("started at"), null=True, blank=True)
    actual_finish_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    started_override_reason = models.TextField(
        _("started before its predecessors because"), blank=True
    )
    position = models.PositiveIntegerField(pgettext_lazy("order in a list", "position"), default=0)

    objects = DepartmentTaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("department task")
        verbose_name_plural = _("department tasks")
        ordering = ["change", "position", "id"]
        constraints = [
            models.CheckConstraint(
                name="task_status_valid", condition=Q(status__in=TaskStatus.values)
            ),
            models.CheckConstraint(
                name="task_estimate_not_negative", condition=Q(estimate_hours__gte=0)
            ),
            models.CheckConstraint(
                name="task_remaining_not_negative",
                condition=Q(remaining_hours__isnull=True) | Q(remaining_hours__gte=0),
            ),
            models.CheckConstraint(
                name="task_finish_after_start",
                condition=Q(actual_finish_at__isnull=True)
                | Q(actual_start_at__isnull=True)
                | Q(actual_finish_at__gte=F("actual_start_at")),
            ),
            models.CheckConstraint(
                name="task_blocked_has_reason",
                condition=Q(is_blocked=False) | ~Q(blocked_reason=""),
            ),
        ]
        indexes = [
            models.Index(fields=["department", "status"], name="task_department_status"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TASK_STATUSES

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_TASK_STATUSES

    @property
    def is_in_plan(self) -> bool:
        """Part of the plan: not cancelled (the queryset's ``in_plan()``)."""
        return self.status != TaskStatus.CANCELLED

    def clean(self) -> None:
        super().clean()
        if self.assignee_id and self.department_id:
            refusal = assignee_refusal(self.assignee, self.department)
            if refusal:
                raise ValidationError({"assignee": refusal})


class TaskDependency(TimeStampedModel):
    """``successor`` waits for ``predecessor``: for its finish (FS) or its start (SS), plus
    ``lag_hours`` of working time (negative: a lead)."""

    predecessor = models.ForeignKey(
        DepartmentTask,
        verbose_name=_("predecessor"),
        on_delete=models.CASCADE,
        related_name="successor_links",
    )
    successor = models.ForeignKey(
        DepartmentTask,
        verbose_name=_("successor"),
        on_delete=models.CASCADE,
        related_name="predecessor_links",
    )
    kind = models.CharField(
        _("kind"),
        max_length=2,
        choices=DependencyKind.choices,
        default=DependencyKind.FINISH_TO_START,
    )
    lag_hours = models.DecimalField(_("lag, working hours"), default=ZERO, **HOURS)

    objects = TaskDependencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("dependency")
        verbose_name_plural = _("dependencies")
        ordering = ["predecessor", "successor"]
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="dependency_unique_pair"
            ),
            models.CheckConstraint(
                name="dependency_not_self", condition=~Q(predecessor=F("successor"))
            ),
            models.CheckConstraint(
                name="dependency_kind_valid", condition=Q(kind__in=DependencyKind.values)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.kind})"

    def clean(self) -> None:
        super().clean()
        if (
            self.predecessor_id
            and self.successor_id
            and self.predecessor.change_id != self.successor.change_id
        ):
            raise ValidationError(_("Both tasks of a dependency must belong to the same change."))


class ChangeTemplate(TimeStampedModel):
    """A playbook: a reusable decomposition of a change into department tasks."""

    code = models.CharField(_("code"), max_length=64, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    change_type = models.CharField(
        _("change type"), max_length=16, choices=ChangeType.choices, default=ChangeType.NORMAL
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = ChangeTemplateQuerySet.as_manager()

    class Meta:
        verbose_name = _("playbook")
        verbose_name_plural = _("playbooks")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TemplateTask(models.Model):
    template = models.ForeignKey(
        ChangeTemplate, verbose_name=_("playbook"), on_delete=models.CASCADE, related_name="tasks"
    )
    key = models.CharField(_("key"), max_length=64, validators=[code_validator])
    department_code = models.CharField(_("department code"), max_length=32)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    estimate_hours = models.DecimalField(_("estimate, working hours"), **HOURS)
    position = models.PositiveIntegerField(pgettext_lazy("order in a list", "position"), default=0)

    class Meta:
        verbose_name = _("playbook task")
        verbose_name_plural = _("playbook tasks")
        ordering = ["template", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["template", "key"], name="template_task_key_unique"),
            models.CheckConstraint(
                name="template_task_estimate_not_negative", condition=Q(estimate_hours__gte=0)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template}: {self.title}"


class TemplateDependency(models.Model):
    template = models.ForeignKey(
        ChangeTemplate,
        verbose_name=_("playbook"),
        on_delete=models.CASCADE,
        related_name="dependencies",
    )
    predecessor = models.ForeignKey(
        TemplateTask, verbose_name=_("predecessor"), on_delete=models.CASCADE, related_name="+"
    )
    successor = models.ForeignKey(
        TemplateTask, verbose_name=_("successor"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(
        _("kind"),
        max_length=2,
        choices=DependencyKind.choices,
        default=DependencyKind.FINISH_TO_START,
    )
    lag_hours = models.DecimalField(_("lag, working hours"), default=ZERO, **HOURS)

    class Meta:
        verbose_name = _("playbook dependency")
        verbose_name_plural = _("playbook dependencies")
        ordering = ["template", "predecessor", "successor"]
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="template_dependency_unique_pair"
            ),
            models.CheckConstraint(
                name="template_dependency_not_self", condition=~Q(predecessor=F("successor"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor_id} → {self.successor_id} ({self.kind})"


class Comment(TimeStampedModel):
    """A comment on a change, or on one of its tasks (``task`` set)."""

    change = models.ForeignKey(
        ChangeRequest, verbose_name=_("change"), on_delete=models.PROTECT, related_name="comments"
    )
    task = models.ForeignKey(
        DepartmentTask,
        verbose_name=_("task"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="comments",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="change_comments",
    )
    body = models.TextField(_("comment"))

    objects = CommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.author} on CR-{self.change_id}"


class ActivityEntry(TimelineEntry):
    """One entry of a change's timeline (``task`` set for a task's): every status change with
    who, when, from, to and why. Appended, never edited."""

    change = models.ForeignKey(
        ChangeRequest, verbose_name=_("change"), on_delete=models.PROTECT, related_name="activity"
    )
    task = models.ForeignKey(
        DepartmentTask,
        verbose_name=_("task"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activity",
    )
    kind = models.CharField(_("what"), max_length=32, choices=ActivityKind.choices)
    reason = models.TextField(_("reason"), blank=True)

    objects = ActivityEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity entry")
        verbose_name_plural = _("activity entries")
        ordering = ["change", "at", "id"]
        indexes = [models.Index(fields=["change", "at"], name="change_activity_at")]

    def __str__(self) -> str:
        return f"CR-{self.change_id} {self.kind} {self.from_value}→{self.to_value}"

    def value_label(self, value: str) -> str:
        """A status as its label (the task's statuses for a task's entry); anything else as
        stored."""
        if value and self.kind in (ActivityKind.CREATED, ActivityKind.STATUS_CHANGED):
            statuses = TaskStatus if self.task_id else ChangeStatus
            if value in statuses.values:
                return str(statuses(value).label)
        return value
