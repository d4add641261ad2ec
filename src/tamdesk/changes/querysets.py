"""Reusable reads of the changes domain."""

from __future__ import annotations

from django.db import models

from tamdesk.changes.choices import (
    CLOSED_CHANGE_STATUSES,
    OPEN_TASK_STATUSES,
    ScheduleStatus,
    TaskStatus,
)


class ChangeRequestQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status__in=CLOSED_CHANGE_STATUSES)

    def at_risk(self):
        """Open changes whose forecast is at risk or past the committed date."""
        return self.open().filter(schedule_status__in=[ScheduleStatus.AT_RISK, ScheduleStatus.LATE])

    def visible_to(self, user):
        """Every change for people with a role (departments see the work coming to them)."""
        return self


class DepartmentTaskQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_TASK_STATUSES)

    def of_department(self, department):
        return self.filter(department=department)

    def in_plan(self):
        """The tasks the plan is made of: all but the cancelled ones
        (``DepartmentTask.is_in_plan``). The Gantt chart, the dependency graph, the department
        queues and the client's status update show these; the change page lists the cancelled
        ones apart."""
        return self.exclude(status=TaskStatus.CANCELLED)


class TaskDependencyQuerySet(models.QuerySet):
    def in_plan(self):
        """Dependencies between two tasks of the plan: a cancelled task holds nothing back."""
        return self.exclude(predecessor__status=TaskStatus.CANCELLED).exclude(
            successor__status=TaskStatus.CANCELLED
        )
