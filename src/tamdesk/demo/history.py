"""The demo's incident history: a ServiceNow incident event log the demo writes and imports.

Six full months before the load plus the current month to date, for every demo client, written
exactly as ServiceNow exports its event log (the ``servicenow`` preset, docs/imports.md): one
row per update, every field quoted, ``?`` for an empty value, day-first times without seconds in
the instance's zone (Europe/Moscow). The loader writes the file into the demo's data directory
and imports it through ``sla.imports.runs`` as the demo administrator, so the Imports list shows
a real run with its reconciliation and the SLA report has months of data.

What the log holds:

- **volume** by tier and status (a strategic client raises ~6 times a standard one's
  incidents), about ``incidents`` in the six full months; months vary by ±15 %;
- **priorities** mostly P3 and P4, a few P1;
- **routing**: the service desk (or the 24×7 duty shift, for monitoring alerts) answers, then
  about two incidents in three go to the department owning the client's affected component,
  some of them on to a second one (network → DBA);
- **pauses**: Awaiting User Info (stops both clocks) and Awaiting Vendor (the resolution clock);
- **breaches**: about one incident in ten misses a target, nearly twice as many in every fourth
  month and for a few troubled clients, fewer in the second month after a bad one, so the
  report's trends show something;
- **reopenings**: a few resolutions do not hold and are reopened within the three days before
  ServiceNow closes a resolved incident;
- ``made_sla``: the instance's verdict. It is computed the way tamdesk measures (the policy's
  targets and working hours, pauses excluded) but without public holidays, and a few verdicts
  are wrong as in any real source — the import's reconciliation lists the disagreements.

Only incidents resolved before the history's end are written, and the end is the day before
the load (00:00 Moscow): every clock in the file has stopped more than a day before the load, so
an old breach is history and notifies nobody (``sla.services.NEWS_WINDOW``). A closing after the
end is left out until a later load's file includes it (the import then adds it).

Everything is drawn from ``random.Random`` seeded with the plan's seed, the volume and the
month: the same seed, volume and load day give the same bytes, and a month's incidents (their
numbers too) do not depend on the day of the load — loading again imports the same incidents.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import random
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from tamdesk.demo.incidents import DEMO_TAM, STRICT, TIER_POLICIES
from tamdesk.demo.plan import ClientPlan, DemoPlan
from tamdesk.sla import permissions
from tamdesk.sla.imports import runs
from tamdesk.sla.models import IncidentImport

SOURCE_SYSTEM = "servicenow"
PRESET = "servicenow"
FILE_NAME = "servicenow-incident-events.csv"
#: The mapping the demo imports with: the instance's zone and its groups → demo departments.
MAPPING_FILE = Path(__file__).with_name("servicenow-history.mapping.toml")
INSTANCE_TIME_ZONE = "Europe/Moscow"
ZONE = ZoneInfo(INSTANCE_TIME_ZONE)
#: Full months before the load's month.
MONTHS = 6
#: Incidents in the six full months at scale 1 (the current month adds its days' share).
DEFAULT_INCIDENTS = 3600
#: The first month numbered (the TAM programme started in December 2019): incident numbers
#: continue from it, so a month's numbers do not depend on the day of the load.
NUMBERING_FROM = (2020, 1)
FIRST_NUMBER = 10001  # ServiceNow's first incident is INC0010001
#: ServiceNow closes a resolved incident after this long (unless it is reopened first).
AUTO_CLOSE = dt.timedelta(days=3)

COLUMNS = (
    "number", "short_description", "incident_state", "active", "reassignment_count",
    "reopen_count", "sys_mod_count", "made_sla", "caller_id", "company", "opened_by",
    "opened_at", "sys_created_by", "sys_created_at", "sys_updated_by", "sys_updated_at",
    "contact_type", "location", "category", "subcategory", "u_symptom", "cmdb_ci", "impact",
    "urgency", "priority", "assignment_group", "assigned_to", "knowledge",
    "u_priority_confirmation", "notify", "problem_id", "rfc", "vendor", "caused_by",
    "closed_code", "resolved_by", "resolved_at", "closed_at",
)  # fmt: skip

#: ServiceNow assignment groups of the demo instance, by the department they map to (the
#: mapping file says the same the other way round).
GROUPS = {
    "support": "Service Desk",
    "duty": "NOC 24x7",
    "network": "Network Operations",
    "infra-ops": "DC Facilities",
    "vmware": "VMware Cloud",
    "hyperv": "Hyper-V Cloud",
    "backup": "Backup & Recovery",
    "microsoft": "Windows Server",
    "monitoring": "Monitoring",
    "unix": "Linux/Unix",
    "dba": "Database",
    "cyber-defense": "SOC",
    "external-dc": "Colocation",
    "design": "Design",
    "architecture": "Solution Architecture",
    "development": "Application Support",
}
#: Where a department hands an incident on to (the second reassignment).
ESCALATIONS = {
    "network": ("cyber-defense", "dba", "unix"),
    "unix": ("dba", "development", "network"),
    "vmware": ("backup", "network", "infra-ops"),
    "hyperv": ("microsoft", "backup"),
    "microsoft": ("dba", "hyperv"),
    "development": ("dba", "unix"),
    "dba": ("backup", "unix"),
    "backup": ("vmware", "dba"),
    "monitoring": ("unix", "network"),
}
#: (category, subcategory, short descriptions) by department.
TOPICS = {
    "network": ("Network", "Connectivity", (
        "VPN tunnel to the branch office is down", "Packet loss on the Internet uplink",
        "Load balancer marks the pool members down", "BGP session with the provider flaps",
        "Firewall rule blocks the payment gateway")),
    "unix": ("Software", "Operating System", (
        "Disk full on the application server", "Web server returns 502 errors",
        "Cron job did not run overnight", "Certificate expired on the web front-end",
        "Out-of-memory kills on the worker nodes")),
    "vmware": ("Hardware", "Virtual Machine", (
        "Virtual machine does not start", "Datastore latency above 50 ms",
        "Snapshot consolidation needed", "vCloud tenant cannot deploy a vApp")),
    "hyperv": ("Hardware", "Virtual Machine", (
        "Hyper-V host lost its cluster quorum", "Virtual machine stuck in Saved state",
        "Live migration fails between hosts")),
    "backup": ("Software", "Backup", (
        "Nightly backup job failed", "Restore of a file share requested urgently",
        "Backup copy to the second site is behind")),
    "microsoft": ("Software", "Windows", (
        "Users cannot log in: domain controller unreachable", "Exchange queue grows",
        "Windows updates broke the RDP farm", "Group policy not applied on servers")),
    "monitoring": ("Inquiry / Help", "Monitoring", (
        "Monitoring shows the host as unreachable", "Alerts are not delivered by SMS",
        "Dashboard shows no data since the night")),
    "dba": ("Database", "DB Performance", (
        "Database replica lags behind the primary", "Slow queries on the reporting database",
        "PostgreSQL connections exhausted", "Transaction log is full")),
    "cyber-defense": ("Security", "Attack", (
        "DDoS attack on the public website", "WAF blocks legitimate requests",
        "Suspicious logins from abroad")),
    "development": ("Software", "Application", (
        "Checkout page throws an error after the release", "CI pipeline fails to deploy",
        "API returns timeouts to the mobile app")),
    "infra-ops": ("Hardware", "Facilities", (
        "Rack power feed A lost", "Temperature alarm in the server room")),
    "external-dc": ("Hardware", "Colocation", (
        "Cross-connect in the partner data center is down", "Smart hands needed for a disk swap")),
    "support": ("Inquiry / Help", "Access", (
        "Password reset for the client portal", "New user cannot reach the VPN",
        "Question about the monthly report")),
    "duty": ("Inquiry / Help", "Alert", (
        "Monitoring alert: service check critical", "Host down alert from monitoring")),
    "design": ("Inquiry / Help", "Design", ("Question about the network design",)),
    "architecture": ("Inquiry / Help", "Architecture", ("Question about the solution design",)),
}  # fmt: skip
VENDORS = {
    "network": "Cisco TAC",
    "vmware": "VMware GSS",
    "hyperv": "Microsoft Premier",
    "microsoft": "Microsoft Premier",
    "backup": "Veeam Support",
    "dba": "Postgres Professional",
    "cyber-defense": "Qrator Labs",
    "unix": "Red Hat Support",
}
SYMPTOMS = ("Unable to access", "Slow", "Error message", "Not working", "Intermittent")
CLOSE_CODES = (
    ("Solved (Permanently)", 6),
    ("Solved (Work Around)", 3),
    ("Solved Remotely (Permanently)", 3),
    ("Not Solved (Not Reproducible)", 1),
    ("Closed/Resolved by Caller", 1),
)
#: Priority → (impact, urgency, label), with its weight among incidents.
PRIORITIES = {
    "p1": (("1 - High", "1 - High"), "1 - Critical", 3),
    "p2": (("1 - High", "2 - Medium"), "2 - High", 12),
    "p3": (("2 - Medium", "2 - Medium"), "3 - Moderate", 45),
    "p4": (("2 - Medium", "3 - Low"), "4 - Low", 40),
}
TIER_WEIGHTS = {"strategic": 6.0, "premium": 3.5, "business": 1.6, "standard": 1.0}
STATUS_WEIGHTS = {"active": 1.0, "onboarding": 0.5, "suspended": 0.4, "former": 0.3}
#: Chances per incident before the month's and the client's factors.
REACTION_BREACH = 0.03
RESOLUTION_BREACH = 0.065
#: The source's verdict is wrong this often (besides the holidays it does not know).
WRONG_VERDICT = 0.02

MINUTE = dt.timedelta(minutes=1)


# --- working time ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Terms:
    """The SLA a client's incidents are measured by: targets (reaction, resolution) in working
    minutes per priority, and the working hours (None: round the clock; else Monday-to-Friday
    intervals in minutes of the day, Moscow time)."""

    targets: dict[str, tuple[int, int]]
    hours: tuple[tuple[int, int], ...] | None


def terms_of(plan: DemoPlan, *, today: dt.date) -> dict[str, Terms]:
    """Each client's terms, as the demo's policies give them (``demo.incidents``): by tier, and
    the strict round-the-clock policy for the demo TAM's first client."""
    calendars = {c.name: c for c in plan.calendars}

    def hours_of(calendar_name: str | None):
        spec = calendars.get(calendar_name or "")
        if spec is None or spec.is_always_open:
            return None
        return spec.weekly[0]

    tiers = {
        tier: Terms(_minutes(targets), hours_of(calendar_name))
        for tier, calendar_name, targets in TIER_POLICIES
    }
    terms = {c.code: tiers[c.tier] for c in plan.clients}
    managed = sorted(
        (c for c in plan.clients if _managed_by(c, DEMO_TAM, today)), key=lambda c: c.name
    )
    if managed:
        terms[managed[0].code] = Terms(_minutes(STRICT), None)
    return terms


def _minutes(targets: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
    return {p: (reaction // 60, resolution // 60) for p, (reaction, resolution) in targets.items()}


def _managed_by(client: ClientPlan, username: str, today: dt.date) -> bool:
    return any(
        a.username == username
        and a.role in ("tam", "backup_tam")
        and a.start_on <= today
        and (a.end_on is None or a.end_on >= today)
        for a in client.team
    )


def add_working(start: dt.datetime, minutes: int, hours) -> dt.datetime:
    """``start`` (Moscow time, naive, on a whole minute) plus ``minutes`` of working time."""
    if hours is None:
        return start + dt.timedelta(minutes=minutes)
    at, left = start, minutes
    while True:
        if at.weekday() < 5:
            midnight = at.replace(hour=0, minute=0)
            for begin, end in hours:
                begin_at = max(at, midnight + dt.timedelta(minutes=begin))
                end_at = midnight + dt.timedelta(minutes=end)
                if begin_at >= end_at:
                    continue
                available = int((end_at - begin_at) / MINUTE)
                if left <= available:
                    return begin_at + dt.timedelta(minutes=left)
                left -= available
        at = (at + dt.timedelta(days=1)).replace(hour=0, minute=0)


# --- the plan of one incident ------------------------------------------------------------------


@dataclass
class Row:
    """One update of an incident: what changed at ``at`` (Moscow time, naive)."""

    at: dt.datetime
    state: str
    group: str  # department code
    assignee: str  # full name, "" for none


@dataclass
class HistoryIncident:
    number: str
    client: ClientPlan
    priority: str
    opened_at: dt.datetime  # Moscow time, naive
    title: str
    category: str
    subcategory: str
    symptom: str
    component: str
    caller: str
    opened_by: str  # full name
    contact_type: str
    vendor: str
    close_code: str
    knowledge: bool
    rows: list[Row] = field(default_factory=list)
    reaction_breached: bool = False
    resolution_breached: bool = False
    made_sla: bool = True

    @property
    def resolved_at(self) -> dt.datetime:
        """The last resolution (every incident of the history is resolved)."""
        return [row.at for row in self.rows if row.state == "Resolved"][-1]


@dataclass
class History:
    """The generated log: its incidents (each with its rows) and the window it covers."""

    start: dt.datetime  # Moscow time, naive: the first day of the first month
    end: dt.datetime  # the day before the load, 00:00: every incident is resolved before it
    incidents: list[HistoryIncident]
    usernames: dict[str, str] = field(default_factory=dict)  # full name → user name

    @property
    def rows(self) -> int:
        return sum(len(incident.rows) for incident in self.incidents)

    def csv_text(self) -> str:
        return write_csv(self)

    def csv_bytes(self) -> bytes:
        return self.csv_text().encode()


def window(today: dt.date, months: int = MONTHS) -> tuple[dt.datetime, dt.datetime]:
    """The first instant of the history (the first day of the month ``months`` before
    ``today``'s) and its end (``today`` minus one day, 00:00), Moscow time."""
    year, month = _shift(today.year, today.month, -months)
    start = dt.datetime(year, month, 1)  # noqa: DTZ001  (the instance's local time)
    end = dt.datetime.combine(today - dt.timedelta(days=1), dt.time())
    return start, end


def build_history(
    plan: DemoPlan, *, today: dt.date, incidents: int = DEFAULT_INCIDENTS, months: int = MONTHS
) -> History:
    """The history of ``plan``'s clients up to the day before ``today`` (a Moscow date):
    ``months`` full months and the current one to date, about ``incidents`` in the full
    months."""
    if incidents < 0 or months < 1:
        raise ValueError("incidents must be 0 or more and months 1 or more")
    start, end = window(today, months)
    terms = terms_of(plan, today=today)
    people = _people(plan)
    troubled = _troubled(plan)
    per_month = incidents / months
    history = []
    year, month = start.year, start.month
    number = FIRST_NUMBER + _numbered_before(plan, year, month, per_month)
    while (year, month) <= (today.year, today.month):
        made = _month(plan, year, month, per_month, terms, people, troubled)
        for incident in made:
            incident.number = f"INC{number:07d}"
            number += 1
            if incident.resolved_at < end:
                incident.rows = [row for row in incident.rows if row.at < end]
                history.append(incident)
        year, month = _shift(year, month, 1)
    history.sort(key=lambda incident: incident.number)
    usernames = {person.full_name: person.username for person in plan.people}
    return History(start=start, end=end, incidents=history, usernames=usernames)


def _shift(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + months
    return index // 12, index % 12 + 1


def _month_rng(plan: DemoPlan, year: int, month: int, per_month: float) -> random.Random:
    return random.Random(f"demo-history:{plan.seed}:{per_month:.3f}:{year}-{month:02d}")  # noqa: S311


def _month_size(plan: DemoPlan, year: int, month: int, per_month: float) -> tuple[int, float]:
    """A month's number of incidents and its breach factor (from the first draw of its
    generator, so a month's size is known without generating it). Every fourth month is a bad
    one (a migration, a vendor's bug: breaches nearly double), the second after it a good one:
    any six months show a trend."""
    rng = _month_rng(plan, year, month, per_month)
    phase = (year * 12 + month + plan.seed) % 4
    factor = {0: 1.8, 2: 0.6}.get(phase, 1.0)
    size = round(per_month * rng.uniform(0.85, 1.15) * (1.15 if phase == 0 else 1.0))
    return size, factor


def _numbered_before(plan: DemoPlan, year: int, month: int, per_month: float) -> int:
    """How many incidents the months from ``NUMBERING_FROM`` up to (not including) ``year``-
    ``month`` are numbered with."""
    total = 0
    y, m = NUMBERING_FROM
    while (y, m) < (year, month):
        total += _month_size(plan, y, m, per_month)[0]
        y, m = _shift(y, m, 1)
    return total


def _troubled(plan: DemoPlan) -> set[str]:
    """The clients whose incidents breach twice as often (one in eight, at least one)."""
    rng = random.Random(f"demo-history:{plan.seed}:troubled")  # noqa: S311
    count = max(1, len(plan.clients) // 8)
    return {c.code for c in rng.sample(list(plan.clients), min(count, len(plan.clients)))}


def _people(plan: DemoPlan) -> dict[str, list[str]]:
    """Engineers' full names by department code."""
    people: dict[str, list[str]] = {}
    for person in plan.people:
        if person.department:
            people.setdefault(person.department, []).append(person.full_name)
    return people


def _month(plan, year, month, per_month, terms, people, troubled) -> list[HistoryIncident]:
    size, month_factor = _month_size(plan, year, month, per_month)
    rng = _month_rng(plan, year, month, per_month)
    rng.random()  # the size's draw
    weights = [
        TIER_WEIGHTS.get(c.tier, 1.0) * STATUS_WEIGHTS.get(c.status, 1.0) for c in plan.clients
    ]
    # One incident for every client when the month is big enough, the rest drawn by weight:
    # exactly ``size`` in all (the numbering counts on it).
    firsts = list(plan.clients) if size >= 2 * len(plan.clients) else []
    drawn = firsts + rng.choices(plan.clients, weights, k=size - len(firsts))
    days = calendar.monthrange(year, month)[1]
    made = []
    for client in drawn:
        factor = month_factor * (2.0 if client.code in troubled else 1.0)
        opened = _opening(rng, year, month, days, terms[client.code].hours)
        made.append(_incident(rng, client, opened, terms[client.code], people, factor))
    made.sort(key=lambda incident: incident.opened_at)  # stable: ties keep the drawing order
    return made


def _opening(rng: random.Random, year: int, month: int, days: int, hours) -> dt.datetime:
    """Mostly in office hours on weekdays; round-the-clock clients call at night too."""
    daytime = 0.9 if hours is not None else 0.7
    for _ in range(20):
        day, hour, minute = rng.randint(1, days), rng.randint(0, 23), rng.randint(0, 59)
        at = dt.datetime(year, month, day, hour, minute)  # noqa: DTZ001  (local, as exported)
        if rng.random() > daytime or (at.weekday() < 5 and 8 <= at.hour < 19):
            return at
    return at


def _pick(rng: random.Random, weighted) -> str:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


def _incident(rng, client, opened_at, terms, people, factor) -> HistoryIncident:
    priority = _pick(rng, [(p, spec[2]) for p, spec in PRIORITIES.items()])
    components = list(client.components)
    component = rng.choice(components) if components else None
    owner = component.department if component is not None else "support"
    alert = rng.random() < 0.25  # a monitoring alert: the duty shift answers
    first_group = "duty" if alert else "support"
    category, subcategory, titles = TOPICS.get(owner, TOPICS["support"])
    contacts = [contact.name for contact in client.contacts if contact.is_active]
    incident = HistoryIncident(
        number="",
        client=client,
        priority=priority,
        opened_at=opened_at,
        title=rng.choice(titles),
        category=category,
        subcategory=subcategory,
        symptom=rng.choice(SYMPTOMS),
        component=component.name if component is not None else "",
        caller=rng.choice(contacts) if contacts and not alert else "",
        opened_by=_someone(rng, people, first_group),
        contact_type="Monitoring"
        if alert
        else _pick(rng, [("Phone", 4), ("Email", 4), ("Self-service", 2)]),
        vendor="",
        close_code=_pick(rng, CLOSE_CODES),
        knowledge=rng.random() < 0.1,
    )
    reaction_target, resolution_target = terms.targets[priority]
    # Working minutes to the first response and to the resolution (pauses excluded).
    incident.reaction_breached = rng.random() < REACTION_BREACH * factor
    incident.resolution_breached = rng.random() < RESOLUTION_BREACH * factor
    reaction = _share(rng, reaction_target, incident.reaction_breached, low=0.05)
    resolution = _share(rng, resolution_target, incident.resolution_breached, low=0.15)
    if resolution < reaction + 10:  # an answer late enough leaves no time to resolve in
        resolution = reaction + rng.randint(10, 60)
        incident.resolution_breached = resolution > resolution_target
        if abs(resolution - resolution_target) < 3:
            resolution = resolution_target + 5
            incident.resolution_breached = True

    # The work after the first response, in working minutes, cut by the updates between.
    groups = [first_group]
    if owner != first_group and rng.random() < 0.65:
        groups.append(owner)
        onward = ESCALATIONS.get(owner, ())
        if onward and rng.random() < 0.25:
            groups.append(rng.choice(onward))
    steps: list[tuple[str, str]] = [("Active", group) for group in groups[1:]]
    if rng.random() < 0.18:
        steps.insert(rng.randint(0, len(steps)), ("Awaiting User Info", ""))
    if owner in VENDORS and len(groups) > 1 and rng.random() < 0.25:
        steps.append(("Awaiting Vendor", ""))
        incident.vendor = VENDORS[owner]
    reopen = rng.random() < 0.04
    work = resolution - reaction
    cuts = sorted(rng.randint(1, max(1, work - 1)) for _ in range(len(steps) + reopen))

    hours = terms.hours
    holder = {"group": first_group, "assignee": ""}
    rows = incident.rows

    def row(at, state, **changes):
        holder.update(changes)
        rows.append(Row(at, state, holder["group"], holder["assignee"]))

    row(opened_at, "New")
    at = add_working(opened_at, reaction, hours)
    row(at, "Active", assignee=_someone(rng, people, first_group))
    done = 0
    for cut, (state, group) in zip(cuts, steps, strict=False):
        at = add_working(at, cut - done, hours)
        done = cut
        if state == "Active":
            row(at, "Active", group=group, assignee=_someone(rng, people, group))
            continue
        row(at, state)  # a pause, then back to work after a while (wall time)
        waited = rng.randint(60, 2 * 24 * 60 if state == "Awaiting User Info" else 5 * 24 * 60)
        at += dt.timedelta(minutes=waited)
        row(at, "Active")
    if reopen:
        cut = cuts[-1]
        at = add_working(at, cut - done, hours)
        done = cut
        row(at, "Resolved")
        at += dt.timedelta(minutes=rng.randint(60, int(AUTO_CLOSE / MINUTE) - 60))
        row(at, "Active")
    at = add_working(at, work - done, hours)
    row(at, "Resolved")
    row(at + AUTO_CLOSE, "Closed")

    incident.made_sla = not (incident.reaction_breached or incident.resolution_breached)
    if rng.random() < WRONG_VERDICT:
        incident.made_sla = not incident.made_sla
    return incident


def _share(rng: random.Random, target: int, breached: bool, *, low: float) -> int:
    """Working minutes spent against ``target``: well within it, or well past it (never within
    a few minutes of it, so minute-rounded times keep the verdict)."""
    if breached:
        return max(target + 5, round(target * rng.uniform(1.1, 2.2)))
    return max(1, min(target - 5, round(target * rng.uniform(low, 0.85))))


def _someone(rng: random.Random, people: dict[str, list[str]], department: str) -> str:
    names = people.get(department) or people.get("support") or [""]
    return rng.choice(names)


# --- the CSV ------------------------------------------------------------------------------------


def stamp(at: dt.datetime | None) -> str:
    """ServiceNow's export format: day first, no zero padding of day and month, no seconds."""
    if at is None:
        return "?"
    return f"{at.day}/{at.month}/{at.year} {at.hour:02d}:{at.minute:02d}"


def _username(full_name: str, usernames: dict[str, str]) -> str:
    return usernames.get(full_name, "?")


def write_csv(history: History) -> str:
    """The event log as ServiceNow exports it: one row per update (ordered by number and
    update), every field quoted, ``?`` for empty."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(COLUMNS)
    usernames = history.usernames
    for incident in history.incidents:
        impact, urgency = PRIORITIES[incident.priority][0]
        priority_label = PRIORITIES[incident.priority][1]
        reassignments = reopens = 0
        resolved_at = closed_at = None
        resolved_by = ""
        group = None
        reaction_known = False
        was_resolved = False
        for count, row in enumerate(incident.rows):
            if group is not None and row.group != group:
                reassignments += 1
            group = row.group
            if row.state == "Active" and was_resolved:
                reopens += 1
                resolved_at, resolved_by = None, ""
            if row.state == "Resolved":
                resolved_at, resolved_by = row.at, row.assignee
            if row.state == "Closed":
                closed_at = row.at
            was_resolved = row.state in ("Resolved", "Closed")
            reaction_known = reaction_known or row.state != "New"
            final = row.state in ("Resolved", "Closed")
            if final:
                made_sla = incident.made_sla
            else:  # before the end only a late answer is known
                made_sla = not (incident.reaction_breached and reaction_known)
            updated_by = row.assignee or incident.opened_by
            values = {
                "number": incident.number,
                "short_description": incident.title,
                "incident_state": row.state,
                "active": "false" if row.state == "Closed" else "true",
                "reassignment_count": reassignments,
                "reopen_count": reopens,
                "sys_mod_count": count,
                "made_sla": "true" if made_sla else "false",
                "caller_id": incident.caller,
                "company": incident.client.name,
                "opened_by": incident.opened_by,
                "opened_at": stamp(incident.opened_at),
                "sys_created_by": _username(incident.opened_by, usernames),
                "sys_created_at": stamp(incident.opened_at),
                "sys_updated_by": _username(updated_by, usernames),
                "sys_updated_at": stamp(row.at),
                "contact_type": incident.contact_type,
                "location": "",
                "category": incident.category,
                "subcategory": incident.subcategory,
                "u_symptom": incident.symptom,
                "cmdb_ci": incident.component,
                "impact": impact,
                "urgency": urgency,
                "priority": priority_label,
                "assignment_group": GROUPS[row.group],
                "assigned_to": row.assignee,
                "knowledge": "true" if incident.knowledge else "false",
                "u_priority_confirmation": "false",
                "notify": "Do Not Notify",
                "problem_id": "",
                "rfc": "",
                "vendor": incident.vendor if row.state == "Awaiting Vendor" else "",
                "caused_by": "",
                "closed_code": incident.close_code if final else "",
                "resolved_by": resolved_by if final else "",
                "resolved_at": stamp(resolved_at) if final else "?",
                "closed_at": stamp(closed_at),
            }
            writer.writerow([_empty(values[column]) for column in COLUMNS])
    return out.getvalue()


def _empty(value) -> str:
    text = str(value)
    return text if text else "?"


# --- the import ---------------------------------------------------------------------------------

#: Who imports the history: the demo administrator (an administrator imports into any client).
IMPORTER = "administrator"


def history_path() -> Path:
    """Where the demo writes its history: ``$TAMDESK_HOME/demo/``."""
    return Path(settings.HOME) / "demo" / FILE_NAME


def load_history(
    plan: DemoPlan,
    *,
    incidents: int = DEFAULT_INCIDENTS,
    now: dt.datetime | None = None,
    path: Path | None = None,
) -> IncidentImport | None:
    """Write the history of ``plan`` as of ``now`` to ``path`` and import it as the demo
    administrator (``sla.imports.runs``): a recorded, completed run whose reconciliation the
    Imports list shows. Returns the ``IncidentImport``, or None when there is nothing to
    import (``incidents`` is 0) or nobody to import it (the administrator account is not an
    administrator: it existed before the demo with other roles).

    Loading again imports the same incidents (the same numbers and updates): the run finds
    them unchanged; a later day's file adds the incidents resolved since and the closings."""
    if incidents <= 0:
        return None
    importer = get_user_model().objects.filter(username=IMPORTER).first()
    if importer is None or not permissions.imports_into_any_client(importer):
        return None
    now = now or timezone.now()
    history = build_history(plan, today=now.astimezone(ZONE).date(), incidents=incidents)
    path = path or history_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(history.csv_bytes())
    row = runs.start_import(
        by=importer,
        preset=PRESET,
        file_name=path.name,
        options={
            "path": str(path.resolve()),
            "mapping": str(MAPPING_FILE),
            "source_system": SOURCE_SYSTEM,
        },
    )
    return runs.run_import(row.pk, now=now)
