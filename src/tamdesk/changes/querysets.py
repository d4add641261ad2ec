"""Reusable reads of the changes domain."""

from __future__ import annotations

from django.db import models

from tamdesk.changes.choices import (
    CLOSED_CHANGE_STATUSES,
    OPEN_TASK_STATUSES,
    ScheduleStatus,
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
