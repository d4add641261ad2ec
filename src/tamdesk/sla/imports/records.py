"""What a source's reader produces and the writer consumes: incidents with their events in
tamdesk's terms, and the rows refused with their reasons. Readers are pure (no database); every
value here is already translated to tamdesk's vocabulary except the names the writer resolves
against the directory (client, department group, assignee), which stay as the source spells them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SourceEvent:
    """One fact of an incident's life after its opening.

    ``kind`` is an ``IncidentEventKind`` value other than ``opened``; ``at`` is an aware datetime.
    ``to_value``: the new ``IncidentStatus`` value (status_changed, reopened), the new
    ``Priority`` value (priority_changed), empty otherwise. For ``reassigned``: ``group`` and/or
    ``assignee`` as the source names them (the writer maps the group to a department)."""

    kind: str
    at: dt.datetime
    line: int  # the source line (1 = the first data row) the event comes from
    to_value: str = ""
    group: str = ""
    assignee: str = ""
    note: str = ""


@dataclass
class SourceIncident:
    """An incident as one source knows it. ``external_id`` is unique within ``source_system``;
    ``opened_at`` is aware; ``priority`` and ``status`` (at the opening) are tamdesk values;
    ``events`` are in time order (ties keep the source's order). ``source_sla`` keeps the
    source's own verdicts beside our measurement, e.g. ``{"made_sla": True}`` or
    ``{"time_to_first_response": "met", "time_to_resolution": "breached"}``."""

    source_system: str
    external_id: str
    client: str
    title: str
    priority: str
    opened_at: dt.datetime
    lines: list[int]
    status: str = "new"
    description: str = ""
    group: str = ""  # the group holding it at the opening
    assignee: str = ""
    events: list[SourceEvent] = field(default_factory=list)
    source_sla: dict[str, object] = field(default_factory=dict)
    component: str = ""  # e.g. ServiceNow's cmdb_ci, kept for quality work


@dataclass(frozen=True)
class Reject:
    """A row (or a whole incident) the reader refuses: nothing of it is imported."""

    line: int
    column: str  # "" when the reason is not one column's
    reason: str  # a sentence for a person, translatable by the reader (gettext)
    external_id: str = ""


@dataclass
class ReadResult:
    """A reader's output: the incidents it could build and every row it refused. Nothing is
    dropped silently: each data row is used by an incident or named by a reject."""

    incidents: list[SourceIncident] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    rows: int = 0  # data rows read
