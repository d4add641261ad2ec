"""Department queues: the tasks of a department in progress, ready and upcoming across every
change and client, least slack first, and the load of its engineers over the next four weeks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy

from tamdesk.calendars.engine import working_seconds_between
from tamdesk.changes import scheduling
from tamdesk.changes.choices import CLOSED_CHANGE_STATUSES, OPEN_TASK_STATUSES, TaskStatus
from tamdesk.changes.models import DepartmentTask
from tamdesk.core import ui
from tamdesk.directory.models import Department

WEEKS = 4
#: The open tasks: in progress, ready and pending (blocked ones included — blocking is a flag).
QUEUE_STATUSES = OPEN_TASK_STATUSES
#: The most working hours one engineer is counted for in a week: the full-time week (Labour
#: Code of the Russian Federation, art. 91). A round-the-clock (24×7) department works in
#: shifts; its calendar's 168 hours are the department's, not one person's.
ENGINEER_WEEK_HOURS = Decimal("40")


@dataclass(frozen=True)
class Week:
    start_at: dt.datetime
    end_at: dt.datetime
    working_hours: Decimal  # of the department's calendar

    @property
    def capacity_hours(self) -> Decimal:
        """One engineer's working hours this week: the calendar's, at most a full-time week."""
        return min(self.working_hours, ENGINEER_WEEK_HOURS)


@dataclass(frozen=True)
class Load:
    hours: Decimal
    capacity_hours: Decimal

    @property
    def is_over(self) -> bool:
        return self.hours > self.capacity_hours

    @property
    def percent(self) -> int:
        if not self.capacity_hours:
            return 0 if not self.hours else 100
        return int(self.hours * 100 / self.capacity_hours)


def weeks_from(now: dt.datetime, department: Department) -> list[Week]:
    """The next ``WEEKS`` calendar weeks from Monday 00:00 of this week (current time zone), with
    the working hours of the department's calendar in each."""
    spec = scheduling.calendar_spec(department)
    today = timezone.localdate(now)
    monday = dt.datetime.combine(
        today - dt.timedelta(days=today.weekday()), dt.time(), timezone.get_current_timezone()
    )
    weeks = []
    for index in range(WEEKS):
        start = monday + dt.timedelta(weeks=index)
        end = start + dt.timedelta(weeks=1)
        seconds = working_seconds_between(spec, start, end)
        weeks.append(Week(start, end, (Decimal(seconds) / 3600).quantize(Decimal("0.01"))))
    return weeks


def engineer_load(department: Department, weeks: list[Week]) -> list[dict]:
    """Per engineer of the department: for each week, the remaining (else estimated) hours of
    their open tasks whose planned window overlaps the week, against one engineer's working
    hours that week (``Week.capacity_hours``)."""
    engineers = list(department.engineers.select_related("user").filter(user__is_active=True))
    tasks = list(
        DepartmentTask.objects.filter(
            assignee__in=[e.user_id for e in engineers],
            status__in=OPEN_TASK_STATUSES,
            planned_start_at__lt=weeks[-1].end_at,
            planned_finish_at__gt=weeks[0].start_at,
        )
        .exclude(change__status__in=CLOSED_CHANGE_STATUSES)
        .only(
            "assignee_id",
            "estimate_hours",
            "remaining_hours",
            "planned_start_at",
            "planned_finish_at",
        )
    )
    rows = []
    for engineer in engineers:
        loads = []
        for week in weeks:
            hours = sum(
                (
                    task.estimate_hours if task.remaining_hours is None else task.remaining_hours
                    for task in tasks
                    if task.assignee_id == engineer.user_id
                    and task.planned_start_at < week.end_at
                    and task.planned_finish_at > week.start_at
                ),
                Decimal("0"),
            )
            loads.append(Load(hours=hours, capacity_hours=week.capacity_hours))
        rows.append({"engineer": engineer, "loads": loads})
    return rows


def with_queue_counts(departments):
    """``departments`` with the number of tasks in their queue by status, in open changes:
    ``in_progress``, ``ready`` and ``upcoming`` (pending)."""
    live = Q(change_tasks__status__in=QUEUE_STATUSES) & ~Q(
        change_tasks__change__status__in=CLOSED_CHANGE_STATUSES
    )
    return departments.annotate(
        in_progress=Count(
            "change_tasks", filter=live & Q(change_tasks__status=TaskStatus.IN_PROGRESS)
        ),
        ready=Count("change_tasks", filter=live & Q(change_tasks__status=TaskStatus.READY)),
        upcoming=Count("change_tasks", filter=live & Q(change_tasks__status=TaskStatus.PENDING)),
    )


def queue_of(department, tasks=None):
    """The department's queue: its open tasks in open changes, least slack first (of ``tasks``,
    the ones the viewer reads; every task by default)."""
    tasks = DepartmentTask.objects.all() if tasks is None else tasks
    return (
        tasks.filter(department=department, status__in=QUEUE_STATUSES)
        .exclude(change__status__in=CLOSED_CHANGE_STATUSES)
        .order_by(F("slack_seconds").asc(nulls_last=True), "planned_start_at", "pk")
    )


class QueueViews(ui.ModelView):
    model = DepartmentTask


class DepartmentQueueIndex(QueueViews):
    """Every department with the number of its tasks in progress, ready and upcoming."""

    template_name = "changes/queue_index.html"
    title = gettext_lazy("Department queues")

    def get(self, request, *args, **kwargs) -> HttpResponse:
        self.check("view")
        departments = with_queue_counts(Department.objects.all()).order_by("name")
        return self.render({"title": self.title, "departments": departments})


class DepartmentQueue(QueueViews):
    """One department's open tasks (in progress, ready, pending; blocked or not) in open
    changes, ordered by slack (least first, unscheduled last)."""

    template_name = "changes/queue_detail.html"

    def get(self, request, *args, **kwargs) -> HttpResponse:
        self.check("view")
        department = get_object_or_404(Department, pk=kwargs["pk"])
        # The tasks the viewer reads: a TAM sees their clients' work in another department's
        # queue; the load per engineer counts every task (hours, not records).
        tasks = queue_of(department, self.get_queryset()).select_related(
            "change__client", "assignee"
        )
        weeks = weeks_from(timezone.now(), department)
        return self.render(
            {
                "title": department.name,
                "department": department,
                "tasks": tasks,
                "weeks": weeks,
                "load": engineer_load(department, weeks),
                "engineer_week_hours": ENGINEER_WEEK_HOURS,
            }
        )
