"""Webhook subscription pages (administrators): create with a generated secret, edit, delete,
regenerate the secret, the latest deliveries and the signature help."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tamdesk.notifications.choices import Channel, NotificationStatus
from tamdesk.notifications.models import WebhookSubscription
from tests.notifications.factories import NotificationFactory, WebhookSubscriptionFactory

pytestmark = pytest.mark.django_db


def form_data(**changes) -> dict:
    data = {
        "name": "Ops chat",
        "url": "https://hooks.example.com/ops",
        "event_types": ["notifications.daily_digest"],
        "format": "slack",
        "is_active": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_create_generates_a_secret_and_shows_it(client, users):
    client.force_login(users.administrator)

    response = client.post(reverse("notifications:webhook_create"), form_data())

    subscription = WebhookSubscription.objects.get()
    assert response.status_code == 302
    assert response.url == subscription.get_absolute_url()
    assert subscription.event_types == ["notifications.daily_digest"]
    assert subscription.format == "slack"
    assert len(subscription.secret) >= 32
    content = client.get(response.url).content.decode()
    assert subscription.secret in content
    assert 'data-copy-target="#webhook-secret"' in content
    assert "X-Tamdesk-Signature" in content and "X-Tamdesk-Timestamp" in content


def test_no_event_type_means_all(client, users):
    client.force_login(users.administrator)

    client.post(reverse("notifications:webhook_create"), form_data(event_types=None))

    subscription = WebhookSubscription.objects.get()
    assert subscription.event_types == []
    assert "All events" in client.get(subscription.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    "url", ["ftp://files.example.com/in", "file:///etc/passwd", "not a url", ""]
)
def test_only_http_addresses_are_accepted(client, users, url):
    client.force_login(users.administrator)

    response = client.post(reverse("notifications:webhook_create"), form_data(url=url))

    assert response.status_code == 200
    assert "url" in response.context["form"].errors
    assert not WebhookSubscription.objects.exists()


def test_an_unknown_event_type_is_refused(client, users):
    client.force_login(users.administrator)

    response = client.post(
        reverse("notifications:webhook_create"), form_data(event_types=["nope.nothing"])
    )

    assert "event_types" in response.context["form"].errors
    assert not WebhookSubscription.objects.exists()


def test_update_keeps_the_secret(client, users):
    subscription = WebhookSubscriptionFactory(name="Old name")
    secret = subscription.secret
    client.force_login(users.administrator)

    response = client.post(
        reverse("notifications:webhook_update", args=[subscription.pk]),
        form_data(name="New name", is_active=None),
    )

    assert response.status_code == 302
    subscription.refresh_from_db()
    assert (subscription.name, subscription.is_active, subscription.secret) == (
        "New name",
        False,
        secret,
    )


def test_delete_removes_the_subscription(client, users):
    subscription = WebhookSubscriptionFactory()
    client.force_login(users.administrator)

    assert (
        client.get(reverse("notifications:webhook_delete", args=[subscription.pk])).status_code
        == 200
    )
    response = client.post(reverse("notifications:webhook_delete", args=[subscription.pk]))

    assert response.status_code == 302
    assert response.url == reverse("notifications:webhook_list")
    assert not WebhookSubscription.objects.exists()


def test_regenerate_secret_replaces_it(client, users):
    subscription = WebhookSubscriptionFactory()
    old = subscription.secret
    client.force_login(users.administrator)

    response = client.post(
        reverse("notifications:webhook_regenerate_secret", args=[subscription.pk]), follow=True
    )

    subscription.refresh_from_db()
    assert subscription.secret != old and len(subscription.secret) >= 32
    content = response.content.decode()
    assert subscription.secret in content and old not in content


def test_regenerate_secret_is_a_post_only(client, users):
    subscription = WebhookSubscriptionFactory()
    old = subscription.secret
    client.force_login(users.administrator)

    response = client.get(
        reverse("notifications:webhook_regenerate_secret", args=[subscription.pk])
    )

    assert response.status_code == 405
    subscription.refresh_from_db()
    assert subscription.secret == old


def test_the_detail_page_lists_the_latest_deliveries(client, users):
    subscription = WebhookSubscriptionFactory()
    other = WebhookSubscriptionFactory()
    NotificationFactory(
        channel=Channel.WEBHOOK,
        webhook=subscription,
        status=NotificationStatus.FAILED,
        last_error="HTTPError: 502 Bad Gateway",
        subject="Delivered here",
    )
    NotificationFactory(channel=Channel.WEBHOOK, webhook=other, subject="Delivered elsewhere")
    client.force_login(users.administrator)

    content = client.get(subscription.get_absolute_url()).content.decode()

    assert "Delivered here" in content and "HTTPError: 502 Bad Gateway" in content
    assert "Delivered elsewhere" not in content


def test_the_list_filters(client, users, django_assert_max_num_queries):
    WebhookSubscriptionFactory(name="Ops chat", is_active=True)
    WebhookSubscriptionFactory(name="Ticketing", is_active=False)
    client.force_login(users.administrator)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("notifications:webhook_list"), {"is_active": "false"})

    assert [s.name for s in response.context["object_list"]] == ["Ticketing"]


@pytest.mark.parametrize("role", ["tam", "engineer", "lead", "norole"])
def test_others_change_nothing(client, users, role):
    subscription = WebhookSubscriptionFactory(name="Ops chat")
    before = list(WebhookSubscription.objects.values())
    client.force_login(getattr(users, role))

    responses = [
        client.post(reverse("notifications:webhook_create"), form_data(name="Sneaky")),
        client.post(
            reverse("notifications:webhook_update", args=[subscription.pk]),
            form_data(name="Renamed"),
        ),
        client.post(reverse("notifications:webhook_delete", args=[subscription.pk])),
        client.post(reverse("notifications:webhook_regenerate_secret", args=[subscription.pk])),
    ]

    assert [r.status_code for r in responses] == [403] * 4
    assert list(WebhookSubscription.objects.values()) == before
