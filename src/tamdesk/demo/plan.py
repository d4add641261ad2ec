"""What the demo generator produces: a plain, immutable description of the organisation (no
database rows), so that it can be compared, tested and loaded in bulk."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class CalendarPlan:
    """A working calendar; its public holidays are imported when it is loaded (they depend on
    the year of the load, the plan does not)."""

    name: str
    time_zone: str
    description: str
    weekly: tuple[tuple[tuple[int, int], ...], ...]  # 7 days, Monday first
    is_always_open: bool = False
    holiday_country: str = ""


@dataclass(frozen=True)
class DepartmentPlan:
    code: str
    name: str
    description: str
    queue_email: str
    lead: str  # user name of the lead
    calendar: str = ""  # name of its working calendar


@dataclass(frozen=True)
class PersonPlan:
    """A user account; with a department it is also an engineer."""

    username: str
    first_name: str
    last_name: str
    email: str
    roles: tuple[str, ...]
    is_superuser: bool = False
    department: str = ""  # department code
    position: str = ""
    time_zone: str = "Europe/Moscow"
    competencies: tuple[tuple[str, int], ...] = ()  # (field, level)

    @property
    def is_engineer(self) -> bool:
        return bool(self.department)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class ContactPlan:
    name: str
    kind: str
    email: str
    phone: str = ""
    messenger: str = ""
    notes: str = ""
    is_active: bool = True


@dataclass(frozen=True)
class AssignmentPlan:
    role: str
    username: str
    start_on: dt.date
    end_on: dt.date | None = None


@dataclass(frozen=True)
class ComponentPlan:
    kind: str
    department: str  # department code
    name: str
    description: str = ""
    identifiers: str = ""
    url: str = ""


@dataclass(frozen=True)
class ClientPlan:
    code: str
    name: str
    status: str
    tier: str
    time_zone: str
    notes: str
    contacts: tuple[ContactPlan, ...]
    team: tuple[AssignmentPlan, ...]
    components: tuple[ComponentPlan, ...]

    @property
    def departments(self) -> set[str]:
        return {component.department for component in self.components}


@dataclass(frozen=True)
class DemoPlan:
    seed: int
    scale: int
    departments: tuple[DepartmentPlan, ...]
    people: tuple[PersonPlan, ...]
    clients: tuple[ClientPlan, ...]
    calendars: tuple[CalendarPlan, ...] = ()
