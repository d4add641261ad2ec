"""The import writer: idempotency, transactions per incident, resolution policies, scoping,
notifications of history and the reconciliation."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from tamdesk.core import events as domain_events
from tamdesk.core.models import EventDelivery
from tamdesk.directory.models import Client, Department
from tamdesk.notifications.models import Notification
from tamdesk.sla import services
from tamdesk.sla.imports.records import ReadResult, Reject, SourceEvent, SourceIncident
from tamdesk.sla.imports.resolve import Resolver
from tamdesk.sla.imports.writer import write, write_rejects_csv
from tamdesk.sla.models import Incident, IncidentClock, IncidentEvent
from tests.sla.factories import office_calendar, policy
from tests.support import db_state

UTC = dt.UTC
#: Monday 2026-11-23 09:00 Moscow.
T0 = dt.datetime(2026, 11, 23, 6, tzinfo=UTC)
NOW = T0 + dt.timedelta(days=30)


def h(hours: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)


def source(ext: str, *, client="Acme Retail", events=None, line=1, **kwargs) -> SourceIncident:
    events = (
        events
        if events is not None
        else [
            SourceEvent("first_response", h(0.25), line + 1),
            SourceEvent("status_changed", h(1), line + 2, to_value="waiting_client"),
            SourceEvent("status_changed", h(2), line + 3, to_value="in_progress"),
            SourceEvent("resolved", h(3), line + 4),
        ]
    )
    return SourceIncident(
        source_system=kwargs.pop("source_system", "servicenow"),
        external_id=ext,
        client=client,
        title=kwargs.pop("title", f"Incident {ext}"),
        priority=kwargs.pop("priority", "p3"),
        opened_at=kwargs.pop("opened_at", T0),
        lines=[line, *(e.line for e in events)],
        events=events,
        **kwargs,
    )


def result(*incidents, rejects=()) -> ReadResult:
    return ReadResult(
        incidents=list(incidents),
        rejects=list(rejects),
        rows=sum(len(i.lines) for i in incidents) + len(rejects),
    )


@pytest.fixture
def sla(tam_client, users):
    return policy(client=tam_client, calendar=office_calendar(), by=users.administrator)


@pytest.fixture
def resolver(users):
    return Resolver(by=users.service_manager)


def state():
    return db_state(Incident, IncidentEvent, IncidentClock, Client, Department)


def run(read: ReadResult, resolver, by, **kwargs):
    return write(read, resolver=resolver, by=by, now=NOW, **kwargs)


def test_a_new_file_creates_incidents_with_their_events_and_counts_them(sla, users, resolver):
    outcome = run(result(source("INC1"), source("INC2", line=10)), resolver, users.service_manager)
    assert (outcome.created, outcome.updated, outcome.unchanged, outcome.rejected) == (2, 0, 0, 0)
    assert (outcome.events, outcome.pauses, outcome.reopenings) == (8, 2, 0)
    incident = Incident.objects.get(external_id="INC1")
    assert incident.status == "resolved" and incident.resolved_at == h(3)
    assert list(incident.events.order_by("seq").values_list("kind", flat=True)) == [
        "opened",
        "first_response",
        "status_changed",
        "status_changed",
        "resolved",
    ]


def test_the_same_file_twice_writes_nothing(sla, users, resolver):
    read = result(source("INC1"), source("INC2", line=10))
    run(read, resolver, users.service_manager)
    before = state()
    outcome = run(read, resolver, users.service_manager)
    assert state() == before
    assert (outcome.created, outcome.updated, outcome.unchanged, outcome.events) == (0, 0, 2, 0)


def test_a_newer_export_appends_only_the_new_events(sla, users, resolver):
    first = source("INC1")
    first.events = first.events[:2]  # first response, waiting for the client
    run(result(first), resolver, users.service_manager)
    outcome = run(result(source("INC1")), resolver, users.service_manager)
    assert (outcome.updated, outcome.events, outcome.pauses) == (1, 2, 0)
    incident = Incident.objects.get(external_id="INC1")
    assert incident.events.count() == 5 and incident.status == "resolved"


def test_an_older_export_changes_nothing(sla, users, resolver):
    run(result(source("INC1")), resolver, users.service_manager)
    before = state()
    older = source("INC1")
    older.events = older.events[:2]
    outcome = run(result(older), resolver, users.service_manager)
    assert outcome.unchanged == 1 and state() == before


def test_an_export_contradicting_the_stored_incident_is_rejected_whole(sla, users, resolver):
    run(result(source("INC1")), resolver, users.service_manager)
    before = state()
    changed = source("INC1")
    changed.events = [
        SourceEvent("first_response", h(0.5), 2),  # stored at 0.25
        *changed.events[1:],
        SourceEvent("closed", h(5), 6),
    ]
    outcome = run(result(changed, source("INC2", line=10)), resolver, users.service_manager)
    assert outcome.rejected == 1 and outcome.created == 1
    rejects = [r for r in outcome.rejects if r.external_id == "INC1"]
    assert sorted(r.line for r in rejects) == changed.lines
    assert "contradicts" in rejects[0].reason
    assert (
        db_state(IncidentEvent)["sla.IncidentEvent"][: len(before["sla.IncidentEvent"])]
        == (before["sla.IncidentEvent"])
    )
    assert Incident.objects.get(external_id="INC1").events.count() == 5


def test_a_refusal_of_the_services_rejects_every_line_and_writes_nothing_of_it(
    sla, users, resolver
):
    bad = source(
        "BAD",
        events=[SourceEvent("resolved", h(3), 2), SourceEvent("first_response", h(1), 3)],
    )
    before = state()
    outcome = run(result(bad), resolver, users.service_manager)
    assert state() == before
    assert outcome.rejected == 1
    assert [(r.line, r.external_id) for r in outcome.rejects] == [
        (1, "BAD"),
        (2, "BAD"),
        (3, "BAD"),
    ]
    assert all(r.column.startswith("events[") for r in outcome.rejects)


def test_values_outside_tamdesks_vocabulary_are_rejected_not_stored(sla, users, resolver):
    bad_priority = source("P9", priority="p9")
    bad_kind = source("KIND", line=10, events=[SourceEvent("exploded", h(1), 11)])
    bad_status = source("STATUS", line=20, status="bogus")
    before = state()
    outcome = run(result(bad_priority, bad_kind, bad_status), resolver, users.service_manager)
    assert state() == before and outcome.rejected == 3
    assert {
        (r.external_id, r.column, r.reason) for r in outcome.rejects if r.line in (1, 10, 20)
    } == {
        ("P9", "priority", "p9 is not a priority."),
        ("KIND", "events[0].kind", "Unknown event exploded."),
        ("STATUS", "status", "An incident cannot open as bogus."),
    }


def test_the_readers_rejects_are_kept_in_the_outcome_and_the_csv(sla, users, resolver):
    reader_reject = Reject(7, "opened_at", "Not a date: 31/31/2016", "INC9")
    outcome = run(result(source("INC1"), rejects=[reader_reject]), resolver, users.service_manager)
    out = io.StringIO()
    assert write_rejects_csv(outcome.rejects, out) == 1
    assert out.getvalue().splitlines() == [
        "line,column,external_id,reason",
        "7,opened_at,INC9,Not a date: 31/31/2016",
    ]


def test_a_crash_mid_file_leaves_committed_incidents_whole_and_a_rerun_completes(
    sla, users, resolver, monkeypatch
):
    read = result(*(source(f"INC{n}", line=10 * n) for n in range(1, 6)))
    real = services.open_incident
    calls = []

    def dying(**kwargs):
        calls.append(kwargs["external_id"])
        if len(calls) == 3:
            raise RuntimeError("killed")
        return real(**kwargs)

    monkeypatch.setattr(services, "open_incident", dying)
    with pytest.raises(RuntimeError):
        run(read, resolver, users.service_manager)
    assert sorted(Incident.objects.values_list("external_id", flat=True)) == ["INC1", "INC2"]
    assert all(i.events.count() == 5 for i in Incident.objects.all())
    outcome = run(read, resolver, users.service_manager)
    assert (outcome.created, outcome.unchanged) == (3, 2)
    assert Incident.objects.count() == 5


def test_unknown_clients_are_rejected_created_or_mapped_as_the_policy_says(sla, users):
    read = result(source("INC1", client="Globex"))
    outcome = run(read, Resolver(by=users.service_manager), users.service_manager)
    assert outcome.rejected == 1 and outcome.rejects[0].column == "client"
    assert not Client.objects.filter(name="Globex").exists()

    mapped = Resolver(by=users.service_manager, client_policy="map", client_fallback="ACME")
    assert run(read, mapped, users.service_manager).created == 1
    assert Incident.objects.get(external_id="INC1").client.name == "Acme Retail"

    created = Resolver(by=users.service_manager, client_policy="create")
    run(result(source("INC2", client="Initech Ltd")), created, users.service_manager)
    client = Client.objects.get(name="Initech Ltd")
    assert Incident.objects.get(external_id="INC2").client == client
    from auditlog.models import LogEntry

    entry = LogEntry.objects.get_for_object(client).get()
    assert entry.actor == users.service_manager


def test_clients_are_found_by_name_or_code_and_through_the_mapping(sla, users):
    resolver = Resolver(by=users.service_manager, clients={"ACME CORP": "acme"})
    read = result(source("A", client="acme"), source("B", client="acme corp", line=10))
    assert run(read, resolver, users.service_manager).created == 2


def test_groups_map_to_departments_and_unknown_groups_follow_the_policy(sla, users, department):
    incident = source("INC1", group="Net Ops")
    incident.events.insert(1, SourceEvent("reassigned", h(0.5), 9, group="DBA team"))
    resolver = Resolver(by=users.service_manager, groups={"net ops": "network"})
    outcome = run(result(incident), resolver, users.service_manager)
    assert outcome.rejected == 1 and "DBA team" in outcome.rejects[0].reason
    assert not Incident.objects.exists()

    creating = Resolver(
        by=users.service_manager, groups={"net ops": "network"}, group_policy="create"
    )
    outcome = run(result(incident), creating, users.service_manager)
    assert (outcome.created, outcome.reassignments) == (1, 1)
    stored = Incident.objects.get()
    assert stored.department.name == "DBA team"
    assert stored.events.get(kind="opened").incident.department  # the opening's group is kept
    assert stored.events.filter(kind="reassigned").get().from_value == "Network group"


def test_an_unknown_assignee_leaves_the_incident_unassigned_with_a_note(sla, users, resolver):
    outcome = run(result(source("INC1", assignee="Nobody Known")), resolver, users.service_manager)
    assert (outcome.created, outcome.events) == (1, 4)  # the comment is not the source's
    incident = Incident.objects.get()
    assert incident.assignee is None
    assert "Nobody Known" in incident.events.get(kind="comment").note


def test_an_engineer_is_assigned_by_user_name(sla, users, resolver):
    run(result(source("INC1", assignee="ENGINEER")), resolver, users.service_manager)
    assert Incident.objects.get().assignee == users.engineer


def test_a_tam_imports_only_into_their_own_clients(sla, users):
    from tests.directory.factories import ClientFactory

    ClientFactory(name="Globex", code="GLX")
    read = result(source("MINE"), source("THEIRS", client="Globex", line=10))
    outcome = run(read, Resolver(by=users.tam), users.tam)
    assert outcome.created == 1 and outcome.rejected == 1
    assert {r.reason for r in outcome.rejects if r.external_id == "THEIRS"} == {
        "Globex is not your client."
    }
    assert list(Incident.objects.values_list("external_id", flat=True)) == ["MINE"]


def test_a_tam_cannot_create_clients(sla, users):
    resolver = Resolver(by=users.tam, client_policy="create")
    outcome = run(result(source("X", client="Brand New")), resolver, users.tam)
    assert outcome.rejected == 1 and not Client.objects.filter(name="Brand New").exists()


def test_a_dry_run_writes_nothing_and_reports_the_same(sla, users, resolver):
    read = result(source("INC1"), source("INC2", line=10))
    before = state()
    dry = run(read, resolver, users.service_manager, dry_run=True)
    assert state() == before
    real = run(read, resolver, users.service_manager)
    assert (
        (dry.created, dry.events, dry.pauses)
        == (real.created, real.events, real.pauses)
        == (
            2,
            8,
            2,
        )
    )


def test_the_disagreements_list_the_incidents_whose_source_verdict_differs(sla, users, resolver):
    # P3: reaction 4 h, resolution 24 working hours. Resolved after 3 h: both met.
    met = source("MET", source_sla={"made_sla": True})
    wrong = source("WRONG", source_sla={"made_sla": False}, line=10)
    jira = source(
        "JIRA",
        line=20,
        source_sla={"time_to_first_response": "breached", "time_to_resolution": "met"},
    )
    late = source(
        "LATE",
        line=30,
        events=[SourceEvent("first_response", h(0.1), 31), SourceEvent("resolved", h(24 * 10), 32)],
        source_sla={"made_sla": True},
    )
    outcome = run(result(met, wrong, jira, late), resolver, users.service_manager)
    found = {(d.external_id, d.clock, d.source, d.tamdesk) for d in outcome.disagreements}
    assert found == {
        ("WRONG", "", "breached", "met"),
        ("JIRA", "reaction", "breached", "met"),
        ("LATE", "", "met", "breached"),
    }
    wrong_row = next(d for d in outcome.disagreements if d.external_id == "WRONG")
    assert wrong_row.url == Incident.objects.get(external_id="WRONG").get_absolute_url()


def test_importing_history_notifies_nobody_about_old_breaches(sla, users, resolver):
    """~500 incidents resolved long ago, every one breaching its resolution clock: no
    notification, no warning published and no breach published as news."""
    seen = []
    domain_events.subscribe(domain_events.ClockBreached, seen.append, name="test.breached")
    domain_events.subscribe(domain_events.ClockWarned, seen.append, name="test.warned")
    try:
        start = T0 - dt.timedelta(days=200)
        incidents = [
            source(
                f"OLD{n}",
                opened_at=start + dt.timedelta(minutes=n),
                line=3 * n + 1,
                events=[
                    SourceEvent(
                        "first_response", start + dt.timedelta(minutes=n, hours=9), 3 * n + 2
                    ),
                    SourceEvent("resolved", start + dt.timedelta(minutes=n, days=20), 3 * n + 3),
                ],
            )
            for n in range(500)
        ]
        outcome = write(result(*incidents), resolver=resolver, by=users.service_manager)
        assert outcome.created == 500
        assert IncidentClock.objects.filter(kind="resolution", state="breached").count() == 500
        breaches = IncidentClock.objects.filter(state="breached").count()
        assert not Notification.objects.exists()
        warned = EventDelivery.objects.filter(event="clock_warned")
        breached = EventDelivery.objects.filter(event="clock_breached")
        assert not warned.exists()
        assert breached.count() == breaches  # published as history, flagged
        assert not [row for row in breached if row.payload.get("is_news")]
    finally:
        domain_events.unsubscribe(domain_events.ClockBreached, name="test.breached")
        domain_events.unsubscribe(domain_events.ClockWarned, name="test.warned")


def test_a_client_created_for_a_refused_incident_is_rolled_back_with_it(sla, users):
    resolver = Resolver(by=users.service_manager, client_policy="create")
    refused = source("BAD", client="Initech", events=[SourceEvent("exploded", h(1), 2)])
    good = source("GOOD", client="Initech", line=10)
    outcome = run(result(refused, good), resolver, users.service_manager)
    assert (outcome.rejected, outcome.created) == (1, 1)
    assert Incident.objects.get().client == Client.objects.get(name="Initech")


def test_an_incident_stored_for_another_client_is_refused(sla, users, resolver):
    from tests.directory.factories import ClientFactory

    ClientFactory(name="Globex", code="GLX")
    run(result(source("INC1")), resolver, users.service_manager)
    before = state()
    outcome = run(result(source("INC1", client="Globex")), resolver, users.service_manager)
    assert state() == before and outcome.rejected == 1
    assert outcome.rejects[0].column == "client"


def test_unknown_groups_map_to_the_fallback_or_to_no_department(sla, users, department):
    fallback = Resolver(by=users.service_manager, group_policy="map", group_fallback="network")
    run(result(source("A", group="Somebody else")), fallback, users.service_manager)
    assert Incident.objects.get(external_id="A").department == department
    none = Resolver(by=users.service_manager, group_policy="map")
    run(result(source("B", group="Somebody else")), none, users.service_manager)
    assert Incident.objects.get(external_id="B").department is None
