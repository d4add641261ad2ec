"""When a message may reach a person: in their working hours, unless it is urgent.

A person's working hours are their department's calendar; without one, 09:00–18:00 on weekdays
in their own time zone (an engineer's, else the instance's). A department's are its calendar,
else the same default in the instance's time zone."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from tamdesk.calendars.engine import CalendarSpec, next_working_datetime

DEFAULT_DAY = ((9 * 60, 18 * 60),)


def default_spec(time_zone: str) -> CalendarSpec:
    return CalendarSpec(time_zone=time_zone, weekly=(DEFAULT_DAY,) * 5 + ((), ()))


def working_calendar_of_user(user) -> CalendarSpec:
    engineer = getattr(user, "engineer", None)
    if engineer is not None:
        calendar = engineer.department.calendar if engineer.department_id else None
        if calendar is not None:
            return calendar.to_spec()
        return default_spec(engineer.time_zone or settings.TIME_ZONE)
    return default_spec(settings.TIME_ZONE)


def working_calendar_of_department(department) -> CalendarSpec:
    if department.calendar_id:
        return department.calendar.to_spec()
    return default_spec(settings.TIME_ZONE)


def delivery_time(spec: CalendarSpec, *, urgent: bool, now: dt.datetime) -> dt.datetime:
    """``now`` for urgent messages and inside working hours, else the start of the next
    working interval."""
    if urgent:
        return now
    return next_working_datetime(spec, now)
