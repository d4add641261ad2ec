"""The writer's batch path (incidents in chunks, ``services.open_incidents``) against the
per-incident path: the same stored incidents, events, clocks and published events; refusals,
crashes, re-runs and dry runs keep the writer's guarantees chunk or not."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command
from django.db import IntegrityError

from tamdesk.core import events as domain_events
from tamdesk.core.models import EventDelivery
from tamdesk.directory.models import Client, Department
from tamdesk.sla import services
from tamdesk.sla.exceptions import DuplicateIncident
from tamdesk.sla.imports import writer
from tamdesk.sla.imports.records import SourceEvent, SourceIncident
from tamdesk.sla.imports.resolve import Resolver
from tamdesk.sla.models import Incident, IncidentClock, IncidentEvent, IncidentImport
from tests.sla.factories import office_calendar, policy
from tests.sla.imports.support import write_csv
from tests.sla.imports.test_read_servicenow import HEADER, row
from tests.sla.imports.test_writer import NOW, T0, result, run, source, state
from tests.support import db_state

CHUNK = 8


@pytest.fixture
def sla(tam_client, users):
    return policy(client=tam_client, calendar=office_calendar(), by=users.administrator)


@pytest.fixture
def resolver(users):
    return Resolver(by=users.service_manager)


def at(hours: float, *, day: int = 0) -> dt.datetime:
    return T0 + dt.timedelta(days=day, hours=hours)


def varied(n: int, *, system: str, department: Department, engineer) -> list[SourceIncident]:
    """``n`` incidents of the shapes an event log has: paused and resumed, reassigned with a
    priority change and closed, reopened, still open, assigned to someone unknown, judged by the
    source, resolved long ago (a breach that is history). One in every 7th position is refused by
    the services (an unknown kind of event)."""
    made = []
    for number in range(n):
        day, line, shape = number % 25, 10 * number + 1, number % 7
        ext = f"INC{number:04d}"
        events = [SourceEvent("first_response", at(0.25, day=day), line + 1)]
        kwargs: dict = {}
        if shape == 0:
            events += [
                SourceEvent("status_changed", at(1, day=day), line + 2, to_value="waiting_client"),
                SourceEvent("status_changed", at(2, day=day), line + 3, to_value="in_progress"),
                SourceEvent("resolved", at(3, day=day), line + 4),
            ]
        elif shape == 1:
            events += [
                SourceEvent(
                    "reassigned",
                    at(1, day=day),
                    line + 2,
                    group=department.code,
                    assignee=engineer.username,
                ),
                SourceEvent("priority_changed", at(1.5, day=day), line + 3, to_value="p2"),
                SourceEvent("resolved", at(5, day=day), line + 4),
                SourceEvent("closed", at(30, day=day), line + 5),
            ]
        elif shape == 2:
            events += [
                SourceEvent("resolved", at(2, day=day), line + 2),
                SourceEvent("reopened", at(3, day=day), line + 3, to_value="in_progress"),
                SourceEvent("resolved", at(40, day=day), line + 4),
                SourceEvent("closed", at(60, day=day), line + 5),
            ]
        elif shape == 3:
            events += [
                SourceEvent("status_changed", at(1, day=day), line + 2, to_value="in_progress")
            ]
        elif shape == 4:
            kwargs = {"assignee": "Someone Unknown", "source_sla": {"made_sla": True}}
            events += [SourceEvent("resolved", at(9, day=day), line + 2)]
        elif shape == 5:
            kwargs = {"source_sla": {"made_sla": True}, "opened_at": at(0, day=-300 + day)}
            events = [
                SourceEvent("first_response", at(20, day=-300 + day), line + 1),
                SourceEvent("resolved", at(0, day=-280 + day), line + 2),
            ]
        else:
            events += [SourceEvent("exploded", at(1, day=day), line + 2)]
        kwargs.setdefault("opened_at", at(0, day=day))
        made.append(source(ext, events=events, line=line, source_system=system, group="", **kwargs))
    return made


def stored(system: str) -> dict:
    """What is stored of the incidents of ``system``, by external id, without row ids."""
    found = {}
    incidents = Incident.objects.filter(source_system=system).order_by("external_id")
    for incident in incidents:
        events = list(
            incident.events.order_by("seq").values_list(
                "seq", "kind", "at", "by_id", "from_value", "to_value", "note"
            )
        )
        clocks = list(
            IncidentClock.objects.filter(incident=incident)
            .order_by("kind")
            .values_list(
                "kind",
                "state",
                "target_seconds",
                "elapsed_seconds",
                "paused_seconds",
                "due_at",
                "breached_at",
                "warn_at",
                "measured_at",
                "alerted_percent",
                "next_alert_at",
            )
        )
        found[incident.external_id] = (
            incident.client_id,
            incident.title,
            incident.priority,
            incident.status,
            incident.department_id,
            incident.assignee_id,
            incident.policy_version_id,
            incident.opened_at,
            incident.first_response_at,
            incident.resolved_at,
            incident.closed_at,
            events,
            clocks,
        )
    return found


def published(system: str) -> list[tuple]:
    ids = dict(Incident.objects.filter(source_system=system).values_list("pk", "external_id"))
    return sorted(
        (row.event, ids[row.payload["incident_id"]], row.payload.get("clock", ""))
        for row in EventDelivery.objects.all()
        if row.payload.get("incident_id") in ids
    )


def history(system: str) -> list[tuple]:
    """The change history of the incidents of ``system``: what each entry says, by external id."""
    ids = dict(Incident.objects.filter(source_system=system).values_list("pk", "external_id"))
    entries = LogEntry.objects.get_for_model(Incident).filter(object_id__in=list(ids))
    return sorted(
        (ids[entry.object_id], entry.action, str(entry.changes), entry.actor_id)
        for entry in entries
    )


def counts(outcome) -> tuple:
    return (
        outcome.created,
        outcome.updated,
        outcome.unchanged,
        outcome.rejected,
        outcome.events,
        outcome.pauses,
        outcome.reassignments,
        outcome.reopenings,
        sorted((r.line, r.column, r.reason, r.external_id) for r in outcome.rejects),
        sorted((d.external_id, d.clock, d.source, d.tamdesk) for d in outcome.disagreements),
    )


@pytest.fixture
def subscribed():
    for event_type in (domain_events.IncidentResolved, domain_events.ClockBreached):
        domain_events.subscribe(event_type, lambda event: None, name=f"test.{event_type.name}")
    yield
    for event_type in (domain_events.IncidentResolved, domain_events.ClockBreached):
        domain_events.unsubscribe(event_type, name=f"test.{event_type.name}")


def test_the_batch_and_per_incident_paths_store_the_same(
    sla, users, department, resolver, subscribed
):
    def write(system: str, chunk_size: int):
        incidents = varied(60, system=system, department=department, engineer=users.engineer)
        return run(result(*incidents), Resolver(by=users.service_manager), users.service_manager,
                   chunk_size=chunk_size)  # fmt: skip

    one = write("one", 0)
    batch = write("batch", CHUNK)

    assert counts(one) == counts(batch)
    assert one.created == 52 and one.rejected == 8 and one.reassignments == 9
    assert stored("one") == stored("batch") and len(stored("batch")) == 52
    assert published("one") == published("batch") != []
    assert history("one") == history("batch") != []
    shapes = list(stored("batch").values())
    assert {s[3] for s in shapes} >= {"resolved", "closed", "in_progress"}
    assert any(s[5] == users.engineer.pk for s in shapes)  # reassigned to the engineer


def test_a_big_file_goes_in_chunks_a_small_one_incident_by_incident():
    assert writer.chunk_size_for(writer.BATCH_FROM - 1) == 0
    assert writer.chunk_size_for(writer.BATCH_FROM) == writer.CHUNK_SIZE
    assert writer.chunk_size_for(10, 3) == 3 and writer.chunk_size_for(10_000, 0) == 0
    with pytest.raises(ValueError):
        writer.chunk_size_for(10, -1)


def test_a_refused_incident_mid_chunk_is_absent_and_the_rest_of_the_chunk_is_written(
    sla, users, resolver
):
    run(result(source("KNOWN", line=900)), resolver, users.service_manager, chunk_size=0)
    chunk = [source(f"INC{n}", line=10 * n) for n in range(1, 7)]
    chunk[1] = source("BADKIND", line=20, events=[SourceEvent("exploded", T0, 21)])
    chunk[2] = source("NOCLIENT", line=30, client="Nobody Ltd")
    # KNOWN again, contradicting what is stored: refused whole, stored as it was.
    chunk[3] = source("KNOWN", line=40, events=[SourceEvent("resolved", T0, 41)])
    before = db_state(IncidentEvent)

    outcome = run(result(*chunk), resolver, users.service_manager, chunk_size=10)

    assert (outcome.created, outcome.rejected) == (3, 3)
    assert sorted(Incident.objects.values_list("external_id", flat=True)) == [
        "INC1",
        "INC5",
        "INC6",
        "KNOWN",
    ]
    assert all(i.events.count() == 5 for i in Incident.objects.all())
    assert IncidentClock.objects.count() == 2 * 4
    assert db_state(IncidentEvent)["sla.IncidentEvent"][:5] == before["sla.IncidentEvent"]
    assert {(r.external_id, r.line) for r in outcome.rejects} >= {
        ("BADKIND", 20),
        ("BADKIND", 21),
        ("NOCLIENT", 30),
        ("KNOWN", 40),
    }


def test_a_client_created_for_an_incident_refused_mid_chunk_is_rolled_back_with_it(sla, users):
    resolver = Resolver(by=users.service_manager, client_policy="create")
    refused = source("BAD", client="Initech", events=[SourceEvent("exploded", T0, 2)])
    good = source("GOOD", line=10)
    outcome = run(result(refused, good), resolver, users.service_manager, chunk_size=10)
    assert (outcome.rejected, outcome.created) == (1, 1)
    assert not Client.objects.filter(name="Initech").exists()
    assert Incident.objects.get().external_id == "GOOD"


def test_a_crash_mid_chunk_leaves_committed_chunks_whole_and_a_rerun_completes(
    sla, users, resolver, monkeypatch
):
    read = result(*(source(f"INC{n}", line=10 * n) for n in range(1, 11)))
    real = services.store
    calls = []

    def dying(measured, **kwargs):  # the clocks of the second chunk of 4: its rows are written
        calls.append(len(measured))
        if len(calls) == 2:
            raise RuntimeError("killed")
        return real(measured, **kwargs)

    monkeypatch.setattr(services, "store", dying)
    with pytest.raises(RuntimeError):
        run(read, resolver, users.service_manager, chunk_size=4)
    assert sorted(Incident.objects.values_list("external_id", flat=True)) == [
        "INC1",
        "INC2",
        "INC3",
        "INC4",
    ]
    assert all(i.events.count() == 5 for i in Incident.objects.all())
    assert IncidentClock.objects.count() == 8

    monkeypatch.setattr(services, "store", real)
    outcome = run(read, resolver, users.service_manager, chunk_size=4)
    assert (outcome.created, outcome.unchanged) == (6, 4)
    assert Incident.objects.count() == 10 and IncidentClock.objects.count() == 20


def test_a_concurrent_insert_redoes_the_chunk_incident_by_incident(
    sla, users, resolver, monkeypatch
):
    read = result(*(source(f"INC{n}", line=10 * n) for n in range(1, 5)))
    real = services.open_incidents
    calls = []

    def racing(openings, **kwargs):
        calls.append(len(openings))
        if len(calls) == 1:
            real(openings[:1], **kwargs)  # rolled back with the chunk
            raise IntegrityError("UNIQUE constraint failed")
        return real(openings, **kwargs)

    monkeypatch.setattr(services, "open_incidents", racing)
    outcome = run(read, resolver, users.service_manager, chunk_size=10)
    assert calls == [4] and (outcome.created, outcome.rejected) == (4, 0)
    assert Incident.objects.count() == 4


def test_the_same_file_twice_writes_nothing_and_a_newer_export_appends(sla, users, resolver):
    short = [
        source(f"INC{n}", line=10 * n, events=source("X", line=10 * n).events[:1])
        for n in range(1, 6)
    ]
    full = [source(f"INC{n}", line=10 * n) for n in range(1, 6)]
    first = run(result(*short), resolver, users.service_manager, chunk_size=2)
    before = state()
    again = run(result(*short), resolver, users.service_manager, chunk_size=2)
    assert (first.created, again.unchanged, again.created) == (5, 5, 0)
    assert state() == before

    newer = run(result(*full), resolver, users.service_manager, chunk_size=2)
    assert (newer.updated, newer.events, newer.pauses) == (5, 15, 5)
    assert all(i.status == "resolved" for i in Incident.objects.all())
    assert all(i.events.count() == 5 for i in Incident.objects.all())


def test_a_dry_run_in_chunks_writes_nothing_and_reports_the_same(sla, users, resolver):
    read = result(*(source(f"INC{n}", line=10 * n) for n in range(1, 8)))
    before = state()
    dry = run(read, resolver, users.service_manager, dry_run=True, chunk_size=3)
    assert state() == before and not EventDelivery.objects.exists()
    real = run(read, resolver, users.service_manager, chunk_size=3)
    assert counts(dry)[:-2] == counts(real)[:-2] and real.created == 7


def test_progress_is_reported_at_the_chunk_that_reaches_each_step(sla, users, resolver):
    read = result(*(source(f"INC{n}", line=10 * n) for n in range(1, 11)))
    seen = []
    run(
        read,
        resolver,
        users.service_manager,
        chunk_size=3,
        progress=lambda done, outcome: seen.append((done, outcome.created)),
        progress_every=4,
    )
    assert seen == [(6, 6), (9, 9), (10, 10)]


def test_open_incidents_refuses_duplicates_and_bad_openings_one_by_one(sla, users, tam_client):
    def opening(ext: str, **kwargs) -> services.Opening:
        values = {"client": tam_client, "title": ext, "priority": "p3", "opened_at": T0}
        return services.Opening(**(values | kwargs), source_system="x", external_id=ext)

    services.open_incident(
        client=tam_client,
        title="here",
        priority="p3",
        opened_at=T0,
        source_system="x",
        external_id="HERE",
        by=users.service_manager,
        now=NOW,
    )
    results = services.open_incidents(
        [
            opening("A"),
            opening("HERE"),
            opening("A"),
            opening("P9", priority="p9"),
            opening("LATE", opened_at=NOW + dt.timedelta(days=1)),
            opening("B"),
        ],
        by=users.service_manager,
        now=NOW,
    )
    assert [type(r).__name__ for r in results] == [
        "Incident",
        "DuplicateIncident",
        "DuplicateIncident",
        "SLAError",
        "ImpossibleTimeline",
        "Incident",
    ]
    assert isinstance(results[1], DuplicateIncident) and results[3].field == "priority"
    assert sorted(Incident.objects.values_list("external_id", flat=True)) == ["A", "B", "HERE"]
    assert IncidentClock.objects.filter(incident__external_id__in=["A", "B"]).count() == 4
    assert all(
        i.events.get().kind == "opened" for i in Incident.objects.filter(external_id__in="AB")
    )
    assert services.open_incidents([], by=users.service_manager, now=NOW) == []


def test_the_command_takes_the_chunk_size(
    tmp_path, sla, tam_client, users, department, monkeypatch
):
    group = {"assignment_group": department.code}
    rows = [row(f"INC{n}", "New", 0, "29/2/2016 01:16", **group) for n in range(1, 4)]
    rows += [row(f"INC{n}", "Resolved", 1, "29/2/2016 05:00", **group) for n in range(1, 4)]
    path = write_csv(tmp_path / "incidents.csv", HEADER, rows, default="?")
    sizes = []
    real = writer.write
    monkeypatch.setattr(
        writer, "write", lambda *a, **kw: sizes.append(kw["chunk_size"]) or real(*a, **kw)
    )
    args = [str(path), "--preset", "servicenow", "--client", tam_client.code]
    call_command("import-incidents", *args, "--time-zone", "Europe/Moscow", "--chunk-size", "2")
    assert sizes == [2] and Incident.objects.filter(status="resolved").count() == 3
    assert IncidentImport.objects.get().options["chunk_size"] == 2
    with pytest.raises(CommandError, match="-1 is not 0 or more"):
        call_command("import-incidents", *args, "--chunk-size", "-1")
