"""Helpers of the reader tests: files written from rows, and the "nothing dropped" check."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from tamdesk.sla.imports.records import ReadResult

UTC = dt.UTC


def write_csv(path: Path, header: list[str], rows: list[dict[str, str]], *, default="") -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(column, default) for column in header])
    return path


def assert_nothing_dropped(result: ReadResult) -> None:
    """Every data row is in exactly one incident's lines or named by a reject, never both."""
    used = [line for incident in result.incidents for line in incident.lines]
    rejected = {reject.line for reject in result.rejects}
    assert len(used) == len(set(used))
    assert not set(used) & rejected
    assert len(used) + len(rejected) == result.rows


def kinds(incident) -> list[tuple[str, str]]:
    return [
        (str(event.kind), str(event.to_value or event.group or event.note))
        for event in incident.events
    ]


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)
