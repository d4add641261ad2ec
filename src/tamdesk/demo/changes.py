"""The demo's change requests: eleven changes of the TAMs' clients in every status, dated
relative to the load — so that a TAM who logs in right after ``make demo`` finds work in progress,
a change at risk, changes already late, and the history of the finished ones.

Every change is made through the changes services (``tamdesk.changes.services``), step by step
with ``now`` in the past, so the schedule, readiness, the activity timeline and the
notifications are real. Past steps happen on weekdays at Moscow office hours; the load ends by
re-scheduling the open changes as of the load (what the periodic job does every 15 minutes).

Each scenario has a fixed title, so loading again adds nothing. The schedule outcomes are built
to hold whatever the day and hour of the load: a late change has more work left than the office
calendar allows before its committed date; the change at risk is committed, at the load, to the
day its forecast falls on (less than a working day of slack left); on-track ones are committed a
month or more ahead.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from tamdesk.changes import rescheduling, services
from tamdesk.changes.choices import ChangeStatus
from tamdesk.changes.models import ChangeRequest, ChangeTemplate, DepartmentTask
from tamdesk.core.roles import Role
from tamdesk.demo.incidents import DEMO_TAM
from tamdesk.directory.choices import AccountRole, ClientStatus, ContactKind
from tamdesk.directory.models import AccountTeamAssignment, Client, Department, Engineer

# Past steps happen in the head office's working day (the demo's office calendar).
OFFICE_ZONE = zoneinfo.ZoneInfo("Europe/Moscow")
LOAD = (0, 0.0)  # a step "at the load"
# The steps that move the change itself, and where to.
TRANSITIONS = {
    "plan": ChangeStatus.PLANNED,
    "hold": ChangeStatus.ON_HOLD,
    "done": ChangeStatus.DONE,
    "cancel": ChangeStatus.CANCELLED,
}


@dataclass(frozen=True)
class TaskSpec:
    """A task of a change built by hand; ``after`` holds (predecessor key, "fs" or "ss", lag in
    working hours)."""

    key: str
    department: str
    title: str
    hours: str
    description: str = ""
    after: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class Step:
    """At ``when`` — (weekdays before the load's day, hour in Moscow), or ``LOAD`` — the owner
    (transitions, overrides, cancelling a task, committing) or the task's assignee (the rest)
    does ``action`` to the change or to the task ``task``, with ``value`` (a reason, hours)."""

    when: tuple[int, float]
    action: str
    task: str = ""
    value: str = ""


@dataclass(frozen=True)
class Scenario:
    """One change. ``pool``: "demo" for the clients of the demo TAM, "other" for those of the
    other TAMs; ``slot`` picks the client in the pool (clients with most components first).
    ``committed`` counts weekdays from the load's day (negative: before); a "commit" step
    commits later, to the forecast's day. ``comments`` are (author: "tam" or a task key for its
    assignee, task key or "", text)."""

    title: str
    pool: str
    slot: int
    kinds: tuple[str, ...]  # kinds of the client's components the change affects
    created: tuple[int, float]
    description: str
    implementation_plan: str
    rollback_plan: str
    test_plan: str
    risk_notes: str
    playbook: str = ""
    tasks: tuple[TaskSpec, ...] = ()
    type: str = ""  # empty: the playbook's, else normal
    priority: str = "p3"
    committed: int | None = None
    steps: tuple[Step, ...] = ()
    comments: tuple[tuple[str, str, str], ...] = ()


S, T = Step, TaskSpec

WEB_PORTAL = Scenario(
    "Landscape for the new partner portal", "demo", 0,
    ("network", "virtual_resources", "os", "web_server", "monitoring", "backup"),
    created=(9, 10.5), playbook="web-project-landscape", priority="p2", committed=25,
    description="The client's developers launch a portal for their partners next month and "
    "need a production landscape from us: a network segment, two web nodes behind the load "
    "balancer and a database node, monitored and backed up from day one.",
    implementation_plan="Follow the web project playbook: network segment and firewall rules "
    "first, then the three VMs from the hardened template, the OS baseline, nginx and PHP-FPM "
    "in parallel, monitoring and backup last. The client's developers deploy the application "
    "themselves once nginx and PHP are handed over.",
    rollback_plan="Nothing is in production yet: a failed step is redone. The public addresses "
    "are published only after the client accepts the landscape, so rolling back means "
    "withdrawing the load-balancer virtual server.",
    test_plan="External HTTPS check of the staging host name through the load balancer, a "
    "failover test with one web node stopped, a test restore of one VM from the first backup.",
    risk_notes="The client's developers have not yet confirmed the PHP extensions they need; a "
    "late change of the runtime version would cost a day of rework on both web nodes.",
    steps=(
        S((8, 15), "plan"),
        S((7, 10), "start", "network"), S((7, 16.5), "complete", "network"),
        S((6, 10), "start", "vms"), S((5, 12), "complete", "vms"),
        S((4, 10), "start", "os"),
        S((3, 11), "override", "monitoring",
          "The client's NOC wants the three new hosts in monitoring before go-live; host checks "
          "can start now, the nginx and PHP checks follow when those tasks are done."),
        S((2, 17), "remaining", "os", "3"),
        S((1, 16), "remaining", "monitoring", "2.5"),
    ),
    comments=(
        ("os", "os", "Baseline role applied on all three VMs; waiting for the client's SSH keys "
         "for the deploy user, then the enrolment in configuration management."),
        ("tam", "", "The client confirmed PHP 8.2; the extension list is attached to the ticket. "
         "Go-live stays on the committed date."),
    ),
)  # fmt: skip

DATABASE_MIGRATION = Scenario(
    "Migrate the order database to PostgreSQL 16", "demo", 3,
    ("database", "os", "virtual_resources", "backup"),
    created=(12, 11), playbook="database-migration", priority="p2", committed=1,
    description="The order database runs PostgreSQL 12, out of community support. The client "
    "asked to move it to PostgreSQL 16 on a new server with at most 15 minutes of downtime.",
    implementation_plan="Logical replication from the old server to a new VM with PostgreSQL "
    "16; a rehearsal of the switch-over on a copy with the client's test suite; the switch-over "
    "in the Sunday night window: stop writes, let replication catch up, promote, repoint the "
    "application through DNS.",
    rollback_plan="The old server stays read-only for a week. Until the new server takes writes "
    "the rollback is a DNS change back; after, reverse logical replication is set up before the "
    "switch-over so that the old server follows the new one.",
    test_plan="Row counts and checksums of the 20 largest tables, the client's regression suite "
    "against the replica, a restore of the new server's backup to a scratch VM.",
    risk_notes="Logical replication needs wal_level=logical on the source, which means a restart "
    "of the production primary. Sequences are not replicated and must be synchronised at the "
    "switch-over.",
    steps=(
        S((11, 10), "plan"),
        S((11, 11), "start", "assess"), S((10, 17), "complete", "assess"),
        S((9, 10), "start", "firewall"), S((9, 13), "complete", "firewall"),
        S((9, 14), "start", "vm"), S((8, 12), "complete", "vm"),
        S((8, 14), "start", "os"), S((6, 16), "complete", "os"),
        S((5, 10), "start", "replica"),
        S((3, 15), "remaining", "replica", "14"),
        S((3, 15.5), "block", "replica",
          "The source runs with wal_level=replica; switching to logical needs a restart of the "
          "production primary, and the client has not approved a restart window yet."),
    ),
    comments=(
        ("replica", "replica", "Initial copy tested on a snapshot: 3 h 40 min for 410 GB. "
         "Replication itself can start only after the primary is restarted with "
         "wal_level=logical."),
        ("tam", "", "Asked the client's IT director for a 15-minute restart window this week. "
         "Until then the committed date cannot be met; the client knows."),
    ),
)  # fmt: skip

BACKUP_ONBOARDING = Scenario(
    "Backup of the new document-management servers", "demo", 1,
    ("backup", "virtual_resources", "os"),
    created=(3, 12), playbook="backup-onboarding",
    description="The client moved its document management to three new VMs. They are not "
    "backed up yet, and the client's auditors expect a backup and restore report for them.",
    implementation_plan="Agree scope and retention (nightly, 30 days, a weekly copy to the "
    "second site), open the backup network, install the agents with application-consistent "
    "scripts, run the first full copy at night, then a test restore and the result alerts.",
    rollback_plan="Backup does not change the protected servers; removing the agents and the "
    "jobs undoes it. The first full copy is throttled and stopped if it slows the working day.",
    test_plan="Restore one VM and a sample of documents to an isolated network, open them with "
    "the client's administrator and record the restore time against the 4-hour objective.",
    risk_notes="The committed date is the day the auditors need the report; there is no slack "
    "left if the first full copy of the 2 TB archive does not finish in one night.",
    steps=(S((2, 11), "plan"), S(LOAD, "commit")),
    comments=(
        ("tam", "", "Committed to the auditors' date. Scope meeting first thing tomorrow; the "
         "backup group keeps the night slot free for the first full copy."),
    ),
)  # fmt: skip

DDOS_PROTECTION = Scenario(
    "DDoS protection for the public front-ends", "demo", 0,
    ("network", "security", "web_server"),
    created=(24, 11), playbook="ddos-protection-onboarding", priority="p1", committed=-12,
    description="Two attacks last month took the shop front down for 40 minutes each. The "
    "client asked to put the public addresses behind our scrubbing center.",
    implementation_plan="Traffic profile from four weeks of flow data, a filtering policy per "
    "address agreed with the client, BGP announcement of the protected prefixes through the "
    "scrubbing center, a controlled test, alerts and a dashboard.",
    rollback_plan="Withdraw the announcement through the scrubbing center; traffic returns to "
    "the direct path within BGP convergence (about a minute).",
    test_plan="Test attack traffic in an agreed window while the client's synthetic checks run "
    "checkout end to end; no false positives on the payment callbacks.",
    risk_notes="Payment provider callbacks come from a small set of addresses that must be on "
    "the allow list, or orders stay unpaid.",
    steps=(
        S((23, 10), "plan"),
        S((22, 10), "start", "profile"), S((22, 15), "start", "routing"),
        S((21, 16), "complete", "profile"), S((21, 17), "start", "policy"),
        S((20, 12), "complete", "routing"), S((20, 14), "start", "monitoring"),
        S((20, 17), "complete", "monitoring"), S((19, 15), "complete", "policy"),
        S((18, 11), "start", "test"), S((18, 15), "complete", "test"),
        S((17, 10), "done"),
    ),
    comments=(
        ("test", "test", "Test passed: 8 Gbit/s of SYN and HTTP flood filtered, checkout and "
         "payment callbacks unaffected. Two false positives on the mobile API fixed."),
        ("tam", "", "The attack on Tuesday was filtered with no impact on the shop; the client "
         "thanked the team."),
    ),
)  # fmt: skip

FILE_SERVER = Scenario(
    "Move the file shares to Windows Server 2022", "demo", 2,
    ("os", "virtual_resources", "backup"),
    created=(15, 10), committed=30,
    description="The file server runs Windows Server 2012 R2, out of support. The shares move "
    "to a new Windows Server 2022 VM behind the existing DFS namespace, so users notice nothing.",
    implementation_plan="New VM, Windows Server 2022 joined to the domain, a pre-seed of the data "
    "with robocopy while the old server works, backup of the new server, then the cut-over: a "
    "last delta copy and the DFS targets switched in the evening.",
    rollback_plan="Switch the DFS targets back to the old server, which stays untouched and "
    "read-write until the client accepts the move.",
    test_plan="Compare file counts and ACLs per share, open files as users of three departments, "
    "check the shadow copies and a restore from the new backup.",
    risk_notes="The personnel archive share holds personal data; moving it needs the approval of "
    "the client's legal department.",
    tasks=(
        T("os", "microsoft", "Windows Server 2022 VM, domain join and DFS target", "8",
          "A 4 vCPU, 16 GB VM with a 3 TB data disk from the hardened template, joined to the "
          "domain and added as a disabled DFS target for each share."),
        T("seed", "microsoft", "Pre-seed the shares with robocopy", "10",
          "Copy the data with ACLs while the old server works; a nightly delta until the "
          "cut-over.", after=(("os", "fs", "0"),)),
        T("backup", "backup", "Backup of the new file server", "3",
          "File-level jobs per share with 30-day retention; shadow copies on the data disk.",
          after=(("seed", "ss", "2"),)),
        T("cutover", "microsoft", "Cut-over: last delta, DFS targets switched", "3",
          "In the evening window: last delta copy, enable the new targets, disable the old "
          "ones, old server read-only.", after=(("seed", "fs", "0"), ("backup", "fs", "0"))),
    ),
    steps=(
        S((14, 11), "plan"),
        S((12, 10), "start", "os"), S((11, 15), "complete", "os"),
        S((10, 10), "start", "seed"), S((9, 16), "remaining", "seed", "6"),
        S((9, 17), "hold", "",
          "Paused at the client's request: the legal department has to approve moving the "
          "personnel archive share first."),
    ),
    comments=(
        ("seed", "seed", "All shares except the personnel archive are copied; the nightly delta "
         "keeps running while the change is on hold."),
    ),
)  # fmt: skip

MONITORING_HANDOVER = Scenario(
    "Hand monitoring over to the client's own Zabbix", "demo", 4,
    ("monitoring", "network"),
    created=(11, 11), committed=-2,
    description="The client planned to run monitoring in-house and asked us to move the hosts, "
    "templates and alert routing to their own Zabbix server.",
    implementation_plan="Export our templates, hosts and triggers, install a Zabbix proxy in the "
    "client's network, open the firewall from the proxy to the client's server, run both in "
    "parallel for a week, then switch the alert routing.",
    rollback_plan="Our monitoring keeps running during the parallel run; switching the alert "
    "routing back is a single change of the action rules.",
    test_plan="Trigger a test alert per host group and confirm it reaches the client's on-call "
    "engineer.",
    risk_notes="During the parallel run alerts may reach both teams; the duty shift must know "
    "which ones to act on.",
    tasks=(
        T("export", "monitoring", "Export templates, hosts and triggers", "4"),
        T("proxy", "monitoring", "Zabbix proxy in the client's network", "6",
          after=(("export", "fs", "0"),)),
        T("firewall", "network", "Firewall rules from the proxy to the client's Zabbix", "2",
          after=(("proxy", "ss", "2"),)),
    ),
    steps=(
        S((10, 10), "plan"),
        S((9, 10), "start", "export"), S((9, 15), "complete", "export"),
        S((8, 10), "start", "proxy"),
        S((7, 12), "cancel", "",
          "After the contract review the client decided to keep monitoring with us; there is "
          "nothing to hand over."),
    ),
)  # fmt: skip

LINUX_PATCHING = Scenario(
    "Quarterly patching of the Linux servers", "demo", 1,
    ("os", "web_server"),
    created=(1, 16),
    description="The quarterly round of security updates and the new kernel for the client's "
    "Linux servers, in the maintenance window the client agrees.",
    implementation_plan="Snapshots of the VMs, the monitoring maintenance window, updates and "
    "reboots one node at a time behind the load balancer, then service checks and removal of "
    "the snapshots.",
    rollback_plan="Revert the snapshot of a node whose services do not come back; the load "
    "balancer keeps the other node serving.",
    test_plan="The client's smoke test of the site after each node, our service checks green.",
    risk_notes="Kernel updates need reboots; the client has not yet chosen the window.",
    tasks=(
        T("snapshots", "vmware", "Snapshots of the VMs before patching", "1"),
        T("patch", "unix", "Updates and reboots in the maintenance window", "6",
          after=(("snapshots", "fs", "0"),)),
        T("verify", "unix", "Service checks and removal of the snapshots", "2",
          after=(("patch", "fs", "1"),)),
    ),
)  # fmt: skip

SECOND_CHANNEL = Scenario(
    "Second Internet channel with BGP failover", "other", 0,
    ("network",),
    created=(4, 11), priority="p2", committed=22,
    description="The client's site depends on one Internet channel. A second channel from "
    "another provider with BGP failover removes the single point of failure.",
    implementation_plan="Order the channel and agree the BGP parameters, configure the sessions "
    "and route policies on both edge routers once the provider has the port ready, monitor both "
    "channels, then test the failover in an agreed window.",
    rollback_plan="Shut the new BGP sessions down; the existing channel carries the traffic as "
    "before.",
    test_plan="Disconnect the primary channel in the window: traffic moves within 30 seconds, "
    "the site stays reachable from three external probes; then the reverse.",
    risk_notes="The provider provisions the port a working day after the order; its BGP "
    "filters must accept the client's prefixes or the failover does nothing.",
    tasks=(
        T("order", "network", "Order the channel and agree the BGP parameters", "4"),
        T("bgp", "network", "BGP sessions and route policies on both edge routers", "6",
          after=(("order", "fs", "24"),)),
        T("monitoring", "monitoring", "Monitoring of both channels and the BGP sessions", "3",
          after=(("bgp", "ss", "2"),)),
        T("failover", "network", "Failover test in the agreed window", "2",
          after=(("bgp", "fs", "0"), ("monitoring", "fs", "0"))),
    ),
    steps=(S((3, 15), "plan"),),
)  # fmt: skip

VULNERABILITY_REMEDIATION = Scenario(
    "Remediate the critical findings before the PCI DSS audit", "other", 1,
    ("os", "security", "web_server"),
    created=(7, 10), priority="p1", committed=1,
    description="The quarterly vulnerability scan found critical findings on the web farm "
    "(outdated OpenSSL and kernel). The client's PCI DSS audit needs a clean rescan.",
    implementation_plan="Confirm and rank the findings, then updates and rolling reboots of the "
    "Linux servers in the client's nightly windows, the Windows jump host the same way, and a "
    "rescan for the auditor.",
    rollback_plan="Per server: revert to the pre-patch snapshot taken before its window.",
    test_plan="The client's smoke test after each batch of servers; the rescan shows no critical "
    "or high findings.",
    risk_notes="Reboots are allowed only from 22:00 to 02:00; 40 servers do not fit into the "
    "windows left before the audit date.",
    tasks=(
        T("scan", "cyber-defense", "Confirm the findings and rank them", "4"),
        T("linux", "unix", "Updates and rolling reboots of the Linux servers", "32",
          after=(("scan", "fs", "0"),)),
        T("windows", "microsoft", "Updates of the Windows jump host", "6",
          after=(("scan", "fs", "0"),)),
        T("rescan", "cyber-defense", "Rescan and report for the auditor", "3",
          after=(("linux", "fs", "0"), ("windows", "fs", "0"))),
    ),
    steps=(
        S((7, 12), "plan"),
        S((6, 10), "start", "scan"), S((6, 15), "complete", "scan"),
        S((5, 10), "start", "linux"),
        S((4, 12), "drop", "windows",
          "The client decommissioned the Windows jump host; it is out of the audit scope."),
        S((2, 17), "remaining", "linux", "26"),
    ),
    comments=(
        ("linux", "linux", "11 of 40 servers done. Only the 22:00-02:00 windows are allowed, "
         "three or four servers a night."),
        ("tam", "", "Asked the client to allow daytime reboots of the nodes behind the load "
         "balancer; otherwise the rescan misses the audit date."),
    ),
)  # fmt: skip

VDC_EXTENSION = Scenario(
    "Extend the production virtual data center", "other", 2,
    ("virtual_resources", "monitoring"),
    created=(8, 10), committed=-3, type="standard",
    description="Seasonal load: the client asked for 32 more vCPUs and 128 GB of RAM for the "
    "application servers.",
    implementation_plan="Raise the resource pool limits, resize the four application VMs one at "
    "a time, then raise the monitoring thresholds after an hour under load.",
    rollback_plan="Resize the VMs back and restore the pool limits; nothing else changes.",
    test_plan="Each VM shows the new size after its reboot and the application answers.",
    risk_notes="Each resize needs a reboot of the VM; one at a time behind the load balancer.",
    tasks=(
        T("resize", "vmware", "Resource pool and VM resize", "3"),
        T("thresholds", "monitoring", "Monitoring thresholds for the new sizes", "1",
          after=(("resize", "fs", "1"),)),
    ),
    steps=(
        S((8, 12), "plan"),
        S((7, 10), "start", "resize"), S((7, 13), "complete", "resize"),
        S((7, 17), "start", "thresholds"), S((7, 17.75), "complete", "thresholds"),
        S((6, 10), "done"),
    ),
)  # fmt: skip

REPORTING_DATABASE = Scenario(
    "Move the reporting database to a dedicated server", "other", 3,
    ("database", "virtual_resources"),
    created=(2, 14), playbook="database-migration",
    description="Month-end reports slow the client's main database down. The reporting "
    "database moves to its own server, fed by replication.",
    implementation_plan="The database migration playbook: assessment, a new VM, replication "
    "from the main server, a rehearsal, then the switch of the reporting tool's connection.",
    rollback_plan="Point the reporting tool back to the main database; the replica is removed.",
    test_plan="The client's five heaviest month-end reports run on the new server and give the "
    "same totals.",
    risk_notes="Draft: the client has not chosen between a streaming replica and a nightly "
    "copy; the estimate assumes replication.",
)  # fmt: skip

SCENARIOS: tuple[Scenario, ...] = (
    WEB_PORTAL,
    DATABASE_MIGRATION,
    BACKUP_ONBOARDING,
    DDOS_PROTECTION,
    FILE_SERVER,
    MONITORING_HANDOVER,
    LINUX_PATCHING,
    SECOND_CHANNEL,
    VULNERABILITY_REMEDIATION,
    VDC_EXTENSION,
    REPORTING_DATABASE,
)


def load_changes(*, now: dt.datetime | None = None) -> Counter[str]:
    """The demo's change requests that do not exist yet (by title). Returns the count created."""
    now = (now or timezone.now()).replace(microsecond=0)
    created: Counter[str] = Counter(changes=0)
    existing = set(
        ChangeRequest.objects.filter(title__in=[s.title for s in SCENARIOS]).values_list(
            "title", flat=True
        )
    )
    wanted = [s for s in SCENARIOS if s.title not in existing]
    pools = _pools(now)
    if not wanted or not any(pools.values()):
        return created
    staff = _Staff()
    made = []
    for scenario in wanted:
        pool = pools[scenario.pool] or pools["demo"] or pools["other"]
        client, owner = pool[scenario.slot % len(pool)]
        made.append(_Builder(scenario, client, owner, staff, now).build())
    # What the periodic job does: schedule the open changes as of the load.
    rescheduling.reschedule(ChangeRequest.objects.filter(pk__in=[c.pk for c in made]), now=now)
    created["changes"] = len(made)
    return created


def _pools(now: dt.datetime) -> dict[str, list[tuple[Client, object]]]:
    """Active clients with their current TAM (a user with the TAM role): the demo TAM's, and the
    other TAMs' — clients with the most components first."""
    today = timezone.localdate(now)
    assignments = (
        AccountTeamAssignment.objects.filter(
            role=AccountRole.TAM,
            start_on__lte=today,
            client__status=ClientStatus.ACTIVE,
            user__groups__name=Role.TAM,
        )
        .filter(Q(end_on__isnull=True) | Q(end_on__gte=today))
        .annotate(components=Count("client__components", distinct=True))
        .select_related("client", "user")
        .order_by("-components", "client__name")
    )
    pools: dict[str, list] = {"demo": [], "other": []}
    for assignment in assignments:
        pool = "demo" if assignment.user.username == DEMO_TAM else "other"
        pools[pool].append((assignment.client, assignment.user))
    return pools


class _Staff:
    """Engineers to assign, per department, in turn: those who are not TAMs, the demo's
    ``engineer`` account first."""

    def __init__(self) -> None:
        self.by_department: dict[int, list] = {}
        self.turn: Counter[int] = Counter()
        engineers = Engineer.objects.exclude(user__groups__name=Role.TAM).select_related("user")
        for engineer in sorted(engineers, key=_engineer_first):
            self.by_department.setdefault(engineer.department_id, []).append(engineer.user)

    def next(self, department: Department):
        people = self.by_department.get(department.pk)
        if not people:
            return None
        person = people[self.turn[department.pk] % len(people)]
        self.turn[department.pk] += 1
        return person


def _engineer_first(engineer: Engineer) -> tuple[bool, str]:
    return engineer.user.username != "engineer", engineer.user.username


class _Builder:
    """Makes one scenario's change through the services, step by step."""

    def __init__(self, scenario: Scenario, client: Client, owner, staff: _Staff, now) -> None:
        self.scenario, self.client, self.owner = scenario, client, owner
        self.staff, self.now = staff, now
        self.tasks: dict[str, DepartmentTask] = {}
        self.assignees: dict[str, object] = {}
        self.change: ChangeRequest | None = None

    def at(self, when: tuple[int, float]) -> dt.datetime:
        """``when`` as an instant: that many weekdays before the load's day (in Moscow), at that
        hour; ``LOAD`` is the load itself."""
        days, hour = when
        if days == 0:
            return self.now
        day = self.now.astimezone(OFFICE_ZONE).date()
        while days:
            day -= dt.timedelta(days=1)
            if day.weekday() < 5:
                days -= 1
        minutes = round(hour * 60)
        return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), OFFICE_ZONE)

    def weekdays_from_today(self, count: int) -> dt.date:
        """The day ``count`` weekdays after the load's day (before it when negative)."""
        day, step = timezone.localdate(self.now), 1 if count > 0 else -1
        while count:
            day += dt.timedelta(days=step)
            if day.weekday() < 5:
                count -= step
        return day

    def build(self) -> ChangeRequest:
        self.create()
        for step in self.scenario.steps:
            self.run(step)
        for author, task_key, body in self.scenario.comments:
            by = self.owner if author == "tam" else self.assignees.get(author) or self.owner
            services.add_comment(
                change=self.change, body=body, by=by, task=self.tasks.get(task_key)
            )
        return self.change

    def create(self) -> None:
        scenario, at = self.scenario, self.at(self.scenario.created)
        committed = scenario.committed
        committed_on = None if committed is None else self.weekdays_from_today(committed)
        fields = {
            "owner": self.owner,
            "priority": scenario.priority,
            "description": scenario.description,
            "requesting_contact": self.contact(),
            "affected_components": self.components(),
            "implementation_plan": scenario.implementation_plan,
            "rollback_plan": scenario.rollback_plan,
            "test_plan": scenario.test_plan,
            "risk_notes": scenario.risk_notes,
            "requested_on": committed_on,
            "committed_on": committed_on,
        }
        if scenario.type:
            fields["type"] = scenario.type
        if scenario.playbook:
            self.from_playbook(fields, at)
        else:
            self.by_hand(fields, at)

    def from_playbook(self, fields: dict, at: dt.datetime) -> None:
        template = ChangeTemplate.objects.get(code=self.scenario.playbook)
        self.change = services.instantiate_template(
            template, by=self.owner, client=self.client, title=self.scenario.title, now=at,
            **fields,
        )  # fmt: skip
        keys = template.tasks.order_by("position", "pk").values_list("key", flat=True)
        tasks = self.change.tasks.select_related("department").order_by("position", "pk")
        # The tasks someone works on get an engineer; the rest wait for their department lead.
        worked = {step.task for step in self.scenario.steps} | {
            author for author, _task, _body in self.scenario.comments
        }
        for key, task in zip(keys, tasks, strict=True):
            assignee = self.staff.next(task.department) if key in worked else None
            if assignee is not None:
                task = services.update_task(task, by=self.owner, assignee=assignee, now=at)
            self.tasks[key], self.assignees[key] = task, assignee

    def by_hand(self, fields: dict, at: dt.datetime) -> None:
        fields.setdefault("type", "normal")
        self.change = services.create_change(
            client=self.client, title=self.scenario.title, by=self.owner, now=at, **fields
        )
        codes = {spec.department for spec in self.scenario.tasks}
        departments = {d.code: d for d in Department.objects.filter(code__in=codes)}
        for spec in self.scenario.tasks:
            department = departments[spec.department]
            assignee = self.staff.next(department)
            self.tasks[spec.key] = services.add_task(
                self.change, department=department, title=spec.title, description=spec.description,
                estimate_hours=Decimal(spec.hours), assignee=assignee, by=self.owner, now=at,
            )  # fmt: skip
            self.assignees[spec.key] = assignee
        for spec in self.scenario.tasks:
            for predecessor, kind, lag in spec.after:
                services.add_dependency(
                    predecessor=self.tasks[predecessor], successor=self.tasks[spec.key],
                    kind=kind, lag_hours=Decimal(lag), by=self.owner, now=at,
                )  # fmt: skip

    def contact(self):
        contacts = [c for c in self.client.contacts.order_by("name") if c.is_active]
        technical = [c for c in contacts if c.kind == ContactKind.TECHNICAL] or contacts
        return technical[SCENARIOS.index(self.scenario) % len(technical)] if technical else None

    def components(self) -> list:
        components = list(self.client.components.order_by("name"))
        chosen = [c for c in components if c.kind in self.scenario.kinds]
        return chosen or components[:1]

    def run(self, step: Step) -> None:
        at, task = self.at(step.when), self.tasks.get(step.task)
        worker = self.assignees.get(step.task) or self.owner
        owner, change = self.owner, self.change
        match step.action:
            case "plan" | "hold" | "done" | "cancel":
                self.change = services.transition_change(
                    change, to=TRANSITIONS[step.action], by=owner, reason=step.value, now=at
                )
            case "start":
                services.start_task(task, by=worker, now=at)
            case "override":
                services.start_task(task, by=owner, override_reason=step.value, now=at)
            case "complete":
                services.complete_task(task, by=worker, now=at)
            case "remaining":
                services.update_task(task, by=worker, remaining_hours=Decimal(step.value), now=at)
            case "block":
                services.block_task(task, reason=step.value, by=worker, now=at)
            case "drop":
                services.cancel_task(task, by=owner, reason=step.value, now=at)
            case "commit":
                self.commit_to_forecast(at)
            case _:
                raise ValueError(f"unknown demo step {step.action!r}")

    def commit_to_forecast(self, at: dt.datetime) -> None:
        """Commit to the day the forecast (as of ``at``) falls on: done that day, no working day
        of slack to spare."""
        rescheduling.reschedule(ChangeRequest.objects.filter(pk=self.change.pk), now=at)
        forecast = ChangeRequest.objects.get(pk=self.change.pk).forecast_finish_at
        day = timezone.localdate(forecast)
        self.change = services.update_change(
            self.change, by=self.owner, committed_on=day, requested_on=day, now=at
        )
