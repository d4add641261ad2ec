"""Change history of the changes domain, recorded by auditlog: the words and dates of changes
and tasks, dependencies and playbooks (status changes have their own activity timeline)."""

from auditlog.registry import auditlog

from tamdesk.changes.models import (
    ChangeRequest,
    ChangeTemplate,
    DepartmentTask,
    TaskDependency,
    TemplateDependency,
    TemplateTask,
)

# The scheduler's output changes on every recompute; it is not history.
SCHEDULER_FIELDS = [
    "forecast_finish_at",
    "schedule_status",
    "scheduled_at",
    "planned_start_at",
    "planned_finish_at",
    "late_start_at",
    "late_finish_at",
    "slack_seconds",
    "is_critical",
]

auditlog.register(
    ChangeRequest,
    exclude_fields=["forecast_finish_at", "schedule_status", "scheduled_at"],
    m2m_fields={"affected_components"},
)
auditlog.register(DepartmentTask, exclude_fields=SCHEDULER_FIELDS)
auditlog.register(TaskDependency)
auditlog.register(ChangeTemplate)
auditlog.register(TemplateTask)
auditlog.register(TemplateDependency)
