"""The changes domain's sections of the home page — the content; the workspace
(``tamdesk.workspace.sections``) says who sees which, in what order:

- "My work": the queues of the departments the user works in or leads, the open tasks assigned
  to them (least slack first) and the open changes they own;
- a TAM's changes at risk or late, and the tasks of their clients' changes that wait for them:
  blocked, or waiting for an override (pending — their predecessors are open — past their latest
  start, so the committed date slips unless someone who edits the change starts them anyway);
- a department lead's department: its queue, its engineers' load and its overdue work;
- ``client_health``: the changes' signals of the client cards.

Every list is bounded (``LIMIT``) and read through ``ChangeRequest.objects.visible_to(user)``.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlencode

from django.db.models import Count, F, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from tamdesk.changes.choices import (
    ACTIVE_CHANGE_STATUSES,
    CLOSED_CHANGE_STATUSES,
    OPEN_TASK_STATUSES,
    ScheduleStatus,
    TaskStatus,
)
from tamdesk.changes.models import ChangeRequest, DepartmentTask
from tamdesk.changes.views.queues import (
    ENGINEER_WEEK_HOURS,
    engineer_load,
    queue_of,
    weeks_from,
    with_queue_counts,
)
from tamdesk.directory.models import Client, Department

#: How many tasks and changes the section lists; the rest are a click away.
LIMIT = 10


def my_work_context(request: HttpRequest) -> dict | None:
    """None when the user works in no department, has no open task and owns no open change."""
    user = request.user
    # Selected by primary key: joining the engineers would multiply the queue counts.
    mine = Department.objects.filter(Q(engineers__user=user) | Q(lead__user=user)).values("pk")
    departments = list(with_queue_counts(Department.objects.filter(pk__in=mine)).order_by("name"))
    lead_of = set(Department.objects.filter(lead__user=user).values_list("pk", flat=True))
    for department in departments:
        department.is_led_by_user = department.pk in lead_of
    my_tasks = DepartmentTask.objects.filter(
        change__in=ChangeRequest.objects.visible_to(user),
        assignee=user,
        status__in=OPEN_TASK_STATUSES,
    ).exclude(change__status__in=CLOSED_CHANGE_STATUSES)
    tasks = list(
        my_tasks.select_related("change__client", "department").order_by(
            F("slack_seconds").asc(nulls_last=True), "planned_start_at", "pk"
        )[:LIMIT]
    )
    # What the engineer can act on: ready, in progress, and blocked (whatever the status).
    task_counts = my_tasks.aggregate(
        ready=Count("pk", filter=Q(status=TaskStatus.READY, is_blocked=False)),
        in_progress=Count("pk", filter=Q(status=TaskStatus.IN_PROGRESS, is_blocked=False)),
        blocked=Count("pk", filter=Q(is_blocked=True)),
    )
    changes = list(
        ChangeRequest.objects.visible_to(user)
        .filter(owner=user)
        .open()
        .select_related("client")
        .order_by(F("committed_on").asc(nulls_last=True), "-created_at", "-pk")[:LIMIT]
    )
    if not (departments or tasks or changes):
        return None
    return {
        "departments": departments,
        "tasks": tasks,
        "task_counts": task_counts,
        "changes": changes,
        "limit": LIMIT,
    }


def client_health(client_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Per client: its open changes at risk and late. One query whatever the number of
    clients."""
    ids = list(client_ids)
    health = {pk: {"changes_at_risk": 0, "changes_late": 0} for pk in ids}
    if not ids:
        return health
    counts = (
        ChangeRequest.objects.at_risk()
        .filter(client__in=ids)
        .order_by()
        .values("client")
        .annotate(
            at_risk=Count("pk", filter=Q(schedule_status=ScheduleStatus.AT_RISK)),
            late=Count("pk", filter=Q(schedule_status=ScheduleStatus.LATE)),
        )
    )
    for row in counts:
        health[row["client"]].update(changes_at_risk=row["at_risk"], changes_late=row["late"])
    return health


def _change_list_url(**params) -> str:
    return f"{reverse('changes:change_list')}?{urlencode(params)}"


def changes_at_risk_context(request: HttpRequest) -> dict:
    """The open changes of the TAM's clients whose forecast is late or at risk against the
    committed date: late first, then the nearest committed date."""
    user = request.user
    changes = (
        ChangeRequest.objects.visible_to(user)
        .at_risk()
        .filter(client__in=Client.objects.managed_by(user))
    )
    count = changes.count()
    listed = list(
        changes.select_related("client", "owner").order_by(
            "-schedule_status",  # "late" sorts after "at_risk"
            F("committed_on").asc(nulls_last=True),
            "pk",
        )[:LIMIT]
    )
    return {
        "changes": listed,
        "count": count,
        "more": max(count - len(listed), 0),
        "all_url": _change_list_url(at_risk="true"),
    }


def waiting_tasks(user, *, now):
    """The open tasks of open changes of the TAM's clients that wait for the TAM: blocked, or
    pending past their latest start (only an override starts them)."""
    return (
        DepartmentTask.objects.filter(
            change__in=ChangeRequest.objects.visible_to(user)
            .open()
            .filter(client__in=Client.objects.managed_by(user)),
            status__in=OPEN_TASK_STATUSES,
        )
        .filter(
            Q(is_blocked=True)
            | Q(
                status=TaskStatus.PENDING,
                late_start_at__lte=now,
                change__status__in=ACTIVE_CHANGE_STATUSES,
            )
        )
        .select_related("change__client", "department", "assignee")
        .order_by("-is_blocked", F("late_start_at").asc(nulls_last=True), "pk")
    )


def tasks_waiting_context(request: HttpRequest) -> dict:
    tasks = waiting_tasks(request.user, now=timezone.now())
    count = tasks.count()
    listed = list(tasks[:LIMIT])
    return {"tasks": listed, "count": count, "more": max(count - len(listed), 0)}


#: How many departments a lead's section shows (a lead leads one, sometimes two).
LED_DEPARTMENTS = 3


def department_lead_context(request: HttpRequest) -> dict | None:
    """Per department the user leads: the queue counts, its first tasks (least slack first),
    the engineers' load over the next weeks and the overdue work — open tasks past their
    latest finish, which makes the change miss its committed date. None when the user leads no
    department."""
    user = request.user
    now = timezone.now()
    departments = list(
        with_queue_counts(Department.objects.filter(lead__user=user)).order_by("name")[
            :LED_DEPARTMENTS
        ]
    )
    if not departments:
        return None
    visible = ChangeRequest.objects.visible_to(user)
    for department in departments:
        queue = queue_of(department).filter(change__in=visible)
        department.queue = list(queue.select_related("change__client", "assignee")[:LIMIT])
        overdue = queue.filter(late_finish_at__lt=now)
        department.overdue_count = overdue.count()
        department.overdue = list(
            overdue.select_related("change__client", "assignee").order_by("late_finish_at")[:LIMIT]
        )
        department.queue_table_id = f"home-queue-{department.pk}"
        department.overdue_table_id = f"home-overdue-{department.pk}"
        department.weeks = weeks_from(now, department)
        department.load = engineer_load(department, department.weeks)
    return {"departments": departments, "engineer_week_hours": ENGINEER_WEEK_HOURS}
