"""The SLA compliance report (``sla.reports``): exact figures of a known set of incidents, the
agreement with a direct computation for every grouping, the time-zone month boundary, read
scoping, refused parameters and a query budget that does not grow with the incidents."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from tamdesk.sla import reports
from tamdesk.sla.models import Incident
from tamdesk.sla.reports import ReportError
from tests.sla.factories import HOUR, incident
from tests.sla.reporting import MIN, build, reference

pytestmark = pytest.mark.django_db
START, END = dt.date(2026, 10, 1), dt.date(2026, 11, 30)
MOSCOW = "Europe/Moscow"


@pytest.fixture
def made(tam_client, users):
    return build(tam_client, users)


def run(incidents=None, group_by=(), *, zone=MOSCOW, start=START, end=END):
    return reports.compliance(
        incidents if incidents is not None else Incident.objects.all(),
        group_by=list(group_by),
        start=start,
        end=end,
        time_zone=zone,
    )


def key_of(row, group_by) -> tuple:
    values = {
        "client": row.client_id,
        "priority": row.priority,
        "department": row.department_id,
        "month": row.month,
    }
    return tuple(values[name] for name in group_by)


def figures_of(row) -> dict:
    return {
        "incidents": row.incidents,
        "reaction": vars(row.reaction),
        "resolution": vars(row.resolution),
    }


def test_totals_of_the_known_incidents(made):
    (total,) = run()

    assert total.incidents == 7
    assert vars(total.reaction) == {
        "met": 3,  # a1, a3, b1
        "breached": 3,  # a2, b2 (stopped), a4 (still running)
        "running": 1,  # a5
        "compliance_percent": 50.0,
        # Stopped clocks only: a1 20 min, a2 1 h, a3 30 min, b1 10 min, b2 5 h.
        "median_seconds": 30.0 * MIN,
        "p90_seconds": 1 * HOUR + 0.6 * 4 * HOUR,  # rank 3.6 between 1 h and 5 h
        "paused_seconds": 0,
    }
    # a1 3 h, a2 5 h, a3 8 h (10 h less 2 h waiting), b1 2 h, b2 20 h.
    assert vars(total.resolution) == {
        "met": 4,
        "breached": 2,
        "running": 1,
        "compliance_percent": round(400 / 6, 2),
        "median_seconds": 5.0 * HOUR,
        "p90_seconds": 8 * HOUR + 0.6 * 12 * HOUR,
        "paused_seconds": 2 * HOUR,
    }


def test_groups_by_client_with_names(made, tam_client):
    rows = run(group_by=["client"])

    assert [(r.client_id, r.client_name, r.incidents) for r in rows] == [
        (tam_client.pk, "Acme Retail", 5),
        (made.beta.pk, "Beta Bank", 2),
    ]
    assert rows[1].reaction.compliance_percent == 50.0
    assert rows[1].resolution.compliance_percent == 100.0


@pytest.mark.parametrize(
    "group_by",
    [
        list(c)
        for n in range(len(reports.GROUPS) + 1)
        for c in itertools.combinations(reports.GROUPS, n)
    ],
)
def test_every_grouping_agrees_with_a_direct_computation(made, group_by):
    expected = reference(Incident.objects.all(), group_by, MOSCOW)

    rows = run(group_by=group_by)

    got = {key_of(row, group_by): figures_of(row) for row in rows}
    assert got == expected
    assert [key_of(row, group_by) for row in rows] == sorted(
        expected, key=lambda k: tuple((v is not None, v) for v in k)
    ) or not group_by


def test_department_none_is_its_own_group(made):
    rows = run(group_by=["department"])

    assert [(r.department_id, r.department_name, r.incidents) for r in rows] == [
        (None, "", 2),
        (made.db.pk, "Databases", 3),
        (made.storage.pk, "Storage", 2),
    ]


def test_month_is_the_opening_month_in_the_report_time_zone(made):
    # a3 opened 23:30 UTC on 31 October: 1 November in Moscow, still October in UTC.
    moscow = {r.month: r.incidents for r in run(group_by=["month"], zone=MOSCOW)}
    utc = {r.month: r.incidents for r in run(group_by=["month"], zone="UTC")}

    assert moscow == {"2026-10": 3, "2026-11": 4}
    assert utc == {"2026-10": 4, "2026-11": 3}


def test_the_period_is_in_local_dates_both_days_included(made):
    # 1 November in Moscow starts at 21:00 UTC on 31 October: a3 is in, a1…b1 (October) out.
    (total,) = run(start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 1))
    assert total.incidents == 1
    (total,) = run(start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 1), zone="UTC")
    assert total.incidents == 0


def test_no_incidents_gives_zero_totals_and_no_rows(db):
    (total,) = run()
    assert total.incidents == 0
    assert total.reaction.compliance_percent is None
    assert total.reaction.median_seconds is None
    assert run(group_by=["client"]) == []


def test_filters(made, tam_client):
    (total,) = run(reports.filtered(Incident.objects.all(), client=tam_client.pk, priority="p1"))
    assert total.incidents == 2
    (total,) = run(reports.filtered(Incident.objects.all(), department=made.storage.pk))
    assert total.incidents == 2


@pytest.mark.parametrize(
    ("who", "incidents"),
    [("tam", 5), ("other_tam", 0), ("service_manager", 7), ("admin", 7), ("norole", 0)],
)
def test_reads_only_what_the_reader_sees(made, users, who, incidents):
    (total,) = run(Incident.objects.visible_to(getattr(users, who)))
    assert total.incidents == incidents
    assert (
        len(
            reports.violations(
                Incident.objects.visible_to(getattr(users, who)),
                start=START,
                end=END,
                time_zone=MOSCOW,
            )
        )
        == {5: 4, 0: 0, 7: 5}[incidents]
    )


def test_violations_list_every_breached_clock(made, tam_client):
    found = reports.violations(Incident.objects.all(), start=START, end=END, time_zone=MOSCOW)

    by_clock = {(v.incident_id, v.kind): v for v in found}
    assert set(by_clock) == {
        (made.a2.pk, "reaction"),
        (made.a2.pk, "resolution"),
        (made.a4.pk, "reaction"),
        (made.a4.pk, "resolution"),
        (made.b2.pk, "reaction"),
    }
    a2 = by_clock[(made.a2.pk, "reaction")]
    assert (a2.client_name, a2.priority, a2.target_seconds) == ("Acme Retail", "p1", HOUR // 2)
    assert a2.breached_by_seconds == 30 * MIN
    assert a2.due_at == made.a2.opened_at + dt.timedelta(minutes=30)
    assert a2.url == f"/sla/incidents/{made.a2.pk}/"
    # The latest breach first.
    assert [v.due_at for v in found] == sorted((v.due_at for v in found), reverse=True)


@pytest.mark.parametrize(
    ("kwargs", "field", "code"),
    [
        ({"group_by": ["client", "week"]}, "group_by", "unknown_group"),
        ({"start": dt.date(1969, 12, 31)}, "from", "out_of_supported_range"),
        ({"end": dt.date(2201, 1, 1)}, "to", "out_of_supported_range"),
        ({"start": dt.date(2026, 12, 1)}, "to", "invalid_period"),
        ({"zone": "Mars/Olympus"}, "time_zone", "unknown_time_zone"),
    ],
)
def test_refused_parameters(db, kwargs, field, code):
    with pytest.raises(ReportError) as refused:
        run(**kwargs)
    assert (refused.value.field, refused.value.code) == (field, code)


def test_query_count_does_not_grow_with_incidents(made, users, django_assert_max_num_queries):
    incidents = Incident.objects.visible_to(users.tam)
    # Incidents, clocks, client names, department names.
    with django_assert_max_num_queries(4):
        run(incidents, group_by=list(reports.GROUPS))
    for n in range(10):
        incident(made.beta, by=users.admin, opened=dt.datetime(2026, 10, 1 + n, tzinfo=dt.UTC))
    incidents = Incident.objects.visible_to(users.service_manager)  # reads the reader's roles
    with django_assert_max_num_queries(4):
        (total,) = run(incidents)
    assert total.incidents == 17
    with django_assert_max_num_queries(4):
        run(incidents, group_by=list(reports.GROUPS))


def test_report_gives_rows_and_totals_from_one_read(made, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):  # incidents, clocks, client names
        result = reports.report(
            Incident.objects.all(), group_by=["client"], start=START, end=END, time_zone=MOSCOW
        )
    assert [r.incidents for r in result.rows] == [5, 2]
    assert result.totals == run()[0]


def test_rows_read_in_small_batches_give_the_same_report(made, monkeypatch):
    group_by = ["client", "priority", "department", "month"]
    whole = run(group_by=group_by)

    monkeypatch.setattr(reports, "BATCH", 2)  # the incidents and the clocks in several batches

    assert run(group_by=group_by) == whole
    assert len(whole) > 2
