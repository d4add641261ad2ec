"""How a source's columns and values become tamdesk's: the mapping of an import (docs/imports.md).

A ``Mapping`` is loaded from a TOML (``tomllib``) or JSON file, or built in code by a preset
(``readers/``). It is checked whole when loaded: an unknown field, time zone, status or priority
is a ``MappingError`` naming the key at fault. It is pure data: the readers apply the columns,
statuses, priorities, dates and clients; the writer applies the groups (→ departments) and the
policies for unknown clients and groups.
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
import zoneinfo
from dataclasses import dataclass, field, fields
from pathlib import Path

from django.utils.translation import gettext as _

from tamdesk.core.exceptions import DomainError
from tamdesk.sla.choices import IncidentStatus, Priority

#: The fields a column can feed. ``source_sla:<name>`` keeps a verdict of the source's own SLA.
INCIDENT_FIELDS = frozenset(
    {
        "external_id",
        "title",
        "description",
        "client",
        "priority",
        "status",
        "opened_at",
        "first_response_at",
        "resolved_at",
        "closed_at",
        "updated_at",
        "group",
        "assignee",
        "component",
    }
)
#: Event shape only: when the row's change happened, and the tie-break of rows at one time.
EVENT_FIELDS = frozenset({"at", "sequence"})
SOURCE_SLA_PREFIX = "source_sla:"

#: A source status maps to one of these: tamdesk's statuses, two aliases, and ``ignore`` (the
#: row keeps the incident's status; it still counts as the incident's line and may change its
#: group or priority).
STATUS_ALIASES = {"open": IncidentStatus.NEW.value, "working": IncidentStatus.IN_PROGRESS.value}
IGNORE = "ignore"
STATUS_TARGETS = frozenset({*IncidentStatus.values, *STATUS_ALIASES, IGNORE})

SHAPES = ("incident", "event")
#: Date formats with a name: ISO 8601, and Jira's export (``12/Mar/24 3:15 PM`` or ISO).
NAMED_DATE_FORMATS = ("iso", "jira")
FORMATS = ("", "csv", "jsonl", "xlsx")
UNKNOWN_ACTIONS = ("reject", "create", "map")

#: Limits (docs/imports.md): a longer row or a larger file is refused whole, before it fills the
#: memory. A mapping may lower ``max_rows``.
MAX_ROW_BYTES = 1_048_576
MAX_ROWS = 2_000_000


class MappingError(DomainError):
    """The mapping itself is wrong; ``field`` names the key (``columns.Prio``, ``time_zone``)."""

    code = "invalid_mapping"


@dataclass(frozen=True)
class UnknownPolicy:
    """What the writer does with a client or group the directory does not know: ``reject``
    the incident, ``create`` it, or ``map`` it to ``to``."""

    action: str = "reject"
    to: str = ""

    @classmethod
    def parse(cls, value: object, *, key: str) -> UnknownPolicy:
        if isinstance(value, UnknownPolicy):
            return value
        if isinstance(value, str):
            action, _sep, to = value.partition(":")
            action, to = action.strip(), to.strip()
            if action in ("reject", "create") and not to:
                return cls(action)
            if action == "map" and to:
                return cls("map", to)
        raise MappingError(
            _('Write "reject", "create" or "map:NAME", not %(value)r.') % {"value": value},
            field=key,
        )

    def __str__(self) -> str:
        return f"map:{self.to}" if self.action == "map" else self.action


@dataclass(frozen=True)
class Mapping:
    columns: dict[str, str] = field(default_factory=dict)  # source column → field
    statuses: dict[str, str] = field(default_factory=dict)  # source value → status target
    priorities: dict[str, str] = field(default_factory=dict)  # source value → p1..p4
    date_format: str = "iso"  # "iso" or a strptime format
    time_zone: str = ""  # of times written without an offset; none: such a time is refused
    groups: dict[str, str] = field(default_factory=dict)  # group → department code (writer)
    clients: dict[str, str] = field(default_factory=dict)  # source value → client name/code
    client: str = ""  # one client for every incident (``--client``)
    unknown_clients: UnknownPolicy = field(default_factory=UnknownPolicy)
    unknown_groups: UnknownPolicy = field(default_factory=UnknownPolicy)
    shape: str = "incident"  # one row per incident, or per event
    format: str = ""  # generic files: csv, jsonl or xlsx; empty: from the file's name
    delimiter: str = ","
    max_rows: int = MAX_ROWS

    def __post_init__(self) -> None:
        self.validate()

    # --- checks ----------------------------------------------------------------------------

    def validate(self) -> None:
        for column, target in self.columns.items():
            if not is_field(target):
                raise MappingError(
                    _("%(field)s is not a field an import fills.") % {"field": target},
                    field=f"columns.{column}",
                )
        targets = list(self.columns.values())
        for target in set(targets):
            if targets.count(target) > 1:
                raise MappingError(
                    _("Two columns feed %(field)s.") % {"field": target}, field="columns"
                )
        for value, target in self.statuses.items():
            if target not in STATUS_TARGETS:
                raise MappingError(
                    _("%(status)s is not a status (%(choices)s).")
                    % {"status": target, "choices": ", ".join(sorted(STATUS_TARGETS))},
                    field=f"statuses.{value}",
                )
        for value, target in self.priorities.items():
            if target not in Priority.values:
                raise MappingError(
                    _("%(priority)s is not a priority (p1 to p4).") % {"priority": target},
                    field=f"priorities.{value}",
                )
        if self.shape not in SHAPES:
            raise MappingError(_('The shape is "incident" or "event".'), field="shape")
        if self.format not in FORMATS:
            raise MappingError(_("The format is csv, jsonl or xlsx."), field="format")
        if self.time_zone:
            try:
                zoneinfo.ZoneInfo(self.time_zone)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                raise MappingError(
                    _("%(zone)s is not a time zone.") % {"zone": self.time_zone},
                    field="time_zone",
                ) from None
        if self.date_format not in NAMED_DATE_FORMATS:
            check_date_format(self.date_format)
        if len(self.delimiter) != 1:
            raise MappingError(_("The delimiter is one character."), field="delimiter")
        if not 1 <= self.max_rows <= MAX_ROWS:
            raise MappingError(_("At most %(max)d rows.") % {"max": MAX_ROWS}, field="max_rows")

    # --- lookups the readers use -----------------------------------------------------------

    def column_of(self, target: str) -> str | None:
        for column, name in self.columns.items():
            if name == target:
                return column
        return None

    def status_of(self, value: str) -> str | None:
        target = self.statuses.get(value)
        if target is None:
            target = self.statuses.get(value.casefold())
        return STATUS_ALIASES.get(target, target) if target is not None else None

    def zone(self) -> zoneinfo.ZoneInfo | None:
        return zoneinfo.ZoneInfo(self.time_zone) if self.time_zone else None

    def client_of(self, value: str) -> str:
        """The client an incident goes to: the fixed one, else the value through ``clients``."""
        if self.client:
            return self.client
        return self.clients.get(value, value)

    def replace(self, **changes: object) -> Mapping:
        """A copy with ``changes`` (``--client``, ``--time-zone`` over a file's values)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update({key: value for key, value in changes.items() if value not in (None, "")})
        return Mapping(**values)


def is_field(name: str) -> bool:
    if name.startswith(SOURCE_SLA_PREFIX):
        return len(name) > len(SOURCE_SLA_PREFIX)
    return name in INCIDENT_FIELDS or name in EVENT_FIELDS


def check_date_format(value: str) -> None:
    """A strptime format that writes a date and a time and reads back what it wrote."""
    sample = dt.datetime(2024, 11, 23, 17, 45, 12)  # noqa: DTZ001 — a format check, no zone
    try:
        written = sample.strftime(value)
        read = dt.datetime.strptime(written, value)  # noqa: DTZ007
    except ValueError:
        read = None
    if read is None or read.date() != sample.date() or read.hour != sample.hour:
        raise MappingError(
            _("%(format)s is not a date format with a date and a time (e.g. %%d.%%m.%%Y %%H:%%M).")
            % {"format": value},
            field="date_format",
        )


_KEYS = {
    "columns",
    "statuses",
    "priorities",
    "date_format",
    "time_zone",
    "groups",
    "clients",
    "client",
    "unknown_clients",
    "unknown_groups",
    "shape",
    "format",
    "delimiter",
    "max_rows",
}


def from_dict(data: dict, *, base: Mapping | None = None) -> Mapping:
    """A mapping from a file's data; with ``base`` (a preset), the file's keys change the
    preset's: dictionaries are merged (the file wins), values replaced."""
    if not isinstance(data, dict):
        raise MappingError(_("A mapping is a table of keys."), field="")
    values: dict[str, object] = {}
    if base is not None:
        values = {f.name: getattr(base, f.name) for f in fields(base)}
    for key, value in data.items():
        if key not in _KEYS:
            raise MappingError(_("%(key)s is not a mapping key.") % {"key": key}, field=key)
        if key in ("columns", "statuses", "priorities", "groups", "clients"):
            if not isinstance(value, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in value.items()
            ):
                raise MappingError(_("A table of texts is expected."), field=key)
            merged = dict(values.get(key, {}))
            if key == "columns":  # a file's column for a field replaces the preset's
                merged = {c: f for c, f in merged.items() if f not in value.values()}
            values[key] = {**merged, **value}
        elif key in ("unknown_clients", "unknown_groups"):
            values[key] = UnknownPolicy.parse(value, key=key)
        elif key == "max_rows":
            if not isinstance(value, int) or isinstance(value, bool):
                raise MappingError(_("A whole number is expected."), field=key)
            values[key] = value
        else:
            if not isinstance(value, str):
                raise MappingError(_("A text is expected."), field=key)
            values[key] = value
    return Mapping(**values)


def load(path: str | Path, *, base: Mapping | None = None) -> Mapping:
    """A mapping file: TOML (``.toml``) or JSON (any other name)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
        if path.suffix.lower() == ".toml":
            data = tomllib.loads(raw.decode("utf-8"))
        else:
            data = json.loads(raw)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise MappingError(
            _("The mapping file cannot be read: %(error)s") % {"error": exc}, field=""
        ) from None
    return from_dict(data, base=base)
