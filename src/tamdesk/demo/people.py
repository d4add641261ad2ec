"""The people of the demo organisation: engineers by department (leads, TAMs, architects among
them), service managers and the obvious one-per-role accounts. Pure functions of a
``random.Random``."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from tamdesk.core.roles import Role
from tamdesk.demo.data import (
    DEPARTMENTS,
    ENGINEER_TIME_ZONES,
    FEMALE_FIRST_NAMES,
    FIXED_PEOPLE,
    MALE_FIRST_NAMES,
    SERVICE_MANAGERS_PER_UNIT,
    STAFF_DOMAIN,
    SURNAMES,
    DepartmentSpec,
    FixedPerson,
    feminine,
)
from tamdesk.demo.plan import PersonPlan

_ROLE_ORDER = list(Role.values)


class NamePool:
    """Draws Russian names without repeating a full name while the pool lasts, and gives each
    person a unique user name (``ivan.petrov``, then ``ivan.petrov2``)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.full_names: set[tuple[str, str]] = set()
        self.usernames: set[str] = set()

    def reserve(self, first_name: str, last_name: str, username: str) -> None:
        self.full_names.add((first_name, last_name))
        self.usernames.add(username)

    def draw(self) -> tuple[str, str]:
        for _attempt in range(30):
            first_name, last_name = draw_name(self.rng)
            if (first_name, last_name) not in self.full_names:
                break
        self.full_names.add((first_name, last_name))
        return first_name, last_name

    def username(self, first_name: str, last_name: str) -> str:
        base = f"{first_name}.{last_name}".lower()
        candidate, number = base, 2
        while candidate in self.usernames:
            candidate, number = f"{base}{number}", number + 1
        self.usernames.add(candidate)
        return candidate


def draw_name(rng: random.Random) -> tuple[str, str]:
    """A first name and a surname of the same gender (about a third women)."""
    if rng.random() < 0.35:
        return rng.choice(FEMALE_FIRST_NAMES), feminine(rng.choice(SURNAMES))
    return rng.choice(MALE_FIRST_NAMES), rng.choice(SURNAMES)


@dataclass
class Staff:
    """The people of one scale unit, and the pools account teams are drawn from."""

    people: list[PersonPlan] = field(default_factory=list)
    tams: list[str] = field(default_factory=list)
    service_managers: list[str] = field(default_factory=list)
    architects: list[str] = field(default_factory=list)
    leads: dict[str, str] = field(default_factory=dict)  # department code → user name


def build_staff(rng: random.Random, names: NamePool, *, first_unit: bool) -> Staff:
    """~60 engineers over the 16 departments (13 of them TAMs) and the service managers of one
    scale unit. The first unit also holds the department leads and the one-per-role accounts."""
    staff = Staff()
    fixed = list(FIXED_PEOPLE) if first_unit else []
    for person in fixed:
        names.reserve(person.first_name, person.last_name, person.username)
    for person in fixed:
        if not person.department:
            staff.people.append(_fixed_account(person))
    for spec in DEPARTMENTS:
        own = [person for person in fixed if person.department == spec.code]
        for plan in _department_staff(rng, names, spec, own, with_lead=first_unit):
            staff.people.append(plan)
            if Role.TAM in plan.roles:
                staff.tams.append(plan.username)
            if Role.ARCHITECT in plan.roles:
                staff.architects.append(plan.username)
            if Role.DEPARTMENT_LEAD in plan.roles:
                staff.leads[spec.code] = plan.username
    staff.service_managers = [
        person.username for person in fixed if Role.SERVICE_MANAGER in person.roles
    ]
    for _ in range(SERVICE_MANAGERS_PER_UNIT):
        first_name, last_name = names.draw()
        username = names.username(first_name, last_name)
        staff.people.append(
            PersonPlan(
                username=username,
                first_name=first_name,
                last_name=last_name,
                email=f"{username}@{STAFF_DOMAIN}",
                roles=(Role.SERVICE_MANAGER.value,),
            )
        )
        staff.service_managers.append(username)
    return staff


def _fixed_account(person: FixedPerson) -> PersonPlan:
    return PersonPlan(
        username=person.username,
        first_name=person.first_name,
        last_name=person.last_name,
        email=f"{person.username}@{STAFF_DOMAIN}",
        roles=_ordered(person.roles),
        is_superuser=person.is_superuser,
    )


def _department_staff(
    rng: random.Random,
    names: NamePool,
    spec: DepartmentSpec,
    fixed: list[FixedPerson],
    *,
    with_lead: bool,
) -> list[PersonPlan]:
    """The engineers of one department: the fixed accounts first, then generated people; the
    first generated one leads the department when no fixed account does, the next ones are the
    department's TAMs."""
    needs_lead = with_lead and not any(person.is_lead for person in fixed)
    tams_left = spec.tams - sum(person.is_tam for person in fixed)
    members: list[tuple[str, str, str, bool, bool]] = [
        (p.first_name, p.last_name, p.username, p.is_lead, p.is_tam) for p in fixed
    ]
    for index in range(spec.engineers - len(fixed)):
        is_lead = needs_lead and index == 0
        is_tam = not is_lead and tams_left > 0
        tams_left -= is_tam
        first_name, last_name = names.draw()
        members.append(
            (first_name, last_name, names.username(first_name, last_name), is_lead, is_tam)
        )
    return [
        _engineer(rng, spec, first_name, last_name, username, is_lead=is_lead, is_tam=is_tam)
        for first_name, last_name, username, is_lead, is_tam in members
    ]


def _engineer(
    rng: random.Random,
    spec: DepartmentSpec,
    first_name: str,
    last_name: str,
    username: str,
    *,
    is_lead: bool,
    is_tam: bool,
) -> PersonPlan:
    roles = {Role.ENGINEER.value}
    if is_lead:
        roles.add(Role.DEPARTMENT_LEAD.value)
    if is_tam:
        roles.add(Role.TAM.value)
    if spec.code == "architecture":
        roles.add(Role.ARCHITECT.value)
    zones, weights = zip(*ENGINEER_TIME_ZONES, strict=True)
    return PersonPlan(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=f"{username}@{STAFF_DOMAIN}",
        roles=_ordered(roles),
        department=spec.code,
        position=_position(rng, spec, is_lead=is_lead, is_tam=is_tam),
        time_zone=rng.choices(zones, weights)[0],
        competencies=_competencies(rng, spec, is_senior=is_lead or is_tam, is_tam=is_tam),
    )


def _position(rng: random.Random, spec: DepartmentSpec, *, is_lead: bool, is_tam: bool) -> str:
    if is_lead:
        return spec.head_title
    grade = rng.choice(["Senior", "Lead"]) if is_tam else rng.choice(["", "", "", "Senior", "Lead"])
    title = f"{grade} {spec.staff_title}" if grade else spec.staff_title
    return title[0].upper() + title[1:]


def _competencies(
    rng: random.Random, spec: DepartmentSpec, *, is_senior: bool, is_tam: bool
) -> tuple[tuple[str, int], ...]:
    """Deep knowledge of the own field (3-4) and one or two adjacent fields (1-2). A TAM knows
    the department's first adjacent field — a network engineer understands virtualization."""
    own = (spec.field, 4 if is_senior else rng.choice([3, 3, 4]))
    if is_tam:
        adjacent = [spec.adjacent[0], rng.choice(spec.adjacent[1:])]
        return (own, *((field_, 2) for field_ in adjacent))
    adjacent = rng.sample(spec.adjacent, rng.randint(1, 2))
    return (own, *((field_, rng.randint(1, 2)) for field_ in adjacent))


def _ordered(roles) -> tuple[str, ...]:
    return tuple(sorted({str(role) for role in roles}, key=_ROLE_ORDER.index))
