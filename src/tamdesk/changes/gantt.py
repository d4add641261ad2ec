"""The layout of a change's Gantt chart: pure computation (no ORM, no I/O).

``layout`` takes the tasks' planned and actual times, the current instant and the committed
deadline and returns everything the SVG template draws: one row per task with its planned bar
(early start → early finish) and its actual bar (actual start → finish, or now while it runs),
the gridlines with their labels, the today line and the committed-date line. Positions are
pixels in a ``width``-wide drawing; the first ``label_width`` pixels hold the task titles.

The drawing is bounded whatever the dates: it spans at most ``MAX_SPAN`` (a longer schedule is
shown in the window around now, bars cut at its edges, ``clipped`` set), and has at most
``MAX_GRIDLINES`` gridlines (daily, else weekly on Mondays, else monthly on the 1st)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass

#: Past this many days the gridlines are labelled every week only.
DAILY_LABELS_UP_TO = 21
#: At most this many gridlines (and labels) are drawn.
MAX_GRIDLINES = 60
MAX_LABELS = 21
#: The longest span drawn.
MAX_SPAN = dt.timedelta(days=3 * 366)


@dataclass(frozen=True)
class TaskTimes:
    """What the chart needs of a task."""

    pk: int
    title: str
    status: str
    is_critical: bool
    planned_start_at: dt.datetime | None
    planned_finish_at: dt.datetime | None
    actual_start_at: dt.datetime | None
    actual_finish_at: dt.datetime | None


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    start_at: dt.datetime
    finish_at: dt.datetime


@dataclass(frozen=True)
class Row:
    task: TaskTimes
    y: float
    planned: Bar | None
    actual: Bar | None

    @property
    def text_y(self) -> float:
        return self.y + ROW_HEIGHT / 2 + 4

    @property
    def bar_y(self) -> float:
        return self.y + 6

    @property
    def actual_y(self) -> float:
        return self.y + 11


@dataclass(frozen=True)
class DayLine:
    x: float
    day: dt.date
    label: str  # "" when the day is not labelled


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    label_width: int
    top: int
    rows: list[Row]
    days: list[DayLine]
    today_x: float | None
    committed_x: float | None
    start_on: dt.date | None
    end_on: dt.date | None
    clipped: bool = False  # some dates lie outside the drawn span (see the task table)

    @property
    def chart_bottom(self) -> int:
        return self.height


ROW_HEIGHT = 28
HEADER = 24


def _range(tasks: Sequence[TaskTimes], now: dt.datetime, committed_at: dt.datetime | None):
    instants = [now]
    if committed_at is not None:
        instants.append(committed_at)
    for task in tasks:
        instants += [
            t
            for t in (
                task.planned_start_at,
                task.planned_finish_at,
                task.actual_start_at,
                task.actual_finish_at,
            )
            if t is not None
        ]
    first, last = min(instants), max(instants)
    if last - first <= MAX_SPAN:
        return first, last, False
    # Too long to draw legibly: the window around now, as far back as a half, as far on as fits.
    start = max(first, min(now - MAX_SPAN / 2, last - MAX_SPAN))
    return start, start + MAX_SPAN, True


def _gridline_days(start_on: dt.date, end_on: dt.date) -> tuple[list[dt.date], str]:
    """The dates of the gridlines in ``[start_on, end_on)`` and their unit: every day, else
    every Monday, else every first of a month — whichever stays within ``MAX_GRIDLINES``."""
    count = (end_on - start_on).days
    if count <= MAX_GRIDLINES:
        return [start_on + dt.timedelta(days=i) for i in range(count)], "day"
    monday = start_on + dt.timedelta(days=-start_on.weekday() % 7)
    if count // 7 + 1 <= MAX_GRIDLINES:
        weeks = range(0, (end_on - monday).days, 7)
        return [monday + dt.timedelta(days=i) for i in weeks], "week"
    months = []
    year, month = start_on.year, start_on.month
    if start_on.day != 1:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    while len(months) < MAX_GRIDLINES and dt.date(year, month, 1) < end_on:
        months.append(dt.date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months, "month"


def layout(
    tasks: Sequence[TaskTimes],
    *,
    now: dt.datetime,
    committed_at: dt.datetime | None = None,
    time_zone: str = "UTC",
    width: int = 960,
    label_width: int = 220,
) -> Chart:
    """The chart of ``tasks`` over whole days (in ``time_zone``) from the earliest to the latest
    instant shown (``now`` and ``committed_at`` included), at most ``MAX_SPAN`` of it."""
    zone = zoneinfo.ZoneInfo(time_zone)
    height = HEADER + ROW_HEIGHT * max(len(tasks), 1)
    first, last, clipped = _range(tasks, now, committed_at)
    start_on = first.astimezone(zone).date()
    end_on = last.astimezone(zone).date() + dt.timedelta(days=1)
    origin = dt.datetime.combine(start_on, dt.time(), zone)
    span = (dt.datetime.combine(end_on, dt.time(), zone) - origin).total_seconds()
    plot = width - label_width

    def x(at: dt.datetime) -> float:
        share = min(max((at - origin).total_seconds() / span, 0.0), 1.0)  # clipped at the edges
        return round(label_width + share * plot, 1)

    def shown(at: dt.datetime) -> bool:
        return first <= at <= last

    def bar(start: dt.datetime | None, finish: dt.datetime | None) -> Bar | None:
        if start is None or finish is None:
            return None
        finish = max(finish, start)
        if finish < first or start > last:
            return None  # wholly outside the drawn span
        left = x(start)
        return Bar(
            x=left, width=max(round(x(finish) - left, 1), 2.0), start_at=start, finish_at=finish
        )

    rows = []
    for index, task in enumerate(tasks):
        actual_end = task.actual_finish_at or (now if task.actual_start_at else None)
        rows.append(
            Row(
                task=task,
                y=HEADER + index * ROW_HEIGHT,
                planned=bar(task.planned_start_at, task.planned_finish_at),
                actual=bar(task.actual_start_at, actual_end),
            )
        )
    gridline_days, unit = _gridline_days(start_on, end_on)
    count = len(gridline_days)
    label_every = 1 if count <= MAX_LABELS else -(-count // MAX_LABELS)
    days = []
    for index, day in enumerate(gridline_days):
        if unit == "day":
            labelled = count <= DAILY_LABELS_UP_TO or day.weekday() == 0
        else:
            labelled = index % label_every == 0
        label = day.strftime("%m.%Y" if unit == "month" else "%d.%m")
        days.append(
            DayLine(
                x=x(dt.datetime.combine(day, dt.time(), zone)),
                day=day,
                label=label if labelled else "",
            )
        )
    return Chart(
        width=width,
        height=height,
        label_width=label_width,
        top=HEADER,
        rows=rows,
        days=days,
        today_x=x(now),
        committed_x=x(committed_at) if committed_at is not None and shown(committed_at) else None,
        start_on=start_on,
        end_on=end_on,
        clipped=clipped,
    )
