"""``tamdesk sla report``: the report in CSV, JSON and XLSX, read back and compared with the
report itself; filters; refused arguments."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from tamdesk.sla import report_export
from tests.sla.reporting import build

pytestmark = pytest.mark.django_db
PERIOD = ["--from", "2026-10-01", "--to", "2026-11-30", "--time-zone", "Europe/Moscow"]


@pytest.fixture
def made(tam_client, users):
    return build(tam_client, users)


def sla(*args) -> str:
    out = io.StringIO()
    call_command("sla", "report", *args, stdout=out)
    return out.getvalue()


def test_csv(made):
    text = sla("--group-by", "client,month", *PERIOD)

    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == report_export.columns(["client", "month"])
    assert [(r["client"], r["month"], r["incidents"]) for r in rows] == [
        ("Acme Retail", "2026-10", "2"),
        ("Acme Retail", "2026-11", "3"),
        ("Beta Bank", "2026-10", "1"),
        ("Beta Bank", "2026-11", "1"),
        ("total", "", "7"),
    ]
    total = rows[-1]
    assert total["reaction_compliance_percent"] == "50.0"
    assert total["resolution_paused_seconds"] == "7200"
    # Acme's October: a1 met, a2 breached.
    assert rows[0]["reaction_met"] == rows[0]["reaction_breached"] == "1"


def test_json_to_a_file_with_violations(made, tmp_path):
    target = tmp_path / "report.json"
    assert sla("--group-by", "priority", "--format", "json", "--output", str(target), *PERIOD) == ""

    data = json.loads(target.read_text())
    assert (data["from"], data["to"], data["time_zone"]) == (
        "2026-10-01",
        "2026-11-30",
        "Europe/Moscow",
    )
    assert [(r["priority"]["value"], r["incidents"]) for r in data["rows"]] == [
        ("p1", 3),
        ("p3", 4),
    ]
    assert data["totals"]["resolution"]["median_seconds"] == 18000.0
    assert len(data["violations"]) == 5


def test_xlsx(made, tmp_path):
    target = tmp_path / "report.xlsx"
    sla("--group-by", "department", "--format", "xlsx", "--output", str(target), *PERIOD)

    book = load_workbook(target)
    table = list(book["Compliance"].values)
    assert list(table[0]) == report_export.columns(["department"])
    assert [(r[0], r[1]) for r in table[1:]] == [
        (None, 2),  # no department: an empty cell
        ("Databases", 3),
        ("Storage", 2),
        ("total", 7),
    ]
    violations = list(book["Violations"].values)
    assert violations[0] == report_export.VIOLATION_COLUMNS
    assert len(violations) == 6


def test_filters_by_client_name_or_code(made):
    for client in ("beta bank", "BETA"):
        rows = list(csv.DictReader(io.StringIO(sla("--client", client, *PERIOD))))
        assert [r["incidents"] for r in rows] == ["2"]
    rows = list(
        csv.DictReader(io.StringIO(sla("--department", "storage", "--priority", "p3", *PERIOD)))
    )
    assert [r["incidents"] for r in rows] == ["2"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--group-by", "week"], "--group-by:"),
        (["--from", "2026-12-01", "--to", "2026-11-01"], "--to:"),
        (["--from", "1900-01-01"], "--from:"),
        (["--time-zone", "Mars/Olympus"], "--time-zone:"),
        (["--format", "xlsx"], "--output"),
        (["--client", "Nobody"], "--client:"),
    ],
)
def test_refused_arguments(made, args, message):
    with pytest.raises(CommandError, match=message):
        sla(*args)
