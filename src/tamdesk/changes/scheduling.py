"""The adapter between the database and the scheduling engine: read a change's tasks,
dependencies and department calendars, schedule them (``engine.schedule``), store each task's
early and late dates, slack and critical flag and the change's forecast and schedule status, and
tell the TAM when the forecast slips past the committed date.

Services call :func:`recompute` after every change to a task, a dependency or a date, inside
their transaction."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import numpy as np
from django.conf import settings
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from tamdesk.calendars.engine import CalendarRangeError, CalendarSpec, compile_calendars
from tamdesk.changes import engine
from tamdesk.changes import notifications as change_notifications
from tamdesk.changes.choices import DependencyKind, ScheduleStatus, TaskStatus
from tamdesk.changes.models import ChangeRequest, DepartmentTask, TaskDependency
from tamdesk.core import ranges
from tamdesk.core.ranges import OutOfSupportedRange
from tamdesk.notifications.timing import default_spec

#: Task states as the engine numbers them.
ENGINE_STATE = {
    TaskStatus.PENDING: 0,
    TaskStatus.READY: 0,
    TaskStatus.IN_PROGRESS: 1,
    TaskStatus.DONE: 2,
    TaskStatus.CANCELLED: 3,
}
ENGINE_KIND = {DependencyKind.FINISH_TO_START: 0, DependencyKind.START_TO_START: 1}
SCHEDULE_STATUS = {0: ScheduleStatus.ON_TRACK, 1: ScheduleStatus.AT_RISK, 2: ScheduleStatus.LATE}
#: The calendars are compiled this far past the start, times the work to schedule, at first;
#: a schedule that runs beyond is computed again over a range twice as long.
CALENDAR_STRETCH = 6
CALENDAR_SLACK_SECONDS = 60 * 86_400
MAX_ATTEMPTS = 6
#: The calendars are never compiled beyond the supported range, give or take a year for the late
#: dates of a committed date near its start.
ENGINE_FIRST_INSTANT = ranges.FIRST_INSTANT - dt.timedelta(days=366)
ENGINE_END_INSTANT = ranges.END_INSTANT + dt.timedelta(days=366)
TASK_FIELDS = [
    "planned_start_at",
    "planned_finish_at",
    "late_start_at",
    "late_finish_at",
    "slack_seconds",
    "is_critical",
]


def epoch(value: dt.datetime | None) -> int:
    return engine.NO_INSTANT if value is None else int(value.timestamp())


def instant(value: int) -> dt.datetime | None:
    value = int(value)
    return None if value == engine.NO_INSTANT else dt.datetime.fromtimestamp(value, tz=dt.UTC)


def seconds(hours: Decimal | None) -> int:
    return 0 if hours is None else int((Decimal(hours) * 3600).to_integral_value())


def committed_deadline(change: ChangeRequest) -> dt.datetime | None:
    """The end of the committed date (midnight after it) in the instance's time zone."""
    if change.committed_on is None:
        return None
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    try:
        return dt.datetime.combine(change.committed_on + dt.timedelta(days=1), dt.time(), zone)
    except OverflowError:  # 9999-12-31, stored before the supported range was checked
        return dt.datetime.max.replace(tzinfo=dt.UTC)


def calendar_spec(department) -> CalendarSpec:
    """The department's working calendar, else 09:00–18:00 Monday to Friday."""
    if department.calendar_id:
        return department.calendar.to_spec()
    return default_spec(settings.TIME_ZONE)


def tasks_of(change: ChangeRequest) -> list[DepartmentTask]:
    return list(
        DepartmentTask.objects.filter(change=change)
        .select_related("department__calendar")
        .prefetch_related(
            Prefetch("department__calendar__working_intervals"),
            Prefetch("department__calendar__exceptions"),
        )
        .order_by("pk")
    )


def build_network(
    change: ChangeRequest, tasks: list[DepartmentTask], now: dt.datetime
) -> tuple[list[CalendarSpec], engine.Network]:
    """The engine's input for ``change``: one calendar spec per department, the flat arrays."""
    specs: list[CalendarSpec] = []
    calendar_of: dict[int, int] = {}
    for task in tasks:
        if task.department_id not in calendar_of:
            calendar_of[task.department_id] = len(specs)
            specs.append(calendar_spec(task.department))
    index = {task.pk: i for i, task in enumerate(tasks)}
    duration = []
    for task in tasks:
        if task.status == TaskStatus.IN_PROGRESS and task.remaining_hours is not None:
            duration.append(seconds(task.remaining_hours))
        elif task.status == TaskStatus.CANCELLED:
            duration.append(0)
        else:
            duration.append(seconds(task.estimate_hours))
    links = list(
        TaskDependency.objects.filter(successor__change=change).values_list(
            "predecessor_id", "successor_id", "kind", "lag_hours"
        )
    )
    start = change.planned_start_at or now
    network = engine.Network(
        cal=np.array([calendar_of[t.department_id] for t in tasks], dtype=np.int64),
        duration=np.array(duration, dtype=np.int64),
        state=np.array([ENGINE_STATE[t.status] for t in tasks], dtype=np.int8),
        actual_start=np.array(
            [epoch(t.actual_start_at or t.actual_finish_at) for t in tasks], dtype=np.int64
        ),
        actual_finish=np.array([epoch(t.actual_finish_at) for t in tasks], dtype=np.int64),
        pred=np.array([index[p] for p, _s, _k, _l in links], dtype=np.int64),
        succ=np.array([index[s] for _p, s, _k, _l in links], dtype=np.int64),
        kind=np.array([ENGINE_KIND[k] for _p, _s, k, _l in links], dtype=np.int8),
        lag=np.array([seconds(lag) for _p, _s, _k, lag in links], dtype=np.int64),
        start=epoch(start),
        now=epoch(now),
        committed=epoch(committed_deadline(change)),
    )
    return specs, network


def run_engine(specs: list[CalendarSpec], network: engine.Network):
    """Compile the calendars over a range long enough for the schedule, and schedule.

    The range never leaves the supported one (``tamdesk.core.ranges``, with a margin for late
    dates before a committed date): a schedule that does not fit is refused with
    ``OutOfSupportedRange``, whatever the stored data, instead of compiling centuries."""
    instants = [network.start, network.now]
    for values in (network.actual_start, network.actual_finish):
        instants += [int(v) for v in values if v != engine.NO_INSTANT]
    if network.committed != engine.NO_INSTANT:
        instants.append(network.committed)
    lo, latest = min(instants), max(instants)
    work = int(network.duration.sum()) + int(np.clip(network.lag, 0, None).sum())
    horizon = work * CALENDAR_STRETCH + CALENDAR_SLACK_SECONDS
    floor, ceiling = epoch(ENGINE_FIRST_INSTANT), epoch(ENGINE_END_INSTANT)
    if lo < floor or latest > ceiling:
        raise _out_of_range()
    for _attempt in range(MAX_ATTEMPTS):
        # Both ways: late dates against a committed date before the work may lie before it.
        start, end = max(lo - horizon, floor), min(latest + horizon, ceiling)
        cc = compile_calendars(specs, start=start, end=end)
        try:
            return engine.schedule(cc, network)
        except CalendarRangeError:
            if start == floor and end == ceiling:
                break
            horizon *= 2
    raise _out_of_range()


def _out_of_range() -> OutOfSupportedRange:
    return OutOfSupportedRange(
        _(
            "The schedule would run outside the dates tamdesk supports (%(first)s to %(last)s): "
            "check the estimates, the lags and the dates of the change."
        )
        % {"first": ranges.FIRST_DATE.isoformat(), "last": ranges.LAST_DATE.isoformat()}
    )


def recompute(change: ChangeRequest, now: dt.datetime) -> ChangeRequest:
    """Schedule ``change`` as it is now and store the result; notify the owner when the
    forecast newly falls after the committed date. Returns the change with the new forecast."""
    change = ChangeRequest.objects.select_related("client", "owner").get(pk=change.pk)
    was = change.schedule_status
    tasks = tasks_of(change)
    if not tasks:
        change.forecast_finish_at = None
        change.schedule_status = ScheduleStatus.ON_TRACK
    else:
        specs, network = build_network(change, tasks, now)
        result = run_engine(specs, network)
        for i, task in enumerate(tasks):
            task.planned_start_at = instant(result.early_start[i])
            task.planned_finish_at = instant(result.early_finish[i])
            task.late_start_at = instant(result.late_start[i])
            task.late_finish_at = instant(result.late_finish[i])
            slack = int(result.slack[i])
            task.slack_seconds = None if slack == engine.NO_INSTANT else slack
            task.is_critical = bool(result.critical[i])
        DepartmentTask.objects.bulk_update(tasks, TASK_FIELDS)
        change.forecast_finish_at = instant(result.forecast_finish)
        change.schedule_status = SCHEDULE_STATUS[int(result.status)]
    change.scheduled_at = now
    change.save(update_fields=["forecast_finish_at", "schedule_status", "scheduled_at"])
    deadline = committed_deadline(change)
    if (
        change.schedule_status == ScheduleStatus.LATE
        and was != ScheduleStatus.LATE
        and deadline is not None
        and change.forecast_finish_at is not None
        and not change.is_closed
    ):
        change_notifications.forecast_slipped(change, committed_deadline=deadline, now=now)
    return change
