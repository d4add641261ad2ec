"""The incidents of the report tests: two clients on 24×7 policies (working time = wall time),
with known clocks, and a direct computation of the report in plain Python to compare with."""

from __future__ import annotations

import datetime as dt
import math
import statistics
import zoneinfo
from types import SimpleNamespace

from tamdesk.sla.models import Incident, IncidentClock
from tamdesk.sla.services import NewEvent
from tests.directory.factories import ClientFactory, DepartmentFactory
from tests.sla.factories import HOUR, incident, policy

UTC = dt.UTC
MIN = 60
#: The clocks are measured at this moment.
NOW = dt.datetime(2026, 11, 20, 12, tzinfo=UTC)
TARGETS = {"p1": (HOUR // 2, 4 * HOUR), "p2": (HOUR, 8 * HOUR), "p3": (4 * HOUR, 24 * HOUR)}
TARGETS["p4"] = (8 * HOUR, 40 * HOUR)


def t(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def build(tam_client, users) -> SimpleNamespace:
    """``tam_client`` (Acme, TAM ``users.tam``) and Beta (no account team), in departments the
    users do not work in (so only the account team and the all-seeing roles read them)."""
    beta = ClientFactory(name="Beta Bank", code="BETA")
    db = DepartmentFactory(code="db", name="Databases")
    storage = DepartmentFactory(code="storage", name="Storage")
    for client in (tam_client, beta):
        policy(client=client, targets=TARGETS, by=users.administrator)

    def make(client, priority, department, opened, *events, title="x"):
        return incident(
            client,
            by=users.admin,
            opened=opened,
            priority=priority,
            department=department,
            now=NOW,
            title=title,
            events=[
                NewEvent(kind, opened + dt.timedelta(seconds=s), to_value=v)
                for kind, s, v in events
            ],
        )

    made = SimpleNamespace(beta=beta, db=db, storage=storage)
    # Both clocks met: reaction 20 min, resolution 3 h.
    made.a1 = make(
        tam_client,
        "p1",
        db,
        t(2026, 10, 5, 10),
        ("first_response", 20 * MIN, ""),
        ("resolved", 3 * HOUR, ""),
    )
    # Both breached and stopped: reaction 1 h (target 30 min), resolution 5 h (target 4 h).
    made.a2 = make(
        tam_client,
        "p1",
        db,
        t(2026, 10, 10, 10),
        ("first_response", HOUR, ""),
        ("resolved", 5 * HOUR, ""),
    )
    # Opened 23:30 UTC on 31 October = 02:30 on 1 November in Moscow; waits for the client 2 h.
    made.a3 = make(
        tam_client,
        "p3",
        storage,
        t(2026, 10, 31, 23, 30),
        ("first_response", 30 * MIN, ""),
        ("status_changed", HOUR, "waiting_client"),
        ("status_changed", 3 * HOUR, "in_progress"),
        ("resolved", 10 * HOUR, ""),
    )
    # Still open, both clocks breached and still running (no time: not stopped).
    made.a4 = make(tam_client, "p3", None, t(2026, 11, 15, 9))
    # Still open and within its targets: both running.
    made.a5 = make(tam_client, "p3", None, t(2026, 11, 20, 11))
    made.b1 = make(
        beta,
        "p1",
        db,
        t(2026, 10, 20, 8),
        ("first_response", 10 * MIN, ""),
        ("resolved", 2 * HOUR, ""),
    )
    # Reaction breached (5 h, target 4 h), resolution met (20 h, target 24 h).
    made.b2 = make(
        beta,
        "p3",
        storage,
        t(2026, 11, 2, 12),
        ("first_response", 5 * HOUR, ""),
        ("resolved", 20 * HOUR, ""),
    )
    return made


def percentile(values: list[float], p: float) -> float:
    """NumPy's default (``linear``): rank p/100·(n-1), interpolated between its neighbours."""
    ordered = sorted(values)
    rank = p / 100 * (len(ordered) - 1)
    lo, hi = math.floor(rank), math.ceil(rank)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (rank - lo)


def reference(incidents, group_by: list[str], time_zone: str) -> dict[tuple, dict]:
    """The report computed directly, one incident at a time: {group key: figures}."""
    tz = zoneinfo.ZoneInfo(time_zone)
    groups: dict[tuple, list[Incident]] = {}
    for item in incidents:
        key = []
        for name in group_by:
            if name == "client":
                key.append(item.client_id)
            elif name == "priority":
                key.append(item.priority)
            elif name == "department":
                key.append(item.department_id)
            else:
                key.append(item.opened_at.astimezone(tz).strftime("%Y-%m"))
        groups.setdefault(tuple(key), []).append(item)
    out = {}
    for key, members in groups.items():
        figures = {"incidents": len(members)}
        for kind in ("reaction", "resolution"):
            clocks = [IncidentClock.objects.get(incident=m, kind=kind) for m in members]
            met = sum(c.state == "met" for c in clocks)
            breached = sum(c.state == "breached" for c in clocks)
            if kind == "reaction":
                stopped = [
                    m.first_response_at is not None or m.status in ("resolved", "closed")
                    for m in members
                ]
            else:
                stopped = [m.status in ("resolved", "closed") for m in members]
            times = [c.elapsed_seconds for c, s in zip(clocks, stopped, strict=True) if s]
            figures[kind] = {
                "met": met,
                "breached": breached,
                "running": sum(c.state in ("running", "paused") for c in clocks),
                "compliance_percent": round(100 * met / (met + breached), 2)
                if met + breached
                else None,
                "median_seconds": round(statistics.median(times), 1) if times else None,
                "p90_seconds": round(percentile(times, 90), 1) if times else None,
                "paused_seconds": sum(c.paused_seconds for c in clocks),
            }
        out[key] = figures
    return out
