"""The servicenow preset: ServiceNow's incident event log, with its quirks (docs/imports.md)."""

from __future__ import annotations

import pytest

from tamdesk.sla.imports.mapping import Mapping
from tamdesk.sla.imports.readers import READERS, mapping_for
from tamdesk.sla.imports.readers.servicenow import EXPORT_COLUMNS
from tamdesk.sla.imports.readers.source import SourceError
from tests.sla.imports.support import assert_nothing_dropped, kinds, utc, write_csv

HEADER = list(EXPORT_COLUMNS)


def row(number, state, mod, updated, **values):
    base = {
        "number": number,
        "incident_state": state,
        "active": "true",
        "sys_mod_count": str(mod),
        "made_sla": "true",
        "caller_id": "Caller 2403",
        "opened_at": "29/2/2016 01:16",
        "sys_updated_at": updated,
        "location": "Location 143",
        "category": "Category 55",
        "subcategory": "Subcategory 170",
        "u_symptom": "Symptom 72",
        "priority": "3 - Moderate",
        "assignment_group": "Group 56",
        "assigned_to": "Resolver 1",
    }
    base.update(values)
    return base


def read(tmp_path, rows, **options):
    options.setdefault("client", "ACME")
    options.setdefault("time_zone", "UTC")
    path = write_csv(tmp_path / "incidents.csv", HEADER, rows, default="?")
    result = READERS["servicenow"](
        path, mapping=mapping_for("servicenow", **options), source_system="servicenow"
    )
    assert_nothing_dropped(result)
    return result


def test_a_lifecycle_is_rebuilt_from_rows_out_of_order_with_duplicates(tmp_path):
    rows = [
        row("INC1", "Active", 1, "29/2/2016 01:40"),
        row("INC1", "New", 0, "29/2/2016 01:23"),
        row("INC1", "Awaiting User Info", 2, "29/2/2016 03:00", assignment_group="Group 70"),
        row("INC1", "Awaiting User Info", 2, "29/2/2016 03:00", assignment_group="Group 70"),
        row(
            "INC1", "Active", 3, "1/3/2016 09:05", priority="2 - High", assignment_group="Group 70"
        ),
        row(
            "INC1",
            "Resolved",
            4,
            "1/3/2016 11:29",
            resolved_at="1/3/2016 11:29",
            made_sla="false",
            cmdb_ci="WebServer 7",
            priority="2 - High",
            assignment_group="Group 70",
        ),
        row(
            "INC1",
            "Closed",
            5,
            "6/3/2016 12:00",
            resolved_at="1/3/2016 11:29",
            closed_at="6/3/2016 12:00",
            made_sla="false",
            cmdb_ci="WebServer 7",
            priority="2 - High",
            assignment_group="Group 70",
        ),
    ]
    result = read(tmp_path, rows)

    assert result.rejects == []
    assert result.rows == 7
    [incident] = result.incidents
    assert incident.external_id == "INC1"
    assert incident.client == "ACME"
    assert incident.title == "Category 55 · Subcategory 170 · Symptom 72"
    assert incident.opened_at == utc(2016, 2, 29, 1, 16)
    assert (incident.status, incident.priority, incident.group) == ("new", "p3", "Group 56")
    assert incident.lines == [1, 2, 3, 4, 5, 6, 7]
    assert incident.source_sla == {"made_sla": False}
    assert incident.component == "WebServer 7"
    assert kinds(incident) == [
        ("first_response", ""),
        ("status_changed", "in_progress"),
        ("reassigned", "Group 70"),
        ("status_changed", "waiting_client"),
        ("priority_changed", "p2"),
        ("status_changed", "in_progress"),
        ("resolved", "resolved"),
        ("closed", "closed"),
    ]
    assert [event.at for event in incident.events][:2] == [utc(2016, 2, 29, 1, 40)] * 2
    assert incident.events[-1].at == utc(2016, 3, 6, 12, 0)


def test_reopen_after_close_keeps_the_closing_as_a_comment(tmp_path):
    rows = [
        row("INC2", "New", 0, "29/2/2016 01:16"),
        row("INC2", "Active", 1, "29/2/2016 02:00"),
        row("INC2", "Resolved", 2, "29/2/2016 05:00"),
        row("INC2", "Closed", 3, "2/3/2016 05:00"),
        row("INC2", "Active", 4, "3/3/2016 08:00"),
        row("INC2", "Awaiting Vendor", 5, "3/3/2016 09:00"),
        row("INC2", "Closed", 6, "4/3/2016 10:00", resolved_at="4/3/2016 09:30"),
    ]
    [incident] = read(tmp_path, rows).incidents

    assert kinds(incident) == [
        ("first_response", ""),
        ("status_changed", "in_progress"),
        ("resolved", "resolved"),
        ("comment", "closed in the source, then changed again"),
        ("reopened", "in_progress"),
        ("status_changed", "waiting_third_party"),
        ("resolved", "resolved"),
        ("closed", "closed"),
    ]
    # Closed without a Resolved row: the resolution is resolved_at (within the last step).
    assert incident.events[-2].at == utc(2016, 3, 4, 9, 30)


def test_the_same_time_twice_keeps_the_sys_mod_count_order(tmp_path):
    rows = [
        row("INC3", "Awaiting Evidence", 2, "29/2/2016 02:00"),
        row("INC3", "Active", 1, "29/2/2016 02:00"),
        row("INC3", "New", 0, "29/2/2016 01:16"),
    ]
    [incident] = read(tmp_path, rows).incidents

    assert kinds(incident) == [
        ("first_response", ""),
        ("status_changed", "in_progress"),
        ("status_changed", "waiting_client"),
    ]
    assert [event.line for event in incident.events] == [2, 2, 1]


def test_an_incident_opened_active_is_answered_by_its_first_row(tmp_path):
    [incident] = read(tmp_path, [row("INC4", "Active", 0, "29/2/2016 01:30")]).incidents
    assert incident.status == "in_progress"
    assert kinds(incident) == [("first_response", "")]
    assert incident.events[0].at == utc(2016, 2, 29, 1, 30)


def test_dst_in_the_instance_zone(tmp_path):
    """Berlin: 27/3/2016 02:30 does not exist (read as 01:30 UTC, i.e. 03:30 CEST); 30/10/2016
    02:30 happens twice (the first, summer-time one: 00:30 UTC)."""
    rows = [
        row("INC5", "New", 0, "27/3/2016 01:50", opened_at="27/3/2016 01:50"),
        row("INC5", "Active", 1, "27/3/2016 02:30", opened_at="27/3/2016 01:50"),
        row("INC6", "New", 0, "30/10/2016 02:30", opened_at="30/10/2016 02:30"),
        row("INC6", "Active", 1, "30/10/2016 03:10", opened_at="30/10/2016 02:30"),
    ]
    result = read(tmp_path, rows, time_zone="Europe/Berlin")

    first, second = result.incidents
    assert first.opened_at == utc(2016, 3, 27, 0, 50)
    assert first.events[0].at == utc(2016, 3, 27, 1, 30)
    assert second.opened_at == utc(2016, 10, 30, 0, 30)
    assert second.events[0].at == utc(2016, 10, 30, 2, 10)


def test_an_incident_whose_rows_contradict_each_other_is_rejected_whole(tmp_path):
    rows = [
        row("INC7", "New", 0, "29/2/2016 01:16"),
        row("INC7", "Resolved", 1, "29/2/2016 04:00", resolved_at="28/2/2016 23:00"),
        row("INC7", "Closed", 2, "1/3/2016 04:00"),
        row("INC8", "New", 0, "29/2/2016 01:16"),
    ]
    result = read(tmp_path, rows)

    assert [incident.external_id for incident in result.incidents] == ["INC8"]
    assert [(r.line, r.column, r.external_id) for r in result.rejects] == [
        (1, "", "INC7"),
        (2, "resolved_at", "INC7"),
        (3, "", "INC7"),
    ]
    assert result.rejects[1].reason == "The incident ends before it was opened."
    assert "line 2" in result.rejects[0].reason


def test_a_timeline_the_sla_services_refuse_is_rejected_whole(tmp_path):
    rows = [
        row("INC9", "New", 0, "29/2/2016 01:16"),
        row("INC9", "Active", 1, "28/2/2099 01:20"),  # in the future
    ]
    result = read(tmp_path, rows)
    assert result.incidents == []
    assert {r.line for r in result.rejects} == {1, 2}
    assert "future" in next(r.reason for r in result.rejects if r.line == 2)


@pytest.mark.parametrize(
    ("values", "column", "reason"),
    [
        (
            {"priority": "9 - Whatever"},
            "priority",
            "The priority 9 - Whatever is not in the mapping.",
        ),
        (
            {"incident_state": "Sleeping"},
            "incident_state",
            "The status Sleeping is not in the mapping.",
        ),
        (
            {"sys_updated_at": "2016-02-29 01:20"},
            "sys_updated_at",
            "2016-02-29 01:20 is not a time in the format %d/%m/%Y %H:%M.",
        ),
        (
            {"sys_updated_at": "29/2/1960 01:20", "opened_at": "29/2/1960 01:16"},
            "sys_updated_at",
            "29/2/1960 01:20 is outside the supported range (1970 to 2200).",
        ),
        ({"sys_mod_count": "one"}, "sys_mod_count", "Not a whole number."),
        (
            {"sys_updated_at": "29/2/2016 01:00"},
            "sys_updated_at",
            "The row is dated before the incident's opening.",
        ),
        ({"opened_at": "29/2/2016 01:10"}, "opened_at", "The rows disagree on the opening time."),
    ],
)
def test_bad_rows_reject_their_incident(tmp_path, values, column, reason):
    rows = [
        row("INC10", "New", 0, "29/2/2016 01:16"),
        row("INC10", "Active", 1, "29/2/2016 02:00", **values),
    ]
    result = read(tmp_path, rows)
    assert result.incidents == []
    assert [(r.line, r.column, r.reason) for r in result.rejects if r.line == 2] == [
        (2, column, reason)
    ]


def test_a_row_without_a_number_is_rejected_alone(tmp_path):
    result = read(
        tmp_path, [row("", "New", 0, "29/2/2016 01:16"), row("INC11", "New", 0, "29/2/2016 01:16")]
    )
    assert [r.line for r in result.rejects] == [1]
    assert [i.external_id for i in result.incidents] == ["INC11"]


def test_the_client_comes_from_a_column_and_the_mapping(tmp_path):
    path = write_csv(
        tmp_path / "m.json",
        ["x"],
        [],
    )
    path.write_text('{"columns": {"location": "client"}, "clients": {"Location 143": "ACME"}}')
    rows = [
        row("INC12", "New", 0, "29/2/2016 01:16"),
        row("INC13", "New", 0, "29/2/2016 01:16", location="Location 9"),
    ]
    mapping = mapping_for("servicenow", mapping_file=path, time_zone="UTC")
    result = READERS["servicenow"](
        write_csv(tmp_path / "i.csv", HEADER, rows, default="?"),
        mapping=mapping,
        source_system="servicenow",
    )
    assert [(i.external_id, i.client) for i in result.incidents] == [
        ("INC12", "ACME"),
        ("INC13", "Location 9"),  # not in the mapping: the writer applies unknown_clients
    ]


def test_without_a_client_or_a_zone_rows_are_rejected(tmp_path):
    result = read(tmp_path, [row("INC14", "New", 0, "29/2/2016 01:16")], client="")
    assert [(r.column, r.reason[:9]) for r in result.rejects] == [("company", "No client")]
    result = read(tmp_path, [row("INC14", "New", 0, "29/2/2016 01:16")], time_zone="")
    assert result.rejects[0].reason == (
        "29/2/2016 01:16 has no UTC offset and the mapping names no time zone."
    )


def test_limits_refuse_the_file(tmp_path, monkeypatch):
    rows = [row(f"INC{n}", "New", 0, "29/2/2016 01:16") for n in range(5)]
    mapping = mapping_for("servicenow", client="ACME", time_zone="UTC").replace(max_rows=4)
    path = write_csv(tmp_path / "i.csv", HEADER, rows, default="?")
    with pytest.raises(SourceError, match="more than 4 rows"):
        READERS["servicenow"](path, mapping=mapping, source_system="sn")

    monkeypatch.setattr("tamdesk.sla.imports.readers.source.MAX_ROW_BYTES", 500)
    path = write_csv(
        tmp_path / "i.csv", HEADER, [row("INC1", "New", 0, "29/2/2016 01:16", u_symptom="x" * 600)]
    )
    with pytest.raises(SourceError, match="Line 2 of the file is longer than 500 characters"):
        READERS["servicenow"](path, mapping=mapping, source_system="sn")


def test_a_missing_column_refuses_the_file(tmp_path):
    path = write_csv(tmp_path / "i.csv", [c for c in HEADER if c != "priority"], [])
    with pytest.raises(SourceError) as caught:
        READERS["servicenow"](
            path, mapping=mapping_for("servicenow", client="A", time_zone="UTC"), source_system="sn"
        )
    assert caught.value.field == "priority"


def test_gzip_is_read_transparently(tmp_path):
    import gzip

    plain = write_csv(
        tmp_path / "i.csv", HEADER, [row("INC1", "New", 0, "29/2/2016 01:16")], default="?"
    )
    packed = tmp_path / "i.csv.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    result = READERS["servicenow"](
        packed, mapping=mapping_for("servicenow", client="A", time_zone="UTC"), source_system="sn"
    )
    assert [i.external_id for i in result.incidents] == ["INC1"]


def test_the_preset_mapping_is_a_mapping():
    assert isinstance(mapping_for("servicenow"), Mapping)
    assert mapping_for("servicenow").shape == "event"


def test_times_of_one_hour_read_alike_with_and_without_seconds():
    from tamdesk.sla.imports.readers.values import TimeReader

    read_time = TimeReader(Mapping(date_format="%d/%m/%Y %H:%M", time_zone="Europe/Berlin"))
    assert read_time("29/2/2016 01:00") == utc(2016, 2, 29, 0, 0)
    assert read_time("29/2/2016 01:16") == utc(2016, 2, 29, 0, 16)
    assert read_time("29/2/2016 01:16:00") == utc(2016, 2, 29, 0, 16)
    assert read_time("29/2/2016 01:16:30") == utc(2016, 2, 29, 0, 16, 30)
    assert read_time("27/3/2016 02:59") == utc(2016, 3, 27, 1, 59)
    assert read_time("30/10/2016 02:05") == utc(2016, 10, 30, 0, 5)
    assert read_time("30/10/2016 03:05") == utc(2016, 10, 30, 2, 5)
    with pytest.raises(ValueError):
        read_time("29/2/2016 01:61")
