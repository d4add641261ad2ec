"""The report's pure part (``reports.aggregate``) without a database: random columns agree with
a plain computation; incidents no policy measured stay out of the times."""

from __future__ import annotations

import datetime as dt
import statistics

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tamdesk.sla import reports
from tests.sla.reporting import percentile

STATES = ["met", "breached", "running", "paused", "no_target"]
incident = st.tuples(
    st.integers(0, 2),  # client
    st.integers(0, 3),  # priority
    st.integers(-1, 1),  # department
    st.integers(0, 2),  # month
    st.booleans(),  # measured
    *[st.sampled_from(STATES), st.integers(0, 10**6), st.integers(0, 10**4), st.booleans()] * 2,
)


def columns(items) -> reports.Columns:
    n = len(items)

    def col(i, dtype=np.int64):
        return np.array([item[i] for item in items], dtype=dtype).reshape(n)

    return reports.Columns(
        client=col(0),
        priority=col(1),
        department=col(2),
        month=col(3),
        measured=col(4, bool),
        state={"reaction": col(5, "U16"), "resolution": col(9, "U16")},
        elapsed={"reaction": col(6), "resolution": col(10)},
        paused={"reaction": col(7), "resolution": col(11)},
        stopped={"reaction": col(8, bool), "resolution": col(12, bool)},
    )


def plain(items, group_by) -> dict:
    index = {"client": 0, "priority": 1, "department": 2, "month": 3}
    groups: dict = {}
    for item in items:
        groups.setdefault(tuple(item[index[g]] for g in group_by), []).append(item)
    out = {}
    for key, members in groups.items():
        figures = {"incidents": len(members)}
        for kind, at in (("reaction", 5), ("resolution", 9)):
            met = sum(m[at] == "met" for m in members)
            breached = sum(m[at] == "breached" for m in members)
            times = [m[at + 1] for m in members if m[at + 3] and m[4]]
            figures[kind] = {
                "met": met,
                "breached": breached,
                "running": sum(m[at] in ("running", "paused") for m in members),
                "compliance_percent": round(100 * met / (met + breached), 2)
                if met + breached
                else None,
                "median_seconds": round(statistics.median(times), 1) if times else None,
                "p90_seconds": round(percentile(times, 90), 1) if times else None,
                "paused_seconds": sum(m[at + 2] for m in members),
            }
        out[key] = figures
    return out


@settings(max_examples=60, deadline=None)
@given(
    st.lists(incident, min_size=1, max_size=40),
    st.lists(st.sampled_from(reports.GROUPS), unique=True),
)
def test_aggregate_agrees_with_a_plain_computation(items, group_by):
    group_by = reports.check_group_by(group_by)
    keys, rows = reports.aggregate(columns(items), group_by)

    got = {
        tuple(key[g] for g in group_by): {
            "incidents": row.incidents,
            "reaction": vars(row.reaction),
            "resolution": vars(row.resolution),
        }
        for key, row in zip(keys, rows, strict=True)
    }
    expected = plain(items, group_by)
    assert got.keys() == expected.keys()
    for key, figures in expected.items():
        for kind in ("reaction", "resolution"):
            for name in ("median_seconds", "p90_seconds"):
                a, b = got[key][kind].pop(name), figures[kind].pop(name)
                assert (a is None and b is None) or abs(a - b) <= 0.1
        assert got[key] == figures


def test_an_incident_no_policy_measures_stays_out_of_the_times():
    items = [
        (0, 0, -1, 0, True, "met", 600, 0, True, "met", 3600, 0, True),
        (0, 0, -1, 0, False, "no_target", 0, 0, True, "no_target", 0, 0, True),
    ]
    (_,), (row,) = reports.aggregate(columns(items), ["client"])
    assert row.incidents == 2
    assert (row.reaction.median_seconds, row.resolution.median_seconds) == (600.0, 3600.0)
    assert (row.reaction.met, row.reaction.breached, row.reaction.running) == (1, 0, 0)


def test_default_start_is_eleven_months_back():
    assert reports.default_start(dt.date(2026, 11, 20)) == dt.date(2025, 12, 1)
    assert reports.default_start(dt.date(2026, 1, 31)) == dt.date(2025, 2, 1)
    assert reports.months(dt.date(2025, 12, 15), dt.date(2026, 2, 1)) == [
        dt.date(2025, 12, 1),
        dt.date(2026, 1, 1),
        dt.date(2026, 2, 1),
    ]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 9), st.integers(0, 10**7)), max_size=120),
    st.integers(10, 12),
)
def test_the_percentiles_of_all_groups_at_once_are_np_percentile_of_each(pairs, count):
    groups = np.array([g for g, _ in pairs], dtype=np.int64)
    values = np.array([v for _, v in pairs], dtype=np.int64)

    medians, highs = reports._percentiles(values, groups, count)

    for g in range(count):
        mine = values[groups == g]
        if not len(mine):
            assert (medians[g], highs[g]) == (None, None)
            continue
        assert medians[g] == round(float(np.percentile(mine, 50)), 1)
        assert highs[g] == round(float(np.percentile(mine, reports.PERCENTILE)), 1)
