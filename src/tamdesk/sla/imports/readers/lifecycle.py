"""From a source's rows to incidents with their events — the rules every preset shares
(docs/imports.md, "How a lifecycle is rebuilt").

Two shapes: ``read_events`` groups rows per incident (one row per update: ServiceNow's event
log, BPI 2013, a generic event file) and replays them; ``read_incidents`` takes one row per
incident (ServiceNow flat, Jira, a generic incident file). Each incident is checked whole with
``sla.timeline.check`` (pure): an incident any of whose rows is bad or contradicts the others is
rejected whole — every one of its lines gets a reject, none of it is in ``incidents``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.utils.translation import gettext as _

from tamdesk.sla import timeline
from tamdesk.sla.choices import WORKING_STATUSES, IncidentEventKind, IncidentStatus
from tamdesk.sla.imports.mapping import IGNORE, SOURCE_SLA_PREFIX, Mapping
from tamdesk.sla.imports.readers.source import Record, Row, bulk
from tamdesk.sla.imports.readers.values import TimeError, TimeReader, flag, priority_of
from tamdesk.sla.imports.records import ReadResult, Reject, SourceEvent, SourceIncident

Kind = IncidentEventKind
Status = IncidentStatus
WORKING = frozenset(str(status) for status in WORKING_STATUSES)
# Plain strings: the replay runs once per row of a file (millions), enum lookups cost.
NEW, RESOLVED, CLOSED = Status.NEW.value, Status.RESOLVED.value, Status.CLOSED.value
OPENED, FIRST_RESPONSE, STATUS_CHANGED = "opened", "first_response", "status_changed"
REASSIGNED, PRIORITY_CHANGED, REOPENED, COMMENT = (
    "reassigned",
    "priority_changed",
    "reopened",
    "comment",
)
assert {
    OPENED,
    FIRST_RESPONSE,
    STATUS_CHANGED,
    REASSIGNED,
    PRIORITY_CHANGED,
    REOPENED,
    COMMENT,
    RESOLVED,
    CLOSED,
} <= set(Kind.values)
#: The note of a closing the source undid (more changes followed it): kept as a comment.
UNDONE_CLOSING = "closed in the source, then changed again"


class Refused(Exception):
    """An incident cannot be built: ``line`` and ``column`` name the row and field at fault."""

    def __init__(self, line: int, column: str, reason: str) -> None:
        super().__init__(reason)
        self.line, self.column, self.reason = line, column, reason


class Rules:
    """What a reader tells the shared code: the mapping, how priorities and source SLA values
    are read, how a title is made when the source has none."""

    def __init__(
        self,
        mapping: Mapping,
        *,
        source_system: str,
        priority: Callable[[Mapping, str], str | None] = priority_of,
        title: Callable[[Record, str], str] | None = None,
        sla_value: Callable[[str, str], object] | None = None,
    ) -> None:
        self.mapping = mapping
        self.source_system = source_system
        self.time = TimeReader(mapping)
        self._priority = priority
        self._title = title
        self._sla_value = sla_value or (lambda _name, text: flag(text))
        self.sla_fields = [
            name for name in mapping.columns.values() if name.startswith(SOURCE_SLA_PREFIX)
        ]
        self.now = dt.datetime.now(dt.UTC)
        self._statuses: dict[str, str | None] = {}
        self._priorities: dict[str, str | None] = {}

    def column(self, field: str) -> str:
        return self.mapping.column_of(field) or field

    def at(self, record: Record, field: str, line: int, *, required: bool = True):
        text = record.get(field, "")
        if text == "":
            if required:
                raise Refused(line, self.column(field), _("The time is missing."))
            return None
        try:
            return self.time(text)
        except TimeError as exc:
            raise Refused(line, self.column(field), exc.message) from None

    def status(self, record: Record, line: int) -> str:
        text = str(record.get("status", ""))
        try:
            value = self._statuses[text]
        except KeyError:
            value = self._statuses[text] = self.mapping.status_of(text)
        if value is None:
            raise Refused(
                line,
                self.column("status"),
                _("The status %(status)s is not in the mapping.") % {"status": text or '""'},
            )
        return value

    def priority(self, record: Record, line: int, *, required: bool) -> str:
        text = str(record.get("priority", ""))
        if text == "" and not required:
            return ""
        try:
            value = self._priorities[text]
        except KeyError:
            value = self._priorities[text] = self._priority(self.mapping, text)
        if value is None:
            raise Refused(
                line,
                self.column("priority"),
                _("The priority %(priority)s is not in the mapping.") % {"priority": text or '""'},
            )
        return value

    def client(self, record: Record, line: int) -> str:
        value = self.mapping.client_of(str(record.get("client", "")))
        if not value:
            raise Refused(
                line,
                self.column("client"),
                _("No client: the row names none and the import gives no fixed client."),
            )
        return value

    def title(self, record: Record, external_id: str) -> str:
        title = str(record.get("title", ""))
        if not title and self._title is not None:
            title = self._title(record, external_id)
        return title or external_id

    def source_sla(self, record: Record) -> dict[str, object]:
        verdicts = {}
        for name in self.sla_fields:
            text = str(record.get(name, ""))
            if text:
                key = name.removeprefix(SOURCE_SLA_PREFIX)
                verdicts[key] = self._sla_value(key, text)
        return verdicts


class _Life:
    """An incident's state while its rows are replayed, and the events they add."""

    def __init__(self, status: str, group: str, priority: str, responded: bool) -> None:
        self.status = status
        self.group = group
        self.priority = priority
        self.responded = responded
        self.events: list[SourceEvent] = []
        self.last_at: dt.datetime | None = None

    def _unclose(self) -> None:
        """A closing followed by more changes was not final: it stays as a comment."""
        closing = self.events.pop()
        self.events.append(
            SourceEvent(COMMENT, closing.at, closing.line, "", "", "", UNDONE_CLOSING)
        )
        self.status = RESOLVED

    def add(
        self,
        kind: str,
        at: dt.datetime,
        line: int,
        to_value: str = "",
        group: str = "",
        assignee: str = "",
    ) -> None:
        if self.status == CLOSED:
            self._unclose()
        self.events.append(SourceEvent(kind, at, line, to_value, group, assignee))

    def move(self, to: str, at: dt.datetime, line: int, resolved_at=None) -> None:
        """Follow the source into status ``to`` (``ignore`` keeps the status). ``resolved_at``:
        a callable giving the row's resolution time (or None), asked only when a closing has
        no resolution before it."""
        if to == IGNORE or to == self.status:
            return
        if self.status == CLOSED:
            self._unclose()
            if to == RESOLVED:
                return
        if to in WORKING:
            if self.status == RESOLVED:
                self.add(REOPENED, at, line, to)
            else:
                if not self.responded and to != NEW:
                    self.add(FIRST_RESPONSE, at, line)
                    self.responded = True
                self.add(STATUS_CHANGED, at, line, to)
        elif to == RESOLVED:
            self.add(RESOLVED, at, line, RESOLVED)
            self.responded = True
        elif to == CLOSED:
            if self.status != RESOLVED:
                when = at
                resolved = resolved_at() if resolved_at is not None else None
                if resolved is not None and (self.last_at or at) <= resolved <= at:
                    when = resolved
                self.add(RESOLVED, when, line, RESOLVED)
                self.responded = True
            self.add(CLOSED, at, line, CLOSED)
        self.status = to


def _refuse_all(result: ReadResult, lines: list[int], refusal: Refused, external_id: str) -> None:
    """Reject every line of an incident: the line at fault with its reason, the others saying
    why they go too."""
    for line in sorted(lines):
        if line == refusal.line:
            result.rejects.append(Reject(line, refusal.column, refusal.reason, external_id))
        else:
            result.rejects.append(
                Reject(
                    line,
                    "",
                    _("Incident %(id)s is refused whole: line %(line)d: %(reason)s")
                    % {"id": external_id, "line": refusal.line, "reason": refusal.reason},
                    external_id,
                )
            )


def _check(incident: SourceIncident, rules: Rules) -> None:
    """``sla.timeline.check`` on the incident's events, as the SLA services will run it."""
    epoch = int(incident.opened_at.timestamp())
    events = [timeline.Event(OPENED, epoch, incident.status)]
    events += [timeline.Event(e.kind, int(e.at.timestamp()), e.to_value) for e in incident.events]
    try:
        timeline.check(events, now=int(rules.now.timestamp()), priority=incident.priority)
    except timeline.TimelineError as exc:
        line = incident.lines[0] if exc.index == 0 else incident.events[exc.index - 1].line
        raise Refused(line, "", exc.message) from None


def _keep(result: ReadResult, incident: SourceIncident, rules: Rules) -> None:
    try:
        _check(incident, rules)
    except Refused as refusal:
        _refuse_all(result, incident.lines, refusal, incident.external_id)
        return
    result.incidents.append(incident)


# --- one row per update ----------------------------------------------------------------------


def read_events(rows: Iterable[Row], rules: Rules) -> ReadResult:
    """Group the rows per incident (in memory, compactly), order each incident's rows by
    (``at``, ``sequence``, line) and replay them."""
    with bulk():
        return _read_events(rows, rules)


def _read_events(rows: Iterable[Row], rules: Rules) -> ReadResult:
    result = ReadResult()
    groups: dict[str, list[tuple[int, Record, tuple[str, str] | None]]] = {}
    id_column = rules.column("external_id")
    for line, record, error in rows:
        result.rows += 1
        key = str(record.get("external_id", ""))
        if not key:
            result.rejects.append(
                Reject(line, id_column, error[1] if error else _("The row has no incident id."))
            )
            continue
        group = groups.get(key)
        if group is None:
            groups[key] = group = []
        group.append((line, record, error))
    for key, group in groups.items():
        lines = [line for line, _record, _error in group]
        try:
            incident = _incident_of_events(key, group, rules)
        except Refused as refusal:
            _refuse_all(result, lines, refusal, key)
            continue
        _keep(result, incident, rules)
    return result


def _sequence(text: object, line: int, rules: Rules) -> int:
    try:
        return int(str(text))
    except ValueError:
        raise Refused(line, rules.column("sequence"), _("Not a whole number.")) from None


def _incident_of_events(external_id: str, group: list, rules: Rules) -> SourceIncident:
    ordered = []
    time = rules.time
    for line, record, error in group:
        if error is not None:
            raise Refused(line, error[0], error[1])
        text = record.get("at", "")
        try:
            at = time(text)
        except TimeError as exc:
            raise Refused(line, rules.column("at"), exc.message) from None
        sequence = record.get("sequence", "")
        ordered.append((at, _sequence(sequence, line, rules) if sequence else 0, line, record))
    ordered.sort(key=lambda row: row[:3])
    first_at, _seq, first_line, first = ordered[0]
    opened_text = first.get("opened_at", "")
    opened_at = rules.at(first, "opened_at", first_line, required=False) or first_at
    openings = {"", opened_text}
    ends = {""}
    for at, _seq, line, record in ordered:
        if record.get("opened_at", "") not in openings:
            raise Refused(
                line, rules.column("opened_at"), _("The rows disagree on the opening time.")
            )
        if at < opened_at:
            raise Refused(
                line, rules.column("at"), _("The row is dated before the incident's opening.")
            )
        for name in ("resolved_at", "closed_at"):
            text = record.get(name, "")
            if text in ends:
                continue
            if rules.at(record, name, line) < opened_at:
                raise Refused(
                    line, rules.column(name), _("The incident ends before it was opened.")
                )
            ends.add(text)
    status = rules.status(first, first_line)
    priority = rules.priority(first, first_line, required=True)
    opening = status if status in WORKING else NEW
    group_name = str(first.get("group", ""))
    life = _Life(opening, group_name, priority, responded=opening != NEW)
    life.last_at = opened_at
    if opening != NEW:  # opened already out of New: answered by its first row
        life.events.append(SourceEvent(FIRST_RESPONSE, first_at, first_line))
    if status not in WORKING:
        life.move(status, first_at, first_line, _resolved(rules, first, first_line))
    status_of, priority_of = rules.status, rules.priority
    for at, _seq, line, record in ordered[1:]:
        new_group = record.get("group", "")
        if new_group and new_group != life.group:
            life.add(REASSIGNED, at, line, "", new_group, record.get("assignee", ""))
            life.group = new_group
        new_priority = priority_of(record, line, required=False)
        if new_priority and new_priority != life.priority:
            life.add(PRIORITY_CHANGED, at, line, new_priority)
            life.priority = new_priority
        to = status_of(record, line)
        if to != life.status:
            life.move(to, at, line, _resolved(rules, record, line))
        life.last_at = at
    last = ordered[-1][3]
    return SourceIncident(
        source_system=rules.source_system,
        external_id=external_id,
        client=rules.client(first, first_line),
        title=rules.title(first, external_id),
        priority=priority,
        opened_at=opened_at,
        lines=sorted(line for _at, _seq, line, _record in ordered),
        status=opening,
        description=str(first.get("description", "")),
        group=group_name,
        assignee=str(first.get("assignee", "")),
        events=life.events,
        source_sla=rules.source_sla(last),
        component=str(last.get("component", "")),
    )


def _resolved(rules: Rules, record: Record, line: int) -> Callable[[], dt.datetime | None]:
    return lambda: rules.at(record, "resolved_at", line, required=False)


# --- one row per incident --------------------------------------------------------------------


def read_incidents(rows: Iterable[Row], rules: Rules) -> ReadResult:
    with bulk():
        return _read_incidents(rows, rules)


def _read_incidents(rows: Iterable[Row], rules: Rules) -> ReadResult:
    result = ReadResult()
    seen: dict[str, int] = {}
    id_column = rules.column("external_id")
    for line, record, error in rows:
        result.rows += 1
        key = str(record.get("external_id", ""))
        if error is not None or not key:
            column, reason = error or (id_column, _("The row has no incident id."))
            result.rejects.append(Reject(line, column, reason, key))
            continue
        if key in seen:
            result.rejects.append(
                Reject(
                    line,
                    id_column,
                    _("Incident %(id)s is already on line %(line)d.")
                    % {"id": key, "line": seen[key]},
                    key,
                )
            )
            continue
        seen[key] = line
        try:
            incident = _incident_of_row(key, line, record, rules)
        except Refused as refusal:
            result.rejects.append(Reject(line, refusal.column, refusal.reason, key))
            continue
        _keep(result, incident, rules)
    return result


def _incident_of_row(external_id: str, line: int, record: Record, rules: Rules) -> SourceIncident:
    """One row: the opening, the first response (``first_response_at``), the current status
    reached at ``updated_at``, the resolution (``resolved_at``) and closing (``closed_at``)."""
    opened_at = rules.at(record, "opened_at", line)
    times = {
        name: rules.at(record, name, line, required=False)
        for name in ("first_response_at", "resolved_at", "closed_at", "updated_at")
    }
    for name, value in times.items():
        if value is not None and value < opened_at:
            raise Refused(
                line,
                rules.column(name),
                _("%(field)s is before the opening.") % {"field": rules.column(name)},
            )
    status = rules.status(record, line)
    if status == IGNORE:
        raise Refused(
            line, rules.column("status"), _("The status says nothing of the incident's state.")
        )
    responded_at, resolved_at = times["first_response_at"], times["resolved_at"]
    closed_at, updated_at = times["closed_at"], times["updated_at"]
    events: list[SourceEvent] = []
    if responded_at is not None:
        events.append(SourceEvent(FIRST_RESPONSE, responded_at, line))
    column = rules.column("status")
    if status == NEW:
        if resolved_at or closed_at:
            raise Refused(line, column, _("A new incident cannot have been resolved or closed."))
    elif status in WORKING:
        when = updated_at or responded_at or opened_at
        if resolved_at is not None:  # resolved, then reopened
            if when <= resolved_at:
                raise Refused(
                    line,
                    column,
                    _("The incident is open again but not updated after its resolution."),
                )
            events.append(SourceEvent(RESOLVED, resolved_at, line, to_value=RESOLVED))
            events.append(SourceEvent(REOPENED, when, line, to_value=status))
        else:
            if responded_at is None:
                events.append(SourceEvent(FIRST_RESPONSE, when, line))
            events.append(SourceEvent(STATUS_CHANGED, when, line, to_value=status))
    else:
        if closed_at is not None and status == RESOLVED:
            raise Refused(
                line, rules.column("closed_at"), _("A resolved incident has no closing time.")
            )
        resolved = resolved_at or (closed_at if status == CLOSED else None) or updated_at
        if resolved is None:
            raise Refused(line, rules.column("resolved_at"), _("The resolution time is missing."))
        events.append(SourceEvent(RESOLVED, resolved, line, to_value=RESOLVED))
        if status == CLOSED:
            closed = closed_at or updated_at
            if closed is None:
                raise Refused(line, rules.column("closed_at"), _("The closing time is missing."))
            events.append(SourceEvent(CLOSED, closed, line, to_value=CLOSED))
    events.sort(key=lambda event: event.at)  # stable: same-time events keep their order
    return SourceIncident(
        source_system=rules.source_system,
        external_id=external_id,
        client=rules.client(record, line),
        title=rules.title(record, external_id),
        priority=rules.priority(record, line, required=True),
        opened_at=opened_at,
        lines=[line],
        status=NEW,
        description=str(record.get("description", "")),
        group=str(record.get("group", "")),
        assignee=str(record.get("assignee", "")),
        events=events,
        source_sla=rules.source_sla(record),
        component=str(record.get("component", "")),
    )
