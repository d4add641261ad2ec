"""Reusable reads of the changes domain, and who reads which changes (``visible_to``, see
``tamdesk.core.scoping``)."""

from __future__ import annotations

from django.db import models
from django.db.models import Exists, OuterRef, Q

from tamdesk.changes.choices import (
    CLOSED_CHANGE_STATUSES,
    OPEN_TASK_STATUSES,
    ScheduleStatus,
    TaskStatus,
)
from tamdesk.core.scoping import (
    ReferenceQuerySet,
    RestrictedQuerySet,
    has_any_role,
    sees_everything,
)
from tamdesk.directory.querysets import account_team_client_ids, department_ids_of


def worked_on_by(user) -> Q:
    """Changes with a task (any status) of ``user``'s department (``department_ids_of``) or
    assigned to them, and changes they own. Such a change is read whole: every task of it."""
    from tamdesk.changes.models import DepartmentTask

    tasks = DepartmentTask.objects.filter(change=OuterRef("pk")).filter(
        Q(department__in=department_ids_of(user)) | Q(assignee=user)
    )
    return Q(Exists(tasks)) | Q(owner=user)


def clients_worked_on_by(user) -> models.QuerySet:
    """The clients ``user`` reaches through changes (``directory.querysets.add_client_reach``)."""
    from tamdesk.changes.models import ChangeRequest

    if not has_any_role(user):
        return ChangeRequest.objects.none().values("client")
    return ChangeRequest.objects.filter(worked_on_by(user)).values("client")


def visible_change_ids(user) -> models.QuerySet:
    from tamdesk.changes.models import ChangeRequest

    return ChangeRequest.objects.visible_to(user).values("pk")


class ChangeRequestQuerySet(RestrictedQuerySet):
    def open(self):
        return self.exclude(status__in=CLOSED_CHANGE_STATUSES)

    def at_risk(self):
        """Open changes whose forecast is at risk or past the committed date."""
        return self.open().filter(schedule_status__in=[ScheduleStatus.AT_RISK, ScheduleStatus.LATE])

    def visible_to(self, user):
        """Everything for administrators, service managers and the programme lead; else the
        changes of the clients on whose account team ``user`` is, and those their department
        works on or they own (``worked_on_by``)."""
        if sees_everything(user):
            return self.all()
        if not has_any_role(user):
            return self.none()
        return self.filter(Q(client__in=account_team_client_ids(user)) | worked_on_by(user))


class ChangeScopedQuerySet(RestrictedQuerySet):
    """Rows that belong to a change (its tasks, comments, activity): read with their change."""

    change_field = "change"

    def visible_to(self, user):
        if sees_everything(user):
            return self.all()
        return self.filter(**{f"{self.change_field}__in": visible_change_ids(user)})


class DepartmentTaskQuerySet(ChangeScopedQuerySet):
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


class TaskDependencyQuerySet(ChangeScopedQuerySet):
    change_field = "successor__change"

    def in_plan(self):
        """Dependencies between two tasks of the plan: a cancelled task holds nothing back."""
        return self.exclude(predecessor__status=TaskStatus.CANCELLED).exclude(
            successor__status=TaskStatus.CANCELLED
        )


class ChangeTemplateQuerySet(ReferenceQuerySet):
    """Playbooks are reference data: every role reads them."""


class CommentQuerySet(ChangeScopedQuerySet):
    pass


class ActivityEntryQuerySet(ChangeScopedQuerySet):
    pass
