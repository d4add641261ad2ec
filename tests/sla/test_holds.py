"""Time per department (``sla.holds``): who held an incident when, in the resolution clock's
working time, stored wherever the clocks are stored."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps

from tamdesk.sla import holds
from tamdesk.sla.models import IncidentClock, IncidentEvent, IncidentHold
from tamdesk.sla.services import NewEvent, append_events, recompute_all, refresh_clocks
from tests.directory.factories import DepartmentFactory
from tests.sla.factories import HOUR, at, incident, office_calendar, policy

pytestmark = pytest.mark.django_db


@pytest.fixture
def sla(tam_client, users):
    """Office hours Mon–Fri 09–13, 14–18 Moscow; waiting for the client pauses the clocks."""
    return policy(client=tam_client, calendar=office_calendar(), by=users.administrator)


@pytest.fixture
def desks(department):
    return {
        "network": department,
        "apps": DepartmentFactory(code="apps", name="Applications"),
        "dba": DepartmentFactory(code="dba", name="Databases"),
    }


def stored(record) -> list[tuple]:
    return [
        (h.department_id, h.started_at, h.ended_at, h.working_seconds, h.paused_seconds)
        for h in IncidentHold.objects.filter(incident=record).order_by("seq")
    ]


def resolution_elapsed(record) -> int:
    return IncidentClock.objects.get(incident=record, kind="resolution").elapsed_seconds


# --- the pure part -----------------------------------------------------------------------------


def test_spells_follow_reassignments_resolution_and_reopening():
    events = [
        ("opened", 0, 1),
        ("reassigned", 10, 2),
        ("reassigned", 10, 3),  # at the same instant: department 2 held it for no time
        ("status_changed", 20, None),
        ("reassigned", 30, 3),  # another engineer of the same department: one hold
        ("resolved", 40, None),
        ("reassigned", 45, 1),  # while resolved: no hold, but it is where the reopening starts
        ("reopened", 50, None),
        ("reassigned", 60, None),
    ]
    assert holds.spells(events) == [
        holds.Spell(1, 0, 10),
        holds.Spell(3, 10, 40),
        holds.Spell(1, 50, 60),
        holds.Spell(None, 60, None),
    ]


def test_a_closed_incident_holds_nothing_more():
    assert holds.spells([("opened", 0, None), ("resolved", 5, None), ("closed", 9, None)]) == [
        holds.Spell(None, 0, 5)
    ]


# --- measured and stored -----------------------------------------------------------------------


def test_a_reassignment_chain_in_working_time(tam_client, users, sla, desks):
    # Opened in Network Monday 09:00, to Applications at 11:00, to Databases Tuesday 10:00,
    # resolved Tuesday 12:00 (Moscow). Nights and lunch are not working time.
    record = incident(
        tam_client,
        by=users.tam,
        department=desks["network"],
        events=[
            NewEvent("reassigned", at(2), department=desks["apps"]),
            NewEvent("reassigned", at(1, days=1), department=desks["dba"]),
            NewEvent("resolved", at(3, days=1)),
        ],
        now=at(4, days=1),
    )
    assert stored(record) == [
        (desks["network"].pk, at(0), at(2), 2 * HOUR, 0),
        (desks["apps"].pk, at(2), at(1, days=1), 7 * HOUR, 0),  # 11–18 less lunch, Tue 09–10
        (desks["dba"].pk, at(1, days=1), at(3, days=1), 2 * HOUR, 0),
    ]
    assert sum(h[3] for h in stored(record)) == resolution_elapsed(record) == 11 * HOUR
    opening, *_ = IncidentEvent.objects.filter(incident=record).order_by("seq")
    assert opening.department == desks["network"]


def test_pauses_are_not_held_working_time_but_paused(tam_client, users, sla, desks):
    record = incident(
        tam_client,
        by=users.tam,
        department=desks["apps"],
        events=[
            NewEvent("status_changed", at(1), "waiting_client"),
            NewEvent("status_changed", at(3), "in_progress"),
            NewEvent("resolved", at(5)),  # 13–14 is lunch
        ],
        now=at(6),
    )
    assert stored(record) == [(desks["apps"].pk, at(0), at(5), 2 * HOUR, 2 * HOUR)]


def test_off_hours_are_not_counted(tam_client, users, sla, desks):
    # Opened Friday 17:00 Moscow, reassigned Saturday, resolved Monday 10:00.
    friday = at(8, days=-3)
    record = incident(
        tam_client,
        by=users.tam,
        opened=friday,
        department=desks["network"],
        events=[
            NewEvent("reassigned", at(0, days=-2), department=desks["dba"]),
            NewEvent("resolved", at(1)),
        ],
        now=at(2),
    )
    assert [(h[0], h[3]) for h in stored(record)] == [
        (desks["network"].pk, HOUR),
        (desks["dba"].pk, HOUR),
    ]


def test_reopening_starts_a_hold_by_the_department_at_that_moment(tam_client, users, sla, desks):
    record = incident(
        tam_client,
        by=users.tam,
        department=desks["network"],
        events=[
            NewEvent("resolved", at(1)),
            NewEvent("reassigned", at(2), department=desks["apps"]),
            NewEvent("reopened", at(5)),
            NewEvent("resolved", at(6)),
        ],
        now=at(7),
    )
    assert [(h[0], h[1], h[2], h[3]) for h in stored(record)] == [
        (desks["network"].pk, at(0), at(1), HOUR),
        (desks["apps"].pk, at(5), at(6), HOUR),
    ]
    assert resolution_elapsed(record) == 2 * HOUR


def test_unassigned_spells_count_for_no_department(tam_client, users, sla, desks):
    record = incident(
        tam_client,
        by=users.tam,
        events=[NewEvent("reassigned", at(1), department=desks["dba"])],
        now=at(2),
    )
    assert stored(record) == [
        (None, at(0), at(1), HOUR, 0),
        (desks["dba"].pk, at(1), None, HOUR, 0),
    ]


def test_an_open_hold_grows_with_now(tam_client, users, sla, desks):
    record = incident(tam_client, by=users.tam, department=desks["apps"], now=at(1))
    assert stored(record) == [(desks["apps"].pk, at(0), None, HOUR, 0)]
    refresh_clocks([record.pk], now=at(3))
    assert stored(record) == [(desks["apps"].pk, at(0), None, 3 * HOUR, 0)]
    append_events(record, [NewEvent("resolved", at(5))], by=users.tam, now=at(8))
    assert stored(record) == [(desks["apps"].pk, at(0), at(5), 4 * HOUR, 0)]


def test_without_a_policy_holds_are_wall_clock_time(tam_client, users, desks):
    record = incident(tam_client, by=users.tam, department=desks["apps"], now=at(30))
    assert stored(record) == [(desks["apps"].pk, at(0), None, 30 * HOUR, 0)]


def test_measured_in_a_batch_as_one_by_one(tam_client, users, sla, desks):
    records = [
        incident(
            tam_client,
            by=users.tam,
            department=desks["network"],
            opened=at(hour),
            events=[NewEvent("reassigned", at(hour + 1), department=desks["dba"])],
            now=at(hour + 2),
        )
        for hour in range(4)
    ]
    one_by_one = {r.pk: stored(r) for r in records}
    IncidentHold.objects.all().delete()
    assert recompute_all(batch_size=3, now=at(6)) == 4
    for record in records:
        ends = [(h[0], h[1], h[2]) for h in stored(record)]
        assert ends == [(h[0], h[1], h[2]) for h in one_by_one[record.pk]]
        assert sum(h[3] for h in stored(record)) == resolution_elapsed(record)


def test_per_department_sums_an_incidents_holds(tam_client, users, sla, desks):
    record = incident(
        tam_client,
        by=users.tam,
        department=desks["network"],
        events=[
            NewEvent("reassigned", at(1), department=desks["apps"]),
            NewEvent("reassigned", at(2), department=desks["network"]),
        ],
        now=at(5),
    )
    names = {d.pk: d.name for d in desks.values()}
    shares = holds.per_department(
        list(record.holds.order_by("seq")), {desks["network"].pk: 2 * HOUR}, names
    )
    assert [
        (s.department_name, s.working_seconds, s.holds, s.is_holding, s.is_over_target)
        for s in shares
    ] == [("Network group", 3 * HOUR, 2, True, True), ("Applications", HOUR, 1, False, False)]


def test_the_migration_gives_old_events_their_departments(tam_client, users, sla, desks):
    """Events recorded before they kept a department get it from the incident (the last one)
    and from the stored assignment labels."""
    migration = importlib.import_module("tamdesk.sla.migrations.0003_department_holds")
    record = incident(
        tam_client,
        by=users.tam,
        department=desks["network"],
        assignee=users.engineer,
        events=[
            NewEvent("reassigned", at(1), department=desks["apps"]),
            NewEvent("comment", at(1.5), note="looking"),
            NewEvent("reassigned", at(2), department=None, assignee=users.engineer),
            NewEvent("reassigned", at(3), department=desks["dba"]),
        ],
        now=at(4),
    )
    events = IncidentEvent.objects.filter(incident=record).order_by("seq")
    recorded = [(e.kind, e.department_id) for e in events]
    events.update(department=None)

    migration.departments_of_events(django_apps, None)

    assert [(e.kind, e.department_id) for e in events.all()] == recorded
    assert recorded == [
        ("opened", desks["network"].pk),
        ("reassigned", desks["apps"].pk),
        ("comment", None),
        ("reassigned", None),
        ("reassigned", desks["dba"].pk),
    ]
