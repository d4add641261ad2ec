"""A source's values in tamdesk's terms: times (with the DST rule), priorities, flags.

**Times.** A time with a UTC offset is taken as it is. A time without one is a local time of the
mapping's ``time_zone`` (none: refused). Where that zone's clocks change:

- an *ambiguous* time (the hour that happens twice when the clocks go back) is the **first**
  of the two instants — the one still in summer time (``fold=0``);
- a *non-existent* time (in the hour skipped when the clocks go forward) is read with the offset
  in force **before** the change, i.e. moved forward by the gap: ``02:30`` on the night Berlin
  goes from +01:00 to +02:00 is 01:30 UTC, shown as 03:30.

Every time comes out in UTC, inside the supported range (``core.ranges``)."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

from django.utils.translation import gettext as _

from tamdesk.core.ranges import END_INSTANT, FIRST_INSTANT
from tamdesk.sla.imports.mapping import Mapping

UTC = dt.UTC
_DAY_FIRST = "%d/%m/%Y %H:%M"
_MINUTES = [dt.timedelta(minutes=minute) for minute in range(60)]
_DAY_FIRST_RE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}) (\d{1,2}):(\d{2})(?::(\d{2}))?\Z")
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
# Jira's default export: 12/Mar/24 3:15 PM (day, English month, two-digit year, 12-hour clock).
_JIRA_RE = re.compile(
    r"(\d{1,2})/([A-Za-z]{3})/(\d{2}|\d{4}) (\d{1,2}):(\d{2})(?::(\d{2}))? ?([AaPp][Mm])\Z"
)


class TimeError(ValueError):
    """Why a time cannot be read; ``message`` is for a person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TimeReader:
    """Reads the mapping's times, remembering each text it has read (exports repeat them)."""

    def __init__(self, mapping: Mapping) -> None:
        self.format = mapping.date_format
        self.zone: zoneinfo.ZoneInfo | None = mapping.zone()
        self.cache: dict[object, dt.datetime] = {}
        # Local hour → its start in UTC, for the hours with one offset throughout (all but the
        # hours in which a zone's clocks change): most times then cost an addition.
        self.hours: dict[tuple[int, int, int, int], dt.datetime | None] = {}
        # ServiceNow's format: its text up to the minutes → that hour's start in UTC.
        self.day_first = self.format == _DAY_FIRST and self.zone is not None
        self.heads: dict[str, dt.datetime] = {}

    def __call__(self, text: object) -> dt.datetime:
        try:
            return self.cache[text]
        except KeyError:
            pass
        except TypeError:  # unhashable: never in a record
            raise TimeError(_("Not a time.")) from None
        if self.day_first and isinstance(text, str):  # "29/2/2016 01:16": hour start + minutes
            head, _colon, minute = text.rpartition(":")
            start = self.heads.get(head)
            if start is not None and len(minute) == 2 and minute.isdigit() and minute < "60":
                return start + _MINUTES[int(minute)]
        value = self._read(text)
        if len(self.cache) > 500_000:
            self.cache.clear()
        self.cache[text] = value
        return value

    def _read(self, text: object) -> dt.datetime:
        value = text if isinstance(text, dt.datetime) else self._parse(str(text))
        if value.tzinfo is None and self.zone is not None:
            key = (value.year, value.month, value.day, value.hour)
            start = self.hours.get(key, False)
            if start is False:
                start = self.hours[key] = self._hour_start(value)
            if start is not None:
                if self.day_first and isinstance(text, str) and text.count(":") == 1:
                    self.heads[text.rpartition(":")[0]] = start
                return start + dt.timedelta(
                    minutes=value.minute, seconds=value.second, microseconds=value.microsecond
                )
        if value.tzinfo is None:
            if self.zone is None:
                raise TimeError(
                    _("%(time)s has no UTC offset and the mapping names no time zone.")
                    % {"time": text}
                )
            value = value.replace(tzinfo=self.zone, fold=0)
        try:
            value = value.astimezone(UTC)
        except OverflowError:
            value = None
        if value is None or not FIRST_INSTANT <= value < END_INSTANT:
            raise TimeError(
                _("%(time)s is outside the supported range (1970 to 2200).") % {"time": text}
            )
        return value

    def _hour_start(self, value: dt.datetime) -> dt.datetime | None:
        """The UTC start of ``value``'s local hour when the whole hour has one offset and lies in
        the supported range; None otherwise (the time is then converted alone)."""
        start = value.replace(minute=0, second=0, microsecond=0, tzinfo=self.zone, fold=0)
        end = start.replace(minute=59, second=59)
        try:
            if start.utcoffset() != end.utcoffset():
                return None
            start = start.astimezone(UTC)
        except OverflowError:
            return None
        if not (start >= FIRST_INSTANT and start + dt.timedelta(hours=1) <= END_INSTANT):
            return None
        return start

    def _parse(self, text: str) -> dt.datetime:
        fmt = self.format
        try:
            if fmt == _DAY_FIRST:
                match = _DAY_FIRST_RE.match(text)
                if match is None:
                    raise ValueError
                day, month, year, hour, minute, second = match.groups()
                return dt.datetime(  # noqa: DTZ001 — local, zoned by the caller
                    int(year), int(month), int(day), int(hour), int(minute), int(second or 0)
                )
            if fmt == "jira":
                match = _JIRA_RE.match(text)
                if match is None:
                    return _iso(text)
                day, month, year, hour, minute, second, half = match.groups()
                hour_12 = int(hour)
                if not 1 <= hour_12 <= 12 or month.lower() not in _MONTHS:
                    raise ValueError
                hour_24 = hour_12 % 12 + (12 if half.lower() == "pm" else 0)
                full_year = int(year) + (2000 if len(year) == 2 else 0)
                return dt.datetime(  # noqa: DTZ001
                    full_year,
                    _MONTHS[month.lower()],
                    int(day),
                    hour_24,
                    int(minute),
                    int(second or 0),
                )
            if fmt == "iso":
                return _iso(text)
            return dt.datetime.strptime(text, fmt)  # noqa: DTZ007
        except (ValueError, OverflowError):
            raise TimeError(
                _("%(time)s is not a time in the format %(format)s.")
                % {"time": text or '""', "format": fmt}
            ) from None


def _iso(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text)
    if len(text) == 10:  # a bare date is not an instant
        raise ValueError
    return value


_PRIORITY_DIGIT = re.compile(r"\s*([1-5])\s*-")


def priority_of(mapping: Mapping, text: str) -> str | None:
    """``p1``..``p4`` through the mapping (also case-insensitively); None when not mapped."""
    value = mapping.priorities.get(text)
    if value is None:
        value = mapping.priorities.get(text.casefold())
    return value


def numbered_priority(mapping: Mapping, text: str) -> str | None:
    """ServiceNow: the mapping first, else the number before the dash (``3 - Moderate`` → p3;
    ``5 - Planning`` → p4, tamdesk's lowest)."""
    value = priority_of(mapping, text)
    if value is None:
        match = _PRIORITY_DIGIT.match(text)
        if match is not None:
            value = f"p{min(int(match.group(1)), 4)}"
    return value


def flag(text: str) -> object:
    """A source's SLA verdict: ``true``/``false`` as booleans, other text as it is."""
    lowered = text.casefold()
    if lowered in ("true", "yes", "1"):
        return True
    if lowered in ("false", "no", "0"):
        return False
    return text
