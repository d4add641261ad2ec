"""The report's "time per department": how much of the resolution clock's working time each
department held the incidents (``IncidentHold``, as last stored), with its internal targets'
(OLA) compliance — per department and any combination of client, priority and month (the
compliance report's groups, ``sla.reports``; the same period, filters, time zone and checks).
Definitions: docs/domains/sla.md, "Time per department".

The unit is a **department's share of an incident**: the holds of one incident by one department
summed (a department that held an incident twice is measured on both holds together). A row
counts the incidents its department held, the held working time (total, median and 90th
percentile of the shares, paused time), and the OLA verdicts of the shares whose department has
a target for the incident's priority: ``met`` (released within the target), ``breached`` (over
it, released or not), ``running`` (still held, within it); ``compliance_percent`` is met / (met +
breached) × 100.

As in ``reports``: two column-lean queries (the incidents, then their holds) plus the targets
and the names, the grouping in NumPy (``aggregate``, pure)."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from django.db import models

from tamdesk.directory.models import Client, Department
from tamdesk.sla import reports
from tamdesk.sla.models import IncidentHold, OLATarget
from tamdesk.sla.reports import EPOCH, PRIORITIES

#: The groups besides the department, which every row has.
OTHER_GROUPS = ("client", "priority", "month")


@dataclass
class OLAFigures:
    met: int = 0
    breached: int = 0
    running: int = 0
    compliance_percent: float | None = None


@dataclass
class DepartmentRow(reports.GroupRow):
    """One department (None: no department) in one group of the other dimensions; the totals
    have no keys. ``incidents``: the department's shares (incidents it held)."""

    held_seconds: int = 0
    median_seconds: float | None = None
    p90_seconds: float | None = None
    paused_seconds: int = 0
    ola: OLAFigures = field(default_factory=OLAFigures)


@dataclass
class ShareColumns:
    """One entry per department's share of an incident (the pure part's input); ``target`` is
    -1 without an OLA target."""

    client: np.ndarray
    priority: np.ndarray
    department: np.ndarray  # -1: no department
    month: np.ndarray
    held: np.ndarray
    paused: np.ndarray
    holding: np.ndarray  # the department holds it still
    target: np.ndarray

    def __len__(self) -> int:
        return len(self.client)


def aggregate(cols: ShareColumns, group_by: Sequence[str]) -> tuple[list[dict], list]:
    """Group the shares by ``group_by`` (canonical order; empty: one row of totals)."""
    grouped = reports.group_index(cols, group_by)
    if grouped is None:
        return [], []
    inverse, count, keys = grouped

    def per_group(values) -> np.ndarray:
        return np.bincount(inverse, weights=values, minlength=count).astype(np.int64)

    incidents = np.bincount(inverse, minlength=count)
    held, paused = per_group(cols.held), per_group(cols.paused)
    has_target = cols.target >= 0
    over = has_target & (cols.held > cols.target)
    met = per_group(has_target & ~over & ~cols.holding)
    breached = per_group(over)
    running = per_group(has_target & ~over & cols.holding)
    medians, highs = reports._percentiles(cols.held, inverse, count)
    rows = []
    for g in range(count):
        decided = int(met[g] + breached[g])
        rows.append(
            DepartmentRow(
                incidents=int(incidents[g]),
                held_seconds=int(held[g]),
                median_seconds=medians[g],
                p90_seconds=highs[g],
                paused_seconds=int(paused[g]),
                ola=OLAFigures(
                    met=int(met[g]),
                    breached=int(breached[g]),
                    running=int(running[g]),
                    compliance_percent=round(100 * int(met[g]) / decided, 2) if decided else None,
                ),
            )
        )
    return keys, rows


def _columns(incidents: models.QuerySet, *, start, end, time_zone, department):
    fields = ("pk", "client_id", "priority", "opened_at")
    rows = list(incidents.order_by("pk").values_list(*fields))
    n = len(rows)
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=n)
    opened = np.fromiter(
        ((r[3] - EPOCH) // dt.timedelta(seconds=1) for r in rows), dtype=np.int64, count=n
    )
    tz = reports.zone(time_zone)
    month_days = reports.months(start, end)
    bounds = np.array(
        [(reports.day_start(m, tz) - EPOCH) // dt.timedelta(seconds=1) for m in month_days],
        dtype=np.int64,
    )
    client = np.fromiter((r[1] for r in rows), dtype=np.int64, count=n)
    priority = np.fromiter((PRIORITIES.index(r[2]) for r in rows), dtype=np.int64, count=n)
    month = np.maximum(np.searchsorted(bounds, opened, side="right") - 1, 0)
    empty = np.zeros(0, dtype=np.int64)
    holds = IncidentHold.objects.filter(incident__in=incidents.values("pk"))
    if department is not None:
        holds = holds.filter(department_id=department)
    got = (
        list(
            zip(
                *holds.values_list(
                    "incident_id", "department_id", "working_seconds", "paused_seconds", "ended_at"
                ).iterator(chunk_size=10_000),
                strict=True,
            )
        )
        if n
        else []
    )
    if not got:
        return (
            ShareColumns(empty, empty, empty, empty, empty, empty, np.zeros(0, dtype=bool), empty),
            month_days,
        )
    incident_ids = np.array(got[0], dtype=np.int64)
    departments = np.array([-1 if d is None else d for d in got[1]], dtype=np.int64)
    working = np.array(got[2], dtype=np.int64)
    paused = np.array(got[3], dtype=np.int64)
    open_hold = np.array([e is None for e in got[4]], dtype=np.int64)
    found = np.minimum(np.searchsorted(ids, incident_ids), n - 1)
    known = ids[found] == incident_ids  # a hold of an incident opened between the two queries
    found, departments = found[known], departments[known]
    working, paused, open_hold = working[known], paused[known], open_hold[known]
    pairs, share = np.unique(np.column_stack([found, departments]), axis=0, return_inverse=True)
    share = share.reshape(-1)
    count = len(pairs)
    at, dept = pairs[:, 0], pairs[:, 1]
    targets = {
        (d, PRIORITIES.index(p)): t
        for d, p, t in OLATarget.objects.values_list("department_id", "priority", "target_seconds")
    }
    target = np.fromiter(
        (targets.get((int(d), int(p)), -1) for d, p in zip(dept, priority[at], strict=True)),
        dtype=np.int64,
        count=count,
    )
    cols = ShareColumns(
        client=client[at],
        priority=priority[at],
        department=dept,
        month=month[at],
        held=np.bincount(share, weights=working, minlength=count).astype(np.int64),
        paused=np.bincount(share, weights=paused, minlength=count).astype(np.int64),
        holding=np.bincount(share, weights=open_hold, minlength=count) > 0,
        target=target,
    )
    return cols, month_days


@dataclass
class Report:
    group_by: list[str]
    rows: list[DepartmentRow]
    totals: DepartmentRow


def report(
    incidents: models.QuerySet,
    *,
    group_by: Sequence[str],
    start: dt.date,
    end: dt.date,
    time_zone: str,
    department: int | None = None,
) -> Report:
    """Time per department over the incidents opened in the period (pass the ones the reader
    may see, ``reports.filtered`` by client and priority). ``group_by`` checked as the compliance
    report's; the rows are always per department too. ``department`` keeps that department's
    holds only (not the incidents currently in it)."""
    group_by = reports.check_group_by([*group_by, "department"])
    lo, hi = reports.period_bounds(start, end, time_zone)
    incidents = incidents.filter(opened_at__gte=lo, opened_at__lt=hi)
    cols, month_days = _columns(
        incidents, start=start, end=end, time_zone=time_zone, department=department
    )
    keys, rows = aggregate(cols, group_by)
    _, (totals,) = aggregate(cols, [])
    _label(keys, rows, month_days)
    rows.sort(key=lambda r: (r.department_id is None, r.department_name.casefold(), _order(r)))
    return Report(group_by=group_by, rows=rows, totals=totals)


def _order(row: DepartmentRow) -> tuple:
    return (row.client_name.casefold(), row.priority, row.month)


def _label(keys: list[dict], rows: list[DepartmentRow], month_days) -> None:
    clients = dict(
        Client.objects.filter(pk__in={k["client"] for k in keys if "client" in k})
        .order_by()
        .values_list("pk", "name")
    )
    departments = dict(
        Department.objects.filter(pk__in={k["department"] for k in keys if k["department"] >= 0})
        .order_by()
        .values_list("pk", "name")
    )
    for key, row in zip(keys, rows, strict=True):
        if "client" in key:
            row.client_id = int(key["client"])
            row.client_name = clients.get(row.client_id, "")
        if "priority" in key:
            row.priority = PRIORITIES[int(key["priority"])]
        if int(key["department"]) >= 0:
            row.department_id = int(key["department"])
            row.department_name = departments.get(row.department_id, "")
        if "month" in key:
            row.month = month_days[int(key["month"])].strftime("%Y-%m")


# --- as data (the API, the JSON, CSV and XLSX exports) ------------------------------------------

FIGURES = ("incidents", "held_seconds", "median_seconds", "p90_seconds", "paused_seconds")
OLA_FIGURES = ("met", "breached", "running", "compliance_percent")
TOTAL = "total"


def row_data(row: DepartmentRow, group_by: Sequence[str]) -> dict:
    data: dict = {
        "department": (
            {"id": row.department_id, "name": row.department_name}
            if row.department_id is not None
            else None
        )
    }
    if "client" in group_by:
        data["client"] = {"id": row.client_id, "name": row.client_name}
    if "priority" in group_by:
        data["priority"] = {"value": row.priority, "label": row.priority_label}
    if "month" in group_by:
        data["month"] = row.month
    return data | totals_data(row)


def totals_data(row: DepartmentRow) -> dict:
    return {name: getattr(row, name) for name in FIGURES} | {"ola": vars(row.ola).copy()}


def document(result: Report, *, start: dt.date, end: dt.date, time_zone: str) -> dict:
    return {
        "group_by": result.group_by,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "time_zone": time_zone,
        "rows": [row_data(row, result.group_by) for row in result.rows],
        "totals": totals_data(result.totals),
    }


def columns(group_by: Sequence[str]) -> list[str]:
    return [*group_by, *FIGURES, *(f"ola_{name}" for name in OLA_FIGURES)]


def flat_rows(result: Report) -> list[list]:
    """One list per row, then the totals (first group column ``total``, the others empty)."""
    out = []
    for row in [*result.rows, result.totals]:
        is_total = row is result.totals
        keys = {
            "client": row.client_name,
            "priority": row.priority,
            "department": row.department_name,
            "month": row.month,
        }
        values = [
            (TOTAL if i == 0 else None) if is_total else keys[name]
            for i, name in enumerate(result.group_by)
        ]
        values += [getattr(row, name) for name in FIGURES]
        values += [getattr(row.ola, name) for name in OLA_FIGURES]
        out.append(values)
    return out


def write_csv(stream, result: Report) -> None:
    writer = csv.writer(stream)
    writer.writerow(columns(result.group_by))
    for values in flat_rows(result):
        writer.writerow(["" if value is None else value for value in values])


def write_xlsx(stream, result: Report) -> None:
    from openpyxl import Workbook  # only the XLSX export needs it

    book = Workbook()
    sheet = book.active
    sheet.title = "Departments"
    sheet.append(columns(result.group_by))
    for values in flat_rows(result):
        sheet.append(values)
    book.save(stream)
