"""The report's time per department (``sla.department_report``): exact figures of known
incidents, OLA compliance, agreement with a direct computation for every grouping, read scoping
and the exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import statistics
import zoneinfo

import pytest
from openpyxl import load_workbook

from tamdesk.sla import department_report, reports
from tamdesk.sla.models import Incident, IncidentHold, OLATarget
from tamdesk.sla.services import NewEvent
from tests.sla.factories import HOUR, incident
from tests.sla.reporting import NOW, build, percentile, t

pytestmark = pytest.mark.django_db
START, END = dt.date(2026, 10, 1), dt.date(2026, 11, 30)
MOSCOW = "Europe/Moscow"


@pytest.fixture
def made(tam_client, users, department):
    """The compliance report's incidents (24×7: working time is wall time) and three passed
    between departments: Network → Databases → Network, resolved; Storage → none → reopened in
    Databases; Databases → Storage, still open."""
    made = build(tam_client, users)
    made.network = department

    def chain(client, priority, first, opened, *events):
        return incident(
            client,
            by=users.admin,
            opened=opened,
            priority=priority,
            department=first,
            now=NOW,
            events=[
                NewEvent(kind, opened + dt.timedelta(seconds=s), department=d)
                for kind, s, d in events
            ],
        )

    made.c1 = chain(
        tam_client,
        "p1",
        department,
        t(2026, 10, 6, 9),
        ("reassigned", HOUR, made.db),
        ("reassigned", 4 * HOUR, department),
        ("resolved", 5 * HOUR, None),
    )
    made.c2 = chain(
        made.beta,
        "p3",
        made.storage,
        t(2026, 11, 3, 9),
        ("reassigned", 2 * HOUR, None),
        ("resolved", 3 * HOUR, None),
        ("reassigned", 4 * HOUR, made.db),
        ("reopened", 5 * HOUR, None),
        ("resolved", 7 * HOUR, None),
    )
    made.c3 = chain(
        tam_client, "p3", made.db, t(2026, 11, 20, 6), ("reassigned", 3 * HOUR, made.storage)
    )
    OLATarget.objects.create(department=made.db, priority="p1", target_seconds=2 * HOUR)
    OLATarget.objects.create(department=made.db, priority="p3", target_seconds=HOUR)
    OLATarget.objects.create(department=made.storage, priority="p3", target_seconds=10 * HOUR)
    return made


def run(incidents=None, group_by=(), *, department=None):
    return department_report.report(
        incidents if incidents is not None else Incident.objects.all(),
        group_by=list(group_by),
        start=START,
        end=END,
        time_zone=MOSCOW,
        department=department,
    )


def by_department(result) -> dict:
    return {
        row.department_name or None: (
            row.incidents,
            row.held_seconds,
            row.paused_seconds,
            (row.ola.met, row.ola.breached, row.ola.running, row.ola.compliance_percent),
        )
        for row in result.rows
    }


def test_known_figures_per_department(made):
    result = run()

    # Databases: a1 3 h, a2 5 h, b1 2 h, c1 3 h (p1, target 2 h: only b1 within); c2 2 h and
    # c3 3 h (p3, target 1 h: both over; c3 has moved on to Storage).
    assert by_department(result)["Databases"] == (
        6,
        (3 + 5 + 2 + 3 + 2 + 3) * HOUR,
        0,
        (1, 5, 0, round(100 / 6, 2)),
    )
    # Storage: a3 8 h running + 2 h paused (p3, target 10 h: met), b2 20 h (over), c2 2 h (met),
    # c3 from 09:00 to NOW 12:00 = 3 h, still held, within: running.
    assert by_department(result)["Storage"] == (
        4,
        (8 + 20 + 2 + 3) * HOUR,
        2 * HOUR,
        (2, 1, 1, round(100 * 2 / 3, 2)),
    )
    # Network: c1 1 h then 1 h; no target.
    assert by_department(result)["Network group"] == (1, 2 * HOUR, 0, (0, 0, 0, None))
    # No department: a4 (still open since 15 November 09:00) and a5 (since 11:00 today), c2 1 h.
    assert by_department(result)[None][:2] == (3, (5 * 24 + 3 + 1 + 1) * HOUR)
    assert result.totals.held_seconds == sum(row.held_seconds for row in result.rows)
    assert result.totals.incidents == 6 + 4 + 1 + 3


def test_a_department_holding_twice_is_measured_on_both_holds(made):
    c1 = [(h.department.name, h.working_seconds) for h in made.c1.holds.order_by("seq")]
    assert c1 == [("Network group", HOUR), ("Databases", 3 * HOUR), ("Network group", HOUR)]
    result = run(Incident.objects.filter(pk=made.c1.pk))
    assert by_department(result)["Network group"][:2] == (1, 2 * HOUR)


def test_the_department_filter_keeps_its_holds(made):
    result = run(department=made.storage.pk)
    assert [row.department_name for row in result.rows] == ["Storage"]
    assert result.totals.held_seconds == (8 + 20 + 2 + 3) * HOUR


def reference(incidents, group_by: list[str]) -> dict[tuple, dict]:
    """The report computed directly from the stored holds, one incident at a time."""
    tz = zoneinfo.ZoneInfo(MOSCOW)
    targets = {(o.department_id, o.priority): o.target_seconds for o in OLATarget.objects.all()}
    shares: dict[tuple, dict] = {}
    for item in incidents:
        for hold in IncidentHold.objects.filter(incident=item):
            share = shares.setdefault(
                (item.pk, hold.department_id),
                {"incident": item, "held": 0, "paused": 0, "holding": False},
            )
            share["held"] += hold.working_seconds
            share["paused"] += hold.paused_seconds
            share["holding"] |= hold.ended_at is None
    groups: dict[tuple, list] = {}
    for (_pk, department), share in shares.items():
        item = share["incident"]
        values = {
            "client": item.client_id,
            "priority": item.priority,
            "department": department,
            "month": item.opened_at.astimezone(tz).strftime("%Y-%m"),
        }
        share["target"] = targets.get((department, item.priority))
        groups.setdefault(tuple(values[name] for name in group_by), []).append(share)
    out = {}
    for key, members in groups.items():
        held = [m["held"] for m in members]
        with_target = [m for m in members if m["target"] is not None]
        breached = sum(m["held"] > m["target"] for m in with_target)
        met = sum(m["held"] <= m["target"] and not m["holding"] for m in with_target)
        out[key] = {
            "incidents": len(members),
            "held_seconds": sum(held),
            "median_seconds": round(statistics.median(held), 1),
            "p90_seconds": round(percentile(held, 90), 1),
            "paused_seconds": sum(m["paused"] for m in members),
            "ola": {
                "met": met,
                "breached": breached,
                "running": len(with_target) - met - breached,
                "compliance_percent": round(100 * met / (met + breached), 2)
                if met + breached
                else None,
            },
        }
    return out


GROUPINGS = [
    list(combo)
    for n in range(4)
    for combo in itertools.combinations(("client", "priority", "month"), n)
]


@pytest.mark.parametrize("group_by", GROUPINGS, ids=lambda g: "+".join(g) or "department")
def test_every_grouping_agrees_with_a_direct_computation(made, group_by):
    result = run(group_by=group_by)
    canonical = reports.check_group_by([*group_by, "department"])
    values = {
        "client": lambda r: r.client_id,
        "priority": lambda r: r.priority,
        "department": lambda r: r.department_id,
        "month": lambda r: r.month,
    }
    got = {
        tuple(values[name](row) for name in canonical): department_report.totals_data(row)
        for row in result.rows
    }
    assert got == reference(Incident.objects.all(), canonical)
    assert department_report.totals_data(result.totals) == reference(Incident.objects.all(), [])[()]


def test_reads_only_what_the_reader_sees(made, users, tam_client):
    everything = run()
    assert run(Incident.objects.visible_to(users.service_manager)) == everything
    mine = run(Incident.objects.visible_to(users.tam))
    assert mine == run(Incident.objects.filter(client=tam_client))
    assert mine.totals.incidents < everything.totals.incidents
    # Another TAM, an engineer of Network, reads only c1 (now in Network), with all its holds.
    theirs = run(Incident.objects.visible_to(users.other_tam))
    assert theirs == run(Incident.objects.filter(pk=made.c1.pk))
    assert {row.department_name for row in theirs.rows} == {"Network group", "Databases"}


def test_no_incidents_gives_zero_totals(db):
    result = run()
    assert result.rows == [] and result.totals.held_seconds == 0
    assert result.totals.ola.compliance_percent is None


def test_query_budget_does_not_grow(made, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        run(group_by=["client", "priority", "month"])


def test_csv_and_xlsx_exports(made):
    result = run(group_by=["priority"])
    text = io.StringIO()
    department_report.write_csv(text, result)
    table = list(csv.reader(io.StringIO(text.getvalue())))
    assert table[0][:4] == ["priority", "department", "incidents", "held_seconds"]
    assert table[-1][:2] == ["total", ""]
    assert len(table) == len(result.rows) + 2
    stream = io.BytesIO()
    department_report.write_xlsx(stream, result)
    sheet = load_workbook(io.BytesIO(stream.getvalue()))["Departments"]
    assert [c.value for c in sheet[1]][-1] == "ola_compliance_percent"
    assert sheet.max_row == len(result.rows) + 2
