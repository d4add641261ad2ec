"""The playbooks tamdesk ships: reusable decompositions of common changes into department tasks,
as data, and the loader that writes them (called by a data migration, safe to run again).

Department codes are those of the organisation's departments (see ``tamdesk.demo.data``); a
playbook naming a department that does not exist is refused when it is applied, not loaded."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class PlaybookTask:
    key: str
    department: str  # department code
    title: str
    description: str
    estimate_hours: str  # decimal, working hours


@dataclass(frozen=True)
class PlaybookDependency:
    predecessor: str  # task key
    successor: str
    kind: str = "fs"
    lag_hours: str = "0"


@dataclass(frozen=True)
class Playbook:
    code: str
    name: str
    description: str
    change_type: str
    tasks: tuple[PlaybookTask, ...]
    dependencies: tuple[PlaybookDependency, ...]


T, D = PlaybookTask, PlaybookDependency

WEB_PROJECT = Playbook(
    code="web-project-landscape",
    name="New web project landscape",
    description=(
        "The landscape for a new web project: network segment, virtual machines, operating "
        "system, nginx and PHP, then monitoring and backup of the result."
    ),
    change_type="normal",
    tasks=(
        T("network", "network",
          "Network segment, firewall rules and public addresses",
          "Allocate a VLAN and a private subnet for the project, publish the public addresses "
          "on the edge firewall (80/443 from the Internet, 22 from the client's office VPN "
          "only), add the load-balancer virtual server and document the addressing plan.",
          "6"),
        T("vms", "vmware",
          "Virtual machines: two web nodes and a database node",
          "Create the tenant resource pool and three VMs from the hardened template (web-1, "
          "web-2: 4 vCPU, 8 GB RAM, 60 GB; db-1: 8 vCPU, 32 GB RAM, 200 GB on the fast "
          "datastore), attach them to the project VLAN, anti-affinity rule for the web nodes.",
          "8"),
        T("os", "unix",
          "Operating system: install, harden and enrol in configuration management",
          "Debian stable on all three VMs: partitioning per the standard, SSH keys of the "
          "client's administrators, time sync, unattended security updates, the baseline "
          "hardening role, enrolment in configuration management and central logging.",
          "8"),
        T("nginx", "unix",
          "nginx: virtual hosts, TLS certificates and load-balancer health checks",
          "Install nginx on the web nodes, the client's virtual hosts, Let's Encrypt "
          "certificates with automatic renewal, HTTP→HTTPS redirect, a /healthz location for "
          "the load balancer, access and error logs shipped to central logging.",
          "6"),
        T("php", "unix",
          "PHP-FPM runtime with the extensions the application needs",
          "PHP-FPM of the version the client's application supports, the extensions from the "
          "client's list (intl, mbstring, gd, pdo_mysql, opcache), pool sizing for 8 GB nodes, "
          "sessions in the shared store, a deploy user and directory layout agreed with the "
          "client's developers.",
          "6"),
        T("monitoring", "monitoring",
          "Monitoring: hosts, services, the site's availability and alert routing",
          "Add the three hosts and their services (nginx, PHP-FPM, disk, memory), an external "
          "HTTP check of the site and its certificate expiry, dashboards for the client, alerts "
          "routed to the duty shift and the TAM.",
          "4"),
        T("backup", "backup",
          "Backup: VM images nightly, files and database dumps, a test restore",
          "Nightly image backups of the three VMs with 14-day retention and a weekly copy to the "
          "second site, file-level backup of the web root, database dumps every 4 hours; a test "
          "restore of one web node to prove the policy.",
          "5"),
    ),
    dependencies=(
        D("network", "vms"),
        D("vms", "os"),
        D("os", "nginx"),
        D("os", "php"),
        D("nginx", "monitoring"),
        D("php", "monitoring"),
        D("os", "backup", lag_hours="2"),
    ),
)  # fmt: skip

DATABASE_MIGRATION = Playbook(
    code="database-migration",
    name="Database migration",
    description=(
        "Move a client's database to a new server or version with replication, a rehearsal and "
        "a short switch-over window, with backup and monitoring of the new server."
    ),
    change_type="normal",
    tasks=(
        T("assess", "dba",
          "Assess the source database and plan the migration",
          "Inventory the schemas, sizes, extensions, jobs and connected applications; check "
          "version incompatibilities; choose the method (logical replication or dump and "
          "restore) and agree the switch-over window and rollback criteria with the client.",
          "8"),
        T("vm", "vmware",
          "Virtual machine for the new database server",
          "Create the VM sized from the assessment (CPU, RAM, disks on the fast datastore with "
          "separate volumes for data and WAL), in the client's database network segment.",
          "4"),
        T("os", "unix",
          "Operating system tuned for the database",
          "Install and harden the OS, kernel parameters for the database (huge pages, "
          "swappiness, I/O scheduler), file systems for data and WAL, enrol in configuration "
          "management.",
          "6"),
        T("firewall", "network",
          "Network access between the old server, the new one and the applications",
          "Open replication traffic from the old server to the new one and the database port "
          "from the application servers; prepare the DNS or load-balancer change for the "
          "switch-over.",
          "3"),
        T("replica", "dba",
          "Install the new server and start replication from the old one",
          "Install the target version, roles and configuration, start replication (or the "
          "initial load) and watch the lag until it stays near zero.",
          "12"),
        T("backup", "backup",
          "Backup of the new server before the switch-over",
          "Configure the database backup (full nightly, WAL or log archiving for point-in-time "
          "recovery) and verify a restore of the replica to a scratch VM.",
          "5"),
        T("rehearsal", "dba",
          "Rehearse the switch-over and the rollback",
          "Run the switch-over on a copy with the client's test suite, measure the downtime, "
          "rehearse the rollback and correct the runbook.",
          "8"),
        T("monitoring", "monitoring",
          "Monitoring of the new database server",
          "Checks for availability, replication lag, connections, locks, disk and backup "
          "freshness; dashboards; alerts routed to the DBA queue.",
          "3"),
        T("cutover", "dba",
          "Switch-over in the agreed window",
          "Stop writes, let replication catch up, promote the new server, switch the "
          "applications, run the client's checks, keep the old server read-only for the "
          "rollback period.",
          "4"),
    ),
    dependencies=(
        D("assess", "vm"),
        D("vm", "os"),
        D("os", "replica"),
        D("firewall", "replica"),
        D("assess", "firewall"),
        D("replica", "backup", kind="ss", lag_hours="4"),
        D("replica", "rehearsal"),
        D("backup", "rehearsal"),
        D("os", "monitoring", lag_hours="4"),
        D("rehearsal", "cutover", lag_hours="8"),
        D("monitoring", "cutover"),
    ),
)  # fmt: skip

DDOS_ONBOARDING = Playbook(
    code="ddos-protection-onboarding",
    name="DDoS protection onboarding",
    description=(
        "Put a client's public services behind DDoS protection: traffic profile, filtering "
        "policy, the routing change and alerting — the TAM's answer to repeated attacks."
    ),
    change_type="normal",
    tasks=(
        T("profile", "cyber-defense",
          "Traffic profile and attack history",
          "Collect four weeks of flow data for the client's prefixes, the attacks seen so far "
          "(volume, vectors, duration), the legitimate peaks and the services behind each "
          "address.",
          "6"),
        T("policy", "cyber-defense",
          "Filtering policy and thresholds",
          "Per protected address: the services and ports to pass, rate thresholds from the "
          "profile, geo and reputation rules, the challenge mode for HTTP; agreed with the "
          "client's technical contact.",
          "8"),
        T("routing", "network",
          "Route the client's prefixes through the scrubbing center",
          "BGP announcements or the GRE/diversion setup so that the protected prefixes pass "
          "the scrubbing center, return path for clean traffic, a rollback plan for the "
          "announcement.",
          "6"),
        T("test", "cyber-defense",
          "Controlled test with the client",
          "Agreed test window: generate test attack traffic, check that legitimate traffic "
          "passes and the attack is filtered, tune false positives.",
          "4"),
        T("monitoring", "monitoring",
          "Attack alerts and a client dashboard",
          "Alerts on attack start and end to the duty shift, the cyber-defense center and the "
          "TAM; a dashboard of clean and dropped traffic for the client.",
          "3"),
    ),
    dependencies=(
        D("profile", "policy"),
        D("profile", "routing", kind="ss", lag_hours="4"),
        D("policy", "test"),
        D("routing", "test"),
        D("routing", "monitoring"),
    ),
)  # fmt: skip

BACKUP_ONBOARDING = Playbook(
    code="backup-onboarding",
    name="Backup onboarding",
    description=(
        "Start backing up a client's systems: scope and retention, network access to the "
        "backup infrastructure, agents, the first full copy, a test restore and monitoring."
    ),
    change_type="standard",
    tasks=(
        T("scope", "backup",
          "Scope, schedule and retention agreed with the client",
          "List the systems and data to protect, the recovery point and time objectives, "
          "schedules and retention, copies to the second site; estimate the storage.",
          "4"),
        T("network", "network",
          "Network access to the backup infrastructure",
          "Route and firewall rules from the client's segment to the backup proxies and "
          "storage; bandwidth limits for the working day.",
          "3"),
        T("agents", "unix",
          "Backup agents and application-consistent snapshots",
          "Install and register the agents, pre- and post-scripts for consistent snapshots of "
          "the applications and databases, exclusions agreed in the scope.",
          "4"),
        T("jobs", "backup",
          "Backup jobs and the first full copy",
          "Create the jobs per the agreed schedule and retention, run the first full backup "
          "outside working hours and check its completeness.",
          "6"),
        T("restore", "backup",
          "Test restore",
          "Restore a representative system and a sample of files to an isolated network, "
          "record the restore time against the objective and give the client the report.",
          "4"),
        T("monitoring", "monitoring",
          "Monitoring of backup results",
          "Alerts on failed or missed jobs and on copies older than the recovery point "
          "objective, routed to the backup queue and the TAM.",
          "2"),
    ),
    dependencies=(
        D("scope", "network"),
        D("scope", "agents"),
        D("network", "jobs"),
        D("agents", "jobs"),
        D("jobs", "restore", lag_hours="2"),
        D("jobs", "monitoring"),
    ),
)  # fmt: skip

PLAYBOOKS: tuple[Playbook, ...] = (
    WEB_PROJECT,
    DATABASE_MIGRATION,
    DDOS_ONBOARDING,
    BACKUP_ONBOARDING,
)


def load_playbooks(
    template_model, task_model, dependency_model, *, playbooks=PLAYBOOKS, replace: bool = False
) -> int:
    """Write the shipped playbooks with the given models (the historical ones in a migration,
    ``ChangeTemplate``, ``TemplateTask``, ``TemplateDependency`` otherwise). A playbook already
    there (by code) is left as people edited it, unless ``replace``. Returns how many were
    written."""
    written = 0
    for playbook in playbooks:
        template = template_model.objects.filter(code=playbook.code).first()
        if template is not None and not replace:
            continue
        if template is None:
            template = template_model(code=playbook.code)
        template.name = playbook.name
        template.description = playbook.description
        template.change_type = playbook.change_type
        template.is_active = True
        template.save()
        dependency_model.objects.filter(template=template).delete()
        task_model.objects.filter(template=template).delete()
        tasks = {}
        for position, task in enumerate(playbook.tasks, start=1):
            tasks[task.key] = task_model.objects.create(
                template=template,
                key=task.key,
                department_code=task.department,
                title=task.title,
                description=task.description,
                estimate_hours=Decimal(task.estimate_hours),
                position=position,
            )
        dependency_model.objects.bulk_create(
            dependency_model(
                template=template,
                predecessor=tasks[dep.predecessor],
                successor=tasks[dep.successor],
                kind=dep.kind,
                lag_hours=Decimal(dep.lag_hours),
            )
            for dep in playbook.dependencies
        )
        written += 1
    return written
