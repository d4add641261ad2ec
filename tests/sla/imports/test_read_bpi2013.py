"""The bpi2013 preset: the BPI Challenge 2013 Volvo IT log, on a file in its format and, when
../shared/data/bpi2013 is there, on the real file end to end."""

from __future__ import annotations

import csv
import gzip
import itertools
from collections import Counter
from pathlib import Path

import pytest

from tamdesk.sla.imports import mapping as mappings
from tamdesk.sla.imports.readers import READERS, mapping_for
from tamdesk.sla.imports.readers.bpi2013 import MAPPING, STATUSES
from tests.sla.imports.support import assert_nothing_dropped, kinds, utc, write_csv

REAL = Path("/work/shared/data/bpi2013/VINST-new.csv.gz")
EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "imports" / "bpi2013.mapping.toml"
HEADER = [
    "SR Number",
    "Change Date+Time",
    "Status",
    "Sub Status",
    "Activity",
    "Activity Level",
    "Involved ST Function Div",
    "Involved Org line 3",
    "Involved ST",
    "Involved ST 2",
    "ST Level",
    "SR Latest Impact",
    "Product",
    "Country",
    "Owner Country",
    "Owner First Name",
    "Resource",
]


def event(sr, at, status, sub, team="V30", impact="Medium"):
    return {
        "SR Number": sr,
        "Change Date+Time": at,
        "Status": status,
        "Sub Status": sub,
        "Involved ST": team,
        "SR Latest Impact": impact,
        "Product": "PROD582",
        "Resource": "fr-Frederic",
    }


def read(path):
    mapping = mapping_for("bpi2013", client="Volvo IT")
    result = READERS["bpi2013"](path, mapping=mapping, source_system="bpi2013")
    assert_nothing_dropped(result)
    return result


def test_a_log_in_the_bpi_format(tmp_path):
    rows = [
        event("1-1", "2010-03-31T15:59:42+01:00", "Queued", "Awaiting Assignment"),
        event("1-1", "2010-03-31T16:10:00+01:00", "Accepted", "In Progress", team="V5 3rd"),
        event("1-1", "2010-03-31T17:00:00+01:00", "Accepted", "Wait - User", team="V5 3rd"),
        event("1-1", "2010-04-01T09:00:00+01:00", "Accepted", "Wait - Vendor", team="V5 3rd"),
        event("1-1", "2010-04-01T10:00:00+01:00", "Completed", "Resolved", team="V5 3rd"),
        event("1-1", "2010-04-01T10:05:00+01:00", "Unmatched", "Unmatched", team="V5 3rd"),
        event("1-1", "2010-04-02T10:00:00+01:00", "Completed", "Closed", team="V5 3rd"),
        event("1-2", "2010-04-02T10:00:00+01:00", "Accepted", "In Progress", impact="Major"),
        event("1-2", "2010-04-02T11:00:00+01:00", "Completed", "In Call", impact="Major"),
        event("1-2", "2010-04-02T12:00:00+01:00", "Accepted", "Assigned", impact="Major"),
        event("1-3", "2010-04-02T10:00:00+01:00", "Accepted", "Sleeping"),
    ]
    result = read(write_csv(tmp_path / "log.csv", HEADER, rows))

    first, second = result.incidents
    assert (first.client, first.priority, first.status, first.group) == (
        "Volvo IT",
        "p3",
        "new",
        "V30",
    )
    assert first.opened_at == utc(2010, 3, 31, 14, 59, 42)
    assert kinds(first) == [
        ("reassigned", "V5 3rd"),
        ("first_response", ""),
        ("status_changed", "in_progress"),
        ("status_changed", "waiting_client"),
        ("status_changed", "waiting_third_party"),
        ("resolved", "resolved"),
        ("closed", "closed"),
    ]
    assert (second.priority, second.status) == ("p1", "in_progress")
    assert kinds(second) == [
        ("first_response", ""),
        ("resolved", "resolved"),
        ("reopened", "in_progress"),
    ]
    assert [(r.line, r.column) for r in result.rejects] == [(11, "status")]
    assert result.rejects[0].reason == "The status Accepted/Sleeping is not in the mapping."


def test_the_example_mapping_file_is_the_preset():
    loaded = mappings.load(EXAMPLE)
    assert loaded.statuses == STATUSES
    assert (loaded.columns, loaded.priorities, loaded.shape) == (
        MAPPING.columns,
        MAPPING.priorities,
        MAPPING.shape,
    )


def _direct(path: Path):
    """The figures straight from the file with the csv module."""
    tickets: dict[str, list[dict]] = {}
    with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            tickets.setdefault(row["SR Number"], []).append(row)
    statuses = {key: value for key, value in STATUSES.items()}
    counts = Counter()
    for rows in tickets.values():
        counts["rows"] += len(rows)
        mapped = [statuses[f"{r['Status']}/{r['Sub Status']}"] for r in rows]
        counts["reassigned"] += sum(
            1 for a, b in itertools.pairwise(rows) if a["Involved ST"] != b["Involved ST"]
        )
        kept = [s for s in mapped if s != "ignore"]
        changes = [b for a, b in itertools.pairwise(kept) if a != b]
        counts["pauses"] += sum(1 for s in changes if s.startswith("waiting")) + (
            1 if kept[0].startswith("waiting") else 0
        )
        counts["closed"] += kept[-1] == "closed"
    counts["incidents"] = len(tickets)
    return counts


@pytest.mark.skipif(not REAL.exists(), reason="../shared/data/bpi2013 is not on this machine")
def test_the_real_bpi_2013_log_end_to_end():
    result = read(REAL)
    direct = _direct(REAL)
    events = Counter(str(e.kind) for i in result.incidents for e in i.events)
    pauses = sum(
        1
        for i in result.incidents
        for e in i.events
        if e.to_value in ("waiting_client", "waiting_third_party")
    ) + sum(1 for i in result.incidents if i.status.startswith("waiting"))

    assert result.rows == direct["rows"] == 65_533
    assert len(result.incidents) == direct["incidents"] == 7_554
    assert result.rejects == []
    assert events["reassigned"] == direct["reassigned"]
    assert events["closed"] == direct["closed"]
    assert events["priority_changed"] == 0
    assert pauses == direct["pauses"]
