"""The demo's incident history: a ServiceNow event log the demo writes (``demo.history``) and
imports through the importer on every load."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter, defaultdict
from io import StringIO

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from tamdesk.demo import history
from tamdesk.demo.loader import load_demo, reset_demo
from tamdesk.notifications.models import Notification
from tamdesk.sla import services
from tamdesk.sla.choices import IncidentImportStatus
from tamdesk.sla.imports.readers import READERS, mapping_for
from tamdesk.sla.models import Incident, IncidentClock, IncidentEvent, IncidentImport

TODAY = dt.date(2026, 11, 25)
LOADED = dt.datetime(2026, 11, 25, 10, tzinfo=dt.UTC)  # 13:00 in Moscow, the same day
SMALL = 40  # incidents in six months: a few per month, enough for every kind of update
FULL_MONTHS = ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
STAMP = re.compile(r"^\d{1,2}/\d{1,2}/\d{4} \d{2}:\d{2}$")


def read(text: str):
    mapping = mapping_for("servicenow", mapping_file=history.MAPPING_FILE)
    return READERS["servicenow"](io.StringIO(text), mapping=mapping, source_system="servicenow")


@pytest.fixture(scope="module")
def full(plan):
    """The history at its default volume, as the demo imports it (generated, not loaded)."""
    made = history.build_history(plan, today=TODAY)
    return made, made.csv_text()


@pytest.fixture(scope="module")
def full_read(full):
    return read(full[1])


# --- the file --------------------------------------------------------------------------------


def test_the_file_is_a_servicenow_event_log_read_back_without_a_reject(full, full_read):
    made, text = full
    lines = text.splitlines()
    assert lines[0] == ",".join(f'"{column}"' for column in history.COLUMNS)
    assert all(line.startswith('"INC00') and line.endswith('"') for line in lines[1:])
    assert full_read.rejects == []
    assert full_read.rows == made.rows == len(lines) - 1
    assert len(full_read.incidents) == len(made.incidents)
    assert {i.source_system for i in full_read.incidents} == {"servicenow"}
    assert {i.client for i in full_read.incidents} == {i.client.name for i in made.incidents}


def test_the_file_has_servicenows_quirks(full):
    rows = list(csv.DictReader(StringIO(full[1])))
    assert Counter(row["problem_id"] for row in rows) == {"?": len(rows)}  # "?" for empty
    for column in ("opened_at", "sys_updated_at"):
        assert all(STAMP.match(row[column]) for row in rows)  # day first, no seconds
    assert any(re.match(r"^\d/\d{1,2}/", row["opened_at"]) for row in rows)  # no zero padding
    assert {row["priority"] for row in rows} == {"1 - Critical", "2 - High", "3 - Moderate",
                                                 "4 - Low"}  # fmt: skip
    assert {row["assignment_group"] for row in rows} <= set(history.GROUPS.values())
    assert {row["active"] for row in rows} == {"true", "false"}


def test_times_are_local_to_the_instance_in_moscow(full, full_read):
    made, _ = full
    first = made.incidents[0]
    read_back = next(i for i in full_read.incidents if i.external_id == first.number)
    assert read_back.opened_at == first.opened_at.replace(tzinfo=history.ZONE)
    assert read_back.opened_at.astimezone(dt.UTC) == (
        first.opened_at - dt.timedelta(hours=3)
    ).replace(tzinfo=dt.UTC)


def test_the_same_seed_volume_and_day_give_the_same_bytes(plan):
    one = history.build_history(plan, today=TODAY, incidents=300).csv_bytes()
    two = history.build_history(plan, today=TODAY, incidents=300).csv_bytes()
    assert one == two
    from tamdesk.demo.generator import build_plan

    other = build_plan(seed=7)
    assert history.build_history(other, today=TODAY, incidents=300).csv_bytes() != one


def test_a_later_day_keeps_every_incident_and_only_adds(plan):
    """The incidents of a month do not depend on the day of the load: a later load's file has
    the same incidents with the same updates, plus closings and incidents resolved since."""
    before = history.build_history(plan, today=TODAY, incidents=300)
    after = history.build_history(plan, today=TODAY + dt.timedelta(days=3), incidents=300)
    later = {incident.number: incident for incident in after.incidents}
    assert set(later) > {incident.number for incident in before.incidents}
    for incident in before.incidents:
        rows = later[incident.number].rows
        assert rows[: len(incident.rows)] == incident.rows
        assert all(row.state == "Closed" for row in rows[len(incident.rows) :])


def test_six_full_months_for_every_client_and_the_current_month_to_date(plan, full):
    made, _ = full
    months = defaultdict(set)
    for incident in made.incidents:
        months[incident.client.code].add(incident.opened_at.strftime("%Y-%m"))
    assert set(months) == {client.code for client in plan.clients}
    for code, seen in months.items():
        assert set(FULL_MONTHS) <= seen, code
    assert made.start == dt.datetime(2026, 5, 1)
    assert made.end == dt.datetime(2026, 11, 24)
    assert any(incident.opened_at.month == 11 for incident in made.incidents)


def test_volume_by_tier_and_a_priority_mix_with_few_p1(full):
    made, _ = full
    assert 3000 <= len(made.incidents) <= 5000
    assert 5 <= made.rows / len(made.incidents) <= 7
    per_client = defaultdict(Counter)
    for incident in made.incidents:
        per_client[incident.client.tier][incident.client.code] += 1
    average = {tier: sum(c.values()) / len(c) for tier, c in per_client.items()}
    assert average["strategic"] > average["premium"] > average["business"] > average["standard"]
    priorities = Counter(incident.priority for incident in made.incidents)
    assert priorities["p1"] < priorities["p2"] < priorities["p4"] < priorities["p3"]
    assert priorities["p1"] <= 0.05 * len(made.incidents)


def test_pauses_reassignments_reopenings_and_breaches(full, full_read):
    made, _ = full
    events = Counter(
        (event.kind, event.to_value) for i in full_read.incidents for event in i.events
    )
    assert events[("status_changed", "waiting_client")] > 100
    assert events[("status_changed", "waiting_third_party")] > 50
    assert events[("reopened", "in_progress")] > 50
    reassigned = [e for i in full_read.incidents for e in i.events if e.kind == "reassigned"]
    assert len(reassigned) > len(made.incidents) / 2
    assert {"Network Operations", "Database"} <= {event.group for event in reassigned}
    twice = [i for i in full_read.incidents if sum(e.kind == "reassigned" for e in i.events) > 1]
    assert twice  # service desk → network → DB and the like
    breached = [i for i in made.incidents if i.reaction_breached or i.resolution_breached]
    assert 0.08 <= len(breached) / len(made.incidents) <= 0.15
    verdicts = Counter(i.source_sla["made_sla"] for i in full_read.incidents)
    assert 0.08 <= verdicts[False] / len(made.incidents) <= 0.16


def test_breaches_are_worse_in_some_months_and_for_some_clients(full):
    made, _ = full

    def rate(incidents):
        incidents = list(incidents)
        return sum(i.reaction_breached or i.resolution_breached for i in incidents) / len(incidents)

    by_month = {
        month: rate(i for i in made.incidents if i.opened_at.strftime("%Y-%m") == month)
        for month in FULL_MONTHS
    }
    assert max(by_month.values()) > 1.4 * min(by_month.values())
    by_client = defaultdict(list)
    for incident in made.incidents:
        by_client[incident.client.code].append(incident)
    rates = sorted(rate(incidents) for incidents in by_client.values() if len(incidents) > 40)
    assert rates[-1] > 2 * rates[len(rates) // 2]


def test_every_clock_stopped_more_than_a_day_before_the_load(full, full_read):
    """So every breach in the file is history: none is news, none notifies."""
    made, _ = full
    end = made.end.replace(tzinfo=history.ZONE)
    assert LOADED - end >= services.NEWS_WINDOW
    for incident in full_read.incidents:
        assert incident.events[-1].at < end
        kinds = [event.kind for event in incident.events]
        last_resolution = max(i for i, kind in enumerate(kinds) if kind == "resolved")
        assert set(kinds[last_resolution + 1 :]) <= {"closed"}


def test_callers_are_client_contacts_and_assignees_demo_engineers(plan, full):
    rows = list(csv.DictReader(StringIO(full[1])))
    engineers = {person.full_name for person in plan.people if person.department}
    contacts = {contact.name for client in plan.clients for contact in client.contacts}
    assert {row["assigned_to"] for row in rows} - {"?"} <= engineers
    assert {row["caller_id"] for row in rows} - {"?"} <= contacts
    usernames = {person.username for person in plan.people}
    assert {row["sys_updated_by"] for row in rows} <= usernames


def test_working_time_follows_the_office_hours_and_round_the_clock():
    office = ((9 * 60, 13 * 60), (14 * 60, 18 * 60))
    friday = dt.datetime(2026, 11, 20, 17, 30)
    assert history.add_working(friday, 60, office) == dt.datetime(2026, 11, 23, 9, 30)
    assert history.add_working(friday.replace(hour=12, minute=0), 90, office) == friday.replace(
        hour=14, minute=30
    )  # the lunch hour does not count
    saturday_night = dt.datetime(2026, 11, 21, 23, 0)
    assert history.add_working(saturday_night, 0, office) == dt.datetime(2026, 11, 23, 9)
    assert history.add_working(saturday_night, 90, None) == dt.datetime(2026, 11, 22, 0, 30)


def test_the_terms_are_the_demo_policies(plan):
    terms = history.terms_of(plan, today=TODAY)
    strict = min(
        (c for c in plan.clients if history._managed_by(c, "tam", TODAY)), key=lambda c: c.name
    )
    assert terms[strict.code].targets["p1"] == (30, 240) and terms[strict.code].hours is None
    business = next(c for c in plan.clients if c.tier == "business" and c.code != strict.code)
    assert terms[business.code].hours == ((9 * 60, 13 * 60), (14 * 60, 18 * 60))
    assert terms[business.code].targets["p3"] == (8 * 60, 40 * 60)


def test_the_volume_must_make_sense(plan):
    with pytest.raises(ValueError, match="incidents"):
        history.build_history(plan, today=TODAY, incidents=-1)
    with pytest.raises(ValueError, match="months"):
        history.build_history(plan, today=TODAY, months=0)
    assert history.build_history(plan, today=TODAY, incidents=0).incidents == []


# --- the load --------------------------------------------------------------------------------

pytest_db = pytest.mark.django_db


def _load(plan, **kwargs):
    with time_machine.travel(LOADED, tick=False):
        return load_demo(plan, password="demo-password-42", **kwargs)


def _history_counts():
    incidents = Incident.objects.filter(source_system="servicenow")
    return (
        incidents.count(),
        IncidentEvent.objects.filter(incident__in=incidents).count(),
        IncidentClock.objects.filter(incident__in=incidents).count(),
    )


@pytest_db
def test_a_load_imports_the_file_and_the_reconciliation_agrees_with_it(plan, settings):
    report = _load(plan, history_incidents=SMALL)

    path = settings.HOME / "demo" / history.FILE_NAME
    made = history.build_history(plan, today=TODAY, incidents=SMALL)
    assert path.read_bytes() == made.csv_bytes()
    file = read(made.csv_text())
    run = report.history
    assert run == IncidentImport.objects.get()
    assert run.status == IncidentImportStatus.DONE and run.error == ""
    assert run.created_by.username == "administrator" and not run.is_dry_run
    assert (run.preset, run.file_name, run.source_system) == (
        "servicenow",
        history.FILE_NAME,
        "servicenow",
    )
    assert run.rows_read == file.rows == made.rows
    assert run.incidents_total == run.incidents_done == len(file.incidents) == len(made.incidents)
    outcome = run.outcome
    assert outcome["created"] == len(made.incidents) and outcome["rejected"] == 0
    assert (outcome["updated"], outcome["unchanged"], outcome["rejects_total"]) == (0, 0, 0)
    assert outcome["events"] == sum(len(i.events) for i in file.incidents)
    assert outcome["reassignments"] == sum(
        e.kind == "reassigned" for i in file.incidents for e in i.events
    )
    assert outcome["pauses"] == sum(
        e.kind == "status_changed" and e.to_value.startswith("waiting_")
        for i in file.incidents
        for e in i.events
    )
    assert outcome["reopenings"] == sum(
        e.kind == "reopened" for i in file.incidents for e in i.events
    )
    # tamdesk's measurement mostly agrees with the source's made_sla.
    assert outcome["disagreements_total"] <= 0.15 * len(made.incidents)
    assert report.created["history incidents"] == len(made.incidents)
    stored = Incident.objects.filter(source_system="servicenow")
    assert set(stored.values_list("external_id", flat=True)) == {i.number for i in made.incidents}
    assert {i.client.name for i in made.incidents} == set(
        stored.values_list("client__name", flat=True)
    )
    assert not stored.filter(department=None).exists()
    assert Incident.objects.filter(source_system="demo").exists()  # the live ones as before


@pytest_db
def test_loading_again_imports_the_same_file_and_changes_nothing(plan):
    _load(plan, history_incidents=SMALL)
    before = _history_counts()

    with time_machine.travel(LOADED + dt.timedelta(hours=2), tick=False):
        report = load_demo(plan, password="demo-password-42", history_incidents=SMALL)

    assert _history_counts() == before
    outcome = report.history.outcome
    assert outcome["unchanged"] == before[0]
    assert (outcome["created"], outcome["updated"], outcome["events"]) == (0, 0, 0)
    assert report.created["history incidents"] == 0
    assert IncidentImport.objects.filter(status=IncidentImportStatus.DONE).count() == 2


@pytest_db
def test_old_breaches_notify_nobody(plan):
    _load(plan, history_incidents=SMALL)
    imported = list(
        Incident.objects.filter(source_system="servicenow").values_list("pk", flat=True)
    )
    breached = IncidentClock.objects.filter(incident__in=imported, state="breached")
    assert breached.exists()

    with time_machine.travel(LOADED + dt.timedelta(minutes=5), tick=False):
        services.alert_due()

    keys = set(Notification.objects.values_list("event_key", flat=True))
    assert not [
        key for key in keys if key.startswith("incident:") and int(key.split(":")[1]) in imported
    ]
    assert Notification.objects.filter(event_type__startswith="sla.").exists()  # the live ones


@pytest_db
def test_no_history_without_volume_or_without_an_administrator(plan):
    report = _load(plan, history_incidents=0)
    assert report.history is None and not IncidentImport.objects.exists()


@pytest_db
def test_an_administrator_account_from_before_the_demo_without_the_role_imports_nothing(plan):
    get_user_model().objects.create_user(username="administrator", password="x")
    report = _load(plan, history_incidents=SMALL)
    assert report.history is None
    assert not Incident.objects.filter(source_system="servicenow").exists()


@pytest_db
def test_reset_deletes_the_history_and_its_runs(plan):
    _load(plan, history_incidents=SMALL)
    deleted = reset_demo()
    assert deleted["incident imports"] == 1
    assert not IncidentImport.objects.exists()
    assert not Incident.objects.exists()


@pytest_db
def test_the_command_takes_the_volume_and_reports_the_import():
    out = StringIO()
    with time_machine.travel(LOADED, tick=False):
        call_command("demo", "--no-serve", "--history-incidents", str(SMALL), stdout=out)
    run = IncidentImport.objects.get()
    assert f"History: imported {history.FILE_NAME}" in out.getvalue()
    assert f"{run.outcome['created']} incidents created" in out.getvalue()
    with pytest.raises(CommandError, match="--history-incidents"):
        call_command("demo", "--no-serve", "--history-incidents", "-1", stdout=StringIO())
