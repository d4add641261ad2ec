"""The SLA clock — pure (no ORM, no I/O), vectorised with NumPy over many clocks at once.

A *clock* (an incident's reaction or resolution clock) runs during its **running segments**:
from the opening to the stop (first response, resolution), minus the pauses (statuses that wait
for the client) and minus the time between a resolution and a reopening. The domain layer turns an
incident's events into those segments; this module measures them in working time of the clock's
calendar (:mod:`tamdesk.calendars.engine`) and answers, for every clock:

- ``elapsed``: working seconds consumed up to ``now`` — for every clock, with a target or not;
- ``paused``: working seconds inside the pause segments up to ``now``;
- ``due_at``: when the target is used up if the clock keeps running (a running clock past it:
  the moment it breached; a stopped clock: the moment it breached, if it did); ``NO_INSTANT``
  while paused — breached or not — and without a target;
- ``warn_at``: when each warning threshold (a percentage of the target) is (was) reached;
- ``state``: running, paused, met or breached; ``no target`` for a clock without one (a
  negative target), which is measured all the same.

The same code serves one incident and a million: the arrays are flat, segments of all clocks
side by side, and every step is one NumPy operation over all of them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tamdesk.calendars.engine import (
    CalendarRangeError,
    CompiledCalendars,
    add_working_seconds,
    working_seconds,
)

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: "No such instant" (a paused clock has no due time) — below every real instant.
NO_INSTANT = np.iinfo(np.int64).min
#: The instant lies beyond the compiled calendars; compile further to know it.
BEYOND = np.iinfo(np.int64).max

# Clock states, as small integers in the arrays (names in STATE_NAMES).
RUNNING, PAUSED, MET, BREACHED, NO_TARGET = 0, 1, 2, 3, 4
STATE_NAMES = ("running", "paused", "met", "breached", "no_target")
#: The target of a clock that has none: it is measured (elapsed, paused), never due nor breached.
NONE = -1

# Working time per clock stays below this (~136 years); an open segment's cumulative time counts
# as this much, so that it reaches any amount.
_BIG = 2**32


@dataclass(frozen=True)
class Clocks:
    """``n`` clocks and their segments.

    ``cal``, ``target``, ``stopped``: one entry per clock — the calendar index into the compiled
    calendars, the target in working seconds (``NONE`` when there is none), and whether the
    clock was stopped for good (the response was given, the incident resolved).

    ``seg_clock``, ``seg_start``, ``seg_end``: the running segments of all clocks, grouped by
    clock (``seg_clock`` non-decreasing) and in time order within a clock. A segment still running
    has ``seg_end == OPEN``; only a clock's last segment may be open, and a stopped clock has none.

    ``pause_clock``, ``pause_start``, ``pause_end``: the pause segments, the same way (measured for
    the ``paused`` figure only); an ongoing pause is ``OPEN`` too.

    ``thresholds``: warning thresholds in percent of the target, shape ``(n, k)`` (``k`` may be 0).
    """

    cal: IntArray
    target: IntArray
    stopped: BoolArray
    seg_clock: IntArray
    seg_start: IntArray
    seg_end: IntArray
    pause_clock: IntArray
    pause_start: IntArray
    pause_end: IntArray
    thresholds: IntArray

    def __len__(self) -> int:
        return int(self.cal.size)


OPEN = np.iinfo(np.int64).max - 1


@dataclass(frozen=True)
class ClockResult:
    elapsed: IntArray
    paused: IntArray
    remaining: IntArray  # target - elapsed (negative once breached); 0 without a target
    due_at: IntArray  # NO_INSTANT while paused and without a target; BEYOND past the range
    breached_at: IntArray  # NO_INSTANT when not breached
    warn_at: IntArray  # shape (n, k)
    state: npt.NDArray[np.int8]


def measure(cc: CompiledCalendars, clocks: Clocks, *, now: int) -> ClockResult:
    """Measure every clock at ``now`` (UTC epoch seconds)."""
    n = len(clocks)
    seg_clock = np.asarray(clocks.seg_clock, dtype=np.int64)
    seg_start = np.asarray(clocks.seg_start, dtype=np.int64)
    seg_end = np.asarray(clocks.seg_end, dtype=np.int64)
    cal = np.asarray(clocks.cal, dtype=np.int64)
    target = np.asarray(clocks.target, dtype=np.int64)
    stopped = np.asarray(clocks.stopped, dtype=bool)
    is_open = seg_end == OPEN

    # Elapsed: every segment up to its end, an open one up to now (nothing if it starts later).
    until_now = np.where(is_open, np.maximum(now, seg_start), seg_end)
    worked = working_seconds(cc, cal[seg_clock], seg_start, until_now)
    elapsed = np.bincount(seg_clock, weights=worked, minlength=n).astype(np.int64)

    pause_clock = np.asarray(clocks.pause_clock, dtype=np.int64)
    pause_start = np.asarray(clocks.pause_start, dtype=np.int64)
    pause_end = np.asarray(clocks.pause_end, dtype=np.int64)
    pause_until = np.where(pause_end == OPEN, np.maximum(now, pause_start), pause_end)
    paused_worked = working_seconds(cc, cal[pause_clock], pause_start, pause_until)
    paused = np.bincount(pause_clock, weights=paused_worked, minlength=n).astype(np.int64)

    # Per segment: working time of the clock before it, and at its end (an open one never ends).
    after = _cumsum_by_group(worked, seg_clock)
    before = after - worked
    after[is_open] = _BIG - 1
    segments = (seg_clock, seg_start, before, after)

    # A clock without a target looks for nothing: amount 0 is found at once and dropped below.
    has_target = target >= 0
    amount = np.where(has_target, target, 0)
    reached = reach(cc, cal, segments, amount)
    thresholds = np.asarray(clocks.thresholds, dtype=np.int64)
    thresholds = thresholds.reshape(n, thresholds.size // n if n else 0)
    warn_at = np.empty(thresholds.shape, dtype=np.int64)
    for k in range(thresholds.shape[1]):
        warn_at[:, k] = reach(cc, cal, segments, amount * thresholds[:, k] // 100)
    warn_at[~has_target] = NO_INSTANT

    running = np.zeros(n, dtype=bool)
    running[seg_clock[is_open]] = True
    state = np.full(n, PAUSED, dtype=np.int8)
    state[running] = RUNNING
    state[stopped] = MET
    breached = has_target & (elapsed > target)
    state[breached] = BREACHED
    state[~has_target] = NO_TARGET
    # No due time while paused (a breached clock too: it is not running out now).
    paused_now = ~running & ~stopped
    due_at = np.where(paused_now | ~has_target, NO_INSTANT, reached)
    return ClockResult(
        elapsed=elapsed,
        paused=paused,
        remaining=np.where(has_target, target - elapsed, 0),
        due_at=due_at,
        breached_at=np.where(breached, reached, NO_INSTANT),
        warn_at=warn_at,
        state=state,
    )


def reach(
    cc: CompiledCalendars,
    cal: IntArray,
    segments: tuple[IntArray, IntArray, IntArray, IntArray],
    amount: IntArray,
) -> IntArray:
    """For each clock, the instant its running time reaches ``amount`` working seconds:
    NO_INSTANT when its segments end before that (paused or stopped), BEYOND when it lies past
    the compiled calendars. ``segments`` is (clock, start, working time before, after)."""
    seg_clock, seg_start, before, after = segments
    n = cal.size
    amount = np.minimum(np.asarray(amount, dtype=np.int64), _BIG - 1)
    result = np.full(n, NO_INSTANT, dtype=np.int64)
    if seg_clock.size == 0:
        return result
    # A clock's segments are contiguous and its cumulative time never decreases, so the segments
    # that end before the amount are a prefix: count them (no search, one pass over segments).
    counts = np.bincount(seg_clock, minlength=n)
    first = np.cumsum(counts) - counts
    below = np.bincount(seg_clock, weights=after < amount[seg_clock], minlength=n).astype(np.int64)
    rows = np.flatnonzero(below < counts)
    if rows.size == 0:
        return result
    segment = first[rows] + below[rows]
    need = amount[rows] - before[segment]
    start = seg_start[segment]
    row_cal = cal[rows]
    # Past the compiled range there is no answer to give, only the fact. That is rare: try all
    # at once, and only when some fall beyond, find which.
    try:
        instants = add_working_seconds(cc, row_cal, start, need)
    except CalendarRangeError:
        end = np.full(rows.size, cc.end, dtype=np.int64)
        inside = working_seconds(cc, row_cal, start, end) >= need
        instants = np.full(rows.size, BEYOND, dtype=np.int64)
        if inside.any():
            instants[inside] = add_working_seconds(cc, row_cal[inside], start[inside], need[inside])
    result[rows] = instants
    return result


def _cumsum_by_group(values: IntArray, groups: IntArray) -> IntArray:
    """Running sums of ``values`` restarting at each new group (``groups`` sorted)."""
    total = np.cumsum(values, dtype=np.int64)
    if values.size == 0:
        return total
    first = np.ones(values.size, dtype=bool)
    first[1:] = groups[1:] != groups[:-1]
    offsets = np.where(first, total - values, 0)
    return total - np.maximum.accumulate(offsets)
