"""The servicenow-flat preset: one row per incident, ServiceNow's field names."""

from __future__ import annotations

from tamdesk.sla.imports.readers import READERS, mapping_for
from tests.sla.imports.support import assert_nothing_dropped, kinds, utc, write_csv

HEADER = [
    "number",
    "incident_state",
    "made_sla",
    "opened_at",
    "sys_updated_at",
    "priority",
    "assignment_group",
    "assigned_to",
    "cmdb_ci",
    "category",
    "subcategory",
    "u_symptom",
    "resolved_at",
    "closed_at",
    "short_description",
]


def read(tmp_path, rows):
    path = write_csv(tmp_path / "flat.csv", HEADER, rows, default="?")
    mapping = mapping_for("servicenow-flat", client="ACME", time_zone="Europe/Moscow")
    result = READERS["servicenow-flat"](path, mapping=mapping, source_system="sn")
    assert_nothing_dropped(result)
    return result


def test_flat_rows_become_incidents(tmp_path):
    rows = [
        {
            "number": "INC1",
            "incident_state": "Closed",
            "made_sla": "true",
            "opened_at": "1/3/2016 10:00",
            "sys_updated_at": "9/3/2016 10:00",
            "priority": "1 - Critical",
            "assignment_group": "Group 1",
            "resolved_at": "1/3/2016 12:00",
            "closed_at": "6/3/2016 12:00",
            "short_description": "Mail is down",
        },
        {
            "number": "INC2",
            "incident_state": "Awaiting User Info",
            "opened_at": "2/3/2016 10:00",
            "sys_updated_at": "2/3/2016 11:00",
            "priority": "4 - Low",
        },
        {
            "number": "INC3",
            "incident_state": "New",
            "opened_at": "2/3/2016 10:00",
            "priority": "3 - Moderate",
            "resolved_at": "2/3/2016 12:00",
        },
        {
            "number": "INC1",
            "incident_state": "New",
            "opened_at": "2/3/2016 10:00",
            "priority": "4 - Low",
        },
    ]
    result = read(tmp_path, rows)

    first, second = result.incidents
    assert (first.title, first.priority, first.group) == ("Mail is down", "p1", "Group 1")
    assert first.opened_at == utc(2016, 3, 1, 7, 0)  # Moscow is +03:00
    assert first.source_sla == {"made_sla": True}
    assert kinds(first) == [("resolved", "resolved"), ("closed", "closed")]
    assert second.title == "INC2"
    assert kinds(second) == [("first_response", ""), ("status_changed", "waiting_client")]
    assert second.events[0].at == utc(2016, 3, 2, 8, 0)
    assert [(r.line, r.column) for r in result.rejects] == [(3, "incident_state"), (4, "number")]
    assert result.rejects[1].reason == "Incident INC1 is already on line 1."
