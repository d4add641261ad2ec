"""Working intervals as people write them and as the engine reads them.

An interval is ``(start_minute, end_minute)`` from local midnight, ``0 <= start < end <= 1440``;
people write it ``09:00-13:00`` (``24:00`` is the end of the day), several separated by commas:
``09:00-13:00, 14:00-18:00``. The functions here parse, check and format them; they raise Django's
``ValidationError`` with a stable ``code`` so that forms, serializers and services report the same
message. Pure: no ORM, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import pairwise

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tamdesk.calendars.engine import MINUTES_PER_DAY, Interval

CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
RANGE_SEPARATOR = re.compile(r"\s*[-–—]\s*")  # hyphen, en dash, em dash
LIST_SEPARATOR = re.compile(r"[,;\n]")


def format_minute(minute: int) -> str:
    """``540`` → ``"09:00"``; ``1440`` → ``"24:00"``."""
    hours, minutes = divmod(minute, 60)
    return f"{hours:02d}:{minutes:02d}"


def format_interval(interval: Interval, dash: str = "–") -> str:
    return f"{format_minute(interval[0])}{dash}{format_minute(interval[1])}"


def format_intervals(intervals: Iterable[Interval], dash: str = "-") -> str:
    """``((540, 780), (840, 1080))`` → ``"09:00-13:00, 14:00-18:00"`` (what the forms parse)."""
    return ", ".join(format_interval(interval, dash) for interval in intervals)


def parse_clock(text: str, *, is_end: bool = False) -> int:
    """``"09:00"`` → ``540``. ``"24:00"`` only as the end of an interval."""
    match = CLOCK.match(text.strip())
    if match:
        hours, minutes = int(match[1]), int(match[2])
        if minutes < 60 and (hours < 24 or (is_end and hours == 24 and minutes == 0)):
            return hours * 60 + minutes
    if is_end:
        message = _("“%(value)s” is not a time between 00:00 and 24:00 (HH:MM).")
    else:
        message = _("“%(value)s” is not a time between 00:00 and 23:59 (HH:MM).")
    raise ValidationError(message % {"value": text.strip()}, code="invalid_time")


def parse_interval(text: str) -> Interval:
    """``"09:00-13:00"`` → ``(540, 780)``."""
    parts = RANGE_SEPARATOR.split(text.strip())
    if len(parts) != 2 or not all(parts):
        raise ValidationError(
            _("“%(value)s” is not a time range like 09:00-13:00.") % {"value": text.strip()},
            code="invalid_format",
        )
    return parse_clock(parts[0]), parse_clock(parts[1], is_end=True)


def parse_intervals(text: str) -> tuple[Interval, ...]:
    """``"09:00-13:00, 14:00-18:00"`` → ``((540, 780), (840, 1080))``, checked and sorted; an
    empty text is no working time. Every malformed part is reported at once."""
    intervals, errors = [], []
    for part in LIST_SEPARATOR.split(text or ""):
        if not part.strip():
            continue
        try:
            intervals.append(parse_interval(part))
        except ValidationError as error:
            errors.append(error)
    if errors:
        raise ValidationError(errors)
    return check_intervals(intervals)


def check_intervals(intervals: Iterable[Iterable[int]]) -> tuple[Interval, ...]:
    """The intervals sorted, after checking that each is ``0 <= start < end <= 1440`` and that
    none overlaps another (touching, like 09:00-13:00 and 13:00-14:00, is fine)."""
    checked: list[Interval] = []
    for item in intervals:
        try:
            start, end = item
        except (TypeError, ValueError):
            raise ValidationError(
                _("Each interval is a pair of minutes [start, end]."), code="invalid_format"
            ) from None
        if not all(isinstance(value, int) and not isinstance(value, bool) for value in item):
            raise ValidationError(
                _("Each interval is a pair of minutes [start, end]."), code="invalid_format"
            )
        if not 0 <= start < end <= MINUTES_PER_DAY:
            raise ValidationError(
                _("%(interval)s: the end must be after the start, within 00:00-24:00.")
                % {"interval": _describe(start, end)},
                code="invalid_range",
            )
        checked.append((start, end))
    checked.sort()
    for previous, current in pairwise(checked):
        if current[0] < previous[1]:
            raise ValidationError(
                _("%(first)s overlaps %(second)s.")
                % {"first": format_interval(previous), "second": format_interval(current)},
                code="overlap",
            )
    return tuple(checked)


def _describe(start: int, end: int) -> str:
    in_day = all(isinstance(v, int) and 0 <= v <= MINUTES_PER_DAY for v in (start, end))
    return format_interval((start, end)) if in_day else f"[{start}, {end}]"


def validate_interval_list(value) -> None:
    """Validator of a JSON list of ``[start, end]`` minute pairs (``CalendarException``)."""
    if not isinstance(value, list):
        raise ValidationError(
            _("Enter a list of [start, end] minute pairs."), code="invalid_format"
        )
    check_intervals(value)


def shorten(intervals: Iterable[Interval], minutes: int) -> tuple[Interval, ...]:
    """The day's intervals less ``minutes`` of work taken from the end of the day:
    ``((540, 780), (840, 1080))`` less 60 → ``((540, 780), (840, 1020))``. A day with no more
    work than that is returned unchanged: there is nothing to shorten it to."""
    day = sorted(intervals)
    if sum(end - start for start, end in day) <= minutes:
        return tuple(day)
    left = minutes
    while left:
        start, end = day.pop()
        if end - start > left:
            day.append((start, end - left))
            left = 0
        else:
            left -= end - start
    return tuple(day)
