"""``POST /api/v1/changes/{id}/status-update/``: who may send, the answer's shape, the stable
error codes — and a refused or invalid call writes nothing."""

from __future__ import annotations

import pytest
import time_machine

from tamdesk.changes import services
from tamdesk.changes.models import ActivityEntry, ChangeRequest
from tamdesk.notifications.models import Notification
from tests.changes.factories import at, change, task
from tests.conftest import api_as
from tests.directory.factories import ContactFactory
from tests.support import ACTORS, api_for, db_state, refused

pytestmark = pytest.mark.django_db
EDITORS = {"admin", "administrator", "service_manager", "tam"}


#: The rows a refused call must leave as they were.
SNAPSHOT = (Notification, ActivityEntry, ChangeRequest)


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
    before = db_state(*SNAPSHOT)

    response = api_for(users, actor).post(path(web), {"note": "On track."}, format="json")

    if actor in EDITORS:
        assert response.status_code == 200, response.data
    else:
        assert response.status_code == (401 if actor == "anonymous" else 403), response.data
        assert db_state(*SNAPSHOT) == before


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


def test_nobody_to_write_to_is_400_no_recipients(users, web):
    ContactFactory(client=web.client, email="", name="Nora Nomail")

    data = refused(
        api_as(users.tam), "post", path(web), {"note": "Hi"}, 400, "no_recipients", models=SNAPSHOT
    )

    message = "No active contact of Acme Retail has an e-mail address: there is nobody to send to."
    assert data["errors"] == {"contacts": [message]}


def test_a_draft_is_400_change_draft(users, tam_client, contacts):
    draft = change(tam_client, by=users.tam)

    refused(api_as(users.tam), "post", path(draft), {}, 400, "change_draft", models=SNAPSHOT)


def test_a_cancelled_change_is_400_change_cancelled(users, web, contacts):
    services.transition_change(web, to="cancelled", by=users.tam)

    refused(api_as(users.tam), "post", path(web), {}, 400, "change_cancelled", models=SNAPSHOT)


def test_a_note_too_long_is_invalid(users, web, contacts):
    data = refused(
        api_as(users.tam), "post", path(web), {"note": "x" * 2001}, 400, "invalid", models=SNAPSHOT
    )

    assert "note" in data["errors"]


def test_a_missing_change_is_404(users):
    response = api_as(users.tam).post("/api/v1/changes/999999/status-update/", {}, format="json")

    assert response.status_code == 404
