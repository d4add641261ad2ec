"""Builds the demo organisation as a plan: same seed and scale, same organisation, on any day.

One scale unit is ~60 engineers over the 16 departments (13 of them TAMs), 2-3 service managers
and 40 clients. Units are generated one after another from one ``random.Random(seed)``, so a
larger scale extends a smaller one: the plan at scale 2 begins with the plan at scale 1.
"""

from __future__ import annotations

import random

from tamdesk.demo.clients import build_clients
from tamdesk.demo.data import CALENDARS, DEPARTMENTS, MOSCOW_OFFICE, STAFF_DOMAIN
from tamdesk.demo.people import NamePool, build_staff
from tamdesk.demo.plan import CalendarPlan, DemoPlan, DepartmentPlan

DEFAULT_SEED = 2019  # the year of the article's organisation chart
MAX_SCALE = 200


def build_plan(*, seed: int = DEFAULT_SEED, scale: int = 1) -> DemoPlan:
    """The demo organisation for ``seed`` at ``scale`` (1 = ~60 engineers and 40 clients)."""
    if not 1 <= scale <= MAX_SCALE:
        raise ValueError(f"scale must be between 1 and {MAX_SCALE}, got {scale}")
    rng = random.Random(seed)  # noqa: S311  (reproducible demo data, not a secret)
    names = NamePool(rng)
    used_client_names: set[str] = set()
    people, clients, leads = [], [], {}
    for unit in range(scale):
        staff = build_staff(rng, names, first_unit=unit == 0)
        people += staff.people
        leads.update(staff.leads)
        clients += build_clients(rng, staff, used_client_names, first_unit=unit == 0)
    calendar_of = {code: spec.name for spec in CALENDARS for code in spec.departments}
    departments = tuple(
        DepartmentPlan(
            code=spec.code,
            name=spec.name,
            description=spec.description,
            queue_email=f"{spec.code}@{STAFF_DOMAIN}",
            lead=leads[spec.code],
            calendar=calendar_of.get(spec.code, MOSCOW_OFFICE),
        )
        for spec in DEPARTMENTS
    )
    return DemoPlan(
        seed=seed,
        scale=scale,
        departments=departments,
        people=tuple(people),
        clients=tuple(clients),
        calendars=build_calendars(),
    )


def build_calendars() -> tuple[CalendarPlan, ...]:
    """The working calendars (the same at every seed and scale)."""
    return tuple(
        CalendarPlan(
            name=spec.name,
            time_zone=spec.time_zone,
            description=spec.description,
            weekly=(spec.hours,) * 5 + ((), ()),
            is_always_open=spec.always_open,
            holiday_country=spec.holidays,
        )
        for spec in CALENDARS
    )
