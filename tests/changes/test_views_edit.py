"""Editing a change and a task through the pages: who may (403 for the others, before and on
save), the service's refusals on their fields (an assignee of another department, a closed
change) and invalid input — every refused or invalid call writes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from tamdesk.changes import services
from tamdesk.changes.forms import CHANGE_EDIT_FIELDS
from tamdesk.changes.models import ActivityEntry, ChangeRequest, DepartmentTask, TaskDependency
from tests.changes.factories import at, change, task
from tests.directory.factories import (
    ComponentFactory,
    ContactFactory,
    DepartmentFactory,
    EngineerFactory,
    UserFactory,
)
from tests.support import db_state

pytestmark = pytest.mark.django_db
EDITORS = ["admin", "administrator", "service_manager", "tam"]
REFUSED = ["norole", "engineer", "lead", "architect", "programme_lead", "other_tam"]


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(at(1), tick=False):
        yield


#: The rows a refused call must leave as they were.
SNAPSHOT = (
    ChangeRequest,
    DepartmentTask,
    TaskDependency,
    ActivityEntry,
    ChangeRequest.affected_components.through,
)


@pytest.fixture
def web(users, tam_client, department):
    made = change(tam_client, by=users.tam, committed_on=dt.date(2026, 11, 27))
    task(made, department, by=users.tam, title="VLAN")
    return made


@pytest.fixture
def vlan(web):
    return web.tasks.get()


def change_url(change) -> str:
    return reverse("changes:change_update", args=[change.pk])


def task_url(task) -> str:
    return reverse("changes:task_update", args=[task.pk])


def change_data(change, **changes) -> dict:
    """The edit form as the page submits it, with ``changes``."""
    data = {
        "title": change.title,
        "type": change.type,
        "priority": change.priority,
        "owner": change.owner_id,
        "requesting_contact": change.requesting_contact_id or "",
        "requested_on": change.requested_on or "",
        "committed_on": change.committed_on or "",
        "planned_start_at": "",
        "description": change.description,
        "affected_components": [c.pk for c in change.affected_components.all()],
        "implementation_plan": change.implementation_plan,
        "rollback_plan": change.rollback_plan,
        "test_plan": change.test_plan,
        "risk_notes": change.risk_notes,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def task_data(task, **changes) -> dict:
    data = {
        "title": task.title,
        "department": task.department_id,
        "assignee": task.assignee_id or "",
        "estimate_hours": task.estimate_hours,
        "remaining_hours": "",
        "description": task.description,
    }
    data.update(changes)
    return data


def test_the_form_edits_every_field_of_update_change():
    assert set(CHANGE_EDIT_FIELDS) == services.CHANGE_FIELDS | {"affected_components"}


# --- permissions ---------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["change", "task"])
def test_anonymous_is_sent_to_the_login_page(client, web, vlan, page):
    url = change_url(web) if page == "change" else task_url(vlan)

    for response in (client.get(url), client.post(url, {})):
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/?next=")


@pytest.mark.parametrize("role", EDITORS)
@pytest.mark.parametrize("page", ["change", "task"])
def test_who_edits_the_change_opens_the_forms(client, users, web, vlan, role, page):
    client.force_login(getattr(users, role))

    response = client.get(change_url(web) if page == "change" else task_url(vlan))

    assert response.status_code == 200
    assert 'name="title"' in response.content.decode()


@pytest.mark.parametrize("role", REFUSED)
def test_others_cannot_open_or_save_the_change_form(client, users, web, role):
    client.force_login(getattr(users, role))
    before = db_state(*SNAPSHOT)

    assert client.get(change_url(web)).status_code == 403
    assert client.post(change_url(web), change_data(web, title="Hijacked")).status_code == 403
    assert db_state(*SNAPSHOT) == before


@pytest.mark.parametrize("role", REFUSED)
def test_others_cannot_open_or_save_the_task_form(client, users, vlan, role):
    client.force_login(getattr(users, role))
    before = db_state(*SNAPSHOT)

    assert client.get(task_url(vlan)).status_code == 403
    assert client.post(task_url(vlan), task_data(vlan, title="Hijacked")).status_code == 403
    assert db_state(*SNAPSHOT) == before


def test_the_permission_is_checked_again_when_saving(client, users, web, monkeypatch):
    """The TAM loses the client between opening the form and saving it: 403, nothing saved."""
    client.force_login(users.tam)
    assert client.get(change_url(web)).status_code == 200
    checks = []
    real = type(users.tam).has_perm

    def has_perm(user, perm, obj=None):
        if perm == "changes.change_changerequest":
            checks.append(perm)
            return len(checks) == 1  # allowed on opening the page, refused in the transaction
        return real(user, perm, obj)

    monkeypatch.setattr(type(users.tam), "has_perm", has_perm)
    before = db_state(*SNAPSHOT)

    response = client.post(change_url(web), change_data(web, title="Too late"))

    assert response.status_code == 403
    assert len(checks) == 2
    assert db_state(*SNAPSHOT) == before


def test_the_change_page_links_to_the_edit_pages_for_editors_only(client, users, web, vlan):
    detail = reverse("changes:change_detail", args=[web.pk])
    client.force_login(users.tam)
    content = client.get(detail).content.decode()
    assert change_url(web) in content
    assert task_url(vlan) in content
    assert f'id="task-{vlan.pk}"' in content

    client.force_login(users.engineer)
    content = client.get(detail).content.decode()
    assert change_url(web) not in content
    assert task_url(vlan) not in content


# --- editing a change ----------------------------------------------------------------------


def test_a_tam_edits_the_change_and_returns_to_its_page(client, users, web, tam_client):
    contact = ContactFactory(client=tam_client)
    firewall = ComponentFactory(client=tam_client, name="fw-1")
    client.force_login(users.tam)

    response = client.post(
        change_url(web),
        change_data(
            web,
            title="Web landscape, phase 2",
            priority="p1",
            requesting_contact=contact.pk,
            affected_components=[firewall.pk],
            committed_on="2026-12-04",
            planned_start_at="2026-11-24T09:00",
            rollback_plan="Restore the snapshot.",
        ),
        follow=True,
    )

    assert response.redirect_chain == [(reverse("changes:change_detail", args=[web.pk]), 302)]
    assert "Saved “CR-" in response.content.decode()
    web.refresh_from_db()
    assert (web.title, web.priority, web.requesting_contact, web.rollback_plan) == (
        "Web landscape, phase 2", "p1", contact, "Restore the snapshot.",
    )  # fmt: skip
    assert web.committed_on == dt.date(2026, 12, 4)
    # typed in the TAM's time zone (Europe/Moscow, UTC+3)
    assert users.tam.engineer.time_zone == "Europe/Moscow"
    assert web.planned_start_at == dt.datetime(2026, 11, 24, 6, tzinfo=dt.UTC)
    assert list(web.affected_components.all()) == [firewall]
    assert web.client == tam_client
    committed = ActivityEntry.objects.filter(change=web, kind="committed").order_by("pk")
    assert committed.last().to_value == "2026-12-04"


def test_the_client_is_not_editable(client, users, web, tam_client):
    from tests.directory.factories import ClientFactory

    other = ClientFactory()
    client.force_login(users.tam)

    response = client.post(change_url(web), change_data(web, client=other.pk, title="Renamed"))

    assert response.status_code == 302
    web.refresh_from_db()
    assert (web.client, web.title) == (tam_client, "Renamed")


def test_invalid_input_comes_back_with_field_errors_and_nothing_saved(client, users, web):
    client.force_login(users.tam)
    before = db_state(*SNAPSHOT)

    response = client.post(
        change_url(web), change_data(web, title="", priority="p9", committed_on="not a date")
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"title", "priority", "committed_on"}
    assert 'id="id_title_error"' in response.content.decode()
    assert db_state(*SNAPSHOT) == before


def test_contacts_and_components_of_another_client_are_refused(client, users, web):
    stranger = ContactFactory()
    foreign = ComponentFactory()
    client.force_login(users.tam)
    before = db_state(*SNAPSHOT)

    offered = client.get(change_url(web)).context["form"].fields
    response = client.post(
        change_url(web),
        change_data(web, requesting_contact=stranger.pk, affected_components=[foreign.pk]),
    )

    assert stranger not in offered["requesting_contact"].queryset
    assert foreign not in offered["affected_components"].queryset
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"requesting_contact", "affected_components"}
    assert db_state(*SNAPSHOT) == before


def test_a_closed_change_is_refused_and_nothing_is_saved(client, users, web):
    services.transition_change(web, to="cancelled", by=users.tam, now=at(0.5))
    web.refresh_from_db()
    client.force_login(users.tam)
    before = db_state(*SNAPSHOT)

    response = client.post(change_url(web), change_data(web, title="Reopened?"))

    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert errors == ["The change is cancelled: it can no longer be edited."]
    assert 'id="form-errors"' in response.content.decode()
    assert db_state(*SNAPSHOT) == before
    detail = client.get(reverse("changes:change_detail", args=[web.pk])).content.decode()
    assert change_url(web) not in detail  # no Edit link on a closed change


# --- editing a task ------------------------------------------------------------------------


def test_a_tam_edits_a_task_and_the_change_is_rescheduled(client, users, web, vlan):
    client.force_login(users.tam)

    response = client.post(
        task_url(vlan),
        task_data(vlan, title="VLAN and routing", assignee=users.engineer.pk, estimate_hours="6"),
    )

    assert response.status_code == 302
    assert response.url == reverse("changes:change_detail", args=[web.pk]) + f"#task-{vlan.pk}"
    vlan.refresh_from_db()
    assert (vlan.title, vlan.assignee, vlan.estimate_hours) == (
        "VLAN and routing", users.engineer, Decimal("6.00"),
    )  # fmt: skip
    assert vlan.planned_finish_at == at(7)  # from now (10:00), 6 working hours


def test_an_assignee_of_another_department_is_refused_on_the_field(client, users, vlan):
    storage = DepartmentFactory(code="storage", name="Storage")
    outsider = UserFactory(username="outsider")
    EngineerFactory(user=outsider, department=storage)
    outsider.first_name, outsider.last_name = "Olga", "Outsider"
    outsider.save()
    client.force_login(users.tam)
    before = db_state(*SNAPSHOT)

    response = client.post(task_url(vlan), task_data(vlan, assignee=outsider.pk))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["assignee"]
    assert "is not an engineer of Network group" in errors["assignee"][0]
    assert 'id="id_assignee_error"' in response.content.decode()
    assert db_state(*SNAPSHOT) == before


def test_invalid_task_input_comes_back_with_field_errors(client, users, vlan):
    client.force_login(users.tam)
    before = db_state(*SNAPSHOT)

    response = client.post(task_url(vlan), task_data(vlan, title="", estimate_hours="-1"))

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"title", "estimate_hours"}
    assert db_state(*SNAPSHOT) == before


def test_a_task_of_a_closed_change_is_refused(client, users, web, vlan):
    services.transition_change(web, to="cancelled", by=users.tam, now=at(0.5))
    client.force_login(users.tam)
    before = db_state(*SNAPSHOT)

    response = client.post(task_url(vlan), task_data(vlan, title="Still?"))

    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert errors == ["The change is cancelled: it can no longer be edited."]
    assert db_state(*SNAPSHOT) == before


def test_missing_records_are_404(client, users):
    client.force_login(users.tam)

    assert client.get(reverse("changes:change_update", args=[999999])).status_code == 404
    assert client.get(reverse("changes:task_update", args=[999999])).status_code == 404
