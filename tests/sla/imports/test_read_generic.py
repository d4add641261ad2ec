"""The generic preset: CSV, JSON lines and XLSX, one row per incident or per event, through a
mapping file; and the mapping's own checks."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest

from tamdesk.sla.imports.mapping import Mapping, MappingError, UnknownPolicy, from_dict, load
from tamdesk.sla.imports.readers import READERS, mapping_for
from tamdesk.sla.imports.readers.source import SourceError
from tests.sla.imports.support import assert_nothing_dropped, kinds, utc, write_csv

INCIDENT_MAPPING = """
shape = "incident"
date_format = "%d.%m.%Y %H:%M"
time_zone = "Europe/Moscow"
unknown_clients = "map:Unsorted"
unknown_groups = "create"

[columns]
"Ticket" = "external_id"
"Subject" = "title"
"Customer" = "client"
"Prio" = "priority"
"State" = "status"
"Created" = "opened_at"
"Answered" = "first_response_at"
"Solved" = "resolved_at"
"Team" = "group"
"SLA ok" = "source_sla:met"

[statuses]
"open" = "open"
"work" = "working"
"wait" = "waiting_client"
"solved" = "resolved"

[priorities]
"1" = "p1"
"2" = "p2"
"3" = "p3"

[clients]
"acme" = "ACME Corp"

[groups]
"L2" = "NET"
"""

EVENT_MAPPING = {
    "shape": "event",
    "date_format": "iso",
    "client": "ACME Corp",
    "columns": {
        "id": "external_id",
        "when": "at",
        "seq": "sequence",
        "state": "status",
        "prio": "priority",
        "team": "group",
    },
    "statuses": {
        "new": "new",
        "doing": "in_progress",
        "vendor": "waiting_third_party",
        "done": "resolved",
        "closed": "closed",
    },
    "priorities": {"high": "p2", "low": "p4"},
}
INCIDENT_HEADER = [
    "Ticket",
    "Subject",
    "Customer",
    "Prio",
    "State",
    "Created",
    "Answered",
    "Solved",
    "Team",
    "SLA ok",
]
INCIDENT_ROWS = [
    {
        "Ticket": "T-1",
        "Subject": "Disk full",
        "Customer": "acme",
        "Prio": "1",
        "State": "solved",
        "Created": "01.06.2024 09:00",
        "Answered": "01.06.2024 09:20",
        "Solved": "01.06.2024 13:00",
        "Team": "L2",
        "SLA ok": "yes",
    },
    {
        "Ticket": "T-2",
        "Subject": "Slow VPN",
        "Customer": "globex",
        "Prio": "3",
        "State": "wait",
        "Created": "02.06.2024 09:00",
        "Answered": "02.06.2024 10:00",
        "Team": "L1",
    },
    {
        "Ticket": "T-3",
        "Subject": "Bad",
        "Customer": "acme",
        "Prio": "7",
        "State": "open",
        "Created": "02.06.2024 09:00",
    },
]
EVENT_HEADER = ["id", "when", "seq", "state", "prio", "team"]
EVENT_ROWS = [
    {
        "id": "E-1",
        "when": "2024-06-01T10:00:00+02:00",
        "seq": "2",
        "state": "doing",
        "prio": "high",
        "team": "L1",
    },
    {
        "id": "E-1",
        "when": "2024-06-01T09:00:00+02:00",
        "seq": "1",
        "state": "new",
        "prio": "low",
        "team": "L1",
    },
    {
        "id": "E-1",
        "when": "2024-06-01T12:00:00+02:00",
        "seq": "3",
        "state": "vendor",
        "prio": "high",
        "team": "L2",
    },
    {
        "id": "E-1",
        "when": "2024-06-02T12:00:00+02:00",
        "seq": "4",
        "state": "done",
        "prio": "high",
        "team": "L2",
    },
    {
        "id": "E-2",
        "when": "2024-06-01T09:00:00+02:00",
        "seq": "1",
        "state": "new",
        "prio": "low",
        "team": "L1",
    },
    {
        "id": "E-2",
        "when": "2024-06-01T08:00:00+02:00",
        "seq": "2",
        "state": "done",
        "prio": "low",
        "team": "L1",
    },
    {
        "id": "E-2",
        "when": "2024-06-02T08:00:00+02:00",
        "seq": "3",
        "state": "new",
        "prio": "low",
        "team": "L1",
    },
]


def incident_mapping(tmp_path, **changes):
    path = tmp_path / "m.toml"
    path.write_text(INCIDENT_MAPPING)
    return mapping_for("generic", mapping_file=path).replace(**changes)


def event_mapping(tmp_path):
    path = tmp_path / "m.json"
    path.write_text(json.dumps(EVENT_MAPPING))
    return mapping_for("generic", mapping_file=path)


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(row) + "\n" for row in rows) + "\n")
    return path


def write_xlsx(path, header, rows, *, times=()):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        values = []
        for column in header:
            value = row.get(column)
            if column in times and value:
                value = dt.datetime.strptime(value, "%d.%m.%Y %H:%M")
            values.append(value)
        sheet.append(values)
    workbook.save(path)
    return path


def read(path, mapping):
    result = READERS["generic"](path, mapping=mapping, source_system="helpdesk")
    assert_nothing_dropped(result)
    return result


def check_incidents(result):
    first, second = result.incidents
    assert (first.external_id, first.client, first.title, first.priority, first.group) == (
        "T-1",
        "ACME Corp",
        "Disk full",
        "p1",
        "L2",
    )
    assert first.opened_at == utc(2024, 6, 1, 6, 0)
    assert first.source_sla == {"met": True}
    assert kinds(first) == [("first_response", ""), ("resolved", "resolved")]
    assert [e.at for e in first.events] == [utc(2024, 6, 1, 6, 20), utc(2024, 6, 1, 10, 0)]
    assert second.client == "globex"  # not in clients: the writer applies unknown_clients
    assert kinds(second) == [("first_response", ""), ("status_changed", "waiting_client")]
    assert [(r.line, r.column) for r in result.rejects] == [(3, "Prio")]


def test_csv_one_row_per_incident(tmp_path):
    path = write_csv(tmp_path / "t.csv", INCIDENT_HEADER, INCIDENT_ROWS)
    check_incidents(read(path, incident_mapping(tmp_path)))


def test_jsonl_one_row_per_incident(tmp_path):
    path = write_jsonl(tmp_path / "t.jsonl", INCIDENT_ROWS)
    check_incidents(read(path, incident_mapping(tmp_path)))


def test_xlsx_one_row_per_incident_with_date_cells(tmp_path):
    path = write_xlsx(
        tmp_path / "t.xlsx", INCIDENT_HEADER, INCIDENT_ROWS, times=("Created", "Answered", "Solved")
    )
    check_incidents(read(path, incident_mapping(tmp_path)))


def _event_result(result):
    e1 = next(i for i in result.incidents if i.external_id == "E-1")
    assert (e1.priority, e1.status, e1.client, e1.group) == ("p4", "new", "ACME Corp", "L1")
    assert e1.opened_at == utc(2024, 6, 1, 7, 0)
    assert kinds(e1) == [
        ("priority_changed", "p2"),
        ("first_response", ""),
        ("status_changed", "in_progress"),
        ("reassigned", "L2"),
        ("status_changed", "waiting_third_party"),
        ("resolved", "resolved"),
    ]
    e2 = next(i for i in result.incidents if i.external_id == "E-2")
    # Sorted by time, its first row (08:00) is already done: it opens as new and is resolved
    # then; "new" at 09:00 reopens it; "new" again the next day changes nothing.
    assert e2.opened_at == utc(2024, 6, 1, 6, 0)
    assert kinds(e2) == [("resolved", "resolved"), ("reopened", "new")]
    assert result.rejects == []


def test_csv_one_row_per_event(tmp_path):
    path = write_csv(tmp_path / "e.csv", EVENT_HEADER, EVENT_ROWS)
    _event_result(read(path, event_mapping(tmp_path)))


def test_jsonl_one_row_per_event(tmp_path):
    path = write_jsonl(tmp_path / "e.jsonl", EVENT_ROWS)
    _event_result(read(path, event_mapping(tmp_path)))


def test_xlsx_one_row_per_event(tmp_path):
    path = write_xlsx(tmp_path / "e.xlsx", EVENT_HEADER, EVENT_ROWS)
    _event_result(read(path, event_mapping(tmp_path)))


def test_bad_json_lines_are_rejected(tmp_path):
    path = tmp_path / "e.jsonl"
    path.write_text(
        '{"id": "E-9", "when": "2024-06-01T10:00:00+02:00", "state": "new", "prio": "low"}\n'
        "not json\n[1, 2]\n"
    )
    result = read(path, event_mapping(tmp_path))
    assert [i.external_id for i in result.incidents] == ["E-9"]
    assert [r.line for r in result.rejects] == [2, 3]


def test_a_mapped_column_missing_from_the_sheet_refuses_the_file(tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", INCIDENT_HEADER[:-1], INCIDENT_ROWS)
    with pytest.raises(SourceError) as caught:
        read(path, incident_mapping(tmp_path))
    assert caught.value.field == "SLA ok"


def test_not_an_xlsx_file(tmp_path):
    path = tmp_path / "t.xlsx"
    path.write_text("hello")
    with pytest.raises(SourceError, match="not an XLSX workbook"):
        read(path, incident_mapping(tmp_path))


def test_the_mapping_loads_with_its_policies(tmp_path):
    mapping = incident_mapping(tmp_path)
    assert mapping.unknown_clients == UnknownPolicy("map", "Unsorted")
    assert mapping.unknown_groups == UnknownPolicy("create")
    assert mapping.groups == {"L2": "NET"}
    assert mapping.status_of("work") == "in_progress"
    assert mapping.status_of("open") == "new"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"columns": {"A": "colour"}}, "columns.A", "colour is not a field an import fills."),
        ({"columns": {"A": "title", "B": "title"}}, "columns", "Two columns feed title."),
        ({"statuses": {"x": "sleeping"}}, "statuses.x", None),
        ({"priorities": {"x": "p9"}}, "priorities.x", "p9 is not a priority (p1 to p4)."),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "Mars/Olympus is not a time zone."),
        ({"date_format": "%Y"}, "date_format", None),
        ({"shape": "ticket"}, "shape", None),
        ({"format": "xls"}, "format", None),
        ({"unknown_clients": "ask"}, "unknown_clients", None),
        ({"colour": "blue"}, "colour", "colour is not a mapping key."),
        ({"columns": ["a"]}, "columns", None),
        ({"max_rows": 0}, "max_rows", None),
    ],
)
def test_mapping_errors_name_the_key(data, field, message):
    with pytest.raises(MappingError) as caught:
        from_dict(data)
    assert caught.value.field == field
    assert caught.value.code == "invalid_mapping"
    if message:
        assert caught.value.message == message


def test_an_unreadable_mapping_file(tmp_path):
    path = tmp_path / "m.toml"
    path.write_text("columns = [")
    with pytest.raises(MappingError, match="cannot be read"):
        load(path)


def test_generic_needs_its_required_columns(tmp_path):
    with pytest.raises(MappingError, match="No column feeds"):
        READERS["generic"](tmp_path / "x.csv", mapping=Mapping(), source_system="x")
