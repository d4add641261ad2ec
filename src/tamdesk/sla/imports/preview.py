"""The preview of an uploaded export before it runs (the "New import" page): the head of the file
as parsed, the mapping the import will run with, how the names it meets resolve, and the first
incidents the reader builds with what would be refused of them.

Bounded: only the head of the file is read — at most ``READ_ROWS`` data rows and about
``HEAD_CHARS`` characters — whatever its size. The incidents are built from that head alone (an
event log's incident whose rows go on past the head shows only its first rows). Nothing is
written: the names are resolved and the shown incidents written in a transaction rolled back.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.db import transaction
from django.utils.translation import gettext as _

from tamdesk.sla.imports import mapping as mappings
from tamdesk.sla.imports import readers, writer
from tamdesk.sla.imports.readers import generic
from tamdesk.sla.imports.readers.source import SourceError, _lines, open_text
from tamdesk.sla.imports.records import ReadResult, Reject, SourceIncident
from tamdesk.sla.imports.resolve import Resolver, Unresolved, _client_named, _department_named

#: The data rows shown as parsed.
PREVIEW_ROWS = 20
#: The data rows the reader builds the preview's incidents from.
READ_ROWS = 500
#: The head stops after this many characters (a file of very long rows).
HEAD_CHARS = 4 * 1024 * 1024
#: The incidents shown.
INCIDENTS_SHOWN = 10


@dataclass
class Head:
    """The first rows of a file: its columns, the rows shown, and the head itself for the
    reader (text for CSV and JSON lines, a workbook's bytes for XLSX)."""

    columns: list[str]
    rows: list[list[str]]
    source: str | bytes
    rows_read: int
    is_whole: bool  # the head is the whole file


@dataclass(frozen=True)
class ColumnUse:
    column: str
    field: str  # "" when no field reads the column
    is_present: bool


@dataclass(frozen=True)
class NameUse:
    """A name from the file and what the import does with it."""

    kind: str  # "client" or "group"
    name: str
    target: str  # the client or department it goes to ("" for none)
    state: str  # "found", "created", "mapped", "none" or "refused"
    reason: str = ""


@dataclass
class Preview:
    file_format: str
    head: Head
    mapping: mappings.Mapping
    columns: list[ColumnUse]
    names: list[NameUse]
    incidents: list[SourceIncident]
    incidents_built: int
    rejects: list[Reject] = field(default_factory=list)

    @property
    def unknown_names(self) -> list[NameUse]:
        return [name for name in self.names if name.state in ("refused", "none", "created")]


def file_format(name: str, preset: str, mapping: mappings.Mapping) -> str:
    """``csv``, ``jsonl`` or ``xlsx``: the generic preset's by its mapping or the file's name,
    CSV for every other preset."""
    if preset != "generic":
        return "csv"
    return generic.file_format(Path(name), mapping)


def read_head(stream: IO[bytes], *, fmt: str, mapping: mappings.Mapping) -> Head:
    """The head of ``stream`` (binary, at its start). Raises ``SourceError`` when it cannot be
    read as ``fmt``."""
    if fmt == "xlsx":
        return _xlsx_head(stream)
    text = open_text(stream)
    if fmt == "jsonl":
        return _jsonl_head(text)
    return _csv_head(text, mapping.delimiter)


def _csv_head(text: IO[str], delimiter: str) -> Head:
    consumed: list[str] = []
    size = 0

    def feed():
        nonlocal size
        for line in _lines(text, mappings.MAX_ROW_BYTES):
            consumed.append(line)
            size += len(line)
            yield line

    reader = csv.reader(feed(), delimiter=delimiter, strict=False)
    records: list[list[str]] = []
    is_whole = True
    try:
        header = next(reader, None)
        if header is None:
            raise SourceError(_("The file is empty."), field="file")
        for record in reader:
            if not record or (len(record) == 1 and not record[0]):
                continue
            records.append(record)
            if len(records) >= READ_ROWS or size > HEAD_CHARS:
                is_whole = _at_end(text)
                break
    except csv.Error as exc:
        raise SourceError(
            _("The CSV file is broken near row %(line)d: %(error)s")
            % {"line": reader.line_num, "error": exc}
        ) from None
    return Head(
        columns=[name.strip() for name in header],
        rows=records[:PREVIEW_ROWS],
        source="".join(consumed),
        rows_read=len(records),
        is_whole=is_whole,
    )


def _at_end(text: IO[str]) -> bool:
    try:
        return text.read(1) == ""
    except (UnicodeDecodeError, OSError, EOFError):
        return False


def _jsonl_head(text: IO[str]) -> Head:
    consumed: list[str] = []
    objects: list[dict] = []
    size = 0
    is_whole = True
    for line in _lines(text, mappings.MAX_ROW_BYTES):
        if len(objects) >= READ_ROWS or size > HEAD_CHARS:
            is_whole = False
            break
        consumed.append(line)
        size += len(line)
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            data = None
        objects.append(data if isinstance(data, dict) else {})
    columns: list[str] = []
    for data in objects[:PREVIEW_ROWS]:
        columns += [key for key in data if key not in columns]
    rows = [[_cell(data.get(column)) for column in columns] for data in objects[:PREVIEW_ROWS]]
    return Head(columns, rows, "".join(consumed), len(objects), is_whole)


def _xlsx_head(stream: IO[bytes]) -> Head:
    import openpyxl

    try:
        book = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # zipfile, KeyError, XML errors... on a file that is no workbook
        raise SourceError(
            _("The file is not an XLSX workbook: %(error)s") % {"error": exc}, field="file"
        ) from None
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise SourceError(_("The file is empty."), field="file")
        out = openpyxl.Workbook(write_only=True)
        sheet = out.create_sheet()
        sheet.append(list(header))
        kept: list[tuple] = []
        is_whole = True
        for values in rows:
            if len(kept) >= READ_ROWS:
                is_whole = False
                break
            kept.append(values)
            sheet.append(list(values))
        buffer = io.BytesIO()
        out.save(buffer)
    finally:
        book.close()
    return Head(
        columns=[_cell(name) for name in header],
        rows=[[_cell(value) for value in values] for values in kept[:PREVIEW_ROWS]],
        source=buffer.getvalue(),
        rows_read=len(kept),
        is_whole=is_whole,
    )


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def read(
    path: Path, *, preset: str, mapping: mappings.Mapping, source_system: str
) -> tuple[str, Head, ReadResult]:
    """Read the head of the file at ``path`` with the preset's reader: its format, the head and
    what the reader built of it. Raises ``SourceError`` or ``MappingError`` as the import
    would."""
    fmt = file_format(path.name, preset, mapping)
    with path.open("rb") as stream:
        head = read_head(stream, fmt=fmt, mapping=mapping)
    source: IO = (
        io.BytesIO(head.source) if isinstance(head.source, bytes) else io.StringIO(head.source)
    )
    run_mapping = mapping.replace(format=fmt) if preset == "generic" else mapping
    result = readers.READERS[preset](source, mapping=run_mapping, source_system=source_system)
    return fmt, head, result


def build(
    path: Path,
    *,
    preset: str,
    mapping: mappings.Mapping,
    source_system: str,
    resolver: Resolver,
    by,
) -> Preview:
    """The preview of an import (see the module's docstring)."""
    fmt, head, result = read(path, preset=preset, mapping=mapping, source_system=source_system)
    shown = result.incidents[:INCIDENTS_SHOWN]
    with transaction.atomic():
        names = _names(shown, resolver)
        outcome = writer.write(
            ReadResult(incidents=shown, rows=result.rows), resolver=resolver, by=by, dry_run=True
        )
        transaction.set_rollback(True)
    return Preview(
        file_format=fmt,
        head=head,
        mapping=mapping,
        columns=_columns(head, mapping),
        names=names,
        incidents=shown,
        incidents_built=len(result.incidents),
        rejects=sorted([*result.rejects, *outcome.rejects], key=lambda r: (r.line, r.column)),
    )


def _columns(head: Head, mapping: mappings.Mapping) -> list[ColumnUse]:
    present = set(head.columns)
    uses = [ColumnUse(c, f, c in present) for c, f in mapping.columns.items()]
    mapped = set(mapping.columns)
    return uses + [ColumnUse(c, "", True) for c in head.columns if c not in mapped]


def _names(incidents: list[SourceIncident], resolver: Resolver) -> list[NameUse]:
    clients = dict.fromkeys(i.client for i in incidents)
    groups = dict.fromkeys(
        g for i in incidents for g in (i.group, *(e.group for e in i.events)) if g.strip()
    )
    found: list[NameUse] = []
    for client in clients:
        name = resolver.client or client
        existed = _client_named(resolver.clients.get(name.casefold(), name)) is not None
        try:
            target = resolver.resolve_client(client)
        except Unresolved as refused:
            found.append(NameUse("client", name, "", "refused", refused.reason))
            continue
        state = "found" if existed else ("created" if target.name == name else "mapped")
        found.append(NameUse("client", name, target.name, state))
    for group in groups:
        existed = _department_named(resolver.groups.get(group.casefold(), group)) is not None
        try:
            department = resolver.resolve_group(group)
        except Unresolved as refused:
            found.append(NameUse("group", group, "", "refused", refused.reason))
            continue
        if department is None:
            found.append(NameUse("group", group, "", "none"))
            continue
        created = resolver.group_policy == "create"
        state = "found" if existed else ("created" if created else "mapped")
        found.append(NameUse("group", group, department.name, state))
    return found
