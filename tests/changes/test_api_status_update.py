"""``POST /api/v1/changes/{id}/status-update/``: who may send, the answer's shape, the stable
error codes — and a refused or invalid call writes nothing."""

from __future__ import annotations

import pytest
import time_machine
from rest_framework.test import APIClient

from tamdesk.changes import services
from tamdesk.changes.models import ActivityEntry, ChangeRequest
from tamdesk.notifications.models import Notification
from tests.changes.factories import at, change, task
from tests.conftest import api_as
from tests.directory.factories import ContactFactory

pytestmark = pytest.mark.django_db
ACTORS = [
    "anonymous",
    "norole",
    "admin",
    "administrator",
    "service_manager",
    "tam",
    "other_tam",
    "engineer",
    "lead",
    "architect",
    "programme_lead",
]
EDITORS = {"admin", "administrator", "service_manager", "tam"}


def db_state() -> dict:
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in (Notification, ActivityEntry, ChangeRequest)
    }


def _api(users, actor: str) -> APIClient:
    return APIClient() if actor == "anonymous" else api_as(getattr(users, actor))


def path(change) -> str:
    return f"/api/v1/changes/{change.pk}/status-update/"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(at(1), tick=False):
        yield


@pytest.fixture
def web(users, tam_client, department):
    made = change(tam_client, by=users.tam, committed_on=at(0, days=4).date())
    task(made, department, by=users.tam, title="VLAN")
    return services.transition_change(made, to="planned", by=users.tam)


@pytest.fixture
def contacts(tam_client):
    return [
        ContactFactory(client=tam_client, name="Ann Tech", email="ann@acme.example"),
        ContactFactory(
            client=tam_client, name="Dan Boss", email="dan@acme.example", kind="decision_maker"
        ),
        ContactFactory(client=tam_client, name="Nora Nomail", email=""),
    ]


@pytest.mark.parametrize("actor", ACTORS)
def test_who_sends_a_status_update(users, web, contacts, actor):
    before = db_state()

    response = _api(users, actor).post(path(web), {"note": "On track."}, format="json")

    if actor in EDITORS:
        assert response.status_code == 200, response.data
    else:
        assert response.status_code == (401 if actor == "anonymous" else 403), response.data
        assert db_state() == before


def test_the_answer_names_each_recipient_and_the_activity_entry(users, web, contacts):
    ann, dan, _nora = contacts

    response = api_as(users.tam).post(path(web), {"note": "On track."}, format="json")

    assert response.status_code == 200, response.data
    entry = ActivityEntry.objects.get(kind="status_update_sent")
    assert response.data == {
        "recipients": [
            {"contact": ann.pk, "name": "Ann Tech", "email": "ann@acme.example",
             "kind": "technical", "message": "timeline"},
            {"contact": dan.pk, "name": "Dan Boss", "email": "dan@acme.example",
             "kind": "decision_maker", "message": "summary"},
        ],
        "activity": entry.pk,
    }  # fmt: skip
    assert (entry.reason, entry.by) == ("On track.", users.tam)
    assert sorted(
        Notification.objects.filter(recipient_contact__isnull=False).values_list(
            "event_type", "address"
        )
    ) == [
        ("changes.status_summary", "dan@acme.example"),
        ("changes.status_update", "ann@acme.example"),
    ]


def test_the_note_is_optional(users, web, contacts):
    response = api_as(users.tam).post(path(web), {}, format="json")

    assert response.status_code == 200, response.data
    assert ActivityEntry.objects.get(kind="status_update_sent").reason == ""


def refused(api, change, data, status: int, code: str) -> dict:
    before = db_state()
    response = api.post(path(change), data, format="json")
    assert response.status_code == status, response.data
    assert response.data["code"] == code, response.data
    assert db_state() == before
    return response.data


def test_nobody_to_write_to_is_400_no_recipients(users, web):
    ContactFactory(client=web.client, email="", name="Nora Nomail")

    data = refused(api_as(users.tam), web, {"note": "Hi"}, 400, "no_recipients")

    message = "No active contact of Acme Retail has an e-mail address: there is nobody to send to."
    assert data["errors"] == {"contacts": [message]}


def test_a_draft_is_400_change_draft(users, tam_client, contacts):
    draft = change(tam_client, by=users.tam)

    refused(api_as(users.tam), draft, {}, 400, "change_draft")


def test_a_cancelled_change_is_400_change_cancelled(users, web, contacts):
    services.transition_change(web, to="cancelled", by=users.tam)

    refused(api_as(users.tam), web, {}, 400, "change_cancelled")


def test_a_note_too_long_is_invalid(users, web, contacts):
    data = refused(api_as(users.tam), web, {"note": "x" * 2001}, 400, "invalid")

    assert "note" in data["errors"]


def test_a_missing_change_is_404(users):
    response = api_as(users.tam).post("/api/v1/changes/999999/status-update/", {}, format="json")

    assert response.status_code == 404
