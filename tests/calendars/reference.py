"""A deliberately plain reference for the working-time engine: the definition, minute by minute.

An instant is working when its wall-clock time in the calendar's zone lies inside one of the
intervals of its local date. Nothing is compiled, merged or searched. For whole-minute instants
in zones whose offsets are whole minutes, an instant's minute [t, t + 60) is either wholly
working or wholly not, so counting minutes (times 60) is exact.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from tamdesk.calendars.engine import CalendarSpec

MAX_MINUTES = 60 * 24 * 60  # refuse to walk more than 60 days: a test asking more is a bug


def is_working(spec: CalendarSpec, t: int) -> bool:
    """The definition itself, for any instant (epoch seconds)."""
    local = dt.datetime.fromtimestamp(t, zoneinfo.ZoneInfo(spec.time_zone))
    wall = local.hour * 3600 + local.minute * 60 + local.second
    return any(start * 60 <= wall < end * 60 for start, end in spec.intervals_on(local.date()))


def working_seconds(spec: CalendarSpec, start: int, end: int) -> int:
    """Working seconds in [start, end); both whole minutes."""
    assert start % 60 == 0 and end % 60 == 0
    assert (end - start) // 60 <= MAX_MINUTES
    return 60 * sum(is_working(spec, t) for t in range(start, end, 60))


def add_working_seconds(spec: CalendarSpec, start: int, seconds: int) -> int:
    """The earliest t with `seconds` of working time in [start, t); whole minutes."""
    assert start % 60 == 0 and seconds % 60 == 0
    t, remaining = start, seconds
    while remaining:
        assert t - start < MAX_MINUTES * 60
        if is_working(spec, t):
            remaining -= 60
        t += 60
    return t


def next_working_instant(spec: CalendarSpec, t: int) -> int:
    """t if working, else the first working minute after it; t whole minutes."""
    assert t % 60 == 0
    probe = t
    while not is_working(spec, probe):
        assert probe - t < MAX_MINUTES * 60
        probe += 60
    return probe
