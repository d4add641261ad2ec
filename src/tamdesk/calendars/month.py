"""The month view of a calendar: a Monday-first grid of days, each working or not, with the
exception of the date (if any) and the hours in force."""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tamdesk.calendars.choices import CalendarExceptionKind, Weekday
from tamdesk.calendars.engine import MINUTES_PER_DAY, Interval
from tamdesk.calendars.intervals import format_interval
from tamdesk.calendars.models import Calendar, CalendarException
from tamdesk.core import ranges

MONTH_PARAMETER = re.compile(r"^(\d{4})-(\d{2})$")
# Bootstrap classes of a day cell by status.
STATUS_CLASSES = {
    "working": "bg-success-subtle",
    "off": "bg-body-secondary",
    "holiday": "bg-danger-subtle",
    "extra": "bg-info-subtle",
    "special": "bg-warning-subtle",
}
STATUS_BY_KIND = {
    CalendarExceptionKind.CLOSED: "holiday",
    CalendarExceptionKind.WORKING_DAY: "extra",
    CalendarExceptionKind.SPECIAL_HOURS: "special",
}


@dataclass(frozen=True)
class Day:
    date: dt.date
    in_month: bool
    is_today: bool
    intervals: tuple[Interval, ...]
    exception: CalendarException | None

    @property
    def is_working(self) -> bool:
        return bool(self.intervals)

    @property
    def status(self) -> str:
        """working / off, or for an exception holiday / extra / special."""
        if self.exception is not None:
            return STATUS_BY_KIND.get(self.exception.kind, "special")
        return "working" if self.intervals else "off"

    @property
    def css_class(self) -> str:
        return STATUS_CLASSES[self.status]

    @property
    def hours(self) -> list[str]:
        return [format_interval(interval) for interval in self.intervals]


@dataclass(frozen=True)
class Month:
    first: dt.date
    weeks: list[list[Day]]  # Monday first

    @property
    def key(self) -> str:
        return f"{self.first:%Y-%m}"

    @property
    def previous_key(self) -> str:
        """The month before (this one at the start of the supported range)."""
        return f"{max(self.first - dt.timedelta(days=1), ranges.FIRST_DATE):%Y-%m}"

    @property
    def next_key(self) -> str:
        """The month after (this one at the end of the supported range)."""
        return f"{min(self.first + dt.timedelta(days=32), ranges.LAST_DATE):%Y-%m}"


def local_today(calendar: Calendar) -> dt.date:
    return timezone.now().astimezone(zoneinfo.ZoneInfo(calendar.time_zone)).date()


def month_start(value: str | None, today: dt.date) -> dt.date:
    """The first day of the month ``YYYY-MM`` (the current month when absent, malformed or
    outside the supported range)."""
    match = MONTH_PARAMETER.match(value or "")
    if (
        match
        and 1 <= int(match[2]) <= 12
        and ranges.FIRST_YEAR <= int(match[1]) <= ranges.LAST_YEAR
    ):
        return dt.date(int(match[1]), int(match[2]), 1)
    return today.replace(day=1)


def build_month(calendar: Calendar, first: dt.date, today: dt.date) -> Month:
    """The grid of the month starting on ``first`` (whole weeks, so a few days of the months
    around it too)."""
    weeks = pycalendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    weekly = calendar.weekly_intervals()
    exceptions = {
        exception.date: exception
        for exception in calendar.exceptions.filter(date__gte=weeks[0][0], date__lte=weeks[-1][-1])
    }
    grid = []
    for week in weeks:
        row = []
        for day in week:
            exception = exceptions.get(day)
            intervals = (
                exception.effective_intervals(weekly)
                if exception is not None
                else weekly[day.weekday()]
            )
            row.append(
                Day(
                    date=day,
                    in_month=day.month == first.month,
                    is_today=day == today,
                    intervals=intervals,
                    exception=exception,
                )
            )
        grid.append(row)
    return Month(first=first, weeks=grid)


@dataclass(frozen=True)
class WeeklyRow:
    days: str  # "Monday" or "Monday – Friday"
    hours: list[str]  # ["09:00–13:00", "14:00–18:00"]; empty: not working


def weekly_rows(
    weekly: tuple[tuple[Interval, ...], ...], *, group: bool = False
) -> list[WeeklyRow]:
    """The weekly hours per weekday, or with ``group`` consecutive weekdays of equal hours in
    one row (``Monday – Friday 09:00–18:00``)."""
    runs: list[list[int]] = []
    for day, intervals in enumerate(weekly):
        if group and runs and weekly[runs[-1][-1]] == intervals:
            runs[-1].append(day)
        else:
            runs.append([day])
    rows = []
    for run in runs:
        first, last = Weekday(run[0]).label, Weekday(run[-1]).label
        days = str(first) if len(run) == 1 else f"{first} – {last}"
        rows.append(WeeklyRow(days, [hours_text(interval) for interval in weekly[run[0]]]))
    return rows


#: A whole day of working time, as the weekly hours show it.
AROUND_THE_CLOCK = _("24 h, around the clock")


def hours_text(interval: Interval) -> str:
    """``09:00–18:00``; a whole day is "24 h, around the clock"."""
    if interval == (0, MINUTES_PER_DAY):
        return str(AROUND_THE_CLOCK)
    return format_interval(interval)
