"""The fixed tables the demo generator draws from: departments, people's names, companies.

Names are Russian in Latin transliteration; every address and domain is under ``.example``
(RFC 2606) and every IP address in a documentation range (RFC 5737), so nothing points at a
real host or person.
"""

from __future__ import annotations

from dataclasses import dataclass

from tamdesk.directory.choices import CompetencyField as F

STAFF_DOMAIN = "tamdesk.example"
DOC_NETWORKS = ("192.0.2", "198.51.100", "203.0.113")
# The December the TAM programme started (the article: "it all began in December").
TAM_PROGRAMME_START = (2019, 12, 2)


@dataclass(frozen=True)
class DepartmentSpec:
    code: str
    name: str
    description: str
    head_title: str
    staff_title: str  # "network engineer": positions are built from it
    field: str  # the department's own competency field
    adjacent: tuple[str, ...]  # adjacent fields, the one a TAM must know first
    engineers: int  # engineers per scale unit
    tams: int  # of them TAMs (13 in all)


DEPARTMENTS: tuple[DepartmentSpec, ...] = (
    DepartmentSpec(
        "network", "Network group",
        "Client networks: VLANs, routing, firewalls, VPN, Internet channels and load balancers.",
        "Head of the network group", "network engineer",
        F.NETWORK, (F.VIRTUALIZATION, F.SECURITY, F.MONITORING), 5, 2,
    ),
    DepartmentSpec(
        "duty", "Duty engineers",
        "The 24x7 shift: first reaction to alerts and calls, escalation to the departments.",
        "Head of the duty shift", "duty engineer",
        F.MONITORING, (F.NETWORK, F.UNIX, F.WINDOWS, F.SUPPORT), 6, 0,
    ),
    DepartmentSpec(
        "infra-ops", "Infrastructure operations",
        "Engineering systems of our own data centers: power, cooling, racks, cabling.",
        "Head of infrastructure operations", "infrastructure engineer",
        F.DATACENTER, (F.NETWORK, F.MONITORING), 4, 0,
    ),
    DepartmentSpec(
        "vmware", "VMware virtualization",
        "The VMware cloud: vSphere clusters, vCloud Director tenants, storage for VMs.",
        "Head of the VMware virtualization group", "virtualization engineer",
        F.VIRTUALIZATION, (F.NETWORK, F.BACKUP, F.UNIX), 4, 1,
    ),
    DepartmentSpec(
        "hyperv", "Hyper-V virtualization",
        "The Hyper-V cloud: clusters, tenant resource pools, Windows licensing in the cloud.",
        "Head of the Hyper-V virtualization group", "Hyper-V engineer",
        F.VIRTUALIZATION, (F.WINDOWS, F.BACKUP, F.NETWORK), 3, 1,
    ),
    DepartmentSpec(
        "backup", "Backup",
        "Backup and restore of virtual machines, databases and files; copies to the second site.",
        "Head of the backup group", "backup engineer",
        F.BACKUP, (F.VIRTUALIZATION, F.DATABASE, F.UNIX), 3, 1,
    ),
    DepartmentSpec(
        "microsoft", "Microsoft",
        "Windows Server, Active Directory, Exchange and SQL Server platforms of the clients.",
        "Head of the Microsoft group", "Windows systems engineer",
        F.WINDOWS, (F.VIRTUALIZATION, F.DATABASE, F.SECURITY), 4, 1,
    ),
    DepartmentSpec(
        "monitoring", "Monitoring",
        "Monitoring of client systems and services: checks, dashboards, alert routing.",
        "Head of the monitoring group", "monitoring engineer",
        F.MONITORING, (F.UNIX, F.NETWORK, F.DEVELOPMENT), 3, 1,
    ),
    DepartmentSpec(
        "unix", "Unix",
        "Linux and Unix administration: OS, web servers, application runtimes, automation.",
        "Head of the Unix group", "Unix systems administrator",
        F.UNIX, (F.WEB, F.DATABASE, F.VIRTUALIZATION, F.NETWORK), 5, 2,
    ),
    DepartmentSpec(
        "dba", "DBA",
        "Database administration: PostgreSQL, MySQL, MS SQL Server, Oracle; replication, tuning.",
        "Head of the DBA group", "database administrator",
        F.DATABASE, (F.UNIX, F.WINDOWS, F.BACKUP), 4, 1,
    ),
    DepartmentSpec(
        "cyber-defense", "Cyber-defense center",
        "Security operations: DDoS protection, WAF, vulnerability scans, SIEM, incident response.",
        "Head of the cyber-defense center", "security engineer",
        F.SECURITY, (F.NETWORK, F.UNIX, F.WINDOWS), 3, 1,
    ),
    DepartmentSpec(
        "external-dc", "External data-center management",
        "Client equipment and our own in partner data centers: racks, cross-connects, smart hands.",
        "Head of external data-center management", "data-center engineer",
        F.DATACENTER, (F.NETWORK, F.SUPPORT), 2, 0,
    ),
    DepartmentSpec(
        "design", "Design center",
        "Technical design for new projects: specifications, estimates, implementation plans.",
        "Head of the design center", "design engineer",
        F.ARCHITECTURE, (F.NETWORK, F.VIRTUALIZATION, F.DATACENTER), 2, 0,
    ),
    DepartmentSpec(
        "architecture", "Architecture solutions",
        "Solution architects: translate a new client's business task into our services, design "
        "the solution, lead its implementation and hand the client over to a TAM.",
        "Head of architecture solutions", "solution architect",
        F.ARCHITECTURE, (F.NETWORK, F.VIRTUALIZATION, F.UNIX, F.SECURITY), 3, 0,
    ),
    DepartmentSpec(
        "development", "Software development",
        "Internal systems and client web applications: development, CI/CD, application support.",
        "Head of software development", "software developer",
        F.DEVELOPMENT, (F.WEB, F.DATABASE, F.UNIX), 4, 1,
    ),
    DepartmentSpec(
        "support", "Technical support",
        "The service desk: client requests by phone, e-mail and portal; routing to departments.",
        "Head of technical support", "support engineer",
        F.SUPPORT, (F.NETWORK, F.WINDOWS, F.UNIX), 5, 1,
    ),
)  # fmt: skip


@dataclass(frozen=True)
class WorkingCalendarSpec:
    """A working calendar of the demo; ``hours`` are the Monday-to-Friday intervals in minutes
    (weekends off), ignored when ``always_open``. ``holidays`` is the country whose public
    holidays the loader imports (for the current and the next year)."""

    name: str
    time_zone: str
    description: str
    hours: tuple[tuple[int, int], ...] = ()
    always_open: bool = False
    holidays: str = ""
    departments: tuple[str, ...] = ()  # codes of the departments that work by it


MOSCOW_OFFICE = "Moscow office 5/2"
DUTY_CALENDAR = "24×7 duty"
# Departments not listed by a calendar work by the Moscow office calendar.
CALENDARS: tuple[WorkingCalendarSpec, ...] = (
    WorkingCalendarSpec(
        MOSCOW_OFFICE, "Europe/Moscow",
        "The head office: Monday to Friday 09:00-18:00 with a lunch hour, Russia's public "
        "holidays, moved days off and working Saturdays.",
        hours=((9 * 60, 13 * 60), (14 * 60, 18 * 60)), holidays="RU",
    ),
    WorkingCalendarSpec(
        DUTY_CALENDAR, "Europe/Moscow",
        "Round the clock, every day of the year: the duty shift, the NOC, monitoring and the "
        "cyber-defense center.",
        always_open=True, departments=("duty", "network", "monitoring", "cyber-defense"),
    ),
    WorkingCalendarSpec(
        "Novosibirsk office", "Asia/Novosibirsk",
        "The development office in Novosibirsk: Monday to Friday 09:00-18:00 local time, "
        "Russia's public holidays.",
        hours=((9 * 60, 18 * 60),), holidays="RU", departments=("development",),
    ),
)  # fmt: skip

# Engineers' own time zones and their weights: most of the organisation works from Moscow.
ENGINEER_TIME_ZONES = (("Europe/Moscow", 14), ("Asia/Yekaterinburg", 4), ("Asia/Novosibirsk", 2))

MALE_FIRST_NAMES = (
    "Aleksandr", "Aleksey", "Andrey", "Anton", "Artem", "Boris", "Denis", "Dmitry", "Egor",
    "Evgeny", "Fedor", "Gennady", "Georgy", "Grigory", "Igor", "Ilya", "Ivan", "Kirill",
    "Konstantin", "Leonid", "Maksim", "Mikhail", "Nikita", "Nikolai", "Oleg", "Pavel", "Roman",
    "Ruslan", "Sergey", "Stanislav", "Stepan", "Timur", "Vadim", "Valentin", "Vasily", "Viktor",
    "Vladimir", "Vladislav", "Vyacheslav", "Yaroslav", "Yury",
)  # fmt: skip
FEMALE_FIRST_NAMES = (
    "Alena", "Alina", "Anastasia", "Anna", "Darya", "Ekaterina", "Elena", "Irina", "Kristina",
    "Ksenia", "Larisa", "Lyudmila", "Maria", "Marina", "Nadezhda", "Natalia", "Oksana", "Olga",
    "Polina", "Svetlana", "Tatiana", "Valeria", "Victoria", "Yana", "Yulia",
)  # fmt: skip
# Surnames in their masculine form; ``feminine()`` gives the other.
SURNAMES = (
    "Abramov", "Afanasiev", "Aksenov", "Alekseev", "Andreev", "Antonov", "Arkhipov", "Baranov",
    "Belousov", "Belyaev", "Biryukov", "Bobrov", "Bogdanov", "Borisov", "Borodin", "Bykov",
    "Chernov", "Danilov", "Davydov", "Demidov", "Denisov", "Dmitriev", "Drozdov", "Efimov",
    "Egorov", "Eliseev", "Ermakov", "Filatov", "Filippov", "Fomin", "Frolov", "Galkin",
    "Gavrilov", "Gerasimov", "Golubev", "Goncharov", "Gorbunov", "Grachev", "Grigoriev",
    "Gromov", "Gusev", "Ignatov", "Ilyin", "Isaev", "Ivanov", "Kalinin", "Karpov", "Kazakov",
    "Kiselev", "Klimov", "Komarov", "Konovalov", "Korolev", "Kotov", "Kovalev", "Krylov",
    "Kudryavtsev", "Kulikov", "Kuzmin", "Kuznetsov", "Lazarev", "Lebedev", "Leonov", "Litvinov",
    "Lobanov", "Makarov", "Maksimov", "Markov", "Martynov", "Maslov", "Matveev", "Medvedev",
    "Melnikov", "Mironov", "Moiseev", "Morozov", "Nazarov", "Nekrasov", "Nesterov", "Nikitin",
    "Nikolaev", "Novikov", "Orlov", "Osipov", "Ostrovsky", "Panov", "Pavlov", "Polyakov",
    "Ponomarev", "Popov", "Potapov", "Prokhorov", "Rodionov", "Romanov", "Rybakov", "Savin",
    "Semenov", "Sergeev", "Sidorov", "Simonov", "Smirnov", "Sobolev", "Sokolov", "Soloviev",
    "Sorokin", "Stepanov", "Tarasov", "Tikhonov", "Titov", "Trofimov", "Tsvetkov", "Vinogradov",
    "Vlasov", "Volkov", "Voronin", "Vysotsky", "Yakovlev", "Zaitsev", "Zakharov", "Zhukov",
)  # fmt: skip


def feminine(surname: str) -> str:
    """The feminine form of a Russian surname: Petrov → Petrova, Ostrovsky → Ostrovskaya."""
    if surname.endswith("sky"):
        return surname[:-1] + "aya"
    if surname.endswith(("ov", "ev", "in", "yn")):
        return surname + "a"
    return surname


@dataclass(frozen=True)
class FixedPerson:
    """A demo account with an obvious user name, one per role."""

    username: str
    first_name: str
    last_name: str
    roles: tuple[str, ...]
    department: str = ""  # engineers only
    is_lead: bool = False
    is_tam: bool = False
    is_superuser: bool = False


# The obvious demo accounts. ``tam`` is a network engineer who understands virtualization, as in
# the article; ``lead`` heads the Unix group, where ``engineer`` works.
FIXED_PEOPLE: tuple[FixedPerson, ...] = (
    FixedPerson("admin", "Anton", "Belov", (), is_superuser=True),
    FixedPerson("administrator", "Marina", "Orlova", ("Administrator",)),
    FixedPerson("programme_lead", "Nikolai", "Fedorov", ("Programme lead",)),
    FixedPerson("service_manager", "Olga", "Vasilieva", ("Service manager",)),
    FixedPerson("tam", "Ivan", "Petrov", ("TAM", "Engineer"), "network", is_tam=True),
    FixedPerson("lead", "Elena", "Morozova", ("Department lead", "Engineer"), "unix", is_lead=True),
    FixedPerson("engineer", "Pavel", "Sokolov", ("Engineer",), "unix"),
    FixedPerson("architect", "Dmitry", "Kozlov", ("Architect", "Engineer"), "architecture"),
)
# Generated service managers per scale unit (besides ``service_manager`` in the first).
SERVICE_MANAGERS_PER_UNIT = 2


@dataclass(frozen=True)
class Region:
    prefix: str  # the first word of a company name
    time_zone: str
    phone_code: str


# Company name prefixes: rivers, lakes and old-fashioned brand words, each with its region.
REGIONS: tuple[Region, ...] = (
    *(
        Region(prefix, "Europe/Moscow", "495")
        for prefix in (
            "Volga", "Neva", "Oka", "Don", "Kama", "Ladoga", "Onega", "Valdai", "Sever",
            "Vostok", "Zarya", "Rassvet", "Almaz", "Granit", "Sokol", "Berkut", "Zenit",
            "Meridian", "Vega", "Orion", "Atlas", "Parus", "Mayak", "Kovcheg", "Strela",
        )
    ),
    Region("Ural", "Asia/Yekaterinburg", "343"),
    Region("Iset", "Asia/Yekaterinburg", "343"),
    Region("Chusovaya", "Asia/Yekaterinburg", "343"),
    Region("Sibir", "Asia/Novosibirsk", "383"),
    Region("Ob", "Asia/Novosibirsk", "383"),
    Region("Yantar", "Europe/Kaliningrad", "4012"),
    Region("Zhiguli", "Europe/Samara", "846"),
    Region("Angara", "Asia/Irkutsk", "3952"),
    Region("Amur", "Asia/Vladivostok", "423"),
)  # fmt: skip


@dataclass(frozen=True)
class Sector:
    word: str  # the second word of a company name
    abbreviation: str  # for the client code
    notes: str


SECTORS: tuple[Sector, ...] = (
    Sector("Logistics", "LOG", "Warehouse management and a shipment-tracking portal; load peaks "
           "before the New Year holidays."),
    Sector("Retail", "RTL", "Online store and loyalty programme; sales campaigns multiply the "
           "traffic for a few days."),
    Sector("Bank", "BNK", "Internet bank front-ends; regulator requirements on data storage and "
           "audit trails."),
    Sector("Insurance", "INS", "Policy administration system and an agents' portal."),
    Sector("Pharma", "PHR", "Pharmacy chain: ERP, warehouse and a click-and-collect site."),
    Sector("Media", "MED", "News portal with video; traffic spikes on breaking news and regular "
           "DDoS attacks."),
    Sector("Telecom", "TEL", "Billing and a self-service portal for subscribers."),
    Sector("Energy", "ENR", "Metering data collection and a customer portal."),
    Sector("Foods", "FDS", "Production planning on 1C:Enterprise and a distributors' portal."),
    Sector("Motors", "MOT", "Dealer network portal and a spare-parts catalogue."),
    Sector("Steel", "STL", "Plant ERP and document management; strict maintenance windows."),
    Sector("Agro", "AGR", "Farm management system and grain-elevator telemetry."),
    Sector("Travel", "TRV", "Booking engine and a partner API; seasonal load."),
    Sector("Games", "GMS", "Online game servers and a payment gateway; latency-sensitive."),
    Sector("Clinic", "CLN", "Medical information system; personal data under 152-FZ."),
    Sector("Education", "EDU", "Learning management system; load peaks at the start of term."),
    Sector("Development", "DEV", "Property developer: sales CRM and a site with flat layouts."),
    Sector("Finance", "FIN", "Scoring engine and the back-end of a mobile app."),
    Sector("Print", "PRT", "Order portal and prepress file storage."),
    Sector("Analytics", "ANL", "Data warehouse and BI dashboards for retail chains."),
)  # fmt: skip

# The article's complex project: cloud resources, backup, OS administration, a database, web
# applications, security tooling and monitoring — eight engineering departments.
COMPLEX_CLIENT = {
    "name": "Polus Marketplace",
    "code": "POLUS-MKT",
    "region": Region("Polus", "Europe/Moscow", "495"),
    "notes": "The complex project: cloud resources, backup, OS administration, a database, web "
    "applications, security tooling and monitoring — eight engineering departments. Large "
    "changes are coordinated by the TAM; the marketplace is hit by DDoS attacks a couple of "
    "times a month.",
}

STATUS_NOTES = {
    "onboarding": "Onboarding: the architect is designing the solution; the client is handed "
    "over to a TAM after go-live.",
    "suspended": "Services suspended at the client's request until the contract is renewed.",
    "former": "The contract ended; the record is kept for its history.",
}

TECHNICAL_TITLES = (
    "System administrator", "Lead developer", "DevOps engineer", "Head of IT infrastructure",
    "Network administrator", "Database administrator", "Information security officer",
    "1C administrator", "Support team lead",
)  # fmt: skip
DECISION_MAKER_TITLES = (
    "CEO", "CIO", "CFO", "Head of IT", "Commercial director", "Deputy CEO for IT",
)  # fmt: skip
OTHER_TITLES = ("Accountant", "Office manager", "Legal counsel", "Procurement specialist")
CONTACT_HABITS = (
    "", "", "Prefers Telegram.", "Prefers e-mail; answers within a day.", "Call only in "
    "business hours.", "Receives the monthly SLA report.", "On vacation in August.",
)  # fmt: skip
