"""The BPI Challenge 2013 Volvo IT incident log (one row per event; docs/imports.md,
"bpi2013"). The statuses are ``Status/Sub Status`` pairs; the example mapping
docs/imports/bpi2013.mapping.toml is this preset's, written out."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO

from tamdesk.sla.imports.mapping import Mapping, UnknownPolicy
from tamdesk.sla.imports.readers.lifecycle import Rules, read_events
from tamdesk.sla.imports.readers.source import Row, csv_rows
from tamdesk.sla.imports.records import ReadResult

COLUMNS = {
    "SR Number": "external_id",
    "Change Date+Time": "at",
    "Involved ST": "group",
    "SR Latest Impact": "priority",
    "Resource": "assignee",
    "Product": "component",
}
STATUSES = {
    "Queued/Awaiting Assignment": "new",
    "Accepted/In Progress": "in_progress",
    "Accepted/Assigned": "in_progress",
    "Accepted/Wait - User": "waiting_client",
    "Accepted/Wait - Customer": "waiting_client",
    "Accepted/Wait - Vendor": "waiting_third_party",
    "Accepted/Wait - Implementation": "waiting_third_party",
    "Accepted/Wait": "waiting_third_party",
    "Completed/Resolved": "resolved",
    "Completed/In Call": "resolved",
    "Completed/Closed": "closed",
    "Completed/Cancelled": "closed",
    "Unmatched/Unmatched": "ignore",
}
PRIORITIES = {"Major": "p1", "High": "p2", "Medium": "p3", "Low": "p4"}

MAPPING = Mapping(
    columns=COLUMNS,
    statuses=STATUSES,
    priorities=PRIORITIES,
    date_format="iso",
    shape="event",
    unknown_groups=UnknownPolicy("create"),  # the support teams become departments
)
EXTRA = ("Status", "Sub Status")


def _with_status(rows: Iterator[Row]) -> Iterator[Row]:
    for line, record, error in rows:
        record["status"] = f"{record.pop('@Status', '')}/{record.pop('@Sub Status', '')}"
        yield line, record, error


def read(source: str | Path | IO, *, mapping: Mapping, source_system: str) -> ReadResult:
    rows = csv_rows(source, mapping=mapping, extra=EXTRA)
    return read_events(_with_status(rows), Rules(mapping, source_system=source_system))
