"""The change scheduler — pure (no ORM, no I/O), vectorised with NumPy by topological levels.

A change is split into department tasks; each task runs on its department's working calendar
(:mod:`tamdesk.calendars.engine`). Dependencies go from a predecessor to a successor,
finish-to-start (FS) or start-to-start (SS), with a lag in working seconds of the *successor's*
calendar (negative: an overlap). :func:`schedule` answers, for every task, its early and late
dates and its slack, and for the change its forecast finish and status.

Rules (one home for each; the docs of the changes domain repeat them in words):

- **Forward pass.** A task not started starts no earlier than ``max(start, now)``, no earlier than
  each FS predecessor's early finish + lag and each SS predecessor's early start + lag (the lag
  added, or subtracted when negative, on the successor's calendar), and then at the next working
  instant of its calendar; it finishes ``duration`` working seconds later (a milestone, duration
  0, finishes when it starts). A task in progress started at its actual start and finishes the
  remaining ``duration`` after the next working instant from ``now``. A done task keeps its
  actual dates. A cancelled task is ignored: no constraint passes through it, its dates are
  ``NO_INSTANT``.
- **Backward pass** from an anchor (the committed finish, and always also the forecast finish):
  every task must finish by the anchor, and by the latest instant each not-started successor
  allows — for FS the latest finish with which the successor could still start at its late start
  (an exact inverse of the forward rule: ``subtract`` the lag, or for a negative lag ``add`` it
  and take the next working instant), for SS the same bound on the late start. Late start =
  ``subtract_working_seconds(late finish, duration)``; when an SS bound is the tighter, late
  finish = ``add_working_seconds(late start, duration)``. Constraints towards a successor that has
  already started are met and are skipped. A done task's late dates are its actual dates. A task
  in progress: ``late_start`` is the latest instant its *remaining* work may resume.
- **Slack** is signed working seconds on the task's calendar from early to late finish — equal to
  early to late start for a task not started — negative when the task is late. Done and
  cancelled tasks have slack 0.
- **Critical**: the tasks not done and not cancelled whose slack against the forecast finish
  (``float_to_forecast``) is zero. With different calendars a task that drives its successor may
  still have float — time its calendar works while its successor's does not — so the critical
  tasks need not form a chain.
- **Status**: late when the forecast finish is after the committed finish; at risk when not late
  but some remaining task has less than ``at_risk_seconds`` (one working day of 8 h) of slack
  against the committed finish; on track otherwise, and always when there is no committed
  finish.

Arrays are flat (one entry per task, one per dependency); instants are int64 UTC epoch seconds.
The caller compiles the calendars (:func:`~tamdesk.calendars.engine.compile_calendars`) over a
range that covers the change, negative lags and the committed date; a date outside raises
:class:`~tamdesk.calendars.engine.CalendarRangeError`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tamdesk.calendars.engine import (
    CompiledCalendars,
    add_working_seconds,
    next_working_instant,
    subtract_working_seconds,
    working_seconds,
)

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: "No such instant" (a cancelled task has no dates; no committed finish) — below every instant.
NO_INSTANT = np.iinfo(np.int64).min

# Task states (``Network.state``) and dependency kinds (``Network.kind``).
NOT_STARTED, IN_PROGRESS, DONE, CANCELLED = 0, 1, 2, 3
FS, SS = 0, 1
# Change status.
ON_TRACK, AT_RISK, LATE = 0, 1, 2
STATUS_NAMES = ("on track", "at risk", "late")
AT_RISK_SECONDS = 8 * 3600  # one working day


class CycleError(ValueError):
    """The dependencies form a cycle; ``cycle`` names it (task indexes, first one repeated)."""

    def __init__(self, cycle: list[int]) -> None:
        self.cycle = cycle
        super().__init__("the dependencies form a cycle: " + " -> ".join(map(str, cycle)))


@dataclass(frozen=True)
class Network:
    """A change's tasks and dependencies.

    Per task: ``cal`` (calendar index), ``duration`` (working seconds: the estimate, or for a task
    in progress the remaining estimate), ``state`` (``NOT_STARTED`` … ``CANCELLED``),
    ``actual_start`` and ``actual_finish`` (epoch seconds or ``NO_INSTANT``). Per dependency:
    ``pred``, ``succ`` (task indexes), ``kind`` (``FS``/``SS``), ``lag`` (working seconds on the
    successor's calendar, may be negative). ``start`` is the change's planned start, ``now`` the
    instant scheduled at, ``committed`` the committed finish or ``NO_INSTANT``.
    """

    cal: IntArray
    duration: IntArray
    state: npt.NDArray[np.int8]
    actual_start: IntArray
    actual_finish: IntArray
    pred: IntArray
    succ: IntArray
    kind: npt.NDArray[np.int8]
    lag: IntArray
    start: int
    now: int
    committed: int = int(NO_INSTANT)

    def __len__(self) -> int:
        return int(self.cal.size)


@dataclass(frozen=True)
class Schedule:
    """What :func:`schedule` answers; ``late_*`` and ``slack`` against the committed finish when
    there is one, else against the forecast finish (then ``slack == float_to_forecast``)."""

    early_start: IntArray
    early_finish: IntArray
    late_start: IntArray
    late_finish: IntArray
    slack: IntArray
    float_to_forecast: IntArray
    critical: BoolArray
    forecast_finish: int
    status: int


# --- graph ---------------------------------------------------------------------------------------


def find_cycle(n: int, pred: npt.ArrayLike, succ: npt.ArrayLike) -> list[int] | None:
    """A cycle of the graph as task indexes in dependency order, the first repeated at the end
    (``[3, 5, 3]``: 3 -> 5 -> 3; a task depending on itself is ``[i, i]``), or None."""
    preds = np.asarray(pred, dtype=np.int64)
    succs = np.asarray(succ, dtype=np.int64)
    order = np.argsort(preds, kind="stable")
    heads = succs[order].tolist()
    bounds = np.searchsorted(preds[order], np.arange(n + 1)).tolist()
    colour = [0] * n  # 0 unseen, 1 on the current path, 2 finished
    for root in range(n):
        if colour[root]:
            continue
        path, cursors = [root], [bounds[root]]
        colour[root] = 1
        while path:
            node = path[-1]
            if cursors[-1] == bounds[node + 1]:
                colour[node] = 2
                path.pop()
                cursors.pop()
                continue
            nxt = heads[cursors[-1]]
            cursors[-1] += 1
            if colour[nxt] == 1:
                return [*path[path.index(nxt) :], nxt]
            if colour[nxt] == 0:
                colour[nxt] = 1
                path.append(nxt)
                cursors.append(bounds[nxt])
    return None


def topological_levels(n: int, pred: npt.ArrayLike, succ: npt.ArrayLike) -> list[IntArray]:
    """The tasks by level: level 0 has no predecessors, level k's predecessors all lie in lower
    levels and one in level k - 1 (longest path). Raises CycleError naming a cycle."""
    level = _levels(n, np.asarray(pred, dtype=np.int64), np.asarray(succ, dtype=np.int64))
    if not n:
        return []
    order = np.argsort(level, kind="stable")
    cuts = np.searchsorted(level[order], np.arange(1, int(level.max(initial=-1)) + 1))
    return np.split(order, cuts)


def _levels(n: int, pred: IntArray, succ: IntArray) -> IntArray:
    """Each task's level (Kahn's algorithm, one frontier at a time, vectorised)."""
    order = np.argsort(pred, kind="stable")
    heads = succ[order]
    bounds = np.searchsorted(pred[order], np.arange(n + 1))
    waiting = np.bincount(succ, minlength=n)
    level = np.full(n, -1, dtype=np.int64)
    frontier = np.flatnonzero(waiting == 0)
    depth = 0
    while frontier.size:
        level[frontier] = depth
        counts = bounds[frontier + 1] - bounds[frontier]
        total = int(counts.sum())
        if total:
            offsets = np.repeat(bounds[frontier] - np.cumsum(counts) + counts, counts)
            targets = heads[offsets + np.arange(total)]
            waiting -= np.bincount(targets, minlength=n)
            touched = np.unique(targets)
            frontier = touched[waiting[touched] == 0]
        else:
            frontier = frontier[:0]
        depth += 1
    if (level < 0).any():
        cycle = find_cycle(n, pred, succ)
        assert cycle is not None
        raise CycleError(cycle)
    return level


# --- scheduling ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    """The network prepared once for both passes: the active dependencies grouped by level."""

    active: BoolArray
    level_tasks: list[IntArray]
    incoming: list[IntArray]  # per level: dependencies whose successor lies in it
    outgoing: list[IntArray]  # per level: dependencies whose predecessor lies in it


def _plan(network: Network) -> _Plan:
    n = len(network)
    active = network.state != CANCELLED
    kept = np.flatnonzero(active[network.pred] & active[network.succ])
    level = _levels(n, network.pred[kept], network.succ[kept])
    level[~active] = -1
    depth = int(level.max(initial=-1)) + 1

    def by_level(keys: IntArray) -> list[IntArray]:
        order = np.argsort(keys, kind="stable")
        cuts = np.searchsorted(keys[order], np.arange(depth + 1))
        return [order[cuts[i] : cuts[i + 1]] for i in range(depth)]

    tasks = by_level(level)
    tasks = [t[active[t]] for t in tasks]
    incoming = [kept[e] for e in by_level(level[network.succ[kept]])]
    outgoing = [kept[e] for e in by_level(level[network.pred[kept]])]
    return _Plan(active=active, level_tasks=tasks, incoming=incoming, outgoing=outgoing)


def schedule(
    cc: CompiledCalendars, network: Network, *, at_risk_seconds: int = AT_RISK_SECONDS
) -> Schedule:
    """Early and late dates, slack, critical tasks, forecast finish and status (module doc)."""
    _validate(cc, network)
    plan = _plan(network)
    early_start, early_finish = _forward(cc, network, plan)
    active = plan.active
    forecast = int(early_finish[active].max()) if active.any() else int(NO_INSTANT)
    if forecast == NO_INSTANT:
        return _nothing_to_schedule(len(network))
    late_start, late_finish = _backward(cc, network, plan, early_start, early_finish, forecast)
    float_to_forecast = _slack(cc, network, active, early_finish, late_finish)
    remaining = active & (network.state != DONE)
    critical = remaining & (float_to_forecast == 0)
    status = ON_TRACK
    slack = float_to_forecast
    if network.committed != NO_INSTANT:
        late_start, late_finish = _backward(
            cc, network, plan, early_start, early_finish, network.committed
        )
        slack = _slack(cc, network, active, early_finish, late_finish)
        if forecast > network.committed:
            status = LATE
        elif remaining.any() and int(slack[remaining].min()) < at_risk_seconds:
            status = AT_RISK  # with nothing left to do, nothing is at risk
    return Schedule(
        early_start=early_start,
        early_finish=early_finish,
        late_start=late_start,
        late_finish=late_finish,
        slack=slack,
        float_to_forecast=float_to_forecast,
        critical=critical,
        forecast_finish=forecast,
        status=status,
    )


def _nothing_to_schedule(n: int) -> Schedule:
    """Every task cancelled (or none at all): no dates, no forecast, on track."""
    return Schedule(
        early_start=np.full(n, NO_INSTANT, dtype=np.int64),
        early_finish=np.full(n, NO_INSTANT, dtype=np.int64),
        late_start=np.full(n, NO_INSTANT, dtype=np.int64),
        late_finish=np.full(n, NO_INSTANT, dtype=np.int64),
        slack=np.zeros(n, dtype=np.int64),
        float_to_forecast=np.zeros(n, dtype=np.int64),
        critical=np.zeros(n, dtype=bool),
        forecast_finish=int(NO_INSTANT),
        status=ON_TRACK,
    )


def _validate(cc: CompiledCalendars, network: Network) -> None:
    n = len(network)
    for name in ("cal", "duration", "state", "actual_start", "actual_finish"):
        if getattr(network, name).shape != (n,):
            raise ValueError(f"{name} must have one entry per task ({n})")
    m = network.pred.size
    for name in ("pred", "succ", "kind", "lag"):
        if getattr(network, name).shape != (m,):
            raise ValueError(f"{name} must have one entry per dependency ({m})")
    if m and (
        min(network.pred.min(), network.succ.min()) < 0
        or max(network.pred.max(), network.succ.max()) >= n
    ):
        raise ValueError(f"dependencies must name tasks in [0, {n})")
    if (network.duration < 0).any():
        raise ValueError("durations must be >= 0")
    if not np.isin(network.state, (NOT_STARTED, IN_PROGRESS, DONE, CANCELLED)).all():
        raise ValueError("unknown task state")
    if not np.isin(network.kind, (FS, SS)).all():
        raise ValueError("unknown dependency kind")
    started = network.state == IN_PROGRESS
    done = network.state == DONE
    if (network.actual_start[started | done] == NO_INSTANT).any():
        raise ValueError("a task in progress or done needs its actual start")
    if (network.actual_finish[done] == NO_INSTANT).any():
        raise ValueError("a done task needs its actual finish")
    if n and (network.cal.min() < 0 or network.cal.max() >= len(cc)):
        raise ValueError(f"calendar indexes must lie in [0, {len(cc)})")


def _shift(cc: CompiledCalendars, cal: IntArray, base: IntArray, lag: IntArray) -> IntArray:
    """``base`` plus ``lag`` working seconds (minus, when negative) on calendars ``cal``."""
    result = base.copy()
    ahead, back = lag > 0, lag < 0
    if ahead.any():
        result[ahead] = add_working_seconds(cc, cal[ahead], base[ahead], lag[ahead])
    if back.any():
        result[back] = subtract_working_seconds(cc, cal[back], base[back], -lag[back])
    return result


def _unshift(cc: CompiledCalendars, cal: IntArray, bound: IntArray, lag: IntArray) -> IntArray:
    """The latest ``x`` with ``next_working(_shift(x, lag)) <= bound`` for a working ``bound``."""
    result = bound.copy()
    ahead, back = lag > 0, lag < 0
    if ahead.any():
        result[ahead] = subtract_working_seconds(cc, cal[ahead], bound[ahead], lag[ahead])
    if back.any():
        added = add_working_seconds(cc, cal[back], bound[back], -lag[back])
        result[back] = next_working_instant(cc, cal[back], added)
    return result


def _forward(cc: CompiledCalendars, network: Network, plan: _Plan) -> tuple[IntArray, IntArray]:
    n = len(network)
    cal, state = network.cal, network.state
    early_start = np.full(n, NO_INSTANT, dtype=np.int64)
    early_finish = np.full(n, NO_INSTANT, dtype=np.int64)
    done = np.flatnonzero(state == DONE)
    early_start[done] = network.actual_start[done]
    early_finish[done] = network.actual_finish[done]
    going = np.flatnonzero(state == IN_PROGRESS)
    if going.size:
        early_start[going] = network.actual_start[going]
        resume = next_working_instant(cc, cal[going], np.int64(network.now))
        early_finish[going] = add_working_seconds(cc, cal[going], resume, network.duration[going])
    earliest = np.full(n, max(network.start, network.now), dtype=np.int64)
    for tasks, edges in zip(plan.level_tasks, plan.incoming, strict=True):
        tasks = tasks[state[tasks] == NOT_STARTED]
        if not tasks.size:
            continue
        if edges.size:
            edges = edges[state[network.succ[edges]] == NOT_STARTED]
            pred, succ = network.pred[edges], network.succ[edges]
            base = np.where(network.kind[edges] == FS, early_finish[pred], early_start[pred])
            np.maximum.at(earliest, succ, _shift(cc, cal[succ], base, network.lag[edges]))
        early_start[tasks] = next_working_instant(cc, cal[tasks], earliest[tasks])
        early_finish[tasks] = add_working_seconds(
            cc, cal[tasks], early_start[tasks], network.duration[tasks]
        )
    return early_start, early_finish


def _backward(
    cc: CompiledCalendars,
    network: Network,
    plan: _Plan,
    early_start: IntArray,
    early_finish: IntArray,
    anchor: int,
) -> tuple[IntArray, IntArray]:
    n = len(network)
    cal, state, duration = network.cal, network.state, network.duration
    late_start = np.full(n, NO_INSTANT, dtype=np.int64)
    late_finish = np.full(n, NO_INSTANT, dtype=np.int64)
    done = np.flatnonzero(state == DONE)
    late_start[done] = early_start[done]
    late_finish[done] = early_finish[done]
    finish_by = np.full(n, anchor, dtype=np.int64)
    start_by = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    for tasks, edges in zip(reversed(plan.level_tasks), reversed(plan.outgoing), strict=True):
        tasks = tasks[state[tasks] != DONE]
        if not tasks.size:
            continue
        if edges.size:
            pred, succ = network.pred[edges], network.succ[edges]
            # Met already: towards a successor that started, and SS from a started predecessor.
            ss = network.kind[edges] == SS
            keep = (state[succ] == NOT_STARTED) & (state[pred] != DONE)
            keep &= ~ss | (state[pred] == NOT_STARTED)
            edges, pred, succ, ss = edges[keep], pred[keep], succ[keep], ss[keep]
            bound = _unshift(cc, cal[succ], late_start[succ], network.lag[edges])
            np.minimum.at(finish_by, pred[~ss], bound[~ss])
            np.minimum.at(start_by, pred[ss], bound[ss])
        latest = subtract_working_seconds(cc, cal[tasks], finish_by[tasks], duration[tasks])
        tighter = start_by[tasks] < latest
        late_start[tasks] = np.where(tighter, start_by[tasks], latest)
        late_finish[tasks] = finish_by[tasks]
        if tighter.any():
            pulled = tasks[tighter]
            late_finish[pulled] = add_working_seconds(
                cc, cal[pulled], late_start[pulled], duration[pulled]
            )
    return late_start, late_finish


def _slack(
    cc: CompiledCalendars,
    network: Network,
    active: BoolArray,
    early_finish: IntArray,
    late_finish: IntArray,
) -> IntArray:
    """Signed working seconds from early to late finish on each task's calendar."""
    slack = np.zeros(len(network), dtype=np.int64)
    rows = np.flatnonzero(active & (network.state != DONE))
    cal, early, late = network.cal[rows], early_finish[rows], late_finish[rows]
    slack[rows] = working_seconds(cc, cal, early, late) - working_seconds(cc, cal, late, early)
    return slack
