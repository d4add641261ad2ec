"""Jira Service Management's CSV export (one row per issue; docs/imports.md, "jira")."""

from __future__ import annotations

import re
from pathlib import Path
from typing import IO

from tamdesk.sla.imports.mapping import Mapping
from tamdesk.sla.imports.readers.lifecycle import Rules, read_incidents
from tamdesk.sla.imports.readers.source import csv_rows
from tamdesk.sla.imports.records import ReadResult

COLUMNS = {
    "Issue key": "external_id",
    "Summary": "title",
    "Priority": "priority",
    "Status": "status",
    "Created": "opened_at",
    "Updated": "updated_at",
    "Resolved": "resolved_at",
    "Assignee": "assignee",
    "Organizations": "client",
    "Request Type": "component",
    "Description": "description",
    "Time to first response": "source_sla:time_to_first_response",
    "Time to resolution": "source_sla:time_to_resolution",
}
OPTIONAL = frozenset(
    {
        "description",
        "component",
        "assignee",
        "updated_at",
        "client",
        "source_sla:time_to_first_response",
        "source_sla:time_to_resolution",
    }
)
STATUSES = {
    "Open": "new",
    "To Do": "new",
    "Waiting for support": "new",
    "In Progress": "in_progress",
    "Work in progress": "in_progress",
    "Escalated": "in_progress",
    "Waiting for customer": "waiting_client",
    "Pending": "waiting_third_party",
    "Waiting for vendor": "waiting_third_party",
    "Resolved": "resolved",
    "Done": "resolved",
    "Completed": "resolved",
    "Closed": "closed",
    "Canceled": "closed",
    "Cancelled": "closed",
}
PRIORITIES = {"Highest": "p1", "High": "p2", "Medium": "p3", "Low": "p4", "Lowest": "p4"}

MAPPING = Mapping(
    columns=COLUMNS,
    statuses=STATUSES,
    priorities=PRIORITIES,
    date_format="jira",
    shape="incident",
)

_DURATION = re.compile(r"-?\s*(\d+\s*[wdhm]\s*)+\Z")


def sla_verdict(_name: str, text: str) -> object:
    """An SLA column's value: ``met`` or ``breached`` when the text says so — a word (Met,
    Breached) or a remaining time (``-2h 30m``: negative is breached) — else the text as it is."""
    lowered = text.casefold()
    if "breach" in lowered or "fail" in lowered:
        return "breached"
    if lowered in ("met", "achieved", "succeeded", "ok"):
        return "met"
    if _DURATION.match(lowered):
        return "breached" if lowered.startswith("-") else "met"
    return text


def rules_for(mapping: Mapping, source_system: str) -> Rules:
    """How Jira's rows are read: its SLA columns through ``sla_verdict``."""
    return Rules(mapping, source_system=source_system, sla_value=sla_verdict)


def read(source: str | Path | IO, *, mapping: Mapping, source_system: str) -> ReadResult:
    rows = csv_rows(source, mapping=mapping, optional=OPTIONAL)
    return read_incidents(rows, rules_for(mapping, source_system))
