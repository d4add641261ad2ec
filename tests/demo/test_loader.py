"""Loading the demo plan into the database, loading it again, and resetting it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import authenticate, get_user_model

from tamdesk.calendars.models import Calendar, CalendarException, WorkingInterval
from tamdesk.changes.models import ChangeRequest
from tamdesk.core.roles import Role
from tamdesk.demo.changes import SCENARIOS
from tamdesk.demo.generator import build_plan
from tamdesk.demo.loader import DemoResetBlocked, describe_accounts, load_demo, reset_demo
from tamdesk.demo.models import DemoRecord
from tamdesk.directory.models import (
    AccountTeamAssignment,
    Client,
    Competency,
    Component,
    Contact,
    Department,
    Engineer,
)
from tests.directory.factories import ClientFactory, EngineerFactory, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
PASSWORD = "demo-password-42"
MODELS = (Department, User, Engineer, Competency, Client, Contact, Component, AccountTeamAssignment)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def snapshot() -> dict[str, list]:
    """Everything the demo loads, by natural keys (no primary keys), in a stable order."""
    rows = {
        "departments": Department.objects.values_list(
            "code", "name", "description", "queue_email", "lead__user__username", "calendar__name"
        ),
        "calendars": Calendar.objects.values_list(
            "name", "time_zone", "description", "is_always_open"
        ),
        "hours": WorkingInterval.objects.values_list(
            "calendar__name", "weekday", "start_minute", "end_minute"
        ),
        "exceptions": CalendarException.objects.values_list(
            "calendar__name", "date", "kind", "name", "intervals", "source"
        ),
        "users": User.objects.values_list("username", "first_name", "last_name", "email"),
        "roles": User.groups.through.objects.values_list("user__username", "group__name"),
        "engineers": Engineer.objects.values_list(
            "user__username", "department__code", "position", "time_zone"
        ),
        "competencies": Competency.objects.values_list(
            "engineer__user__username", "field", "level"
        ),
        "clients": Client.objects.values_list(
            "code", "name", "status", "tier", "time_zone", "notes"
        ),
        "contacts": Contact.objects.values_list(
            "client__code", "name", "kind", "email", "phone", "messenger", "notes", "is_active"
        ),
        "components": Component.objects.values_list(
            "client__code", "kind", "department__code", "name", "identifiers", "url"
        ),
        "assignments": AccountTeamAssignment.objects.values_list(
            "client__code", "role", "user__username", "start_on", "end_on"
        ),
    }
    return {key: sorted(values, key=repr) for key, values in rows.items()}


def test_load_creates_the_whole_plan(plan):
    report = load_demo(plan, password=PASSWORD)

    assert counts() == {
        "Department": 16,
        "User": len(plan.people),
        "Engineer": 60,
        "Competency": sum(len(p.competencies) for p in plan.people),
        "Client": 40,
        "Contact": sum(len(c.contacts) for c in plan.clients),
        "Component": sum(len(c.components) for c in plan.clients),
        "AccountTeamAssignment": sum(len(c.team) for c in plan.clients),
    }
    assert report.created["tams"] == 13
    assert report.skipped_assignments == 0
    assert User.objects.filter(groups__name=Role.TAM).count() == 13
    assert DemoRecord.objects.count() == 3 + 16 + len(plan.people) + 40 + 5  # 5 SLA policies


def test_every_loaded_row_passes_model_validation(plan):
    load_demo(plan, password=PASSWORD)
    for model in (Department, Engineer, Competency, Client, Contact, Component):
        for obj in model.objects.all():
            obj.full_clean(validate_unique=False)
    for assignment in AccountTeamAssignment.objects.all():
        assignment.full_clean(validate_unique=False, validate_constraints=False)


def test_loading_again_creates_nothing_and_changes_nothing(plan):
    load_demo(plan, password=PASSWORD)
    before, ids = snapshot(), set(Client.objects.values_list("pk", flat=True))

    report = load_demo(plan)

    assert not any(report.created.values())
    assert report.generated_password is None and not report.passwords_set
    assert snapshot() == before
    assert set(Client.objects.values_list("pk", flat=True)) == ids
    assert authenticate(username="tam", password=PASSWORD) is not None


def test_demo_accounts_have_their_roles_and_the_lead_leads(plan):
    load_demo(plan, password=PASSWORD)

    accounts = {a.username: a for a in describe_accounts(["admin", "tam", "lead", "architect"])}

    assert accounts["admin"].roles == ("superuser",)
    assert accounts["tam"].roles == (Role.TAM, Role.ENGINEER)
    assert accounts["tam"].current_clients >= 3
    assert accounts["lead"].roles == (Role.DEPARTMENT_LEAD, Role.ENGINEER)
    assert accounts["architect"].department == "Architecture solutions"
    assert Department.objects.get(code="unix").lead.user.username == "lead"
    assert Department.objects.filter(lead__isnull=True).count() == 0
    assert User.objects.get(username="admin").is_superuser


def test_the_given_password_signs_every_demo_user_in(plan):
    load_demo(plan, password=PASSWORD)

    for username in ("admin", "administrator", "tam", "engineer", "lead", "programme_lead"):
        assert authenticate(username=username, password=PASSWORD) is not None, username
    load_demo(plan, password="a-new-one-7")
    assert authenticate(username="architect", password="a-new-one-7") is not None


def test_without_a_password_one_is_generated_once_and_kept_afterwards(plan):
    generated = load_demo(plan).generated_password

    assert generated and len(generated) >= 16
    assert authenticate(username="service_manager", password=generated) is not None
    again = load_demo(plan)
    assert again.generated_password is None and again.kept_passwords == len(plan.people)
    assert authenticate(username="service_manager", password=generated) is not None


def test_reset_deletes_only_demo_data_and_the_reload_is_identical(plan):
    load_demo(plan, password=PASSWORD)
    first = snapshot()
    own_client = ClientFactory(name="Our own client", code="OWN")
    own_user = UserFactory(username="someone")

    deleted = reset_demo()

    assert deleted["clients"] == 40 and deleted["departments"] == 16
    assert list(Client.objects.all()) == [own_client]
    assert list(User.objects.all()) == [own_user]
    assert Department.objects.count() == Engineer.objects.count() == 0
    assert DemoRecord.objects.count() == 0
    load_demo(plan, password=PASSWORD)
    again = snapshot()
    assert {key: rows for key, rows in again.items() if key not in ("clients", "users")} == {
        key: rows for key, rows in first.items() if key not in ("clients", "users")
    }
    assert [row for row in again["clients"] if row[0] != "OWN"] == first["clients"]


@time_machine.travel(dt.datetime(2025, 6, 1, 12, tzinfo=dt.UTC), tick=False)
def test_load_creates_the_calendars_with_hours_and_this_and_next_years_holidays(plan):
    load_demo(plan, password=PASSWORD)

    moscow, duty, novosibirsk = (
        Calendar.objects.get(name=name)
        for name in ("Moscow office 5/2", "24×7 duty", "Novosibirsk office")
    )
    spec = moscow.to_spec()
    assert spec.time_zone == "Europe/Moscow"
    assert spec.weekly == (((540, 780), (840, 1080)),) * 5 + ((), ())
    assert spec.intervals_on(dt.date(2025, 1, 3)) == ()  # New Year holidays
    # A working Saturday, and the eve of 4 November: one hour shorter (Labour Code art. 95).
    assert spec.intervals_on(dt.date(2025, 11, 1)) == ((540, 780), (840, 1020))
    assert spec.intervals_on(dt.date(2025, 6, 11)) == ((540, 780), (840, 1020))  # eve of 12 June
    assert spec.intervals_on(dt.date(2026, 1, 1)) == ()
    assert not moscow.exceptions.filter(date__year=2027).exists()
    assert duty.is_always_open and not duty.exceptions.exists()
    assert novosibirsk.to_spec().weekly[0] == ((540, 1080),)
    assert novosibirsk.to_spec().time_zone == "Asia/Novosibirsk"
    calendar_of = dict(Department.objects.values_list("code", "calendar__name"))
    assert {code for code, name in calendar_of.items() if name == "24×7 duty"} == {
        "duty",
        "network",
        "monitoring",
        "cyber-defense",
    }
    assert calendar_of["development"] == "Novosibirsk office"
    assert calendar_of["unix"] == calendar_of["dba"] == "Moscow office 5/2"


def test_reset_deletes_the_demo_calendars_but_not_others(plan):
    load_demo(plan, password=PASSWORD)
    own = Calendar.objects.create(name="Our own calendar", time_zone="UTC")

    deleted = reset_demo()

    assert deleted["calendars"] == 3
    assert list(Calendar.objects.all()) == [own]
    assert not CalendarException.objects.exists() and not WorkingInterval.objects.exists()


def test_reset_is_refused_while_a_department_outside_the_demo_uses_a_demo_calendar(plan):
    load_demo(plan, password=PASSWORD)
    Department.objects.create(code="own", name="Own", calendar=Calendar.objects.first())

    with pytest.raises(DemoResetBlocked, match="1 departments outside the demo work by demo"):
        reset_demo()

    assert Calendar.objects.count() == 3


def test_reset_is_refused_while_other_data_refers_to_the_demo(plan):
    load_demo(plan, password=PASSWORD)
    EngineerFactory(user=UserFactory(username="outsider"), department=Department.objects.first())
    before = counts()

    with pytest.raises(DemoResetBlocked, match="1 engineers outside the demo"):
        reset_demo()

    assert counts() == before


@pytest.mark.demo_changes
def test_existing_accounts_are_left_alone(plan):
    existing = UserFactory(username="tam", first_name="Not", last_name="Ours")

    report = load_demo(plan, password=PASSWORD)

    existing.refresh_from_db()
    assert existing.first_name == "Not" and not existing.groups.exists()
    assert authenticate(username="tam", password=PASSWORD) is None
    assert report.skipped_assignments > 0
    assert not AccountTeamAssignment.objects.filter(user=existing).exists()
    # The demo TAM's changes go to the other TAMs' clients.
    assert report.created["changes"] == len(SCENARIOS)
    assert not ChangeRequest.objects.filter(owner=existing).exists()
    reset_demo()
    assert not ChangeRequest.objects.exists()
    assert User.objects.filter(username="tam").exists()


def test_scale_two_doubles_the_clients_and_extends_scale_one(plan):
    load_demo(plan, password=PASSWORD)

    report = load_demo(build_plan(scale=2), password=PASSWORD)

    assert report.created["clients"] == 40 and report.created["departments"] == 0
    assert Client.objects.count() == 80
    assert User.objects.filter(groups__name=Role.TAM).count() == 26
    assert Engineer.objects.count() == 120


def test_a_generated_password_goes_to_new_users_only(plan):
    first = load_demo(plan).generated_password
    bigger = build_plan(scale=2)

    second = load_demo(bigger).generated_password

    newcomer = bigger.people[len(plan.people)].username
    assert second and second != first
    assert authenticate(username="tam", password=first) is not None
    assert authenticate(username=newcomer, password=second) is not None
    assert authenticate(username=newcomer, password=first) is None
