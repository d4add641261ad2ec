"""The jira preset: Jira Service Management's CSV export."""

from __future__ import annotations

import pytest

from tamdesk.sla.imports.readers import READERS, mapping_for
from tamdesk.sla.imports.readers.jira import sla_verdict
from tests.sla.imports.support import assert_nothing_dropped, kinds, utc, write_csv

HEADER = [
    "Summary",
    "Issue key",
    "Issue id",
    "Issue Type",
    "Status",
    "Priority",
    "Assignee",
    "Created",
    "Updated",
    "Resolved",
    "Organizations",
    "Request Type",
    "Time to first response",
    "Time to resolution",
]


def read(tmp_path, rows, mapping_file=None, header=HEADER):
    path = write_csv(tmp_path / "jira.csv", header, rows)
    mapping = mapping_for("jira", mapping_file=mapping_file, time_zone="Europe/Amsterdam")
    result = READERS["jira"](path, mapping=mapping, source_system="jira")
    assert_nothing_dropped(result)
    return result


def test_a_jira_export_reads_with_both_date_forms(tmp_path):
    rows = [
        {
            "Summary": "VPN drops",
            "Issue key": "SD-1",
            "Status": "Resolved",
            "Priority": "Highest",
            "Assignee": "Ann",
            "Created": "12/Mar/24 3:15 PM",
            "Updated": "13/Mar/24 9:00 AM",
            "Resolved": "13/Mar/24 8:45 AM",
            "Organizations": "ACME",
            "Request Type": "Get IT help",
            "Time to first response": "1h 10m",
            "Time to resolution": "-2h 30m",
        },
        {
            "Summary": "Printer",
            "Issue key": "SD-2",
            "Status": "Waiting for customer",
            "Priority": "Low",
            "Created": "2024-03-12T12:00:00+00:00",
            "Updated": "2024-03-12 14:00",
            "Organizations": "Globex",
        },
    ]
    result = read(tmp_path, rows)

    first, second = result.incidents
    assert (first.external_id, first.title, first.client, first.priority) == (
        "SD-1",
        "VPN drops",
        "ACME",
        "p1",
    )
    assert first.opened_at == utc(2024, 3, 12, 14, 15)
    assert first.component == "Get IT help"
    assert first.source_sla == {"time_to_first_response": "met", "time_to_resolution": "breached"}
    assert kinds(first) == [("resolved", "resolved")]
    assert first.events[0].at == utc(2024, 3, 13, 7, 45)
    assert second.opened_at == utc(2024, 3, 12, 12, 0)
    assert kinds(second) == [("first_response", ""), ("status_changed", "waiting_client")]
    assert second.events[0].at == utc(2024, 3, 12, 13, 0)


def test_custom_priorities_and_statuses_come_from_a_mapping_file(tmp_path):
    mapping = tmp_path / "jira.toml"
    mapping.write_text('[priorities]\n"Blocker" = "p1"\n[statuses]\n"Triage" = "open"\n')
    rows = [
        {
            "Issue key": "SD-3",
            "Summary": "x",
            "Status": "Triage",
            "Priority": "Blocker",
            "Created": "1/Apr/24 10:00 AM",
            "Organizations": "ACME",
        }
    ]
    [incident] = read(tmp_path, rows, mapping_file=mapping).incidents
    assert (incident.priority, incident.status, incident.events) == ("p1", "new", [])


def test_the_sla_columns_are_optional(tmp_path):
    header = [c for c in HEADER if not c.startswith("Time to")]
    rows = [
        {
            "Issue key": "SD-4",
            "Summary": "x",
            "Status": "Open",
            "Priority": "Medium",
            "Created": "1/Apr/24 10:00 AM",
            "Organizations": "ACME",
        }
    ]
    [incident] = read(tmp_path, rows, header=header).incidents
    assert incident.source_sla == {}


def test_bad_jira_rows(tmp_path):
    rows = [
        {
            "Issue key": "SD-5",
            "Summary": "x",
            "Status": "Open",
            "Priority": "Medium",
            "Created": "31/Feb/24 10:00 AM",
            "Organizations": "ACME",
        },
        {
            "Issue key": "SD-6",
            "Summary": "x",
            "Status": "Closed",
            "Priority": "Medium",
            "Created": "1/Apr/24 10:00 AM",
            "Organizations": "ACME",
        },
        {
            "Issue key": "SD-7",
            "Summary": "x",
            "Status": "Done",
            "Priority": "Medium",
            "Created": "1/Apr/24 10:00 AM",
            "Resolved": "1/Apr/24 9:00 AM",
            "Organizations": "ACME",
        },
    ]
    result = read(tmp_path, rows)
    assert result.incidents == []
    assert [(r.line, r.column) for r in result.rejects] == [
        (1, "Created"),
        (2, "Resolved"),
        (3, "Resolved"),
    ]
    assert result.rejects[2].reason == "Resolved is before the opening."


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("Met", "met"),
        ("breached", "breached"),
        ("-1h", "breached"),
        ("3h 5m", "met"),
        ("Running", "Running"),
    ],
)
def test_sla_verdicts(text, verdict):
    assert sla_verdict("time_to_resolution", text) == verdict
