"""The demo plan, without a database: deterministic, and shaped as the issue and article say."""

from __future__ import annotations

import datetime as dt
import ipaddress
import itertools
import re
from collections import Counter, defaultdict

import pytest

from tamdesk.core.roles import Role
from tamdesk.demo.data import DEPARTMENTS
from tamdesk.demo.generator import build_plan
from tamdesk.directory.choices import AccountRole, ComponentKind, ContactKind

ARTICLE_DEPARTMENTS = [
    "Network group",
    "Duty engineers",
    "Infrastructure operations",
    "VMware virtualization",
    "Hyper-V virtualization",
    "Backup",
    "Microsoft",
    "Monitoring",
    "Unix",
    "DBA",
    "Cyber-defense center",
    "External data-center management",
    "Design center",
    "Architecture solutions",
    "Software development",
    "Technical support",
]
KIND_OWNERS = {
    ComponentKind.NETWORK: {"network"},
    ComponentKind.VIRTUAL_RESOURCES: {"vmware", "hyperv"},
    ComponentKind.OS: {"unix", "microsoft"},
    ComponentKind.DATABASE: {"dba"},
    ComponentKind.BACKUP: {"backup"},
    ComponentKind.SECURITY: {"cyber-defense"},
    ComponentKind.MONITORING: {"monitoring"},
    ComponentKind.WEB_SERVER: {"unix", "development"},
    ComponentKind.APPLICATION_RUNTIME: {"unix", "development"},
    ComponentKind.OTHER: {"external-dc"},
}
DOC_RANGES = [
    ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")
]


def with_role(plan, role):
    return [person for person in plan.people if role in person.roles]


def test_the_same_seed_gives_the_same_organisation_and_another_seed_another():
    assert build_plan(seed=7) == build_plan(seed=7)
    other = build_plan(seed=8)
    assert [c.name for c in other.clients] != [c.name for c in build_plan(seed=7).clients]


def test_the_sixteen_departments_of_the_article(plan):
    assert [d.name for d in plan.departments] == ARTICLE_DEPARTMENTS
    assert len({d.code for d in plan.departments}) == 16
    for department in plan.departments:
        assert department.queue_email == f"{department.code}@tamdesk.example"
        assert department.description
    leads = {person.username: person for person in with_role(plan, Role.DEPARTMENT_LEAD)}
    assert {d.lead for d in plan.departments} == set(leads)
    for department in plan.departments:
        assert leads[department.lead].department == department.code
    assert next(d for d in plan.departments if d.code == "unix").lead == "lead"


def test_three_working_calendars_and_every_department_works_by_one(plan):
    calendars = {calendar.name: calendar for calendar in plan.calendars}
    office = ((9 * 60, 13 * 60), (14 * 60, 18 * 60))

    assert list(calendars) == ["Moscow office 5/2", "24×7 duty", "Novosibirsk office"]
    assert calendars["Moscow office 5/2"].weekly == (office,) * 5 + ((), ())
    assert calendars["Moscow office 5/2"].holiday_country == "RU"
    assert calendars["24×7 duty"].is_always_open
    assert calendars["Novosibirsk office"].time_zone == "Asia/Novosibirsk"
    assert calendars["Novosibirsk office"].weekly[0] == ((9 * 60, 18 * 60),)
    by_department = {d.code: d.calendar for d in plan.departments}
    assert set(by_department.values()) == set(calendars)
    assert by_department["duty"] == by_department["monitoring"] == "24×7 duty"
    assert by_department["network"] == "24×7 duty"
    assert by_department["unix"] == "Moscow office 5/2"
    assert build_plan(seed=8).calendars == plan.calendars


def test_sixty_engineers_thirteen_of_them_tams_from_several_departments(plan):
    engineers = [person for person in plan.people if person.is_engineer]
    assert len(engineers) == 60
    assert all(Role.ENGINEER in person.roles for person in engineers)
    tams = with_role(plan, Role.TAM)
    assert len(tams) == 13
    assert all(person.is_engineer and Role.DEPARTMENT_LEAD not in person.roles for person in tams)
    assert len({person.department for person in tams}) >= 8
    assert Counter(p.department for p in engineers) == {s.code: s.engineers for s in DEPARTMENTS}


def test_service_managers_architects_and_the_programme_lead(plan):
    assert len(with_role(plan, Role.SERVICE_MANAGER)) == 3
    architects = with_role(plan, Role.ARCHITECT)
    assert len(architects) == 3
    assert {person.department for person in architects} == {"architecture"}
    assert [p.username for p in with_role(plan, Role.PROGRAMME_LEAD)] == ["programme_lead"]


def test_one_obvious_account_per_role(plan):
    people = {person.username: person for person in plan.people}
    assert people["admin"].is_superuser
    expected = {
        "administrator": {Role.ADMINISTRATOR},
        "tam": {Role.TAM, Role.ENGINEER},
        "engineer": {Role.ENGINEER},
        "lead": {Role.DEPARTMENT_LEAD, Role.ENGINEER},
        "service_manager": {Role.SERVICE_MANAGER},
        "architect": {Role.ARCHITECT, Role.ENGINEER},
        "programme_lead": {Role.PROGRAMME_LEAD},
    }
    assert {name: set(people[name].roles) for name in expected} == expected
    assert people["tam"].department == "network"
    assert people["engineer"].department == people["lead"].department == "unix"


def test_engineers_know_their_field_deeply_and_one_or_two_adjacent_ones(plan):
    specs = {spec.code: spec for spec in DEPARTMENTS}
    for person in (p for p in plan.people if p.is_engineer):
        spec = specs[person.department]
        (own, own_level), *adjacent = person.competencies
        assert own == spec.field and own_level in (3, 4)
        assert 1 <= len(adjacent) <= 2
        assert all(f in spec.adjacent and level in (1, 2) for f, level in adjacent)
        if Role.TAM in person.roles:
            assert spec.adjacent[0] in {f for f, _ in adjacent}
    tam = next(p for p in plan.people if p.username == "tam")
    assert ("virtualization", 2) in tam.competencies


def test_engineers_work_mostly_from_moscow(plan):
    zones = Counter(p.time_zone for p in plan.people if p.is_engineer)
    assert set(zones) == {"Europe/Moscow", "Asia/Yekaterinburg", "Asia/Novosibirsk"}
    assert zones["Europe/Moscow"] > 30


def test_forty_clients_mostly_active_with_both_contact_kinds(plan):
    assert len(plan.clients) == 40
    statuses = Counter(client.status for client in plan.clients)
    assert statuses == {"active": 30, "onboarding": 5, "suspended": 2, "former": 3}
    for client in plan.clients:
        active_kinds = Counter(c.kind for c in client.contacts if c.is_active)
        assert 1 <= active_kinds[ContactKind.TECHNICAL] <= 4
        assert 1 <= active_kinds[ContactKind.DECISION_MAKER] <= 2
        emails = [contact.email for contact in client.contacts]
        assert len(set(emails)) == len(emails)
        assert all(email.endswith(".example") for email in emails)


def test_landscapes_touch_two_to_eight_departments_and_one_client_eight(plan):
    touched = Counter(len(client.departments) for client in plan.clients)
    assert set(touched) <= set(range(2, 9))
    assert touched[8] == 1
    assert touched[2] + touched[3] > 20  # most client work touches 2-3 departments
    complex_project = next(c for c in plan.clients if len(c.departments) == 8)
    assert complex_project.departments == {
        "network", "vmware", "unix", "development", "dba", "backup", "cyber-defense", "monitoring"
    }  # fmt: skip


def test_component_kinds_belong_to_their_departments_and_names_are_unique(plan):
    for client in plan.clients:
        names = [component.name for component in client.components]
        assert len(set(names)) == len(names)
        for component in client.components:
            assert component.department in KIND_OWNERS[component.kind], component


def test_addresses_are_in_documentation_ranges(plan):
    text = "\n".join(c.identifiers for client in plan.clients for c in client.components)
    addresses = re.findall(r"\b\d+\.\d+\.\d+\.\d+\b", text)
    assert len(addresses) > 40
    for address in addresses:
        assert any(ipaddress.ip_address(address) in network for network in DOC_RANGES), address


def test_account_teams_keep_history_without_overlaps(plan):
    tams = {person.username for person in with_role(plan, Role.TAM)}
    previous_tams = 0
    for client in plan.clients:
        by_role = defaultdict(list)
        for assignment in client.team:
            assert assignment.end_on is None or assignment.end_on >= assignment.start_on
            assert assignment.end_on is None or assignment.end_on <= dt.date(2025, 6, 30)
            by_role[assignment.role].append(assignment)
            if assignment.role in (AccountRole.TAM, AccountRole.BACKUP_TAM):
                assert assignment.username in tams
        for assignments in by_role.values():
            assignments.sort(key=lambda a: a.start_on)
            assert sum(a.end_on is None for a in assignments) <= 1
            for earlier, later in itertools.pairwise(assignments):
                assert earlier.end_on == later.start_on - dt.timedelta(days=1)
        previous_tams += len(by_role[AccountRole.TAM]) > 1
        current = {a.role: a.username for a in client.team if a.end_on is None}
        if AccountRole.BACKUP_TAM in current:
            assert current[AccountRole.BACKUP_TAM] != current[AccountRole.TAM]
        if client.status in ("active", "suspended"):
            assert AccountRole.TAM in current and AccountRole.SERVICE_MANAGER in current
        if client.status == "former":
            assert current == {}
    assert previous_tams >= 3


def test_the_tam_account_has_several_clients_including_the_complex_project(plan):
    current = [
        client
        for client in plan.clients
        for a in client.team
        if a.username == "tam" and a.role == AccountRole.TAM and a.end_on is None
    ]
    assert len(current) >= 3
    assert current[0].code == "POLUS-MKT" and len(current[0].departments) == 8


def test_a_larger_scale_extends_a_smaller_one():
    one, two = build_plan(scale=1), build_plan(scale=2)
    assert len(two.clients) == 2 * len(one.clients)
    assert len([p for p in two.people if p.is_engineer]) == 120
    assert len(with_role(two, Role.TAM)) == 26
    assert two.clients[:40] == one.clients
    assert two.people[: len(one.people)] == one.people
    assert two.departments == one.departments


def test_scale_ten_for_benchmarks():
    plan = build_plan(scale=10)
    assert len([p for p in plan.people if p.is_engineer]) == 600
    assert len(plan.clients) == 400


def test_names_stay_unique_at_large_scales():
    plan = build_plan(scale=30)
    assert len({c.name for c in plan.clients}) == len({c.code for c in plan.clients}) == 1200
    assert all(len(c.code) <= 16 for c in plan.clients)
    assert len({p.username for p in plan.people}) == len(plan.people)


@pytest.mark.parametrize("scale", [0, -1, 201])
def test_scale_out_of_range_is_refused(scale):
    with pytest.raises(ValueError, match="scale"):
        build_plan(scale=scale)
