"""ServiceNow: the incident event log (one row per update, ``servicenow``) and the incident list
(one row per incident, ``servicenow-flat``), with the columns ServiceNow exports and its quirks:
``?`` for empty, day-first times without seconds in the instance's zone, ``1 - Critical``
priorities (docs/imports.md, "servicenow")."""

from __future__ import annotations

from pathlib import Path
from typing import IO

from tamdesk.sla.imports.mapping import Mapping
from tamdesk.sla.imports.readers.lifecycle import Rules, read_events, read_incidents
from tamdesk.sla.imports.readers.source import Record, csv_rows
from tamdesk.sla.imports.readers.values import numbered_priority
from tamdesk.sla.imports.records import ReadResult

#: The columns of the incident event log as ServiceNow exports it (the public log's header, in
#: its order); the reader uses those in ``COLUMNS`` and ignores the rest.
EXPORT_COLUMNS = (
    "number", "incident_state", "active", "reassignment_count", "reopen_count", "sys_mod_count",
    "made_sla", "caller_id", "opened_by", "opened_at", "sys_created_by", "sys_created_at",
    "sys_updated_by", "sys_updated_at", "contact_type", "location", "category", "subcategory",
    "u_symptom", "cmdb_ci", "impact", "urgency", "priority", "assignment_group", "assigned_to",
    "knowledge", "u_priority_confirmation", "notify", "problem_id", "rfc", "vendor", "caused_by",
    "closed_code", "resolved_by", "resolved_at", "closed_at",
)  # fmt: skip
COLUMNS = {
    "number": "external_id",
    "incident_state": "status",
    "sys_mod_count": "sequence",
    "sys_updated_at": "at",
    "opened_at": "opened_at",
    "priority": "priority",
    "assignment_group": "group",
    "assigned_to": "assignee",
    "cmdb_ci": "component",
    "resolved_at": "resolved_at",
    "closed_at": "closed_at",
    "made_sla": "source_sla:made_sla",
    # Optional: the public event log has none of these (the client then comes from --client).
    "short_description": "title",
    "description": "description",
    "company": "client",
}
OPTIONAL = frozenset({"title", "description", "client"})
#: Title parts when the export has no short_description.
TITLE_PARTS = ("category", "subcategory", "u_symptom")
STATUSES = {
    "New": "new",
    "Active": "in_progress",
    "In Progress": "in_progress",
    "On Hold": "waiting_client",
    "Awaiting User Info": "waiting_client",
    "Awaiting Evidence": "waiting_client",
    "Awaiting Vendor": "waiting_third_party",
    "Awaiting Problem": "waiting_third_party",
    "Resolved": "resolved",
    "Closed": "closed",
    "Canceled": "closed",
    # The public event log's placeholder state: the row keeps the incident's state.
    "-100": "ignore",
}
PRIORITIES = {
    "1 - Critical": "p1",
    "2 - High": "p2",
    "3 - Moderate": "p3",
    "3 - Medium": "p3",
    "4 - Low": "p4",
    "5 - Planning": "p4",
}
DATE_FORMAT = "%d/%m/%Y %H:%M"
EMPTY = frozenset({"", "?"})

MAPPING = Mapping(
    columns=COLUMNS,
    statuses=STATUSES,
    priorities=PRIORITIES,
    date_format=DATE_FORMAT,
    shape="event",
)
FLAT_COLUMNS = {key: value for key, value in COLUMNS.items() if value not in ("sequence", "at")} | {
    "sys_updated_at": "updated_at"
}
FLAT_MAPPING = Mapping(
    columns=FLAT_COLUMNS,
    statuses=STATUSES,
    priorities=PRIORITIES,
    date_format=DATE_FORMAT,
    shape="incident",
)


def _title(record: Record, external_id: str) -> str:
    parts = [str(record.get("@" + name, "")) for name in TITLE_PARTS]
    return " · ".join(part for part in parts if part) or external_id


def rules_for(mapping: Mapping, source_system: str) -> Rules:
    """How ServiceNow's rows are read: numbered priorities, a title from the category."""
    return Rules(mapping, source_system=source_system, priority=numbered_priority, title=_title)


def read(source: str | Path | IO, *, mapping: Mapping, source_system: str) -> ReadResult:
    """The event log: rows grouped by ``number``, ordered by (``sys_updated_at``,
    ``sys_mod_count``)."""
    rows = csv_rows(
        source, mapping=mapping, optional=OPTIONAL, extra=TITLE_PARTS, empty=EMPTY, strip=False
    )
    return read_events(rows, rules_for(mapping, source_system))


def read_flat(source: str | Path | IO, *, mapping: Mapping, source_system: str) -> ReadResult:
    """One row per incident: its opening, current state and ``sys_updated_at``."""
    rows = csv_rows(
        source,
        mapping=mapping,
        optional=OPTIONAL | {"updated_at", "component", "source_sla:made_sla", "assignee"},
        extra=TITLE_PARTS,
        empty=EMPTY,
    )
    return read_incidents(rows, rules_for(mapping, source_system))
