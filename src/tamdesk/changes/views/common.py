"""What the change pages share: the change's address, the task table with the actions each
viewer may take, the Gantt chart laid out by ``tamdesk.changes.gantt`` and the dependency graph
laid out by ``tamdesk.changes.graph``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from tamdesk.changes import gantt, graph, scheduling
from tamdesk.changes.choices import TASK_TRANSITIONS, TaskStatus, task_actions_allowed
from tamdesk.changes.models import ChangeRequest, DepartmentTask, TaskDependency
from tamdesk.core import ranges

WORK_TEMPLATE = "changes/partials/_work.html"


def change_url(change: ChangeRequest) -> str:
    return reverse("changes:change_detail", args=[change.pk])


@dataclass(frozen=True)
class TaskRow:
    """A task of the table with the actions the viewer may take on it now."""

    task: DepartmentTask
    predecessors: list[TaskDependency]
    can_start: bool
    needs_override: bool  # waits for open predecessors: starting needs a reason (the TAM's)
    can_complete: bool
    can_block: bool
    can_unblock: bool
    can_cancel: bool
    can_edit: bool = False  # the task's edit page (``changes:task_update``)

    @property
    def has_actions(self) -> bool:
        return any(
            (self.can_start, self.can_complete, self.can_block, self.can_unblock, self.can_cancel)
        )


def task_actions_for(task: DepartmentTask, change: ChangeRequest, user, *, can_edit: bool):
    """The actions the viewer may take on the task now: those ``TASK_TRANSITIONS`` allows that
    the viewer has the permission for. Starting a task that waits for open predecessors is an
    override, left to who edits the change."""
    verbs = {"change": can_edit, "work": can_edit}
    if not can_edit:
        verbs["work"] = user.has_perm("changes.work_departmenttask", task)
    allowed = task_actions_allowed(
        task.status, is_blocked=task.is_blocked, change_status=change.status
    )
    actions = {action for action in allowed if verbs[TASK_TRANSITIONS[action].verb]}
    if task.status == TaskStatus.PENDING and not can_edit:
        actions.discard("start")
    return actions


def task_rows(change: ChangeRequest, tasks, dependencies, user) -> list[TaskRow]:
    can_edit = user.has_perm("changes.change_changerequest", change)
    waits_for: dict[int, list[TaskDependency]] = {}
    for link in dependencies:
        waits_for.setdefault(link.successor_id, []).append(link)
    rows = []
    for task in tasks:
        actions = task_actions_for(task, change, user, can_edit=can_edit)
        rows.append(
            TaskRow(
                task=task,
                predecessors=waits_for.get(task.pk, []),
                can_start="start" in actions,
                needs_override=task.status == TaskStatus.PENDING,
                can_complete="complete" in actions,
                can_block="block" in actions,
                can_unblock="unblock" in actions,
                can_cancel="cancel" in actions,
                can_edit=can_edit and not change.is_closed,
            )
        )
    return rows


def chart_of(change: ChangeRequest, tasks, *, now: dt.datetime) -> gantt.Chart:
    return gantt.layout(
        [
            gantt.TaskTimes(
                pk=task.pk,
                title=task.title,
                status=task.status,
                is_critical=task.is_critical,
                planned_start_at=task.planned_start_at,
                planned_finish_at=task.planned_finish_at,
                actual_start_at=task.actual_start_at,
                actual_finish_at=task.actual_finish_at,
            )
            for task in tasks
        ],
        now=now,
        committed_at=scheduling.committed_deadline(change),
        time_zone=timezone.get_current_timezone_name(),
    )


def graph_of(tasks, dependencies) -> graph.Graph:
    return graph.layout(
        [
            graph.GraphTask(
                pk=task.pk,
                title=task.title,
                status=task.status,
                status_label=task.get_status_display(),
                is_critical=task.is_critical,
                is_blocked=task.is_blocked,
            )
            for task in tasks
        ],
        [
            graph.GraphLink(
                pk=link.pk,
                predecessor_pk=link.predecessor_id,
                successor_pk=link.successor_id,
                kind=link.kind,
                lag_hours=link.lag_hours,
            )
            for link in dependencies
        ],
    )


def work_context(change: ChangeRequest, user, *, error: str = "") -> dict:
    """The task table, the Gantt chart and the dependency graph (the fragment the task actions
    re-render). The table, the chart and the graph show the tasks of the plan
    (``DepartmentTask.is_in_plan``) and the dependencies between them; the cancelled tasks are
    listed apart, below the table."""
    tasks = list(
        change.tasks.select_related("department__lead", "assignee").order_by("position", "pk")
    )
    dependencies = list(
        TaskDependency.objects.filter(successor__change=change)
        .select_related("predecessor", "successor")
        .order_by("successor__position", "predecessor__position", "pk")
    )
    planned = [task for task in tasks if task.is_in_plan]
    links = [
        link for link in dependencies if link.predecessor.is_in_plan and link.successor.is_in_plan
    ]
    # A change stored before the task limit may hold more: the drawings stay bounded, the table
    # (their text alternative) still lists every task.
    drawable = len(planned) <= ranges.MAX_TASKS_PER_CHANGE
    return {
        "change": change,
        "tasks": tasks,
        "dependencies": dependencies,
        "rows": task_rows(change, planned, links, user),
        "cancelled_tasks": [task for task in tasks if not task.is_in_plan],
        "chart": chart_of(change, planned, now=timezone.now()) if drawable else None,
        "graph": graph_of(planned, links) if drawable else None,
        "max_drawn_tasks": ranges.MAX_TASKS_PER_CHANGE,
        "work_error": error,
        "can_edit_dependencies": user.has_perm("changes.add_taskdependency", change),
    }
