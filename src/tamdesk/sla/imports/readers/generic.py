"""Any CSV, JSON lines or XLSX file, one row per incident or per event, read through a mapping
file (docs/imports.md, "generic")."""

from __future__ import annotations

from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _

from tamdesk.sla.imports.mapping import Mapping, MappingError
from tamdesk.sla.imports.readers.lifecycle import Rules, read_events, read_incidents
from tamdesk.sla.imports.readers.source import csv_rows, jsonl_rows, xlsx_rows
from tamdesk.sla.imports.records import ReadResult

REQUIRED = {
    "incident": ("external_id", "status", "priority", "opened_at"),
    "event": ("external_id", "status", "priority", "at"),
}
#: A generic mapping starts from nothing: its file says everything.
MAPPING = Mapping()


def file_format(source: str | Path | IO, mapping: Mapping) -> str:
    if mapping.format:
        return mapping.format
    name = str(source if isinstance(source, str | Path) else getattr(source, "name", ""))
    name = name.lower().removesuffix(".gz")
    for suffix, fmt in ((".jsonl", "jsonl"), (".ndjson", "jsonl"), (".xlsx", "xlsx")):
        if name.endswith(suffix):
            return fmt
    return "csv"


def read(source: str | Path | IO, *, mapping: Mapping, source_system: str) -> ReadResult:
    missing = [name for name in REQUIRED[mapping.shape] if mapping.column_of(name) is None]
    if missing:
        raise MappingError(
            _("No column feeds %(fields)s.") % {"fields": ", ".join(missing)}, field="columns"
        )
    if mapping.column_of("client") is None and not mapping.client:
        raise MappingError(_("Map a column to client, or give one client."), field="client")
    fmt = file_format(source, mapping)
    optional = frozenset()
    if fmt == "jsonl":
        rows = jsonl_rows(source, mapping=mapping)
    elif fmt == "xlsx":
        rows = xlsx_rows(source, mapping=mapping, optional=optional)
    else:
        rows = csv_rows(source, mapping=mapping, optional=optional)
    rules = Rules(mapping, source_system=source_system)
    if mapping.shape == "event":
        return read_events(rows, rules)
    return read_incidents(rows, rules)
