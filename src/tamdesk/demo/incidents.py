"""The demo's SLA: policies per tier, a strict 24×7 policy for the demo TAM's first client, and
incidents in every state, dated relative to the load — so that a TAM who logs in right after
``make demo`` watches one incident warn and breach within minutes.

Incidents are opened through the SLA services (their clocks, alerts and notifications are real).
Each carries ``source_system="demo"`` and a fixed external id, so loading again adds nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.utils import timezone

from tamdesk.calendars.models import Calendar
from tamdesk.directory.models import Client, Department, Engineer
from tamdesk.sla import services
from tamdesk.sla.models import Incident, SLAPolicy
from tamdesk.sla.services import NewEvent

User = get_user_model()
MINUTE = 60
HOUR = 3600
SOURCE = "demo"
DEMO_TAM = "tam"

# (reaction, resolution) in working seconds per priority.
STRICT = {
    "p1": (30 * MINUTE, 4 * HOUR),
    "p2": (HOUR, 8 * HOUR),
    "p3": (4 * HOUR, 24 * HOUR),
    "p4": (8 * HOUR, 40 * HOUR),
}
TIER_POLICIES = (
    # tier, calendar name (None: 24×7), targets (reaction, resolution) per priority
    ("strategic", "24×7 duty", STRICT),
    (
        "premium",
        "24×7 duty",
        {"p1": (HOUR, 6 * HOUR), "p2": (2 * HOUR, 12 * HOUR), "p3": (4 * HOUR, 32 * HOUR),
         "p4": (8 * HOUR, 48 * HOUR)},
    ),
    (
        "business",
        "Moscow office 5/2",
        {"p1": (HOUR, 8 * HOUR), "p2": (2 * HOUR, 16 * HOUR), "p3": (8 * HOUR, 40 * HOUR),
         "p4": (16 * HOUR, 80 * HOUR)},
    ),
    (
        "standard",
        "Moscow office 5/2",
        {"p1": (2 * HOUR, 16 * HOUR), "p2": (4 * HOUR, 24 * HOUR), "p3": (8 * HOUR, 40 * HOUR),
         "p4": (16 * HOUR, 80 * HOUR)},
    ),
)  # fmt: skip


@dataclass(frozen=True)
class Scenario:
    """One incident: opened ``opened`` minutes before the load, then ``events`` as (minutes after
    the opening, kind, value)."""

    key: str
    title: str
    priority: str
    opened: int
    department: str
    events: tuple[tuple[int, str, str], ...] = ()
    strict_client: bool = True  # on the demo TAM's first client (the strict 24×7 policy)
    status: str = "new"
    notes: tuple[str, ...] = field(default_factory=tuple)


SCENARIOS: tuple[Scenario, ...] = (
    # Live: the reaction clock warns now and breaches ten minutes after the load.
    Scenario("001", "Payment gateway unreachable from the DMZ", "p1", 20, "network",
             status="in_progress"),
    # Live: warns five minutes after the load, breaches after 35.
    Scenario("002", "VPN tunnel to the branch office flaps", "p2", 25, "network"),
    # Paused: waiting for the client since two hours.
    Scenario("003", "Nightly backup of the CRM database failed", "p3", 180, "backup",
             events=((10, "first_response", ""), (60, "status_changed", "waiting_client"))),
    # Met: answered and resolved in time.
    Scenario("004", "Certificate expiry warning on the web farm", "p2", 2 * 24 * 60, "unix",
             events=((20, "first_response", ""), (5 * 60, "resolved", ""))),
    # Breached both ways: answered late, resolved late.
    Scenario("005", "Storage latency spikes on the virtualization cluster", "p1", 3 * 24 * 60,
             "virtualization",
             events=((50, "first_response", ""), (6 * 60, "resolved", ""))),
    # Reopened: the fix did not hold; the resolution clock runs again.
    Scenario("006", "PHP workers exhaust memory after the release", "p3", 24 * 60, "unix",
             events=((60, "first_response", ""), (5 * 60, "resolved", ""),
                     (23 * 60, "reopened", "in_progress"))),
    # Closed.
    Scenario("007", "DNS zone transfer to the secondary fails", "p4", 10 * 24 * 60, "network",
             events=((2 * 60, "first_response", ""), (26 * 60, "resolved", ""),
                     (50 * 60, "closed", ""))),
    # Resolution running and breached two hours ago (answered in time).
    Scenario("008", "Database replica lags behind the primary", "p2", 10 * 60, "dba",
             events=((30, "first_response", ""), (45, "status_changed", "in_progress"))),
    # Raised from P3 to P2 after an hour, reassigned to another department.
    Scenario("009", "Intermittent 502 errors on the shop front", "p3", 90, "network",
             events=((15, "first_response", ""), (60, "priority_changed", "p2"),
                     (70, "reassigned", "unix"))),
    # On a tier policy with office hours: waiting for a third party (the vendor).
    Scenario("010", "Firewall cluster firmware bug", "p3", 26 * 60, "cyber-defense",
             strict_client=False,
             events=((30, "first_response", ""), (120, "status_changed", "waiting_third_party"))),
    Scenario("011", "Monitoring agent floods the event bus", "p4", 6 * 60, "monitoring",
             strict_client=False),
    Scenario("012", "Backup window overruns into business hours", "p3", 5 * 24 * 60, "backup",
             strict_client=False,
             events=((3 * 60, "first_response", ""), (9 * 60, "resolved", ""))),
)  # fmt: skip


def load_sla(*, now: dt.datetime | None = None) -> tuple[Counter[str], list[SLAPolicy]]:
    """The demo's SLA policies and incidents that do not exist yet. Returns the counts of what
    was created and the policies created (the loader records them as demo data)."""
    now = (now or timezone.now()).replace(microsecond=0)
    created: Counter[str] = Counter()
    calendars = {c.name: c for c in Calendar.objects.all()}
    policies = []
    for tier, calendar_name, targets in TIER_POLICIES:
        if SLAPolicy.objects.filter(tier=tier).exists():
            continue
        policies.append(
            _policy(f"{tier.title()} tier SLA", calendars.get(calendar_name), targets, tier=tier)
        )
    tam = User.objects.filter(username=DEMO_TAM).first()
    managed = list(Client.objects.managed_by(tam).order_by("name")) if tam else []
    strict_client = managed[0] if managed else None
    if strict_client is not None and not SLAPolicy.objects.filter(client=strict_client).exists():
        policies.append(
            _policy(f"{strict_client.name} SLA (24×7)", None, STRICT, client=strict_client)
        )
    created["sla policies"] = len(policies)
    other_client = managed[1] if len(managed) > 1 else strict_client
    if strict_client is None:
        return created, policies
    departments = {d.code: d for d in Department.objects.all()}
    engineers = {}
    for engineer in Engineer.objects.select_related("user").order_by("user__username"):
        engineers.setdefault(engineer.department_id, engineer.user)
    existing = set(
        Incident.objects.filter(source_system=SOURCE).values_list("external_id", flat=True)
    )
    for scenario in SCENARIOS:
        external_id = f"DEMO-{scenario.key}"
        if external_id in existing:
            continue
        client = strict_client if scenario.strict_client else other_client
        department = departments.get(scenario.department)
        opened_at = now - dt.timedelta(minutes=scenario.opened)
        events = []
        for minutes, kind, value in scenario.events:
            at = opened_at + dt.timedelta(minutes=minutes)
            if kind == "reassigned":
                target = departments.get(value)
                events.append(
                    NewEvent(
                        kind,
                        at,
                        department=target,
                        assignee=engineers.get(target.pk) if target else None,
                    )
                )
            else:
                events.append(NewEvent(kind, at, value))
        services.open_incident(
            client=client,
            title=scenario.title,
            priority=scenario.priority,
            opened_at=opened_at,
            by=tam,
            department=department,
            assignee=engineers.get(department.pk) if department else None,
            source_system=SOURCE,
            external_id=external_id,
            status=scenario.status,
            events=events,
            now=now,
        )
        created["incidents"] += 1
    return created, policies


def _policy(name: str, calendar, targets, *, tier: str = "", client=None) -> SLAPolicy:
    policy = SLAPolicy.objects.create(name=name, tier=tier, client=client)
    services.add_policy_version(
        policy,
        valid_from=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
        calendar=calendar,
        targets=targets,
        warning_thresholds=[50, 75],
        reaction_pause_statuses=["waiting_client"],
        resolution_pause_statuses=["waiting_client", "waiting_third_party"],
        note="Demo terms",
        by=None,
    )
    return policy
