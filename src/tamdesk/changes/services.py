"""Everything that changes change requests, their department tasks and dependencies.

Every service runs in one transaction, locks the change first (then its tasks), records status
changes in the activity timeline, moves tasks to ``ready`` when what they wait for is done, and
finally re-schedules the change (``scheduling.recompute``). Finishing a task publishes
``task_completed``, a change done ``change_completed`` (``core.events``, after the commit)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

import numpy as np
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tamdesk.changes import engine, scheduling
from tamdesk.changes import notifications as change_notifications
from tamdesk.changes.choices import (
    ACTIVE_CHANGE_STATUSES,
    CHANGE_STATUSES_NEEDING_REASON,
    CHANGE_TRANSITIONS,
    CLOSED_TASK_STATUSES,
    OPEN_TASK_STATUSES,
    TASK_TRANSITIONS,
    ActivityKind,
    ChangeStatus,
    DependencyKind,
    TaskStatus,
)
from tamdesk.changes.exceptions import (
    ChangeError,
    DependencyCycle,
    IllegalTransition,
    PredecessorsOpen,
    TasksOpen,
)
from tamdesk.changes.models import (
    ActivityEntry,
    ChangeRequest,
    ChangeTemplate,
    Comment,
    DepartmentTask,
    TaskDependency,
)
from tamdesk.core import events as domain_events
from tamdesk.core import ranges
from tamdesk.core.concurrency import update_fields_of
from tamdesk.directory.models import Client, Contact, Department, assignee_refusal

#: The fields of a change that ``update_change`` edits.
CHANGE_FIELDS = frozenset(
    {
        "title",
        "description",
        "type",
        "priority",
        "owner",
        "requesting_contact",
        "implementation_plan",
        "rollback_plan",
        "test_plan",
        "risk_notes",
        "requested_on",
        "committed_on",
        "planned_start_at",
    }
)
#: The fields of a task that ``update_task`` edits.
TASK_FIELDS = frozenset(
    {"title", "description", "department", "assignee", "estimate_hours", "remaining_hours"}
)


# --- helpers -------------------------------------------------------------------------------


def _log(change, *, kind: str, by, at: dt.datetime, task=None, from_value="", to_value="",
         reason="") -> ActivityEntry:  # fmt: skip
    return ActivityEntry.objects.create(
        change=change,
        task=task,
        kind=kind,
        at=at,
        by=by,
        from_value=ActivityEntry.clip(from_value),
        to_value=ActivityEntry.clip(to_value),
        reason=reason,
    )


def _lock_change(change: ChangeRequest) -> ChangeRequest:
    return ChangeRequest.objects.select_for_update().select_related("client").get(pk=change.pk)


def _lock_task(task: DepartmentTask) -> tuple[ChangeRequest, DepartmentTask]:
    """Lock the task's change, then the task (always in this order)."""
    change = _lock_change(ChangeRequest(pk=task.change_id))
    task = (
        # of=self: PostgreSQL cannot lock the nullable side of the outer joins.
        DepartmentTask.objects.select_for_update(of=("self",))
        .select_related("department__lead__user", "assignee")
        .get(pk=task.pk)
    )
    return change, task


def _status_label(choices, value: str) -> str:
    return str(choices(value).label)


def _refuse_closed(change: ChangeRequest) -> None:
    if change.is_closed:
        raise ChangeError(
            _("The change is %(status)s: it can no longer be edited.")
            % {"status": _status_label(ChangeStatus, change.status).lower()},
            code="change_closed",
        )


def _check_assignee(department: Department, assignee) -> None:
    refusal = assignee_refusal(assignee, department)
    if refusal:
        raise ChangeError(refusal, field="assignee", code="invalid_assignee")


def _check_hours(value, *, field: str, allow_negative: bool = False) -> Decimal:
    try:
        hours = Decimal(value)
    except (TypeError, ArithmeticError, ValueError):
        raise ChangeError(_("Give a number of hours."), field=field, code="invalid") from None
    if not hours.is_finite() or (hours < 0 and not allow_negative):
        raise ChangeError(_("Hours cannot be negative."), field=field, code="invalid")
    return hours


def _check_client_records(client: Client, *, contact=None, components=None) -> None:
    if contact is not None and contact.client_id != client.pk:
        raise ChangeError(
            _("%(contact)s is not a contact of %(client)s.")
            % {"contact": contact, "client": client},
            field="requesting_contact",
            code="invalid_contact",
        )
    for component in components or ():
        if component.client_id != client.pk:
            raise ChangeError(
                _("%(component)s is not a component of %(client)s.")
                % {"component": component, "client": client},
                field="affected_components",
                code="invalid_component",
            )


def _is_satisfied(kind: str, predecessor_status: str) -> bool:
    """Whether a dependency no longer holds its successor back: finish-to-start once the
    predecessor is done (or cancelled), start-to-start once it started."""
    if predecessor_status in CLOSED_TASK_STATUSES:
        return True
    return kind == DependencyKind.START_TO_START and predecessor_status == TaskStatus.IN_PROGRESS


def _open_predecessors(task: DepartmentTask) -> list[DepartmentTask]:
    links = TaskDependency.objects.filter(successor=task).select_related("predecessor")
    return [
        link.predecessor for link in links if not _is_satisfied(link.kind, link.predecessor.status)
    ]


def _refresh_readiness(change: ChangeRequest, *, by, now: dt.datetime) -> None:
    """Pending tasks with nothing left to wait for become ready (and their department and
    assignee are told); ready tasks that wait again (a new dependency) go back to pending. Only
    in a planned or running change."""
    if change.status not in ACTIVE_CHANGE_STATUSES:
        return
    tasks = {
        t.pk: t
        for t in DepartmentTask.objects.select_for_update(of=("self",))
        .filter(change=change, status__in=[TaskStatus.PENDING, TaskStatus.READY])
        .select_related("department__lead__user", "assignee")
    }
    if not tasks:
        return
    waiting = set()
    for successor_id, kind, predecessor_status in TaskDependency.objects.filter(
        successor_id__in=list(tasks)
    ).values_list("successor_id", "kind", "predecessor__status"):
        if not _is_satisfied(kind, predecessor_status):
            waiting.add(successor_id)
    for task in tasks.values():
        before = task.status
        if task.pk in waiting:
            task.status = TaskStatus.PENDING
        else:
            task.status = TaskStatus.READY
        if task.status == before:
            continue
        task.save(update_fields=["status", "updated_at"])
        entry = _log(
            change,
            task=task,
            kind=ActivityKind.STATUS_CHANGED,
            by=by,
            at=now,
            from_value=before,
            to_value=task.status,
        )
        if task.status == TaskStatus.READY:
            task.change = change
            change_notifications.task_ready(task, occasion=entry.pk, now=now)


def _settle(change: ChangeRequest, *, by, now: dt.datetime) -> ChangeRequest:
    """What follows every edit: the schedule, then readiness (whose notifications carry the
    fresh planned dates; becoming ready does not move the schedule)."""
    change = scheduling.recompute(change, now)
    _refresh_readiness(change, by=by, now=now)
    return change


# --- changes -------------------------------------------------------------------------------


@transaction.atomic
def create_change(
    *,
    client: Client,
    title: str,
    by,
    owner=None,
    type: str = "normal",
    priority: str = "p3",
    description: str = "",
    requesting_contact: Contact | None = None,
    affected_components: Iterable = (),
    implementation_plan: str = "",
    rollback_plan: str = "",
    test_plan: str = "",
    risk_notes: str = "",
    requested_on: dt.date | None = None,
    committed_on: dt.date | None = None,
    planned_start_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> ChangeRequest:
    """Open a change in draft, owned by ``owner`` (``by`` when not given)."""
    now = now or timezone.now()
    components = list(affected_components)
    _check_client_records(client, contact=requesting_contact, components=components)
    change = ChangeRequest.objects.create(
        client=client,
        title=title,
        description=description,
        requesting_contact=requesting_contact,
        owner=owner or by,
        type=type,
        priority=priority,
        implementation_plan=implementation_plan,
        rollback_plan=rollback_plan,
        test_plan=test_plan,
        risk_notes=risk_notes,
        requested_on=requested_on,
        committed_on=committed_on,
        committed_at=now if committed_on else None,
        planned_start_at=planned_start_at,
    )
    if components:
        change.affected_components.set(components)
    _log(change, kind=ActivityKind.CREATED, by=by, at=now, to_value=change.status)
    if committed_on:
        _log(change, kind=ActivityKind.COMMITTED, by=by, at=now, to_value=committed_on)
    return scheduling.recompute(change, now)


@transaction.atomic
def update_change(
    change: ChangeRequest,
    *,
    by,
    now: dt.datetime | None = None,
    affected_components: Iterable | None = None,
    **fields,
) -> ChangeRequest:
    """Edit a change's words, plans, people and dates (any of ``CHANGE_FIELDS``), then
    re-schedule. Setting the committed date records when and by whom."""
    now = now or timezone.now()
    unknown = set(fields) - CHANGE_FIELDS
    if unknown:
        raise TypeError(f"update_change cannot edit {sorted(unknown)}")
    change = _lock_change(change)
    _refuse_closed(change)
    components = list(affected_components) if affected_components is not None else None
    _check_client_records(
        change.client, contact=fields.get("requesting_contact"), components=components
    )
    if "committed_on" in fields and fields["committed_on"] != change.committed_on:
        change.committed_at = now if fields["committed_on"] else None
        _log(
            change,
            kind=ActivityKind.COMMITTED,
            by=by,
            at=now,
            from_value=change.committed_on or "",
            to_value=fields["committed_on"] or "",
        )
    for name, value in fields.items():
        setattr(change, name, value)
    stamp = ["committed_at"] if "committed_on" in fields else []
    written = update_fields_of(change, [*fields, *stamp])
    if written:
        change.save(update_fields=written)
    if components is not None:
        change.affected_components.set(components)
    return scheduling.recompute(change, now)


@transaction.atomic
def transition_change(
    change: ChangeRequest, *, to: str, by, reason: str = "", now: dt.datetime | None = None
) -> ChangeRequest:
    """Move a change to status ``to`` along ``CHANGE_TRANSITIONS``. A change is done only when
    none of its tasks is open; on hold needs a reason; cancelling cancels its open tasks."""
    now = now or timezone.now()
    change = _lock_change(change)
    before = change.status
    if to not in CHANGE_TRANSITIONS.get(before, ()):
        raise IllegalTransition(
            _("A change cannot go from %(from)s to %(to)s.")
            % {
                "from": _status_label(ChangeStatus, before),
                "to": _status_label(ChangeStatus, to) if to in ChangeStatus.values else to,
            },
            field="status",
        )
    if to == ChangeStatus.DONE:
        open_tasks = list(change.tasks.filter(status__in=OPEN_TASK_STATUSES).order_by("position"))
        if open_tasks:
            raise TasksOpen(
                _("The change cannot be done while %(count)d tasks are open: %(tasks)s.")
                % {"count": len(open_tasks), "tasks": ", ".join(t.title for t in open_tasks)},
                field="status",
            )
    if to in CHANGE_STATUSES_NEEDING_REASON:
        if not reason.strip():
            raise ChangeError(
                _("Say why the change is on hold."), field="reason", code="reason_required"
            )
        change.hold_reason = reason.strip()
    else:
        change.hold_reason = ""
    if to == ChangeStatus.CANCELLED:
        for task in change.tasks.select_for_update().filter(status__in=OPEN_TASK_STATUSES):
            task_before = task.status
            task.status = TaskStatus.CANCELLED
            task.save(update_fields=["status", "updated_at"])
            _log(change, task=task, kind=ActivityKind.STATUS_CHANGED, by=by, at=now,
                 from_value=task_before, to_value=task.status, reason=reason)  # fmt: skip
    change.status = to
    change.save(update_fields=["status", "hold_reason", "updated_at"])
    _log(change, kind=ActivityKind.STATUS_CHANGED, by=by, at=now, from_value=before, to_value=to,
         reason=reason)  # fmt: skip
    if to == ChangeStatus.DONE:
        domain_events.publish(
            domain_events.ChangeCompleted(
                change_id=change.pk, client_id=change.client_id, completed_at=now
            )
        )
    return _settle(change, by=by, now=now)


# --- tasks ---------------------------------------------------------------------------------


def _check_room(change: ChangeRequest, *, adding: int) -> None:
    """Refuse a task that would take the change past ``ranges.MAX_TASKS_PER_CHANGE``."""
    if change.tasks.count() + adding > ranges.MAX_TASKS_PER_CHANGE:
        raise ChangeError(
            _("A change holds at most %(count)d tasks; split the work into several changes.")
            % {"count": ranges.MAX_TASKS_PER_CHANGE},
            code="too_many_tasks",
        )


@transaction.atomic
def add_task(
    change: ChangeRequest,
    *,
    department: Department,
    title: str,
    estimate_hours,
    by,
    assignee=None,
    description: str = "",
    now: dt.datetime | None = None,
) -> DepartmentTask:
    """Add a department task to a change (pending; ready at once in a planned or running change
    when it waits for nothing), then re-schedule."""
    now = now or timezone.now()
    change = _lock_change(change)
    _refuse_closed(change)
    hours = _check_hours(estimate_hours, field="estimate_hours")
    _check_assignee(department, assignee)
    _check_room(change, adding=1)
    position = (change.tasks.aggregate(last=Max("position"))["last"] or 0) + 1
    task = DepartmentTask.objects.create(
        change=change,
        department=department,
        assignee=assignee,
        title=title,
        description=description,
        estimate_hours=hours,
        position=position,
    )
    _log(change, task=task, kind=ActivityKind.CREATED, by=by, at=now, to_value=task.status)
    _settle(change, by=by, now=now)
    return DepartmentTask.objects.get(pk=task.pk)


@transaction.atomic
def update_task(
    task: DepartmentTask, *, by, now: dt.datetime | None = None, **fields
) -> DepartmentTask:
    """Edit a task's words, department, assignee or estimates, then re-schedule."""
    now = now or timezone.now()
    unknown = set(fields) - TASK_FIELDS
    if unknown:
        raise TypeError(f"update_task cannot edit {sorted(unknown)}")
    change, task = _lock_task(task)
    _refuse_closed(change)
    for name in ("estimate_hours", "remaining_hours"):
        if fields.get(name) is not None:
            fields[name] = _check_hours(fields[name], field=name)
    for name, value in fields.items():
        setattr(task, name, value)
    _check_assignee(task.department, task.assignee)
    written = update_fields_of(task, fields)
    if written:
        task.save(update_fields=written)
    scheduling.recompute(change, now)
    return DepartmentTask.objects.get(pk=task.pk)


def _refuse_blocked(task: DepartmentTask) -> None:
    if task.is_blocked:
        raise ChangeError(
            _("The task is blocked: %(reason)s. Unblock it first.")
            % {"reason": task.blocked_reason},
            field="status",
            code="task_blocked",
        )


def _refuse_disallowed(change: ChangeRequest, task: DepartmentTask, action: str) -> None:
    """Refuse ``action`` unless ``TASK_TRANSITIONS`` allows it on the task as it is now (the
    task and its change locked): each condition of the table with its own code."""
    allowed = TASK_TRANSITIONS[action]
    if allowed.needs_active_change and change.status not in ACTIVE_CHANGE_STATUSES:
        raise ChangeError(
            _("The change is %(status)s: its tasks cannot start.")
            % {"status": _status_label(ChangeStatus, change.status).lower()},
            field="status",
            code="change_not_active",
        )
    if task.status not in allowed.sources:
        if allowed.target is None:  # blocking: the status stays
            message = _("A %(status)s task cannot be blocked.") % {
                "status": _status_label(TaskStatus, task.status).lower()
            }
        else:
            message = _("A task cannot go from %(from)s to %(to)s.") % {
                "from": _status_label(TaskStatus, task.status),
                "to": _status_label(TaskStatus, allowed.target),
            }
        raise IllegalTransition(message, field="status")
    if allowed.refused_when_blocked:
        _refuse_blocked(task)
    if allowed.only_when_blocked and not task.is_blocked:
        raise ChangeError(_("The task is not blocked."), field="status", code="not_blocked")


def _set_status(change, task, to: str, *, by, now, reason: str = "", fields=()) -> None:
    before = task.status
    task.status = to
    task.save(update_fields=["status", "updated_at", *fields])
    _log(change, task=task, kind=ActivityKind.STATUS_CHANGED, by=by, at=now, from_value=before,
         to_value=to, reason=reason)  # fmt: skip


@transaction.atomic
def start_task(
    task: DepartmentTask, *, by, override_reason: str = "", now: dt.datetime | None = None
) -> DepartmentTask:
    """Start a task. One whose predecessors are open is refused (``predecessors_open``) unless
    someone who edits the change overrides with a reason, which is recorded. Starting the first
    task of a planned change puts the change in progress."""
    now = now or timezone.now()
    change, task = _lock_task(task)
    _refuse_disallowed(change, task, "start")
    waiting_for = _open_predecessors(task)
    override_reason = override_reason.strip()
    if waiting_for:
        names = ", ".join(f'"{t.title}"' for t in waiting_for)
        if not override_reason:
            raise PredecessorsOpen(
                _("The task waits for %(tasks)s. Start it anyway only with a reason.")
                % {"tasks": names},
                field="status",
            )
        if not by.has_perm("changes.override_departmenttask", task):
            raise ChangeError(
                _("Only the change's TAM can start a task before %(tasks)s.") % {"tasks": names},
                field="override_reason",
                code="override_not_allowed",
            )
        task.started_override_reason = override_reason
        _log(change, task=task, kind=ActivityKind.START_OVERRIDE, by=by, at=now,
             to_value=", ".join(t.title for t in waiting_for), reason=override_reason)  # fmt: skip
    task.actual_start_at = now
    _set_status(change, task, TaskStatus.IN_PROGRESS, by=by, now=now,
                fields=["actual_start_at", "started_override_reason"])  # fmt: skip
    if change.status == ChangeStatus.PLANNED:
        change.status = ChangeStatus.IN_PROGRESS
        change.save(update_fields=["status", "updated_at"])
        _log(change, kind=ActivityKind.STATUS_CHANGED, by=by, at=now,
             from_value=ChangeStatus.PLANNED, to_value=ChangeStatus.IN_PROGRESS)  # fmt: skip
    _settle(change, by=by, now=now)
    return DepartmentTask.objects.get(pk=task.pk)


@transaction.atomic
def complete_task(task: DepartmentTask, *, by, now: dt.datetime | None = None) -> DepartmentTask:
    """Finish a task in progress; the tasks that waited only for it become ready."""
    now = now or timezone.now()
    change, task = _lock_task(task)
    _refuse_disallowed(change, task, "complete")
    task.actual_finish_at = now
    task.remaining_hours = Decimal("0")
    _set_status(change, task, TaskStatus.DONE, by=by, now=now,
                fields=["actual_finish_at", "remaining_hours"])  # fmt: skip
    domain_events.publish(
        domain_events.TaskCompleted(
            task_id=task.pk, change_id=change.pk, department_id=task.department_id, completed_at=now
        )
    )
    _settle(change, by=by, now=now)
    return DepartmentTask.objects.get(pk=task.pk)


@transaction.atomic
def cancel_task(
    task: DepartmentTask, *, by, reason: str = "", now: dt.datetime | None = None
) -> DepartmentTask:
    """Cancel an open task; it no longer holds its successors back."""
    now = now or timezone.now()
    change, task = _lock_task(task)
    _refuse_disallowed(change, task, "cancel")
    task.is_blocked, task.blocked_reason = False, ""
    _set_status(change, task, TaskStatus.CANCELLED, by=by, now=now, reason=reason,
                fields=["is_blocked", "blocked_reason"])  # fmt: skip
    _settle(change, by=by, now=now)
    return DepartmentTask.objects.get(pk=task.pk)


@transaction.atomic
def block_task(
    task: DepartmentTask, *, reason: str, by, now: dt.datetime | None = None
) -> DepartmentTask:
    """Flag an open task as blocked, with the reason; it keeps its status and cannot start or
    finish until unblocked."""
    now = now or timezone.now()
    change, task = _lock_task(task)
    _refuse_disallowed(change, task, "block")
    if not reason.strip():
        raise ChangeError(_("Say why the task is blocked."), field="reason", code="reason_required")
    task.is_blocked, task.blocked_reason = True, reason.strip()
    task.save(update_fields=["is_blocked", "blocked_reason", "updated_at"])
    _log(change, task=task, kind=ActivityKind.BLOCKED, by=by, at=now, reason=task.blocked_reason)
    return task


@transaction.atomic
def unblock_task(
    task: DepartmentTask, *, by, reason: str = "", now: dt.datetime | None = None
) -> DepartmentTask:
    now = now or timezone.now()
    change, task = _lock_task(task)
    _refuse_disallowed(change, task, "unblock")
    task.is_blocked, task.blocked_reason = False, ""
    task.save(update_fields=["is_blocked", "blocked_reason", "updated_at"])
    _log(change, task=task, kind=ActivityKind.UNBLOCKED, by=by, at=now, reason=reason)
    return task


# --- dependencies --------------------------------------------------------------------------


def cycle_through(tasks: list[DepartmentTask], links: list[tuple[int, int]]) -> list | None:
    """The tasks around a cycle of ``links`` (pairs of task ids), in order, or None."""
    index = {task.pk: i for i, task in enumerate(tasks)}
    pred = np.array([index[p] for p, _s in links], dtype=np.int64)
    succ = np.array([index[s] for _p, s in links], dtype=np.int64)
    found = engine.find_cycle(len(tasks), pred, succ)
    if not found:
        return None
    found = [int(i) for i in found]
    if len(found) > 1 and found[0] == found[-1]:
        found = found[:-1]
    return [tasks[i] for i in found]


@transaction.atomic
def add_dependency(
    *,
    predecessor: DepartmentTask,
    successor: DepartmentTask,
    by,
    kind: str = DependencyKind.FINISH_TO_START,
    lag_hours=0,
    now: dt.datetime | None = None,
) -> TaskDependency:
    """Make ``successor`` wait for ``predecessor`` (its finish, or its start for ``ss``) plus
    ``lag_hours`` of working time. A dependency that would close a cycle is refused
    (``dependency_cycle``, naming the tasks around it) and nothing is written."""
    now = now or timezone.now()
    if predecessor.change_id != successor.change_id:
        raise ChangeError(
            _("Both tasks of a dependency must belong to the same change."),
            field="successor",
            code="different_changes",
        )
    change = _lock_change(ChangeRequest(pk=predecessor.change_id))
    _refuse_closed(change)
    if predecessor.pk == successor.pk:
        raise ChangeError(
            _("A task cannot depend on itself."), field="successor", code="self_dependency"
        )
    if kind not in DependencyKind.values:
        raise ChangeError(_("Unknown dependency kind."), field="kind", code="invalid")
    lag = _check_hours(lag_hours, field="lag_hours", allow_negative=True)
    links = list(
        TaskDependency.objects.filter(successor__change=change).values_list(
            "predecessor_id", "successor_id"
        )
    )
    if (predecessor.pk, successor.pk) in links:
        raise ChangeError(
            _('"%(successor)s" already depends on "%(predecessor)s".')
            % {"successor": successor.title, "predecessor": predecessor.title},
            field="successor",
            code="dependency_exists",
        )
    tasks = list(DepartmentTask.objects.filter(change=change).order_by("pk"))
    cycle = cycle_through(tasks, [*links, (predecessor.pk, successor.pk)])
    if cycle:
        names = " → ".join(f'"{t.title}"' for t in [*cycle, cycle[0]])
        raise DependencyCycle(
            _("This dependency would make a cycle: %(cycle)s.") % {"cycle": names},
            field="successor",
        )
    dependency = TaskDependency.objects.create(
        predecessor=predecessor, successor=successor, kind=kind, lag_hours=lag
    )
    _settle(change, by=by, now=now)
    return dependency


@transaction.atomic
def remove_dependency(dependency: TaskDependency, *, by, now: dt.datetime | None = None) -> None:
    """Remove a dependency; its successor may become ready."""
    now = now or timezone.now()
    dependency = TaskDependency.objects.select_related("successor").get(pk=dependency.pk)
    change = _lock_change(ChangeRequest(pk=dependency.successor.change_id))
    _refuse_closed(change)
    dependency.delete()
    _settle(change, by=by, now=now)


# --- playbooks -----------------------------------------------------------------------------


@transaction.atomic
def instantiate_template(
    template: ChangeTemplate,
    *,
    by,
    change: ChangeRequest | None = None,
    client: Client | None = None,
    title: str = "",
    now: dt.datetime | None = None,
    **change_fields,
) -> ChangeRequest:
    """Add the playbook's tasks and dependencies to ``change`` — or to a new change of
    ``client`` (titled ``title``, the playbook's name by default, with ``change_fields``) — in
    one transaction: every department the playbook names must exist, or nothing is written."""
    now = now or timezone.now()
    template = ChangeTemplate.objects.get(pk=template.pk)
    if not template.is_active:
        raise ChangeError(
            _("The playbook %(name)s is retired.") % {"name": template.name},
            field="template",
            code="template_inactive",
        )
    template_tasks = list(template.tasks.order_by("position", "pk"))
    codes = {t.department_code for t in template_tasks}
    departments = {d.code: d for d in Department.objects.filter(code__in=codes)}
    missing = sorted(codes - set(departments))
    if missing:
        raise ChangeError(
            _("The playbook needs departments that do not exist: %(codes)s.")
            % {"codes": ", ".join(missing)},
            field="template",
            code="unknown_department",
        )
    if change is None:
        if client is None:
            raise TypeError("instantiate_template needs a change or a client")
        change_fields.setdefault("type", template.change_type)
        change = create_change(
            client=client, title=title or template.name, by=by, now=now, **change_fields
        )
    change = _lock_change(change)
    _refuse_closed(change)
    _check_room(change, adding=len(template_tasks))
    first = (change.tasks.aggregate(last=Max("position"))["last"] or 0) + 1
    made = {}
    for offset, item in enumerate(template_tasks):
        made[item.pk] = DepartmentTask.objects.create(
            change=change,
            department=departments[item.department_code],
            title=item.title,
            description=item.description,
            estimate_hours=item.estimate_hours,
            position=first + offset,
        )
    TaskDependency.objects.bulk_create(
        TaskDependency(
            predecessor=made[link.predecessor_id],
            successor=made[link.successor_id],
            kind=link.kind,
            lag_hours=link.lag_hours,
        )
        for link in template.dependencies.all()
    )
    for task in made.values():
        _log(change, task=task, kind=ActivityKind.CREATED, by=by, at=now, to_value=task.status)
    _log(change, kind=ActivityKind.TEMPLATE_APPLIED, by=by, at=now, to_value=template.name)
    return _settle(change, by=by, now=now)


# --- comments ------------------------------------------------------------------------------


@transaction.atomic
def add_comment(
    *, change: ChangeRequest, body: str, by, task: DepartmentTask | None = None
) -> Comment:
    if not body.strip():
        raise ChangeError(_("Write a comment."), field="body", code="invalid")
    if task is not None and task.change_id != change.pk:
        raise ChangeError(
            _("The task belongs to another change."), field="task", code="different_changes"
        )
    return Comment.objects.create(change=change, task=task, author=by, body=body.strip())
