"""A client's landscape for the demo: components by kind, each owned by the department that runs
it (network → network group, virtual resources → VMware or Hyper-V, OS → Unix or Microsoft,
database → DBA, backup → backup, security → cyber-defense center, monitoring → monitoring, web
server and application runtime → Unix or software development, colocation → external DC).

Pure functions of a ``random.Random``: no database, no clock.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace

from tamdesk.demo.data import DOC_NETWORKS, STAFF_DOMAIN
from tamdesk.demo.plan import ComponentPlan
from tamdesk.directory.choices import ComponentKind as K


@dataclass(frozen=True)
class Site:
    """What component names and identifiers of one client are made of."""

    slug: str  # host-name prefix: "volga"
    code: str  # client code: "VOLGA-LOG"
    domain: str  # "volga-logistics.example"


def _ip(rng: random.Random) -> str:
    return f"{rng.choice(DOC_NETWORKS)}.{rng.randint(2, 250)}"


def _subnet(rng: random.Random, size: int) -> tuple[str, str]:
    """A ``/size`` block of a documentation range and its first host address."""
    network_prefix, start = rng.choice(DOC_NETWORKS), rng.randrange(0, 256, 2 ** (32 - size))
    return f"{network_prefix}.{start}/{size}", f"{network_prefix}.{start + 1}"


def _hosts(site: Site, role: str, count: int) -> str:
    return "\n".join(f"{site.slug}-{role}{n:02d}" for n in range(1, count + 1))


def network(rng: random.Random, site: Site, department: str) -> list[ComponentPlan]:
    vlan = rng.randint(100, 3999)
    subnet, gateway = _subnet(rng, 27)
    options = [
        ComponentPlan(
            K.NETWORK,
            department,
            f"Production VLAN {vlan}",
            "Segment of the client's production servers.",
            f"vlan {vlan}\n{subnet}\ngateway {gateway}",
        ),
        ComponentPlan(
            K.NETWORK,
            department,
            f"Edge firewall {site.slug}-fw01",
            "NAT, access rules and the tenant's public addresses.",
            f"{site.slug}-fw01\n{_ip(rng)}",
        ),
        ComponentPlan(
            K.NETWORK,
            department,
            f"Internet channel {rng.choice(['100 Mbit/s', '1 Gbit/s', '10 Gbit/s'])}",
            "Internet access with a block of public addresses.",
            _subnet(rng, 29)[0],
        ),
        ComponentPlan(
            K.NETWORK,
            department,
            "IPsec VPN to the client office",
            "Site-to-site tunnel to the head office.",
            f"peer {_ip(rng)}\nvlan {vlan + 1}",
        ),
        ComponentPlan(
            K.NETWORK,
            department,
            f"Load balancer {site.slug}-lb01",
            "Balances HTTP(S) between the web front-ends.",
            f"{site.slug}-lb01\nVIP {_ip(rng)}",
        ),
    ]
    return [options[0], *rng.sample(options[1:], rng.randint(0, 2))]


def virtual_resources(rng: random.Random, site: Site, department: str) -> list[ComponentPlan]:
    cpu, ram = rng.choice([8, 16, 32, 64, 128]), rng.choice([32, 64, 128, 256, 512])
    disk = rng.choice([1, 2, 4, 8, 16])
    if department == "hyperv":
        cluster = f"HV-CL{rng.randint(1, 6):02d}"
        return [
            ComponentPlan(
                K.VIRTUAL_RESOURCES,
                department,
                f"Hyper-V resource pool {site.slug}-hv",
                f"Tenant pool on {cluster}: {cpu} vCPU, {ram} GB RAM, {disk} TB.",
                f"cluster {cluster}\ntenant {site.slug}",
            )
        ]
    components = [
        ComponentPlan(
            K.VIRTUAL_RESOURCES,
            department,
            f"Virtual data center {site.slug}-vdc-prod",
            f"vCloud Director org VDC: {cpu} vCPU, {ram} GB RAM, {disk} TB SSD.",
            f"org {site.slug}\nvdc {site.slug}-vdc-prod",
            f"https://vcd.{STAFF_DOMAIN}/tenant/{site.slug}",
        )
    ]
    if rng.random() < 0.3:
        components.append(
            ComponentPlan(
                K.VIRTUAL_RESOURCES,
                department,
                f"Test VDC {site.slug}-vdc-test",
                "Test and staging environment.",
                f"org {site.slug}\nvdc {site.slug}-vdc-test",
            )
        )
    return components


def operating_system(rng: random.Random, site: Site, department: str) -> list[ComponentPlan]:
    if department == "microsoft":
        version = rng.choice(["2016", "2019", "2022"])
        return [
            ComponentPlan(
                K.OS,
                department,
                f"Windows Server {version} domain",
                "Active Directory, group policies, WSUS updates.",
                _hosts(site, "dc", 2),
            )
        ]
    distribution = rng.choice(
        ["Ubuntu 22.04 LTS", "Debian 12", "Astra Linux SE 1.7", "RED OS 7.3", "Rocky Linux 9"]
    )
    return [
        ComponentPlan(
            K.OS,
            department,
            f"Linux servers ({distribution})",
            "OS administration: updates, hardening, accounts, backups of configuration.",
            _hosts(site, "app", rng.randint(2, 6)),
        )
    ]


def web_server(rng: random.Random, site: Site, department: str) -> list[ComponentPlan]:
    software = rng.choice(["nginx", "nginx", "Apache httpd"])
    hosts = "\n".join(f"{site.slug}-web{n:02d} {_ip(rng)}" for n in (1, 2))
    return [
        ComponentPlan(
            K.WEB_SERVER,
            department,
            f"{software} front-ends",
            "TLS termination and static content for the public site.",
            hosts,
            f"https://www.{site.domain}/",
        )
    ]


def application_runtime(rng: random.Random, site: Site, department: str) -> list[ComponentPlan]:
    name, port = rng.choice(
        [
            ("PHP-FPM 8.2 pool", 9000),
            ("Java 17 application servers (Tomcat)", 8080),
            ("1C:Enterprise 8.3 application cluster", 1541),
            ("Node.js API services", 3000),
            ("Python back-end (gunicorn)", 8000),
        ]
    )
    return [
        ComponentPlan(
            K.APPLICATION_RUNTIME,
            department,
            name,
            "Application runtime: deployments, versions, capacity.",
            f"{_hosts(site, 'app', 2)}\nport {port}",
        )
    ]


def database(rng: random.Random, site: Site, department: str) -> list[ComponentPlan]:
    name, port = rng.choice(
        [
            ("PostgreSQL 15 cluster (Patroni, 3 nodes)", 5432),
            ("Postgres Pro 15 Standard", 5432),
            ("MS SQL Server 2019 Always On", 1433),
            ("MySQL 8.0 primary and replica", 3306),
            ("Oracle Database 19c", 1521),
            ("ClickHouse analytics cluster", 9000),
        ]
    )
    return [
        ComponentPlan(
            K.DATABASE,
            department,
            name,
            "Administration, replication, tuning, upgrades.",
            f"{_hosts(site, 'db', 2)}\nport {port}",
        )
    ]


def backup(rng: random.Random, site: Site, department: str) -> list[ComponentPlan]:
    days = rng.choice([14, 30, 60, 90])
    components = [
        ComponentPlan(
            K.BACKUP,
            department,
            "Virtual machine backups (Veeam)",
            f"Daily backups of all VMs, {days}-day retention, copies to the second site.",
            f"job {site.slug}-daily\nrepository BR-REPO-{rng.randint(1, 9):02d}",
        )
    ]
    if rng.random() < 0.4:
        components.append(
            ComponentPlan(
                K.BACKUP,
                department,
                "Object storage for backups",
                "S3-compatible bucket with versioning.",
                f"bucket {site.slug}-backup",
                f"https://s3.{STAFF_DOMAIN}/{site.slug}-backup",
            )
        )
    return components


def security(rng: random.Random, site: Site, department: str) -> list[ComponentPlan]:
    options = [
        ComponentPlan(
            K.SECURITY,
            department,
            "DDoS protection",
            "Traffic scrubbing for the public addresses; attacks are reported to the SOC.",
            f"protected {_subnet(rng, 29)[0]}",
        ),
        ComponentPlan(
            K.SECURITY,
            department,
            "Web application firewall",
            "WAF in front of the public site.",
            f"www.{site.domain}",
        ),
        ComponentPlan(
            K.SECURITY,
            department,
            "Vulnerability scanning",
            "Monthly external and internal scans with a report to the client.",
            f"scope {_subnet(rng, 28)[0]}",
        ),
        ComponentPlan(
            K.SECURITY,
            department,
            "SIEM log collection",
            "Security events of the servers and the firewall go to the SIEM.",
            f"source group {site.code}",
        ),
    ]
    return rng.sample(options, rng.randint(1, 2))


def monitoring(rng: random.Random, site: Site, department: str) -> list[ComponentPlan]:
    components = [
        ComponentPlan(
            K.MONITORING,
            department,
            "Zabbix monitoring",
            "Server, service and network checks with alerts to the duty shift.",
            f"host group {site.code}\nproxy zbx-proxy-{rng.randint(1, 4):02d}",
            f"https://monitoring.{STAFF_DOMAIN}/zabbix/{site.slug}",
        )
    ]
    if rng.random() < 0.5:
        components.append(
            ComponentPlan(
                K.MONITORING,
                department,
                "Web site availability checks",
                "HTTP checks from three locations every minute.",
                f"https://www.{site.domain}/\nhttps://www.{site.domain}/api/health",
            )
        )
    return components


def colocation(rng: random.Random, site: Site, department: str) -> list[ComponentPlan]:
    rack = f"{rng.choice('ABCDE')}{rng.randint(1, 40):02d}"
    return [
        ComponentPlan(
            K.OTHER,
            department,
            f"Colocation rack {rack} in a partner data center",
            "Client-owned servers in a third-party data center.",
            f"rack {rack}\npower 2 x 16 A\ncross-connect XC-{rng.randint(1000, 9999)}",
        )
    ]


Builder = Callable[[random.Random, Site, str], list[ComponentPlan]]

# The services a landscape grows by beyond the cloud pool, with the departments that may run
# each one.
EXTRA_SERVICES: tuple[tuple[Builder, tuple[str, ...]], ...] = (
    (operating_system, ("unix", "microsoft")),
    (database, ("dba",)),
    (backup, ("backup",)),
    (monitoring, ("monitoring",)),
    (security, ("cyber-defense",)),
    (web_server, ("unix", "development")),
    (application_runtime, ("unix", "development")),
    (colocation, ("external-dc",)),
)
# Departments touched per client and their weights: most client work touches 2-3 departments.
DEPARTMENT_COUNTS = ((2, 35), (3, 30), (4, 15), (5, 10), (6, 6), (7, 4))


def build_landscape(rng: random.Random, site: Site, departments: int) -> list[ComponentPlan]:
    """Components touching exactly ``departments`` departments (2-7): a pool of cloud resources
    (virtualization + network), then services in random order until the count is reached."""
    virtualization = rng.choice(["vmware", "vmware", "hyperv"])
    components = network(rng, site, "network") + virtual_resources(rng, site, virtualization)
    touched = {"network", virtualization}
    for builder, owners in rng.sample(EXTRA_SERVICES, len(EXTRA_SERVICES)):
        if len(touched) >= departments:
            break
        if builder is operating_system and virtualization == "hyperv":
            owner = "microsoft"
        else:
            owner = rng.choice(owners)
        components += builder(rng, site, owner)
        touched.add(owner)
    return _unique_names(components)


def build_complex_landscape(rng: random.Random, site: Site) -> list[ComponentPlan]:
    """The article's complex project: eight departments."""
    components = (
        network(rng, site, "network")
        + virtual_resources(rng, site, "vmware")
        + operating_system(rng, site, "unix")
        + web_server(rng, site, "unix")
        + application_runtime(rng, site, "development")
        + database(rng, site, "dba")
        + backup(rng, site, "backup")
        + security(rng, site, "cyber-defense")
        + monitoring(rng, site, "monitoring")
    )
    return _unique_names(components)


def _unique_names(components: list[ComponentPlan]) -> list[ComponentPlan]:
    """Component names are unique per client: a repeated name gets " (2)", " (3)"..."""
    seen: dict[str, int] = {}
    unique = []
    for component in components:
        count = seen.get(component.name, 0) + 1
        seen[component.name] = count
        if count > 1:
            component = replace(component, name=f"{component.name} ({count})")
        unique.append(component)
    return unique
