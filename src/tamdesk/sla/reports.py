"""The SLA compliance report: per client / priority / department / month (any combination),
from the clocks as stored (``IncidentClock``, as last measured; the alert job re-measures a
running clock when it crosses a threshold or its target, so a stored breach is at most a minute
late). Definitions of every figure: docs/domains/sla.md, "Reports".

Two parts:

- the query part (``compliance``, ``violations``, ``breached_clocks``) reads the incidents it is
  given — always a ``visible_to(user)`` queryset from an entry point, so a TAM reports on their
  clients only — in two column-lean queries (``values_list``: the incidents, then their clocks),
  plus one query per named group (client and department names);
- the pure part (``aggregate``) groups those columns with NumPy: counts with ``bincount``, the
  median and 90th percentile of each group from one sort (``np.percentile``'s default, the
  ``linear`` method: the value at rank ``p/100 × (n - 1)``, interpolated between neighbours).

Inputs outside the supported range, a period that ends before it starts, an unknown group or a
time zone nobody knows raise ``ReportError`` (a ``DomainError``) naming the field, with a stable
code: ``unknown_group``, ``out_of_supported_range``, ``invalid_period``, ``unknown_time_zone``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext as _

from tamdesk.core import ranges
from tamdesk.core.exceptions import DomainError
from tamdesk.directory.models import Client, Department
from tamdesk.sla.choices import ClockKind, ClockState, IncidentStatus, Priority
from tamdesk.sla.models import IncidentClock

#: The dimensions a report groups by, in the order its rows and columns list them.
GROUPS = ("client", "priority", "department", "month")
KINDS = (ClockKind.REACTION.value, ClockKind.RESOLUTION.value)
STOPPED_STATUSES = (IncidentStatus.RESOLVED.value, IncidentStatus.CLOSED.value)
#: The percentile the report gives besides the median.
PERCENTILE = 90
#: Without a start, the report begins this many months before the month of its end.
DEFAULT_MONTHS = 11
PRIORITIES = tuple(Priority.values)
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class ReportError(DomainError):
    code = "invalid_report"


# --- parameters ---------------------------------------------------------------------------


def check_group_by(group_by: Sequence[str]) -> list[str]:
    """The groups in their canonical order (``GROUPS``), each once; an unknown one is refused."""
    unknown = [name for name in group_by if name not in GROUPS]
    if unknown:
        raise ReportError(
            _("Unknown group %(names)s; choose among %(groups)s.")
            % {"names": ", ".join(unknown), "groups": ", ".join(GROUPS)},
            field="group_by",
            code="unknown_group",
        )
    return [name for name in GROUPS if name in group_by]


def check_period(start: dt.date, end: dt.date) -> None:
    for name, day in (("from", start), ("to", end)):
        if not ranges.is_supported_date(day):
            raise ReportError(str(ranges.DATE_MESSAGE), field=name, code="out_of_supported_range")
    if end < start:
        raise ReportError(_("The period ends before it starts."), field="to", code="invalid_period")


def zone(time_zone: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ReportError(
            _("Unknown time zone %(zone)s.") % {"zone": time_zone},
            field="time_zone",
            code="unknown_time_zone",
        ) from None


def day_start(day: dt.date, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """Midnight of ``day`` in ``tz`` (an aware instant)."""
    return dt.datetime.combine(day, dt.time(), tzinfo=tz)


def period_bounds(start: dt.date, end: dt.date, time_zone: str) -> tuple[dt.datetime, dt.datetime]:
    """``[start 00:00, (end + 1 day) 00:00)`` in ``time_zone``: the instants whose local date lies
    in the period, both days included."""
    check_period(start, end)
    tz = zone(time_zone)
    return day_start(start, tz), day_start(end + dt.timedelta(days=1), tz)


def default_start(end: dt.date) -> dt.date:
    """Without a start, a report covers the last twelve months: from the first day of the
    month ``DEFAULT_MONTHS`` before the month of ``end``."""
    months = end.year * 12 + end.month - 1 - DEFAULT_MONTHS
    return dt.date(months // 12, months % 12 + 1, 1)


def months(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first day of every month the period touches."""
    first, out = start.replace(day=1), []
    while first <= end:
        out.append(first)
        first = (first + dt.timedelta(days=32)).replace(day=1)
    return out


def filtered(
    incidents: models.QuerySet,
    *,
    client: int | None = None,
    priority: str = "",
    department: int | None = None,
) -> models.QuerySet:
    """The report's filters: one client, priority, department (each optional)."""
    if client is not None:
        incidents = incidents.filter(client_id=client)
    if priority:
        incidents = incidents.filter(priority=priority)
    if department is not None:
        incidents = incidents.filter(department_id=department)
    return incidents


# --- rows ---------------------------------------------------------------------------------


@dataclass
class ClockFigures:
    """One clock kind's figures in a row (docs/domains/sla.md, "Reports")."""

    met: int = 0
    breached: int = 0
    running: int = 0
    compliance_percent: float | None = None
    median_seconds: float | None = None
    p90_seconds: float | None = None
    paused_seconds: int = 0


@dataclass
class GroupRow:
    """The keys of one group of a report (or of its totals: no keys) and its incidents. A key
    not grouped by is None; a department key is None too for incidents in no department
    (``department_id`` None)."""

    client_id: int | None = None
    client_name: str = ""
    priority: str = ""
    department_id: int | None = None
    department_name: str = ""
    month: str = ""
    incidents: int = 0

    @property
    def priority_label(self) -> str:
        return str(Priority(self.priority).label) if self.priority else ""


@dataclass
class Row(GroupRow):
    """One group of the compliance report: its reaction and resolution figures."""

    reaction: ClockFigures = field(default_factory=ClockFigures)
    resolution: ClockFigures = field(default_factory=ClockFigures)


@dataclass
class Columns:
    """What the report reads, one entry per incident (the pure part's input).

    ``state``/``elapsed``/``paused``/``stopped`` map a clock kind to its arrays; ``measured``
    says the incident has a policy version (an incident no policy measured has no working time:
    its clocks are ``no_target`` with 0 elapsed and stay out of the times)."""

    client: np.ndarray
    priority: np.ndarray  # index into PRIORITIES
    department: np.ndarray  # -1: no department
    month: np.ndarray  # index into the report's months
    measured: np.ndarray
    state: dict[str, np.ndarray]
    elapsed: dict[str, np.ndarray]
    paused: dict[str, np.ndarray]
    stopped: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.client)


def _percentiles(values: np.ndarray, groups: np.ndarray, count: int) -> tuple[list, list]:
    """Median and ``PERCENTILE``-th percentile of ``values`` per group, seconds to a tenth (None
    for an empty group). All groups at once, by ``np.percentile``'s own arithmetic (the
    ``linear`` method: rank ``p/100 × (n - 1)``, ``_lerp`` between its neighbours), rather than a
    call per group and percentile — thousands of groups cost seconds that way."""
    medians: list[float | None] = [None] * count
    highs: list[float | None] = [None] * count
    if not len(values):
        return medians, highs
    order = np.lexsort((values, groups))
    values, groups = values[order].astype(np.float64), groups[order]
    starts = np.searchsorted(groups, np.arange(count), side="left")
    sizes = np.searchsorted(groups, np.arange(count), side="right") - starts
    present = np.flatnonzero(sizes)
    for percent, out in ((50, medians), (PERCENTILE, highs)):
        rank = (percent / 100) * (sizes[present] - 1)
        below = np.floor(rank)
        gamma = rank - below
        low = starts[present] + below.astype(np.int64)
        high = starts[present] + np.minimum(below.astype(np.int64) + 1, sizes[present] - 1)
        a, b = values[low], values[high]
        diff = b - a
        result = np.where(gamma >= 0.5, b - diff * (1 - gamma), a + diff * gamma)
        for g, value in zip(present.tolist(), result.tolist(), strict=True):
            out[g] = round(value, 1)
    return medians, highs


def _figures(cols: Columns, kind: str, inverse: np.ndarray, count: int) -> list[ClockFigures]:
    state = cols.state[kind]

    def per_group(mask) -> np.ndarray:
        return np.bincount(inverse, weights=mask, minlength=count).astype(np.int64)

    met = per_group(state == ClockState.MET.value)
    breached = per_group(state == ClockState.BREACHED.value)
    running = per_group(np.isin(state, (ClockState.RUNNING.value, ClockState.PAUSED.value)))
    paused = np.bincount(inverse, weights=cols.paused[kind], minlength=count).astype(np.int64)
    timed = cols.stopped[kind] & cols.measured
    medians, highs = _percentiles(cols.elapsed[kind][timed], inverse[timed], count)
    out = []
    for g in range(count):
        decided = int(met[g] + breached[g])
        out.append(
            ClockFigures(
                met=int(met[g]),
                breached=int(breached[g]),
                running=int(running[g]),
                compliance_percent=round(100 * int(met[g]) / decided, 2) if decided else None,
                median_seconds=medians[g],
                p90_seconds=highs[g],
                paused_seconds=int(paused[g]),
            )
        )
    return out


def group_index(cols, group_by: Sequence[str]) -> tuple[np.ndarray, int, list[dict]] | None:
    """The group of each row of ``cols`` (whose attributes named by ``group_by`` are integer
    arrays of one length): ``(inverse, count, keys)`` — each row's group number, the number of
    groups, and each group's keys (a dict of the grouped dimensions' codes), sorted by the keys.
    Without groups, one group of every row (also of none); with groups and no rows, None."""
    n = len(cols)
    if not group_by:
        return np.zeros(n, dtype=np.int64), 1, [{}]
    if n == 0:
        return None
    matrix = np.column_stack([getattr(cols, name) for name in group_by])
    unique, inverse = np.unique(matrix, axis=0, return_inverse=True)
    keys = [dict(zip(group_by, map(int, key), strict=True)) for key in unique]
    return inverse.reshape(-1), len(unique), keys


def aggregate(cols: Columns, group_by: Sequence[str]) -> tuple[list[dict], list[Row]]:
    """Group ``cols`` by ``group_by`` (canonical order). Returns each group's keys (a dict of
    the grouped dimensions' codes) and its row, sorted by the keys. Without groups: one row of
    totals, also for no incidents."""
    grouped = group_index(cols, group_by)
    if grouped is None:
        return [], []
    inverse, count, keys = grouped
    incidents = np.bincount(inverse, minlength=count)
    reaction = _figures(cols, ClockKind.REACTION, inverse, count)
    resolution = _figures(cols, ClockKind.RESOLUTION, inverse, count)
    rows = [
        Row(incidents=int(incidents[g]), reaction=reaction[g], resolution=resolution[g])
        for g in range(count)
    ]
    return keys, rows


# --- the query part -----------------------------------------------------------------------


class EpochSeconds(models.Func):
    """A time as whole seconds since 1970 (UTC), computed by the database: a million rows
    converted to ``datetime`` objects by Django and back cost seconds (bench/sla_report.md)."""

    output_field = models.BigIntegerField()
    template = "CAST(FLOOR(EXTRACT(EPOCH FROM %(expressions)s)) AS BIGINT)"

    def as_sqlite(self, compiler, connection, **extra_context):
        # Django stores an aware time on SQLite as UTC text: "YYYY-MM-DD HH:MM:SS[.ffffff]".
        # The percent sign is doubled twice: for this template, then for the query's placeholders.
        return self.as_sql(
            compiler,
            connection,
            template="CAST(strftime('%%%%s', %(expressions)s) AS INTEGER)",
            **extra_context,
        )


#: Rows read from the database per batch: each batch becomes arrays before the next is read, so
#: the report never holds every row as Python tuples (≈ 1 KiB per incident at a million).
BATCH = 50_000
PRIORITY_INDEX = {priority: i for i, priority in enumerate(PRIORITIES)}


def _batches(rows, size: int = BATCH):
    """The rows' columns, ``size`` rows at a time (each a tuple of columns)."""
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, size)):
        yield list(zip(*batch, strict=True))


def _incident_arrays(columns) -> list[np.ndarray]:
    """One batch of the incidents' columns as arrays: id, client, priority index, department
    (-1 for none), opened (epoch seconds), resolved (or closed), responded, measured."""
    n = len(columns[0])
    resolved = np.isin(np.array(columns[5], dtype="U32"), STOPPED_STATUSES)
    return [
        np.array(columns[0], dtype=np.int64),
        np.array(columns[1], dtype=np.int64),
        np.fromiter(map(PRIORITY_INDEX.__getitem__, columns[2]), dtype=np.int64, count=n),
        np.fromiter((-1 if d is None else d for d in columns[3]), dtype=np.int64, count=n),
        np.array(columns[4], dtype=np.int64),
        resolved,
        np.array(columns[6], dtype=bool) | resolved,
        np.fromiter((v is not None for v in columns[7]), dtype=bool, count=n),
    ]


def _columns(incidents: models.QuerySet, *, start: dt.date, end: dt.date, time_zone: str):
    """Two queries: the incidents' grouping columns, then their clocks (each read in batches)."""
    rows = (
        incidents.order_by("pk")
        .annotate(
            opened_epoch=EpochSeconds("opened_at"),
            # An integer, not a BooleanField: SQLite's boolean converter is a call per row.
            has_response=models.ExpressionWrapper(
                models.Q(first_response_at__isnull=False), output_field=models.IntegerField()
            ),
        )
        .values_list(
            "pk",
            "client_id",
            "priority",
            "department_id",
            "opened_epoch",
            "status",
            "has_response",
            "policy_version_id",
        )
    )
    parts = [_incident_arrays(columns) for columns in _batches(rows.iterator(chunk_size=BATCH))]
    if parts:
        ids, client, priority, department, opened, resolved, responded, measured = (
            np.concatenate(column) for column in zip(*parts, strict=True)
        )
    else:
        empty = np.zeros(0, dtype=np.int64)
        ids = client = priority = department = opened = empty
        resolved = responded = measured = np.zeros(0, dtype=bool)
    del parts
    n = len(ids)
    tz = zone(time_zone)
    month_days = months(start, end)
    bounds = np.array(
        [(day_start(m, tz) - EPOCH) // dt.timedelta(seconds=1) for m in month_days], dtype=np.int64
    )
    cols = Columns(
        client=client,
        priority=priority,
        department=department,
        month=np.maximum(np.searchsorted(bounds, opened, side="right") - 1, 0),
        measured=measured,
        state={kind: np.full(n, "", dtype="U16") for kind in KINDS},
        elapsed={kind: np.zeros(n, dtype=np.int64) for kind in KINDS},
        paused={kind: np.zeros(n, dtype=np.int64) for kind in KINDS},
        stopped={ClockKind.REACTION.value: responded, ClockKind.RESOLUTION.value: resolved},
    )
    if n:
        clock_rows = IncidentClock.objects.filter(incident__in=incidents.values("pk")).values_list(
            "incident_id", "kind", "state", "elapsed_seconds", "paused_seconds"
        )
        for got in _batches(clock_rows.iterator(chunk_size=BATCH)):
            incident_ids, kinds, states, elapsed, paused = (np.array(column) for column in got)
            found = np.minimum(np.searchsorted(ids, incident_ids), n - 1)
            # A clock of an incident opened between the two queries is not the report's.
            known = ids[found] == incident_ids
            for kind in KINDS:
                mask = known & (kinds == kind)
                at = found[mask]
                cols.state[kind][at] = states[mask]
                cols.elapsed[kind][at] = elapsed[mask]
                cols.paused[kind][at] = paused[mask]
    return cols, month_days


@dataclass
class Report:
    rows: list[Row]
    totals: Row


def report(
    incidents: models.QuerySet,
    *,
    group_by: Sequence[str],
    start: dt.date,
    end: dt.date,
    time_zone: str,
) -> Report:
    """The report's rows and its totals for the incidents opened in the period (local dates of
    ``time_zone``, both days included; pass it the incidents the reader may see, ``filtered``
    if asked), grouped by ``group_by``: one read of the columns serves both."""
    group_by = check_group_by(group_by)
    lo, hi = period_bounds(start, end, time_zone)
    incidents = incidents.filter(opened_at__gte=lo, opened_at__lt=hi)
    cols, month_days = _columns(incidents, start=start, end=end, time_zone=time_zone)
    keys, rows = aggregate(cols, group_by)
    _, (totals,) = aggregate(cols, [])
    _label(keys, rows, group_by, month_days)
    return Report(rows=rows, totals=totals)


def compliance(
    incidents: models.QuerySet,
    *,
    group_by: Sequence[str],
    start: dt.date,
    end: dt.date,
    time_zone: str,
) -> list[Row]:
    """The report's rows (``report``); ``compliance(..., group_by=[])`` is the one row of
    totals."""
    return report(incidents, group_by=group_by, start=start, end=end, time_zone=time_zone).rows


def _label(keys: list[dict], rows: list[Row], group_by: list[str], month_days) -> None:
    """Put each group's keys on its row, with the client and department names (one query
    each)."""
    clients = departments = {}
    if "client" in group_by and keys:
        clients = dict(
            Client.objects.filter(pk__in={k["client"] for k in keys})
            .order_by()
            .values_list("pk", "name")
        )
    if "department" in group_by and keys:
        departments = dict(
            Department.objects.filter(
                pk__in={k["department"] for k in keys if k["department"] >= 0}
            )
            .order_by()
            .values_list("pk", "name")
        )
    for key, row in zip(keys, rows, strict=True):
        if "client" in key:
            row.client_id = int(key["client"])
            row.client_name = clients.get(row.client_id, "")
        if "priority" in key:
            row.priority = PRIORITIES[int(key["priority"])]
        if "department" in key and int(key["department"]) >= 0:
            row.department_id = int(key["department"])
            row.department_name = departments.get(row.department_id, "")
        if "month" in key:
            row.month = month_days[int(key["month"])].strftime("%Y-%m")


@dataclass
class Violation:
    """A breached clock of the report's incidents."""

    incident_id: int
    title: str
    client_id: int
    client_name: str
    priority: str
    kind: str
    target_seconds: int
    #: When the target ran out (the clock's ``breached_at``).
    due_at: dt.datetime | None
    #: Working seconds consumed past the target (as last measured).
    breached_by_seconds: int
    url: str


def breached_clocks(incidents: models.QuerySet) -> models.QuerySet:
    """The breached clocks of ``incidents``, the latest breach first (for pagination)."""
    return (
        IncidentClock.objects.filter(incident__in=incidents.values("pk"), state=ClockState.BREACHED)
        .select_related("incident__client")
        .only(
            "incident_id",
            "kind",
            "target_seconds",
            "elapsed_seconds",
            "breached_at",
            "incident__title",
            "incident__priority",
            "incident__client_id",
            "incident__client__name",
        )
        .order_by("-breached_at", "-incident_id", "kind")
    )


def as_violation(clock: IncidentClock) -> Violation:
    incident = clock.incident
    target = clock.target_seconds or 0
    return Violation(
        incident_id=clock.incident_id,
        title=incident.title,
        client_id=incident.client_id,
        client_name=incident.client.name,
        priority=incident.priority,
        kind=clock.kind,
        target_seconds=target,
        due_at=clock.breached_at,
        breached_by_seconds=max(clock.elapsed_seconds - target, 0),
        url=reverse("sla:incident_detail", args=[clock.incident_id]),
    )


def violations(
    incidents: models.QuerySet, *, start: dt.date, end: dt.date, time_zone: str
) -> list[Violation]:
    """Every breached clock of the incidents opened in the period, the latest breach first."""
    lo, hi = period_bounds(start, end, time_zone)
    incidents = incidents.filter(opened_at__gte=lo, opened_at__lt=hi)
    return [as_violation(clock) for clock in breached_clocks(incidents)]
