"""The clients of the demo organisation: identity, contacts of both kinds, an account team with
history and a landscape. Pure functions of a ``random.Random``; every date is fixed (no clock),
so the same seed gives the same organisation on any day."""

from __future__ import annotations

import datetime as dt
import itertools
import random

from tamdesk.demo.data import (
    COMPLEX_CLIENT,
    CONTACT_HABITS,
    DECISION_MAKER_TITLES,
    OTHER_TITLES,
    REGIONS,
    SECTORS,
    STATUS_NOTES,
    TAM_PROGRAMME_START,
    TECHNICAL_TITLES,
    Region,
)
from tamdesk.demo.landscape import DEPARTMENT_COUNTS, Site, build_complex_landscape, build_landscape
from tamdesk.demo.people import Staff, draw_name
from tamdesk.demo.plan import AssignmentPlan, ClientPlan, ContactPlan
from tamdesk.directory.choices import AccountRole, ClientStatus, ClientTier, ContactKind

CLIENTS_PER_UNIT = 40
# Statuses of the clients of one scale unit: mostly active, some onboarding, a few suspended or
# former.
STATUS_MIX = (
    (ClientStatus.ACTIVE, 30),
    (ClientStatus.ONBOARDING, 5),
    (ClientStatus.SUSPENDED, 2),
    (ClientStatus.FORMER, 3),
)
TIERS = (
    (ClientTier.STANDARD, 40),
    (ClientTier.BUSINESS, 30),
    (ClientTier.PREMIUM, 20),
    (ClientTier.STRATEGIC, 10),
)
# When every region-and-sector name is taken (large scales): "Volga Logistics Group", VOLGA-LOG-GR.
NAME_SUFFIXES = (
    ("Group", "GR"),
    ("Holding", "HL"),
    ("Trade", "TR"),
    ("Service", "SV"),
    ("Systems", "SY"),
    ("Plus", "PL"),
    ("Invest", "IN"),
    ("Tech", "TC"),
)

PROGRAMME_START = dt.date(*TAM_PROGRAMME_START)
FIRST_LIVE_ON = dt.date(2014, 3, 1)
LAST_LIVE_ON = dt.date(2024, 10, 1)
ONBOARDING_FROM, ONBOARDING_TO = dt.date(2025, 1, 15), dt.date(2025, 6, 30)
LAST_HISTORY_ON = dt.date(2025, 6, 30)  # no generated date lies after this one


def _day(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return dt.date.fromordinal(rng.randint(first.toordinal(), last.toordinal()))


def _weighted(rng: random.Random, table):
    values, weights = zip(*table, strict=True)
    return rng.choices(values, weights)[0]


class TeamPicker:
    """Hands out account-team members of one scale unit. TAMs, service managers and architects
    take turns for the first rounds (so that everyone, ``tam`` first, has several clients), then
    are drawn at random."""

    def __init__(self, rng: random.Random, staff: Staff) -> None:
        self.rng = rng
        self.pools = {
            AccountRole.TAM: _first_then_shuffled(rng, staff.tams),
            AccountRole.SERVICE_MANAGER: _first_then_shuffled(rng, staff.service_managers),
            AccountRole.ARCHITECT: _first_then_shuffled(rng, staff.architects),
        }
        self.turns = dict.fromkeys(self.pools, 0)

    def next(self, role: AccountRole) -> str:
        pool = self.pools[role]
        turn = self.turns[role]
        self.turns[role] += 1
        return pool[turn % len(pool)] if turn < 2 * len(pool) else self.rng.choice(pool)

    def first(self, role: AccountRole) -> str:
        """The obvious demo account of the role (``tam``, ``architect``...) in the first unit."""
        return self.pools[role][0]

    def other_tam(self, *besides: str) -> str:
        return self.rng.choice(
            [name for name in self.pools[AccountRole.TAM] if name not in besides]
        )


def _first_then_shuffled(rng: random.Random, names: list[str]) -> list[str]:
    rest = list(names[1:])
    rng.shuffle(rest)
    return [names[0], *rest]


def build_clients(
    rng: random.Random, staff: Staff, used: set[str], *, first_unit: bool
) -> list[ClientPlan]:
    """The clients of one scale unit; the first unit starts with the complex project."""
    statuses = [status for status, count in STATUS_MIX for _ in range(count)]
    picker = TeamPicker(rng, staff)
    clients = []
    if first_unit:
        statuses.remove(ClientStatus.ACTIVE)
        clients.append(_complex_client(rng, picker, used))
    rng.shuffle(statuses)
    for status in statuses:
        clients.append(_client(rng, picker, used, status))
    return clients


def _identity(rng: random.Random, used: set[str]) -> tuple[str, str, Region, str]:
    """A company name not used yet, its short code, region and notes."""
    for _attempt in range(40):
        region, sector = rng.choice(REGIONS), rng.choice(SECTORS)
        name = f"{region.prefix} {sector.word}"
        if name not in used:
            break
    code = f"{region.prefix[:6].upper()}-{sector.abbreviation}"
    base_name, base_code = name, code
    extras = itertools.chain(NAME_SUFFIXES, ((str(n), str(n)) for n in itertools.count(2)))
    while name in used:
        suffix, mark = next(extras)
        name, code = f"{base_name} {suffix}", f"{base_code}-{mark}"
    used.add(name)
    return name, code, region, sector.notes


def _site(name: str, code: str) -> Site:
    return Site(slug=code.lower(), code=code, domain=name.lower().replace(" ", "-") + ".example")


def _client(
    rng: random.Random, picker: TeamPicker, used: set[str], status: ClientStatus
) -> ClientPlan:
    name, code, region, notes = _identity(rng, used)
    if status in STATUS_NOTES:
        notes = f"{notes}\n{STATUS_NOTES[status]}"
    site = _site(name, code)
    return ClientPlan(
        code=code,
        name=name,
        status=status.value,
        tier=_weighted(rng, TIERS).value,
        time_zone=region.time_zone,
        notes=notes,
        contacts=_contacts(rng, site, region),
        team=_team(rng, picker, status),
        components=tuple(build_landscape(rng, site, _weighted(rng, DEPARTMENT_COUNTS))),
    )


def _complex_client(rng: random.Random, picker: TeamPicker, used: set[str]) -> ClientPlan:
    name, code, region = COMPLEX_CLIENT["name"], COMPLEX_CLIENT["code"], COMPLEX_CLIENT["region"]
    used.add(name)
    site = _site(name, code)
    live_on = dt.date(2018, 4, 16)
    tam = picker.first(AccountRole.TAM)
    team = (
        AssignmentPlan(AccountRole.ARCHITECT, picker.first(AccountRole.ARCHITECT),
                       dt.date(2017, 11, 1), live_on),
        AssignmentPlan(AccountRole.SERVICE_MANAGER, picker.first(AccountRole.SERVICE_MANAGER),
                       dt.date(2017, 11, 1)),
        AssignmentPlan(AccountRole.TAM, tam, PROGRAMME_START),
        AssignmentPlan(AccountRole.BACKUP_TAM, picker.other_tam(tam), dt.date(2021, 3, 1)),
    )  # fmt: skip
    return ClientPlan(
        code=code,
        name=name,
        status=ClientStatus.ACTIVE.value,
        tier=ClientTier.STRATEGIC.value,
        time_zone=region.time_zone,
        notes=COMPLEX_CLIENT["notes"],
        contacts=_contacts(rng, site, region),
        team=team,
        components=tuple(build_complex_landscape(rng, site)),
    )


def _team(
    rng: random.Random, picker: TeamPicker, status: ClientStatus
) -> tuple[AssignmentPlan, ...]:
    """Architect and service manager from the design phase; after go-live a TAM (sometimes after
    a previous one, sometimes with a backup TAM); a former client's team ended with the contract.
    """
    if status == ClientStatus.ONBOARDING:
        start = _day(rng, ONBOARDING_FROM, ONBOARDING_TO)
        return (
            AssignmentPlan(AccountRole.ARCHITECT, picker.next(AccountRole.ARCHITECT), start),
            AssignmentPlan(
                AccountRole.SERVICE_MANAGER, picker.next(AccountRole.SERVICE_MANAGER), start
            ),
        )
    live_on = _day(rng, FIRST_LIVE_ON, LAST_LIVE_ON)
    design_on = live_on - dt.timedelta(days=rng.randint(30, 150))
    # The architect hands the client over at go-live and moves on; some stay on the account.
    architect_end = None if rng.random() < 0.3 else live_on
    team = [
        AssignmentPlan(
            AccountRole.ARCHITECT, picker.next(AccountRole.ARCHITECT), design_on, architect_end
        ),
        AssignmentPlan(
            AccountRole.SERVICE_MANAGER, picker.next(AccountRole.SERVICE_MANAGER), design_on
        ),
    ]
    team += _tams(rng, picker, status, live_on)
    if status == ClientStatus.FORMER:
        team = _ended(rng, team)
    return tuple(team)


def _tams(
    rng: random.Random, picker: TeamPicker, status: ClientStatus, live_on: dt.date
) -> list[AssignmentPlan]:
    current = picker.next(AccountRole.TAM) if status != ClientStatus.FORMER else None
    tam = current or picker.other_tam()
    start = max(live_on, PROGRAMME_START + dt.timedelta(days=rng.randint(0, 90)))
    team = []
    if rng.random() < 0.3:
        handover = start + dt.timedelta(days=rng.randint(180, 1100))
        if handover <= LAST_HISTORY_ON:
            previous = picker.other_tam(tam)
            team.append(
                AssignmentPlan(AccountRole.TAM, previous, start, handover - dt.timedelta(days=1))
            )
            start = handover
    team.append(AssignmentPlan(AccountRole.TAM, tam, start))
    if rng.random() < 0.25:
        team.append(AssignmentPlan(AccountRole.BACKUP_TAM, picker.other_tam(tam), start))
    return team


def _ended(rng: random.Random, team: list[AssignmentPlan]) -> list[AssignmentPlan]:
    """End every open assignment on the day the contract ended."""
    latest = max(assignment.start_on for assignment in team)
    ended_on = min(latest + dt.timedelta(days=rng.randint(120, 700)), LAST_HISTORY_ON)
    ended_on = max(ended_on, latest)
    return [
        a if a.end_on else AssignmentPlan(a.role, a.username, a.start_on, ended_on) for a in team
    ]


def _contacts(rng: random.Random, site: Site, region: Region) -> tuple[ContactPlan, ...]:
    """1-4 technical specialists, 1-2 decision-makers and sometimes someone else."""
    kinds = [ContactKind.TECHNICAL] * rng.randint(1, 4)
    kinds += [ContactKind.DECISION_MAKER] * rng.randint(1, 2)
    if rng.random() < 0.3:
        kinds.append(ContactKind.OTHER)
    titles = {
        ContactKind.TECHNICAL: TECHNICAL_TITLES,
        ContactKind.DECISION_MAKER: DECISION_MAKER_TITLES,
        ContactKind.OTHER: OTHER_TITLES,
    }
    contacts: list[ContactPlan] = []
    names: set[str] = set()
    emails: set[str] = set()
    for index, kind in enumerate(kinds):
        first_name, last_name = draw_name(rng)
        while f"{first_name} {last_name}" in names:
            first_name, last_name = draw_name(rng)
        names.add(f"{first_name} {last_name}")
        local = f"{first_name[0]}.{last_name}".lower()
        if local in emails:
            local = f"{first_name}.{last_name}".lower()
        emails.add(local)
        # A technical specialist who left the company stays on record, inactive.
        left = kind == ContactKind.TECHNICAL and index > 0 and rng.random() < 0.15
        messenger_odds = 0.7 if kind == ContactKind.TECHNICAL else 0.3
        habit = "Left the company." if left else rng.choice(CONTACT_HABITS)
        contacts.append(
            ContactPlan(
                name=f"{first_name} {last_name}",
                kind=kind.value,
                email=f"{local}@{site.domain}",
                phone=f"+7 ({region.phone_code}) 555-{rng.randint(10, 99)}-{rng.randint(10, 99)}",
                messenger=f"@{first_name}_{last_name}".lower()
                if rng.random() < messenger_odds
                else "",
                notes=f"{rng.choice(titles[kind])}. {habit}".strip(),
                is_active=not left,
            )
        )
    return tuple(contacts)
