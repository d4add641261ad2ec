"""The status update page: who opens it and who sends (the people who edit the change), the
preview of recipients and messages, sending, and a refusal shown with nothing written."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from tamdesk.changes import services
from tamdesk.changes.models import ActivityEntry, ChangeRequest
from tamdesk.notifications.models import Notification
from tests.changes.factories import at, change, task
from tests.directory.factories import ContactFactory
from tests.support import ROLES, db_state

pytestmark = pytest.mark.django_db

#: Who edits tam_client's changes, and so sends their status.
EDITORS = {"admin", "administrator", "service_manager", "tam"}


#: The rows a refused call must leave as they were.
SNAPSHOT = (Notification, ActivityEntry, ChangeRequest)


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
        ContactFactory(
            client=tam_client, name="Olga Other", email="olga@acme.example", kind="other"
        ),
        ContactFactory(client=tam_client, name="Ivan Gone", is_active=False),
    ]


def url(change) -> str:
    return reverse("changes:status_update", args=[change.pk])


def contact_emails() -> list[str]:
    return sorted(
        Notification.objects.filter(recipient_contact__isnull=False).values_list(
            "address", flat=True
        )
    )


# --- who -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_who_opens_the_page(client, users, web, contacts, role):
    client.force_login(getattr(users, role))

    response = client.get(url(web))

    assert response.status_code == (200 if role in EDITORS else 403)


@pytest.mark.parametrize("role", ROLES)
def test_who_sends(client, users, web, contacts, role):
    client.force_login(getattr(users, role))
    before = db_state(*SNAPSHOT)

    response = client.post(url(web), {"note": "Going well."})

    if role in EDITORS:
        assert response.status_code == 302
        assert contact_emails() == ["ann@acme.example", "dan@acme.example", "olga@acme.example"]
    else:
        assert response.status_code == 403
        assert db_state(*SNAPSHOT) == before


def test_anonymous_is_sent_to_the_login_page(client, web):
    before = db_state(*SNAPSHOT)

    for response in (client.get(url(web)), client.post(url(web), {"note": "x"})):
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/?next=")
    assert db_state(*SNAPSHOT) == before


@pytest.mark.parametrize("role", ["tam", "engineer", "architect"])
def test_the_change_page_offers_the_button_to_editors_only(client, users, web, role):
    client.force_login(getattr(users, role))

    page = client.get(reverse("changes:change_detail", args=[web.pk])).content.decode()

    assert (url(web) in page) == (role in EDITORS)


# --- the preview ---------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_page_previews_recipients_and_both_messages(client, users, web, contacts, language):
    client.force_login(users.tam)
    before = db_state(*SNAPSHOT)

    response = client.get(url(web), HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 200
    assert db_state(*SNAPSHOT) == before
    preview = response.context["preview"]
    assert [r.contact.name for r in preview.timeline_recipients] == ["Ann Tech"]
    assert [r.contact.name for r in preview.summary_recipients] == ["Dan Boss", "Olga Other"]
    page = response.content.decode()
    assert "Ivan Gone" not in page
    assert f"CR-{web.pk} &quot;Web landscape&quot;: status update" in page
    assert f"CR-{web.pk} &quot;Web landscape&quot;: status summary" in page
    assert "1. VLAN — Network group: Ready" in page
    assert "Work done: 0% (by estimated hours)." in page
    if language == "en":
        assert "Send to 3 contacts" in page


def test_preview_with_the_note_shows_it_and_sends_nothing(client, users, web, contacts):
    client.force_login(users.tam)
    before = db_state(*SNAPSHOT)

    response = client.post(url(web), {"note": "Licences ordered.", "preview": "1"})

    assert response.status_code == 200
    assert db_state(*SNAPSHOT) == before
    assert response.context["timeline_message"].text.count("Licences ordered.") == 1
    assert response.context["summary_message"].text.count("Licences ordered.") == 1


# --- sending -------------------------------------------------------------------------------


def test_sending_goes_back_to_the_change_with_a_message(client, users, web, contacts):
    client.force_login(users.tam)

    response = client.post(url(web), {"note": "  Going well. "}, follow=True)

    assert response.redirect_chain == [(reverse("changes:change_detail", args=[web.pk]), 302)]
    assert "Sent the status update to 3 contacts." in response.content.decode()
    entry = ActivityEntry.objects.get(kind="status_update_sent")
    assert (entry.by, entry.at, entry.reason) == (users.tam, at(1), "Going well.")
    assert 'data-activity="status_update_sent"' in response.content.decode()


def test_nobody_to_write_to_is_shown_and_nothing_is_written(client, users, web):
    client.force_login(users.tam)
    message = "No active contact of Acme Retail has an e-mail address: there is nobody to send to."

    page = client.get(url(web))
    before = db_state(*SNAPSHOT)
    response = client.post(url(web), {"note": "Hello"})

    assert message in page.content.decode()
    assert "disabled" in page.content.decode()
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [message]
    assert db_state(*SNAPSHOT) == before


def test_a_draft_is_refused_on_the_form(client, users, tam_client, contacts):
    draft = change(tam_client, by=users.tam)
    client.force_login(users.tam)
    before = db_state(*SNAPSHOT)

    response = client.post(url(draft), {"note": "Hello"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "The change is a draft: plan it before you send the client its status."
    ]
    assert db_state(*SNAPSHOT) == before


def test_a_note_too_long_is_a_field_error(client, users, web, contacts):
    client.force_login(users.tam)
    before = db_state(*SNAPSHOT)

    response = client.post(url(web), {"note": "x" * 2001})

    assert response.status_code == 200
    assert "note" in response.context["form"].errors
    assert db_state(*SNAPSHOT) == before
