"""The SLA compliance report as data: the API's and JSON export's shape (``row_data``,
``totals_data``, ``violation_data``) and the flat table of the CSV and XLSX exports
(``flat_rows``, ``write_csv``, ``write_xlsx``). The figures are those of ``sla.reports``."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from typing import IO

from tamdesk.sla import reports

#: The figures of each clock kind, in the order of the exports' columns.
FIGURES = (
    "met",
    "breached",
    "running",
    "compliance_percent",
    "median_seconds",
    "p90_seconds",
    "paused_seconds",
)
VIOLATION_COLUMNS = (
    "incident",
    "title",
    "client",
    "priority",
    "kind",
    "target_seconds",
    "due_at",
    "breached_by_seconds",
    "url",
)
TOTAL = "total"


def figures(clock: reports.ClockFigures) -> dict:
    return vars(clock).copy()


def row_data(row: reports.Row, group_by: list[str]) -> dict:
    data: dict = {}
    if "client" in group_by:
        data["client"] = {"id": row.client_id, "name": row.client_name}
    if "priority" in group_by:
        data["priority"] = {"value": row.priority, "label": row.priority_label}
    if "department" in group_by:
        data["department"] = (
            {"id": row.department_id, "name": row.department_name}
            if row.department_id is not None
            else None
        )
    if "month" in group_by:
        data["month"] = row.month
    return data | totals_data(row)


def totals_data(row: reports.Row) -> dict:
    return {
        "incidents": row.incidents,
        "reaction": figures(row.reaction),
        "resolution": figures(row.resolution),
    }


def violation_data(item: reports.Violation) -> dict:
    return {
        "incident": item.incident_id,
        "title": item.title,
        "client": {"id": item.client_id, "name": item.client_name},
        "priority": item.priority,
        "kind": item.kind,
        "target_seconds": item.target_seconds,
        "due_at": item.due_at.isoformat() if item.due_at else None,
        "breached_by_seconds": item.breached_by_seconds,
        "url": item.url,
    }


def document(
    result: reports.Report,
    *,
    group_by: list[str],
    start: dt.date,
    end: dt.date,
    time_zone: str,
    violations: Sequence[reports.Violation] = (),
) -> dict:
    """The whole report as one JSON document (the CLI's ``--format json``)."""
    return {
        "group_by": group_by,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "time_zone": time_zone,
        "rows": [row_data(row, group_by) for row in result.rows],
        "totals": totals_data(result.totals),
        "violations": [violation_data(item) for item in violations],
    }


def columns(group_by: Sequence[str]) -> list[str]:
    """The flat table's header: the groups, ``incidents``, then ``<kind>_<figure>``."""
    figures = [f"{kind}_{name}" for kind in reports.KINDS for name in FIGURES]
    return [*group_by, "incidents", *figures]


def _flat(row: reports.Row, group_by: Sequence[str], *, total: bool = False) -> list:
    keys = {
        "client": row.client_name,
        "priority": row.priority,
        "department": row.department_name,
        "month": row.month,
    }
    values = [TOTAL if total and i == 0 else keys[name] for i, name in enumerate(group_by)]
    values.append(row.incidents)
    for kind in reports.KINDS:
        clock = getattr(row, kind)
        values.extend(getattr(clock, name) for name in FIGURES)
    return values


def flat_rows(result: reports.Report, group_by: Sequence[str]) -> list[list]:
    """One list per row, then (when grouped) the totals, their first group column ``total``
    and the others empty. Missing figures (``None``) stay ``None``."""
    out = [_flat(row, group_by) for row in result.rows]
    if group_by:
        totals = _flat(result.totals, group_by, total=True)
        out.append([value if value != "" else None for value in totals])
    return out


def violation_rows(violations: Sequence[reports.Violation]) -> list[list]:
    return [
        [
            item.incident_id,
            item.title,
            item.client_name,
            item.priority,
            item.kind,
            item.target_seconds,
            item.due_at.isoformat() if item.due_at else None,
            item.breached_by_seconds,
            item.url,
        ]
        for item in violations
    ]


def write_csv(stream: IO[str], result: reports.Report, group_by: Sequence[str]) -> None:
    """The grouped table as CSV (empty cells for missing figures)."""
    writer = csv.writer(stream)
    writer.writerow(columns(group_by))
    for values in flat_rows(result, group_by):
        writer.writerow(["" if value is None else value for value in values])


def write_xlsx(
    stream: IO[bytes],
    result: reports.Report,
    group_by: Sequence[str],
    violations: Sequence[reports.Violation] = (),
) -> None:
    """Two sheets: ``Compliance`` (the grouped table) and ``Violations``."""
    from openpyxl import Workbook  # only the XLSX export needs it

    book = Workbook()
    sheet = book.active
    sheet.title = "Compliance"
    sheet.append(columns(group_by))
    for values in flat_rows(result, group_by):
        sheet.append(values)
    listed = book.create_sheet("Violations")
    listed.append(list(VIOLATION_COLUMNS))
    for values in violation_rows(violations):
        listed.append(values)
    book.save(stream)
