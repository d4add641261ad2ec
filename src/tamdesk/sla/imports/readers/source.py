"""Reading a source file row by row, streaming, within the limits (docs/imports.md, "Limits"):
CSV (optionally gzip-compressed), JSON lines and XLSX. Each row comes out as ``(line, record,
error)``: ``line`` 1 is the first data row, ``record`` maps tamdesk's fields (and the extra
columns a preset asks for) to the row's text, ``error`` is ``(column, reason)`` when the row
itself is malformed."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import gc
import gzip
import io
import json
import operator
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _

from tamdesk.core.exceptions import DomainError
from tamdesk.sla.imports.mapping import MAX_ROW_BYTES, Mapping

Record = dict[str, object]
Row = tuple[int, Record, tuple[str, str] | None]


class SourceError(DomainError):
    """The file as a whole cannot be read: refused before anything of it is used."""

    code = "unreadable_source"


@contextlib.contextmanager
def bulk() -> Iterator[None]:
    """Without the cyclic garbage collector while a file is read: the rows make millions of
    small acyclic objects, and the collector's passes over them cost more than the reading."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def open_text(source: str | Path | IO) -> IO[str]:
    """A text stream over a path or a (binary or text) stream; gzip is recognised by its magic
    bytes, a UTF-8 byte order mark is dropped."""
    if isinstance(source, str | Path):
        raw: IO = open(source, "rb")  # noqa: SIM115 — closed by the caller through the wrapper
    else:
        raw = source
    if isinstance(raw, io.TextIOBase):
        return raw
    buffered = raw if hasattr(raw, "peek") else io.BufferedReader(raw)
    if buffered.peek(2)[:2] == b"\x1f\x8b":
        buffered = gzip.GzipFile(fileobj=buffered)  # type: ignore[assignment]
    return io.TextIOWrapper(buffered, encoding="utf-8-sig", newline="", errors="strict")


def binary(source: str | Path | IO) -> IO[bytes]:
    if isinstance(source, str | Path):
        return open(source, "rb")
    return source


def _lines(stream: IO[str], limit: int) -> Iterator[str]:
    """The physical lines of ``stream``; a line longer than ``limit`` characters refuses the
    file (read at most ``limit`` + 1 characters of it: a broken quote never fills the memory)."""
    readline = stream.readline
    number = 0
    while True:
        try:
            line = readline(limit + 1)
        except UnicodeDecodeError as exc:
            raise SourceError(
                _("The file is not UTF-8 text (after line %(line)d): %(error)s")
                % {"line": number, "error": exc.reason}
            ) from None
        except (OSError, EOFError) as exc:  # e.g. a truncated gzip file
            raise SourceError(_("The file cannot be read: %(error)s") % {"error": exc}) from None
        if not line:
            return
        number += 1
        if len(line) > limit:
            raise SourceError(
                _("Line %(line)d of the file is longer than %(limit)d characters.")
                % {"line": number, "limit": limit}
            )
        yield line


def _too_many(mapping: Mapping) -> SourceError:
    return SourceError(
        _("The file has more than %(max)d rows: split it.") % {"max": mapping.max_rows}
    )


def _missing(columns: list[str]) -> SourceError:
    return SourceError(
        _("The file has no column %(columns)s.") % {"columns": ", ".join(columns)},
        field=columns[0],
    )


def _wanted(mapping: Mapping, extra: tuple[str, ...]) -> dict[str, str]:
    """Column → the record key it fills: the mapped fields and a preset's extra columns."""
    wanted = dict(mapping.columns)
    for column in extra:
        wanted.setdefault(column, "@" + column)
    return wanted


def csv_rows(
    source: str | Path | IO,
    *,
    mapping: Mapping,
    optional: frozenset[str] = frozenset(),
    extra: tuple[str, ...] = (),
    empty: frozenset[str] = frozenset({""}),
    strip: bool = True,
) -> Iterator[Row]:
    """The rows of a CSV file. A mapped column the header lacks refuses the file, unless its
    field is in ``optional``; values in ``empty`` (ServiceNow's ``?``) read as empty. Values are
    stripped of spaces unless ``strip`` is false (a machine-written export)."""
    stream = open_text(source)
    try:
        limit = MAX_ROW_BYTES
        if csv.field_size_limit() < limit:
            csv.field_size_limit(limit)
        reader = csv.reader(_lines(stream, limit), delimiter=mapping.delimiter, strict=False)
        try:
            header = next(reader, None)
            if header is None:
                return
            header = [name.strip() for name in header]
            wanted = _wanted(mapping, extra)
            missing = [
                column
                for column, target in wanted.items()
                if column not in header and target not in optional and not target.startswith("@")
            ]
            if missing:
                raise _missing(missing)
            picks = [(header.index(c), key) for c, key in wanted.items() if c in header]
            keys = [key for _index, key in picks]
            pick = operator.itemgetter(*[index for index, _key in picks] or [0])
            if len(picks) == 1:
                pick = _single(pick)
            width = len(header)
            max_rows = mapping.max_rows
            line = 0
            for row in reader:
                line += 1
                if not row or (len(row) == 1 and not row[0]):
                    continue  # a blank line is no row
                if line > max_rows:
                    raise _too_many(mapping)
                error = None
                if len(row) != width:
                    if len(row) > width:
                        error = (
                            "",
                            _("The row has %(count)d fields, the header %(width)d.")
                            % {"count": len(row), "width": width},
                        )
                    row = row + [""] * (width - len(row))
                values = pick(row)
                if strip:
                    values = [value.strip() for value in values]
                if not empty.isdisjoint(values):
                    values = ["" if value in empty else value for value in values]
                record = dict(zip(keys, values, strict=True))
                yield line, record, error
        except csv.Error as exc:
            raise SourceError(
                _("The CSV file is broken near row %(line)d: %(error)s")
                % {"line": reader.line_num, "error": exc}
            ) from None
    finally:
        if isinstance(source, str | Path):
            stream.close()


def _single(getter):
    return lambda row: (getter(row),)


def _text(value: object) -> object:
    """A JSON or spreadsheet value as the readers take it: text, or a datetime as it is."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def dict_rows(
    records: list[dict],
    *,
    mapping: Mapping,
    extra: tuple[str, ...] = (),
    empty: frozenset[str] = frozenset({""}),
) -> Iterator[Row]:
    """Rows already parsed, one JSON object each (a live source's deliveries): its keys are the
    columns, as in a JSON lines file; ``line`` is the row's place in ``records`` (1 = the
    first); values in ``empty`` read as empty."""
    wanted = _wanted(mapping, extra)
    for line, data in enumerate(records, start=1):
        record = {key: _text(data.get(column)) for column, key in wanted.items()}
        if not empty.isdisjoint(v for v in record.values() if isinstance(v, str)):
            record = {k: "" if v in empty else v for k, v in record.items()}
        yield line, record, None


def jsonl_rows(
    source: str | Path | IO, *, mapping: Mapping, extra: tuple[str, ...] = ()
) -> Iterator[Row]:
    """The rows of a JSON lines file: one object a line, its keys the columns (a missing key
    is an empty value); blank lines are skipped but counted, so ``line`` is the file's."""
    stream = open_text(source)
    try:
        wanted = _wanted(mapping, extra)
        rows = 0
        for line, text in enumerate(_lines(stream, MAX_ROW_BYTES), start=1):
            if not text.strip():
                continue
            rows += 1
            if rows > mapping.max_rows:
                raise _too_many(mapping)
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                yield line, {}, ("", _("Not JSON: %(error)s") % {"error": exc.msg})
                continue
            if not isinstance(data, dict):
                yield line, {}, ("", _("A line holds one JSON object."))
                continue
            yield line, {key: _text(data.get(column)) for column, key in wanted.items()}, None
    finally:
        if isinstance(source, str | Path):
            stream.close()


def xlsx_rows(
    source: str | Path | IO,
    *,
    mapping: Mapping,
    optional: frozenset[str] = frozenset(),
    extra: tuple[str, ...] = (),
) -> Iterator[Row]:
    """The rows of the first sheet of an XLSX workbook (read-only, streaming); the first row is
    the header. A date cell is taken as it is (a local time in the mapping's zone)."""
    import openpyxl  # only the generic preset's spreadsheets need it

    try:
        workbook = openpyxl.load_workbook(binary(source), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, XML errors... on a bad file
        raise SourceError(
            _("The file is not an XLSX workbook: %(error)s") % {"error": exc}
        ) from None
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header_row = next(rows, None)
        if header_row is None:
            return
        header = [str(name).strip() if name is not None else "" for name in header_row]
        wanted = _wanted(mapping, extra)
        missing = [
            c
            for c, t in wanted.items()
            if c not in header and t not in optional and not t.startswith("@")
        ]
        if missing:
            raise _missing(missing)
        picks = [(header.index(c), key) for c, key in wanted.items() if c in header]
        count = 0
        for line, row in enumerate(rows, start=1):
            if all(value is None or value == "" for value in row):
                continue
            count += 1
            if count > mapping.max_rows:
                raise _too_many(mapping)
            values = [_text(value) for value in row]
            if sum(len(v) for v in values if isinstance(v, str)) > MAX_ROW_BYTES:
                raise SourceError(
                    _("Row %(line)d of the sheet is longer than %(limit)d characters.")
                    % {"line": line, "limit": MAX_ROW_BYTES}
                )
            values += [""] * (len(header) - len(values))
            yield line, {key: values[index] for index, key in picks}, None
    finally:
        workbook.close()
