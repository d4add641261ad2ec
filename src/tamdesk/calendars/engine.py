"""Working-time arithmetic on calendars — pure (no ORM, no I/O), vectorised with NumPy.

A calendar says, for every local date, which wall-clock intervals are working time. An instant
(UTC) is *working* when its wall-clock time in the calendar's time zone lies inside one of the
intervals of its local date. Everything else here follows from that one definition, including
the DST days (a skipped hour is never worked; a repeated hour is worked twice when it lies inside
an interval).

Instants are whole UTC epoch seconds (``int64``). The vectorised functions work on a
:class:`CompiledCalendars` — each calendar expanded once into its sorted, merged UTC working
intervals over a range, with cumulative working seconds — so that every question is one search
in one sorted array shared by all calendars::

    cc = compile_calendars(specs, start=t0, end=t1)
    working_seconds(cc, cal, start, end)          # working seconds in [start, end)
    add_working_seconds(cc, cal, start, seconds)  # earliest t: working_seconds(start, t) == seconds
    subtract_working_seconds(cc, cal, end, seconds)  # latest t: working_seconds(t, end) == seconds
    is_working(cc, cal, t)
    next_working_instant(cc, cal, t)              # t itself if working, else the next start

Arguments are integer arrays of one shape (or broadcastable to it; a scalar calendar index is
fine). Instants outside ``[cc.start, cc.end]``, and results beyond ``cc.end``, raise
:class:`CalendarRangeError`. The scalar helpers (``working_seconds_between``, ``add_working_time``,
``next_working_datetime``, ``is_working_at``) take one spec and aware datetimes (or epoch seconds;
sub-seconds are dropped), compile what they need themselves and answer UTC datetimes.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import numbers
import zoneinfo
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

MINUTES_PER_DAY = 24 * 60
SECONDS_PER_DAY = 86_400
COMPILE_MARGIN_SECONDS = 7 * SECONDS_PER_DAY  # compile_calendars covers this much on both sides
SEARCH_LIMIT_SECONDS = 10 * 366 * SECONDS_PER_DAY  # scalar helpers look this far ahead, no further

Interval = tuple[int, int]  # [start, end) in minutes from local midnight, 0 <= start < end <= 1440
IntArray = npt.NDArray[np.int64]
Instant = dt.datetime | int  # an aware datetime or UTC epoch seconds

_BUCKETS_PER_VALUE = 16  # size of the lookup tables that replace most binary searches
_CHUNK_ROWS = 2**15  # queries run in chunks of this many rows
# Zone offsets are sampled this often and each change is then pinned to the second by bisection.
# Only two changes cancelling out within one step would be missed; tzdata's closest are days apart.
_OFFSET_SAMPLE_SECONDS = 12 * 3600
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_EPOCH_ORDINAL = _EPOCH.date().toordinal()
_FIRST_INSTANT = int(dt.datetime(2, 1, 1, tzinfo=dt.UTC).timestamp())
_LAST_INSTANT = int(dt.datetime(9998, 1, 1, tzinfo=dt.UTC).timestamp())


class CalendarRangeError(ValueError):
    """An instant, or a result, lies outside the range the calendars were compiled for."""


@dataclass(frozen=True)
class CalendarSpec:
    """One calendar as the engine sees it.

    ``weekly`` has seven entries, Monday first; each is a sorted tuple of non-overlapping
    ``(start_minute, end_minute)`` intervals. ``exceptions`` maps a local date to the intervals
    that replace that weekday's intervals on that date (an empty tuple: a closed day).
    """

    time_zone: str
    weekly: tuple[tuple[Interval, ...], ...]
    exceptions: Mapping[dt.date, tuple[Interval, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Validate, and normalise lists into tuples (so a spec is an immutable snapshot)."""
        _validate_time_zone(self.time_zone)
        if isinstance(self.weekly, str | bytes) or not isinstance(self.weekly, Iterable):
            raise ValueError("weekly must be a sequence of seven interval lists, Monday first")
        weekly = tuple(self.weekly)
        if len(weekly) != 7:
            raise ValueError(f"weekly must have 7 entries (Monday first), got {len(weekly)}")
        weekly = tuple(
            _validated_intervals(day, where=f"weekly[{index}]") for index, day in enumerate(weekly)
        )
        if not isinstance(self.exceptions, Mapping):
            raise ValueError("exceptions must be a mapping of dates to interval lists")
        exceptions = {}
        for day, intervals in self.exceptions.items():
            if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
                raise ValueError(f"exception keys must be dates, got {day!r}")
            exceptions[day] = _validated_intervals(intervals, where=f"exceptions[{day}]")
        object.__setattr__(self, "weekly", weekly)
        object.__setattr__(self, "exceptions", exceptions)

    @classmethod
    def always_open(cls, time_zone: str = "UTC") -> CalendarSpec:
        """Open around the clock, every day (24x7)."""
        return cls(time_zone=time_zone, weekly=(((0, MINUTES_PER_DAY),),) * 7)

    def intervals_on(self, day: dt.date) -> tuple[Interval, ...]:
        """The working intervals of a local date (its exception, else its weekday's)."""
        if day in self.exceptions:
            return self.exceptions[day]
        return self.weekly[day.weekday()]


def _validate_time_zone(name: object) -> None:
    if not isinstance(name, str):
        raise ValueError(f"time_zone must be an IANA zone name, got {name!r}")
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def _validated_intervals(intervals: object, *, where: str) -> tuple[Interval, ...]:
    shape_error = f"{where}: expected a sequence of (start_minute, end_minute) pairs"
    if isinstance(intervals, str | bytes) or not isinstance(intervals, Iterable):
        raise ValueError(shape_error)
    pairs: list[Interval] = []
    for pair in intervals:
        if isinstance(pair, str | bytes) or not isinstance(pair, Iterable):
            raise ValueError(shape_error)
        values = tuple(pair)
        if len(values) != 2 or not all(_is_integer(value) for value in values):
            raise ValueError(shape_error)
        start, end = int(values[0]), int(values[1])
        if not 0 <= start < end <= MINUTES_PER_DAY:
            raise ValueError(
                f"{where}: interval ({start}, {end}) must satisfy 0 <= start < end <= 1440"
            )
        if pairs and start < pairs[-1][1]:
            raise ValueError(f"{where}: intervals must be sorted and must not overlap")
        pairs.append((start, end))
    return tuple(pairs)


def _is_integer(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


# --- UTC offsets ---------------------------------------------------------------------------------


def _offset_at(zone: zoneinfo.ZoneInfo, t: int) -> int:
    offset = dt.datetime.fromtimestamp(t, zone).utcoffset()
    assert offset is not None  # a ZoneInfo always answers for an aware datetime
    return offset.days * SECONDS_PER_DAY + offset.seconds


@functools.lru_cache(maxsize=4096)
def _offset_changes_in_year(time_zone: str, year: int) -> tuple[tuple[int, int], ...]:
    """``(instant, new offset)`` for every change of UTC offset in ``(Jan 1, next Jan 1]`` UTC."""
    zone = zoneinfo.ZoneInfo(time_zone)
    t = int(dt.datetime(year, 1, 1, tzinfo=dt.UTC).timestamp())
    year_end = int(dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC).timestamp())
    offset = _offset_at(zone, t)
    changes = []
    while t < year_end:
        probe = min(t + _OFFSET_SAMPLE_SECONDS, year_end)
        if _offset_at(zone, probe) == offset:
            t = probe
            continue
        before, after = t, probe  # offset(before) == offset != offset(after): bisect to 1 s
        while after - before > 1:
            middle = (before + after) // 2
            if _offset_at(zone, middle) == offset:
                before = middle
            else:
                after = middle
        t, offset = after, _offset_at(zone, after)
        changes.append((t, offset))
    return tuple(changes)


def _offset_periods(time_zone: str, lo: int, hi: int) -> tuple[list[int], list[int], list[int]]:
    """Split UTC ``[lo, hi)`` into periods of constant offset: (starts, ends, offsets)."""
    first_year = dt.datetime.fromtimestamp(lo, dt.UTC).year - 1
    last_year = dt.datetime.fromtimestamp(hi, dt.UTC).year
    starts = [lo]
    offsets = [_offset_at(zoneinfo.ZoneInfo(time_zone), lo)]
    for year in range(first_year, last_year + 1):
        for t, offset in _offset_changes_in_year(time_zone, year):
            if lo < t < hi:
                starts.append(t)
                offsets.append(offset)
    return starts, [*starts[1:], hi], offsets


# --- compiling -----------------------------------------------------------------------------------


def _wall_intervals(spec: CalendarSpec, first_day: int, last_day: int) -> tuple[IntArray, IntArray]:
    """The working intervals of local days ``first_day..last_day`` (days since 1970-01-01), in
    wall-clock seconds since local 1970-01-01 00:00, sorted."""
    days = np.arange(first_day, last_day + 1, dtype=np.int64)
    weekdays = (days + 3) % 7  # 1970-01-01 was a Thursday
    exceptions = {
        day.toordinal() - _EPOCH_ORDINAL: intervals for day, intervals in spec.exceptions.items()
    }
    exceptions = {day: v for day, v in exceptions.items() if first_day <= day <= last_day}
    regular = ~np.isin(days, np.fromiter(exceptions, dtype=np.int64, count=len(exceptions)))
    starts: list[IntArray] = [np.empty(0, dtype=np.int64)]
    ends: list[IntArray] = [np.empty(0, dtype=np.int64)]
    for weekday, intervals in enumerate(spec.weekly):
        if not intervals:
            continue
        day_seconds = days[regular & (weekdays == weekday)][:, None] * SECONDS_PER_DAY
        minutes = np.asarray(intervals, dtype=np.int64) * 60
        starts.append((day_seconds + minutes[:, 0]).ravel())
        ends.append((day_seconds + minutes[:, 1]).ravel())
    for day, intervals in exceptions.items():
        minutes = np.asarray(intervals, dtype=np.int64).reshape(-1, 2) * 60
        starts.append(day * SECONDS_PER_DAY + minutes[:, 0])
        ends.append(day * SECONDS_PER_DAY + minutes[:, 1])
    start_array, end_array = np.concatenate(starts), np.concatenate(ends)
    order = np.argsort(start_array, kind="stable")
    return start_array[order], end_array[order]


def _utc_intervals(spec: CalendarSpec, lo: int, hi: int) -> tuple[IntArray, IntArray]:
    """The calendar's working time within UTC ``[lo, hi)``: sorted, merged intervals."""
    period_starts, period_ends, offsets = _offset_periods(spec.time_zone, lo, hi)
    first_day = (lo + min(offsets)) // SECONDS_PER_DAY - 1
    last_day = (hi + max(offsets)) // SECONDS_PER_DAY + 1
    wall_starts, wall_ends = _wall_intervals(spec, first_day, last_day)
    starts: list[IntArray] = [np.empty(0, dtype=np.int64)]
    ends: list[IntArray] = [np.empty(0, dtype=np.int64)]
    for period_start, period_end, offset in zip(period_starts, period_ends, offsets, strict=True):
        # Within a period, wall = utc + offset: a wall interval [a, b) is worked over UTC
        # [a - offset, b - offset), clipped to the period. Wall intervals are disjoint and sorted,
        # so those meeting the period's wall range form one slice.
        first = np.searchsorted(wall_ends, period_start + offset, side="right")
        last = np.searchsorted(wall_starts, period_end + offset, side="left")
        if first < last:
            starts.append(np.maximum(wall_starts[first:last] - offset, period_start))
            ends.append(np.minimum(wall_ends[first:last] - offset, period_end))
    return _merge_adjacent(np.concatenate(starts), np.concatenate(ends))


def _merge_adjacent(starts: IntArray, ends: IntArray) -> tuple[IntArray, IntArray]:
    if starts.size == 0:
        return starts, ends
    gap = starts[1:] != ends[:-1]
    return starts[np.concatenate(([True], gap))], ends[np.concatenate((gap, [True]))]


class _Locator:
    """``np.searchsorted(values, q, side="right") - 1`` for sorted values and queries ``q >= 0``.

    A binary search over random queries costs a cache miss or a mispredicted branch per step. A
    table of uniform buckets answers most queries with one lookup instead: those falling in a
    bucket that holds no value. The few others fall back to the binary search.
    """

    __slots__ = ("_shift", "_table", "_values")

    def __init__(self, values: IntArray) -> None:
        self._values = values
        top = max(int(values[-1]), 0)
        self._shift = (top // (_BUCKETS_PER_VALUE * values.size)).bit_length()
        bucket_starts = np.arange((top >> self._shift) + 2, dtype=np.int64) << self._shift
        first = np.searchsorted(values, bucket_starts, side="right") - 1
        last = np.searchsorted(values, bucket_starts + ((1 << self._shift) - 1), side="right") - 1
        self._table = np.where(first == last, first, -1)  # -1: a value inside, search
        self._table.setflags(write=False)

    def __call__(self, queries: IntArray) -> IntArray:
        buckets = np.minimum(queries >> self._shift, self._table.size - 1)
        index = self._table[buckets]
        missed = np.flatnonzero(index < 0)
        if missed.size:
            index[missed] = np.searchsorted(self._values, queries[missed], side="right") - 1
        return index


class CompiledCalendars:
    """Calendars expanded into UTC working intervals over ``[start, end]`` (epoch seconds).

    Built by :func:`compile_calendars`; the functions of this module take it as their first
    argument and a calendar index (into ``specs``) per query. Internally calendar ``c``'s
    instant ``t`` is the key ``c * stride + (t - start)``: all calendars' intervals form one
    sorted array, searched once for all queries.
    """

    __slots__ = (
        "_base",
        "_cumulative_end",
        "_ends",
        "_locate_cumulative",
        "_locate_start",
        "_starts",
        "_stride",
        "end",
        "specs",
        "start",
    )

    def __init__(
        self,
        *,
        specs: tuple[CalendarSpec, ...],
        start: int,
        end: int,
        stride: int,
        keys: list[IntArray],
    ) -> None:
        self.specs = specs
        self.start = start
        self.end = end
        self._stride = stride
        sentinel = np.array([-1], dtype=np.int64)  # an empty interval before all keys (>= 0)
        self._starts = np.concatenate([sentinel, *keys[0::2]])
        self._ends = np.concatenate([sentinel, *keys[1::2]])
        lengths = self._ends - self._starts
        self._cumulative_end = np.cumsum(lengths)  # working seconds up to each interval's end
        # Working seconds before key k, with i the last interval starting at or before k:
        # base[i] + min(k, ends[i]).
        self._base = self._cumulative_end - lengths - self._starts
        for array in (self._starts, self._ends, self._cumulative_end, self._base):
            array.setflags(write=False)
        self._locate_start = _Locator(self._starts)
        self._locate_cumulative = _Locator(self._cumulative_end)

    def __len__(self) -> int:
        return len(self.specs)

    def __repr__(self) -> str:
        return (
            f"<CompiledCalendars {len(self.specs)} calendars, {self._starts.size - 1} intervals, "
            f"[{_as_datetime(self.start).isoformat()}, {_as_datetime(self.end).isoformat()}]>"
        )

    def intervals(self, cal: int) -> tuple[IntArray, IntArray]:
        """One calendar's working intervals (UTC epoch seconds, [start, end)), sorted, merged.

        They may run past ``end``: the last day is compiled whole.
        """
        _check_calendars(self, np.asarray(cal))
        block = cal * self._stride
        first, last = np.searchsorted(self._starts, [block, block + self._stride])
        return (
            self._starts[first:last] - block + self.start,
            self._ends[first:last] - block + self.start,
        )

    def _worked_before(self, keys: IntArray) -> IntArray:
        """Cumulative working seconds before each key (comparable within one calendar only)."""
        index = self._locate_start(keys)
        return self._base[index] + np.minimum(keys, self._ends[index])


def compile_calendars(
    specs: Sequence[CalendarSpec],
    *,
    start: Instant,
    end: Instant,
    margin_seconds: int = COMPILE_MARGIN_SECONDS,
) -> CompiledCalendars:
    """Expand ``specs`` over ``[start - margin, end + margin]`` for the vectorised functions."""
    first, last = _epoch_seconds(start, name="start"), _epoch_seconds(end, name="end")
    if margin_seconds < 0 or last < first:
        raise ValueError("compile_calendars needs start <= end and a non-negative margin")
    lo, hi = first - margin_seconds, last + margin_seconds
    if lo < _FIRST_INSTANT or hi > _LAST_INSTANT:
        raise CalendarRangeError("compile_calendars covers years 2 to 9997 only")
    specs = tuple(specs)
    # One more day past `hi`, so that the working state at `hi` itself is known.
    compiled_end = hi + SECONDS_PER_DAY
    stride = compiled_end - lo + 1
    keys: list[IntArray] = []
    for index, spec in enumerate(specs):
        starts, ends = _utc_intervals(spec, lo, compiled_end)
        keys += [starts - lo + index * stride, ends - lo + index * stride]
    return CompiledCalendars(specs=specs, start=lo, end=hi, stride=stride, keys=keys)


# --- vectorised queries --------------------------------------------------------------------------


def working_seconds(
    cc: CompiledCalendars, cal: npt.ArrayLike, start: npt.ArrayLike, end: npt.ArrayLike
) -> IntArray:
    """Working seconds in ``[start, end)``; 0 where ``end <= start``."""
    return _run(cc, _working_seconds, np.int64, cal, start=start, end=end)


def _working_seconds(
    cc: CompiledCalendars, cal: IntArray, start: IntArray, end: IntArray
) -> IntArray:
    block = cal * cc._stride - cc.start
    worked = cc._worked_before(block + end) - cc._worked_before(block + start)
    return np.maximum(worked, 0)


def add_working_seconds(
    cc: CompiledCalendars, cal: npt.ArrayLike, start: npt.ArrayLike, seconds: npt.ArrayLike
) -> IntArray:
    """The earliest ``t >= start`` with ``working_seconds(start, t) == seconds`` (``seconds >= 0``).

    ``seconds == 0`` gives ``start`` unchanged, even outside working time.
    """
    return _run(cc, _add_working_seconds, np.int64, cal, start=start, seconds=seconds)


def _add_working_seconds(
    cc: CompiledCalendars, cal: IntArray, start: IntArray, seconds: IntArray
) -> IntArray:
    block = cal * cc._stride - cc.start
    target = cc._worked_before(block + start) + seconds
    # The first interval whose end reaches the target holds the result; inside it, every second
    # counts, so the result is its start plus what is still missing. (Where seconds == 0 the
    # target may be 0 and the index meaningless: start is returned there.)
    index = np.minimum(cc._locate_cumulative(target - 1) + 1, cc._cumulative_end.size - 1)
    result = target - cc._base[index] - block
    beyond = (result > cc.end) | (target > cc._cumulative_end[-1])
    _check_results(cc, beyond & (seconds != 0), "add_working_seconds")
    return np.where(seconds == 0, start, result)


def subtract_working_seconds(
    cc: CompiledCalendars, cal: npt.ArrayLike, end: npt.ArrayLike, seconds: npt.ArrayLike
) -> IntArray:
    """The latest ``t <= end`` with ``working_seconds(t, end) == seconds`` (``seconds >= 0``).

    ``seconds == 0`` gives ``end`` unchanged, even outside working time. Otherwise the result is a
    working instant: where the amount is used up exactly at the end of an interval, the latest
    such ``t`` is the start of the next one (the mirror of :func:`add_working_seconds`, which
    answers the end of an interval). A result before ``cc.start`` raises CalendarRangeError.
    """
    amounts = np.asarray(seconds)
    if amounts.dtype.kind in "iu" and amounts.size:
        if int(amounts.min()) < 0:
            raise ValueError("subtract_working_seconds needs seconds >= 0")
        if int(amounts.max()) > cc._stride:
            raise CalendarRangeError("subtract_working_seconds: seconds exceed the compiled range")
    return _run(cc, _subtract_working_seconds, np.int64, cal, end=end, seconds=amounts)


def _subtract_working_seconds(
    cc: CompiledCalendars, cal: IntArray, end: IntArray, seconds: IntArray
) -> IntArray:
    block = cal * cc._stride - cc.start
    target = cc._worked_before(block + end) - seconds
    # The first interval whose end passes the target holds the result: inside it, every second
    # counts. A target below what was worked before cc.start lies before the compiled range.
    before_range = target < cc._worked_before(block + cc.start)
    _check_results(cc, before_range & (seconds != 0), "subtract_working_seconds", "before")
    index = np.minimum(
        cc._locate_cumulative(np.maximum(target, 0)) + 1, cc._cumulative_end.size - 1
    )
    result = target - cc._base[index] - block
    return np.where(seconds == 0, end, result)


def is_working(
    cc: CompiledCalendars, cal: npt.ArrayLike, t: npt.ArrayLike
) -> npt.NDArray[np.bool_]:
    """Whether each instant is working time."""
    return _run(cc, _is_working, np.bool_, cal, t=t)


def _is_working(cc: CompiledCalendars, cal: IntArray, t: IntArray) -> npt.NDArray[np.bool_]:
    keys = cal * cc._stride - cc.start + t
    return keys < cc._ends[cc._locate_start(keys)]


def next_working_instant(cc: CompiledCalendars, cal: npt.ArrayLike, t: npt.ArrayLike) -> IntArray:
    """``t`` itself where it is working, else the start of the next working interval."""
    return _run(cc, _next_working_instant, np.int64, cal, t=t)


def _next_working_instant(cc: CompiledCalendars, cal: IntArray, t: IntArray) -> IntArray:
    block = cal * cc._stride - cc.start
    keys = block + t
    index = cc._locate_start(keys)
    working = keys < cc._ends[index]
    following = np.minimum(index + 1, cc._starts.size - 1)
    upcoming = cc._starts[following] - block
    beyond = ~working & ((index + 1 >= cc._starts.size) | (upcoming > cc.end))
    _check_results(cc, beyond, "next_working_instant")
    return np.where(working, t, upcoming)


def _run(
    cc: CompiledCalendars,
    kernel: Callable[..., npt.NDArray[Any]],
    dtype: type[np.generic],
    cal: npt.ArrayLike,
    **arguments: npt.ArrayLike,
) -> npt.NDArray[Any]:
    """Check and broadcast a query's arguments, then run ``kernel`` over chunks of rows.

    Chunks keep the temporaries small (in cache, and no gigabytes for ten million rows).
    """
    arrays = {"cal": np.asarray(cal), **{k: np.asarray(v) for k, v in arguments.items()}}
    for name, array in arrays.items():
        if array.dtype.kind not in "iu":
            raise TypeError(f"{name} must be an integer array, got dtype {array.dtype}")
        if array.size == 0:
            continue
        low, high = int(array.min()), int(array.max())
        if name == "cal" and (low < 0 or high >= len(cc.specs)):
            raise ValueError(f"calendar indexes must lie in [0, {len(cc.specs)})")
        if name == "seconds" and low < 0:
            raise ValueError("add_working_seconds needs seconds >= 0")
        if name == "seconds" and high > cc._stride:
            raise CalendarRangeError("add_working_seconds: seconds exceed the compiled range")
        if name not in ("cal", "seconds") and (low < cc.start or high > cc.end):
            raise CalendarRangeError(
                f"{name} has instants outside the compiled range "
                f"[{_as_datetime(cc.start).isoformat()}, {_as_datetime(cc.end).isoformat()}]"
            )
    shape = np.broadcast_shapes(*(array.shape for array in arrays.values()))
    columns = [
        array.reshape(1).astype(np.int64)
        if array.size == 1
        else np.broadcast_to(array, shape).reshape(-1)
        for array in arrays.values()
    ]
    size = math.prod(shape)
    result = np.empty(size, dtype=dtype)
    for first in range(0, size, _CHUNK_ROWS):
        rows = slice(first, first + _CHUNK_ROWS)
        chunk = [c if c.size == 1 else c[rows].astype(np.int64, copy=False) for c in columns]
        result[rows] = kernel(cc, *chunk)
    return result.reshape(shape)


def _check_calendars(cc: CompiledCalendars, cal: npt.NDArray[np.integer]) -> None:
    if cal.size and (cal.min() < 0 or cal.max() >= len(cc.specs)):
        raise ValueError(f"calendar indexes must lie in [0, {len(cc.specs)})")


def _check_results(
    cc: CompiledCalendars,
    beyond: npt.NDArray[np.bool_],
    operation: str,
    side: str = "after",
) -> None:
    if beyond.any():
        if side == "before":
            raise CalendarRangeError(
                f"{operation}: a result falls before the compiled range, which starts at "
                f"{_as_datetime(cc.start).isoformat()}; compile a longer range"
            )
        raise CalendarRangeError(
            f"{operation}: a result falls beyond the compiled range, which ends at "
            f"{_as_datetime(cc.end).isoformat()}; compile a longer range"
        )


# --- scalar helpers (one calendar, aware datetimes) ----------------------------------------------


def working_seconds_between(spec: CalendarSpec, start_at: Instant, end_at: Instant) -> int:
    """Working seconds in ``[start_at, end_at)``; 0 when ``end_at <= start_at``."""
    start = _epoch_seconds(start_at, name="start_at")
    end = _epoch_seconds(end_at, name="end_at")
    if end <= start:
        return 0
    cc = compile_calendars([spec], start=start, end=end, margin_seconds=0)
    return int(working_seconds(cc, 0, start, end))


def add_working_time(spec: CalendarSpec, start_at: Instant, seconds: int) -> dt.datetime:
    """The earliest instant with ``seconds`` of working time since ``start_at`` (UTC-aware).

    Raises CalendarRangeError when that lies more than about ten years ahead.
    """
    start = _epoch_seconds(start_at, name="start_at")
    if not _is_integer(seconds) or seconds < 0:
        raise ValueError(f"seconds must be a non-negative integer, got {seconds!r}")
    if seconds == 0:
        return _as_datetime(start)

    def attempt(cc: CompiledCalendars) -> int | None:
        if working_seconds(cc, 0, start, cc.end) < seconds:
            return None
        return int(add_working_seconds(cc, 0, start, seconds))

    first_span = COMPILE_MARGIN_SECONDS + 5 * int(seconds)
    return _as_datetime(_search_ahead(spec, start, first_span, attempt, "add_working_time"))


def next_working_datetime(spec: CalendarSpec, at: Instant) -> dt.datetime:
    """``at`` itself when it is working time, else the start of the next working interval (UTC).

    Raises CalendarRangeError when there is none within about ten years.
    """
    start = _epoch_seconds(at, name="at")

    def attempt(cc: CompiledCalendars) -> int | None:
        try:
            return int(next_working_instant(cc, 0, start))
        except CalendarRangeError:  # nothing within this range: try a longer one
            return None

    return _as_datetime(
        _search_ahead(spec, start, COMPILE_MARGIN_SECONDS, attempt, "next_working_datetime")
    )


def is_working_at(spec: CalendarSpec, at: Instant) -> bool:
    """Whether ``at`` is working time."""
    t = _epoch_seconds(at, name="at")
    cc = compile_calendars([spec], start=t, end=t, margin_seconds=0)
    return bool(is_working(cc, 0, t))


def _search_ahead(
    spec: CalendarSpec,
    start: int,
    first_span: int,
    attempt: Callable[[CompiledCalendars], int | None],
    operation: str,
) -> int:
    """Compile ever longer ranges after ``start`` until ``attempt`` finds its answer."""
    span = min(first_span, SEARCH_LIMIT_SECONDS)
    while True:
        cc = compile_calendars([spec], start=start, end=start + span, margin_seconds=0)
        found = attempt(cc)
        if found is not None:
            return found
        if span >= SEARCH_LIMIT_SECONDS:
            raise CalendarRangeError(
                f"{operation}: no answer within {SEARCH_LIMIT_SECONDS // SECONDS_PER_DAY} days "
                f"of {_as_datetime(start).isoformat()} (does the calendar have working time?)"
            )
        span = min(span * 4, SEARCH_LIMIT_SECONDS)


def _epoch_seconds(value: Instant, *, name: str) -> int:
    """UTC epoch seconds of an aware datetime (sub-seconds dropped) or of an integer."""
    if isinstance(value, dt.datetime):
        if value.utcoffset() is None:
            raise ValueError(f"{name} must be an aware datetime, got a naive one")
        return (value - _EPOCH) // dt.timedelta(seconds=1)
    if _is_integer(value):
        return int(value)
    raise TypeError(f"{name} must be an aware datetime or epoch seconds, got {value!r}")


def _as_datetime(t: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(seconds=int(t))
