"""The incident generator (``tamdesk.sla.bulk``, ``tamdesk generate-incidents``): what it writes
keeps the rules the services keep — the same incident, events and clocks as ``open_incident``
given the same timeline —, it is deterministic, idempotent and resumable, and it refuses bad
parameters before writing anything."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from tamdesk.core.models import EventDelivery
from tamdesk.notifications.models import Notification
from tamdesk.sla import bulk, clocks, services, timeline
from tamdesk.sla.choices import ClockState, IncidentEventKind, IncidentStatus
from tamdesk.sla.models import Incident, IncidentClock, IncidentEvent
from tests.directory.factories import ClientFactory, DepartmentFactory, EngineerFactory
from tests.sla.factories import office_calendar, policy

pytestmark = pytest.mark.django_db
UTC = dt.UTC
NOW = dt.datetime(2026, 12, 6, 5, tzinfo=UTC)
CLOCK_FIELDS = ("state", "target_seconds", "elapsed_seconds", "paused_seconds", "due_at")
CLOCK_FIELDS += ("breached_at", "warn_at", "alerted_percent", "next_alert_at", "measured_at")


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    monkeypatch.setattr(bulk, "CHUNK", 40)


@pytest.fixture
def org(tam_client, users):
    """An own policy on an office calendar with a second version from mid-September, a tier
    policy 24×7 for a premium client, a client without any policy, engineers in two
    departments."""
    own, first = policy(client=tam_client, calendar=office_calendar())
    services.add_policy_version(
        own,
        valid_from=dt.datetime(2026, 9, 15, tzinfo=UTC),
        calendar=first.calendar,
        targets={"p1": (1800, 7200), "p2": (3600, 14_400), "p3": (7200, 28_800)},
        warning_thresholds=[50, 75],
        reaction_pause_statuses=["waiting_client"],
        resolution_pause_statuses=["waiting_client"],
        by=users.admin,
    )
    premium = ClientFactory(name="Beta Bank", code="BETA", tier="premium")
    policy(tier="premium")
    bare = ClientFactory(name="Gamma", code="GAMMA", tier="standard")
    EngineerFactory(department=DepartmentFactory(code="unix", name="Unix"))
    return {"own": tam_client, "tier": premium, "none": bare}


def plan(**kwargs):
    values = {"count": 200, "months": 3, "seed": 7, "now": NOW} | kwargs
    return bulk.make_plan(**values)


def generated():
    return Incident.objects.filter(source_system=bulk.SOURCE_SYSTEM)


def test_a_run_writes_the_incidents_their_events_and_their_clocks(org):
    result = bulk.generate(plan(), now=NOW)

    assert (result.created, result.skipped) == (200, 0)
    assert generated().count() == 200
    assert IncidentEvent.objects.filter(incident__in=generated()).count() == result.events
    assert 5.5 < result.events / 200 < 7
    assert IncidentClock.objects.filter(incident__in=generated()).count() == 400
    assert set(generated().values_list("status", flat=True)) == {IncidentStatus.CLOSED}
    since, until = dt.datetime(2026, 8, 1, tzinfo=UTC), dt.datetime(2026, 11, 1, tzinfo=UTC)
    assert all(since <= i.opened_at < until for i in generated())
    assert {i.client for i in generated()} == set(org.values())
    states = Counter(IncidentClock.objects.filter(incident__in=generated()).values_list("state"))
    decided = states[(ClockState.MET,)] + states[(ClockState.BREACHED,)]
    assert 0.03 < states[(ClockState.BREACHED,)] / decided < 0.2
    assert states[(ClockState.NO_TARGET,)] > 0  # the client without a policy, and no p4 target


def test_every_timeline_is_one_the_services_accept(org):
    bulk.generate(plan(), now=NOW)

    for incident in generated().prefetch_related("events"):
        events = list(incident.events.all())
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
        timeline.check(
            [timeline.Event(e.kind, clocks.epoch(e.at), e.to_value) for e in events],
            now=clocks.epoch(NOW),
            priority=incident.priority,
        )
        assert events[-1].at <= NOW - services.NEWS_WINDOW
        assert incident.closed_at - incident.opened_at <= bulk.MAX_LIFETIME


def test_each_incident_is_measured_by_the_version_in_force_at_its_opening(org):
    bulk.generate(plan(), now=NOW)

    versions = Counter()
    for incident in generated().select_related("client"):
        expected = services.policy_version_for(incident.client, incident.opened_at)
        assert incident.policy_version == expected
        versions[expected.number if expected else None] += 1
    assert set(versions) == {None, 1, 2}


def test_the_stored_clocks_are_those_a_fresh_measurement_stores(org):
    bulk.generate(plan(), now=NOW)
    sample = list(generated().order_by("?").values_list("pk", flat=True)[:50])
    before = {
        (c.incident_id, c.kind): [getattr(c, f) for f in CLOCK_FIELDS]
        for c in IncidentClock.objects.filter(incident__in=sample)
    }

    services.refresh_clocks(sample, now=NOW)

    after = {
        (c.incident_id, c.kind): [getattr(c, f) for f in CLOCK_FIELDS]
        for c in IncidentClock.objects.filter(incident__in=sample)
    }
    assert after == before and len(before) == 100


def test_an_incident_is_what_open_incident_makes_of_the_same_timeline(org, users):
    bulk.generate(plan(count=60), now=NOW)

    for made in generated().prefetch_related("events", "clocks"):
        events = list(made.events.all())
        reassigned = any(e.kind == IncidentEventKind.REASSIGNED for e in events)
        first_department = made.department if not reassigned else None
        with transaction.atomic():
            point = transaction.savepoint()
            if reassigned:  # the opening's assignment is the reassignment's "from"
                first = next(e for e in events if e.kind == IncidentEventKind.REASSIGNED)
                opening = _engineer_by_label(first.from_value)
                first_department, first_assignee = opening.department, opening.user
            else:
                first_assignee = made.assignee
            ref = services.open_incident(
                client=made.client,
                title=made.title,
                priority=made.priority,
                opened_at=made.opened_at,
                by=None,
                department=first_department,
                assignee=first_assignee,
                source_system="replay",
                external_id=made.external_id,
                events=[_new_event(e, made) for e in events[1:]],
                now=NOW,
            )
            assert _fields(ref) == _fields(made)
            assert _rows(ref.events.all()) == _rows(events)
            assert _clocks(ref) == _clocks(made)
            transaction.savepoint_rollback(point)


def _engineer_by_label(label: str):
    from tamdesk.directory.models import Engineer

    for engineer in Engineer.objects.select_related("user", "department"):
        if (
            services._assignment_label(
                Incident(department=engineer.department, assignee=engineer.user)
            )
            == label
        ):
            return engineer
    raise AssertionError(label)


def _new_event(event: IncidentEvent, made: Incident) -> services.NewEvent:
    if event.kind == IncidentEventKind.REASSIGNED:
        return services.NewEvent(
            event.kind, event.at, department=made.department, assignee=made.assignee
        )
    value = event.to_value if event.kind == IncidentEventKind.STATUS_CHANGED else ""
    return services.NewEvent(event.kind, event.at, to_value=value)


def _fields(incident: Incident) -> tuple:
    incident = Incident.objects.get(pk=incident.pk)
    return tuple(
        getattr(incident, name)
        for name in (
            "client_id",
            "priority",
            "status",
            "department_id",
            "assignee_id",
            "policy_version_id",
            "opened_at",
            "first_response_at",
            "resolved_at",
            "closed_at",
        )
    )


def _rows(events) -> list[tuple]:
    return [(e.seq, e.kind, e.at, e.from_value, e.to_value, e.by_id) for e in events]


def _clocks(incident: Incident) -> list[tuple]:
    return sorted(
        (c.kind, *(getattr(c, f) for f in CLOCK_FIELDS if f != "measured_at"))
        for c in IncidentClock.objects.filter(incident=incident)
    )


def test_old_incidents_notify_nobody(org):
    bulk.generate(plan(), now=NOW)

    assert not Notification.objects.exists()
    assert not EventDelivery.objects.exists()  # nobody subscribes to these events (yet)


def test_the_same_seed_gives_the_same_incidents_and_another_seed_others(org):
    def content():
        return list(
            generated()
            .order_by("external_id")
            .values_list("external_id", "client_id", "priority", "opened_at", "closed_at")
        )

    bulk.generate(plan(count=50), now=NOW)
    first = content()
    generated().delete()
    bulk.generate(plan(count=50), now=NOW)
    assert content() == first

    bulk.generate(plan(count=50, seed=8), now=NOW)
    assert generated().count() == 100
    assert first[0][0].startswith("s7-m3-u20261101-call-")


def test_running_it_again_writes_nothing_and_a_larger_count_only_the_rest(org):
    bulk.generate(plan(count=50), now=NOW)
    first = list(generated().order_by("external_id").values_list("external_id", "opened_at"))

    again = bulk.generate(plan(count=50), now=NOW)
    assert (again.created, again.skipped) == (0, 50)
    assert generated().count() == 50

    more = bulk.generate(plan(count=130), now=NOW)
    assert (more.created, more.skipped) == (80, 50)
    assert (
        list(generated().order_by("external_id").values_list("external_id", "opened_at"))[:50]
        == first
    )


def test_a_run_stopped_half_way_resumes_where_it_stopped(org):
    bulk.generate(plan(count=120), now=NOW)
    complete = set(generated().values_list("external_id", "opened_at", "priority"))
    # A crash during the third chunk: its transaction never committed.
    generated().filter(external_id__gte=plan(count=120).external_id(80)).delete()

    resumed = bulk.generate(plan(count=120), now=NOW)

    assert (resumed.created, resumed.skipped) == (40, 80)
    assert set(generated().values_list("external_id", "opened_at", "priority")) == complete


def test_only_the_clients_asked_for(org):
    bulk.generate(plan(client_ids=[org["tier"].pk]), now=NOW)

    assert set(generated().values_list("client", flat=True)) == {org["tier"].pk}


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"count": 0}, "count"),
        ({"count": bulk.MAX_COUNT + 1}, "count"),
        ({"months": 0}, "months"),
        ({"months": bulk.MAX_MONTHS + 1}, "months"),
        ({"seed": -1}, "seed"),
        ({"until": dt.datetime(2026, 12, 1, tzinfo=UTC)}, "until"),
        ({"until": dt.datetime(1970, 3, 1, tzinfo=UTC)}, "until"),
        ({"client_ids": [999_999]}, "clients"),
    ],
)
def test_bad_parameters_are_refused_by_field(org, arguments, field):
    with pytest.raises(bulk.BulkError) as refused:
        plan(**arguments)
    assert refused.value.field == field
    assert not generated().exists()


def test_without_clients_or_engineers_nothing_is_written(db):
    with pytest.raises(bulk.BulkError) as refused:
        bulk.generate(plan(), now=NOW)
    assert refused.value.field == "clients"
    ClientFactory()
    with pytest.raises(bulk.BulkError):
        bulk.generate(plan(), now=NOW)
    assert not generated().exists()


# --- the command -----------------------------------------------------------------------------


def command(*args) -> str:
    out = io.StringIO()
    call_command("generate-incidents", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_command_writes_and_says_what(org):
    text = command("--count", "45", "--months", "2", "--seed", "3", "--until", "2026-10-01")

    assert text.startswith("Incidents written: 45 (events: ")
    assert "there already: 0; opened from 2026-08-01 until 2026-10-01" in text
    assert "external ids s3-m2-u20261001-call-" in text
    assert generated().count() == 45
    assert "Incidents written: 0 (events: 0), there already: 45;" in command(
        "--count", "45", "--months", "2", "--seed", "3", "--until", "2026-10-01"
    )


def test_the_command_takes_client_ids(org):
    command(
        "--count", "5", "--clients", f"{org['own'].pk},{org['tier'].pk}", "--until", "2026-10-01"
    )
    assert set(generated().values_list("client", flat=True)) <= {org["own"].pk, org["tier"].pk}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--count", "0"], "--count: The count must be between 1 and 10000000."),
        (["--count", "5", "--months", "200"], "--months: The months must be between 1 and 120."),
        (["--count", "5", "--clients", "a,b"], "--clients takes client ids separated by commas"),
        (["--count", "5", "--clients", ","], "--clients takes at least one client id."),
        (["--count", "5", "--clients", "999999"], "--clients: No client with the id 999999."),
        (["--count", "5", "--until", "tomorrow"], "--until takes a date as YYYY-MM-DD"),
        (["--count", "5", "--until", "2999-01-01"], "--until: Incidents must end a day before now"),
    ],
)
def test_the_command_refuses_bad_arguments(org, args, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(")):
        command(*args)
    assert not generated().exists()


def test_bad_arguments_exit_with_status_1_and_a_message(org, capsys):
    from django.core.management import ManagementUtility

    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["tamdesk", "generate-incidents", "--count", "0"]).execute()

    assert exited.value.code == 1
    assert "The count must be between 1 and" in capsys.readouterr().err


def test_a_missing_count_is_an_argument_error(org, capsys):
    from django.core.management import ManagementUtility

    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["tamdesk", "generate-incidents"]).execute()

    assert exited.value.code == 2
    assert "--count" in capsys.readouterr().err
