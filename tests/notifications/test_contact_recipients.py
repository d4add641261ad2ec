"""A client's contacts as recipients of ``notify``: one e-mail each to their address, in the
instance's language, due at once; inactive contacts and those without an address are skipped;
the database keeps a contact's row an e-mail; the outbox page and API show the contact."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tamdesk.notifications import services
from tamdesk.notifications.choices import Channel
from tamdesk.notifications.models import Notification
from tests.conftest import api_as
from tests.directory.factories import (
    ClientFactory,
    ContactFactory,
    DepartmentFactory,
    UserFactory,
)
from tests.notifications.conftest import PLAIN
from tests.notifications.factories import NotificationFactory, WebhookSubscriptionFactory
from tests.support import violates

pytestmark = pytest.mark.django_db

#: Saturday 23:00 UTC: outside everybody's working hours.
SATURDAY_NIGHT = dt.datetime(2025, 3, 15, 23, 0, tzinfo=dt.UTC)


def notify(recipients, **kwargs) -> list[Notification]:
    kwargs.setdefault("event_type", PLAIN.code)  # not urgent: people get it in working hours
    kwargs.setdefault("event_key", "e:1")
    kwargs.setdefault("context", {})
    kwargs.setdefault("now", SATURDAY_NIGHT)
    return services.notify(recipients=recipients, **kwargs)


@pytest.fixture
def acme(db):
    return ClientFactory(name="Acme Retail")


@pytest.fixture
def ann(acme):
    return ContactFactory(client=acme, name="Ann Tech", email="ann@acme.example")


def test_a_contact_gets_one_email_due_at_once_in_the_instance_language(ann, settings):
    person = UserFactory(email="pat@example.com")

    rows = notify([ann, person])

    contact_rows = [r for r in rows if r.recipient_contact_id]
    assert len(contact_rows) == 1
    row = contact_rows[0]
    assert (row.channel, row.address, row.language, row.dedup_key) == (
        Channel.EMAIL,
        "ann@acme.example",
        settings.LANGUAGE_CODE,
        f"e:1|email|contact:{ann.pk}",
    )
    assert (row.recipient_user, row.recipient_department, row.webhook) == (None, None, None)
    assert row.next_attempt_at == SATURDAY_NIGHT  # not held until Monday morning…
    person_email = Notification.objects.get(recipient_user=person, channel=Channel.EMAIL)
    assert person_email.next_attempt_at > SATURDAY_NIGHT  # …as a person's e-mail is
    assert row.subject == person_email.subject
    assert row.body_text == person_email.body_text


def test_inactive_contacts_and_contacts_without_an_address_get_nothing(acme):
    gone = ContactFactory(client=acme, email="gone@acme.example", is_active=False)
    mute = ContactFactory(client=acme, email="")

    assert notify([gone, mute]) == []
    assert not Notification.objects.exists()


def test_the_same_event_notifies_a_contact_once(ann):
    assert len(notify([ann, ann])) == 1

    assert notify([ann]) == []
    assert Notification.objects.count() == 1


def test_webhooks_get_one_row_per_subscription_whatever_the_contacts(acme, ann):
    hook = WebhookSubscriptionFactory()
    bob = ContactFactory(client=acme, email="bob@acme.example")

    rows = notify([ann, bob])

    assert sorted((r.channel, r.address) for r in rows) == [
        (Channel.EMAIL, "ann@acme.example"),
        (Channel.EMAIL, "bob@acme.example"),
        (Channel.WEBHOOK, hook.url),
    ]


def test_a_contacts_email_is_delivered_at_once(ann, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        notify([ann], now=None)

    assert [m.to for m in mailoutbox] == [["ann@acme.example"]]
    assert Notification.objects.get().status == "sent"


def test_something_else_than_a_user_department_or_contact_is_refused(acme):
    with pytest.raises(TypeError, match="not a user, a department or a contact"):
        notify([acme])


# --- the database --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"channel": Channel.IN_APP},
        {"channel": Channel.EMAIL, "department": True},
        {"channel": Channel.EMAIL, "user": True},
    ],
    ids=["in_app", "with_a_department", "with_a_user"],
)
def test_a_contacts_row_is_an_email_to_the_contact_alone(ann, fields):
    row = {
        "event_type": PLAIN.code,
        "event_key": "e:1",
        "dedup_key": "e:1|x",
        "channel": fields["channel"],
        "recipient_contact": ann,
        "address": ann.email,
        "subject": "Hello",
        "next_attempt_at": SATURDAY_NIGHT,
        "recipient_department": DepartmentFactory() if fields.get("department") else None,
        "recipient_user": UserFactory() if fields.get("user") else None,
    }
    violates(Notification, "notification_one_recipient", lambda: Notification.objects.create(**row))


def test_deleting_a_contact_keeps_what_was_sent_to_them(ann):
    (row,) = notify([ann])

    ann.delete()

    row.refresh_from_db()
    assert (row.recipient_contact, row.address) == (None, "ann@acme.example")


# --- the outbox ----------------------------------------------------------------------------


@pytest.fixture
def contact_email(ann):
    (row,) = notify([ann])
    NotificationFactory(subject="Someone else's")
    return row


def test_the_outbox_page_shows_the_contact_as_the_recipient(
    client, users, contact_email, django_assert_max_num_queries
):
    client.force_login(users.administrator)

    with django_assert_max_num_queries(12):
        listing = client.get(reverse("notifications:outbox"))
    detail = client.get(reverse("notifications:outbox_detail", args=[contact_email.pk]))

    assert listing.status_code == detail.status_code == 200
    assert 'Ann Tech <span class="text-body-secondary">(contact of Acme Retail)</span>' in (
        listing.content.decode()
    )
    page = detail.content.decode()
    assert "Ann Tech" in page
    assert f'<a href="{contact_email.recipient_contact.get_absolute_url()}">Acme Retail</a>' in page


def test_the_outbox_page_finds_notifications_by_the_contacts_name(client, users, contact_email):
    client.force_login(users.administrator)

    response = client.get(reverse("notifications:outbox"), {"q": "ann tech"})

    assert [n.pk for n in response.context["object_list"]] == [contact_email.pk]


def test_the_outbox_api_gives_the_contact(users, contact_email):
    response = api_as(users.administrator).get(f"/api/v1/outbox/{contact_email.pk}/")

    assert response.status_code == 200
    assert (
        response.data["recipient_contact"],
        response.data["recipient_user"],
        response.data["address"],
    ) == (contact_email.recipient_contact_id, None, "ann@acme.example")
