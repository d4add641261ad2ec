"""Who may open which notification page, and the rules behind them: every signed-in person has
an inbox and preferences; the outbox, the webhooks and the jobs page are for administrators."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tamdesk.notifications.choices import Channel, NotificationStatus
from tests.notifications.factories import (
    JobRunFactory,
    NotificationFactory,
    WebhookSubscriptionFactory,
)
from tests.support import ROLES

pytestmark = pytest.mark.django_db

ADMINS = {"admin", "administrator"}
PERSONAL_PAGES = [("notifications:inbox", None), ("notifications:preferences", None)]
ADMIN_PAGES = [
    ("notifications:outbox", None),
    ("notifications:outbox_detail", "notification"),
    ("notifications:outbox_retry_dead", None),
    ("notifications:webhook_list", None),
    ("notifications:webhook_create", None),
    ("notifications:webhook_detail", "webhook"),
    ("notifications:webhook_update", "webhook"),
    ("notifications:webhook_delete", "webhook"),
    ("jobs", None),
]


@pytest.fixture
def records(users):
    webhook = WebhookSubscriptionFactory()
    JobRunFactory()
    return {
        "webhook": webhook,
        "notification": NotificationFactory(
            channel=Channel.WEBHOOK, webhook=webhook, status=NotificationStatus.DEAD
        ),
    }


def url_of(name: str, key: str | None, records) -> str:
    return reverse(name, args=[records[key].pk] if key else [])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "key"), PERSONAL_PAGES)
def test_personal_pages_are_for_everyone_signed_in(client, users, records, role, name, key):
    client.force_login(getattr(users, role))

    assert client.get(url_of(name, key, records)).status_code == 200


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "key"), ADMIN_PAGES)
def test_administration_pages_are_for_administrators(client, users, records, role, name, key):
    client.force_login(getattr(users, role))

    response = client.get(url_of(name, key, records))

    assert response.status_code == (200 if role in ADMINS else 403)


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize(("name", "key"), PERSONAL_PAGES + ADMIN_PAGES)
def test_pages_render_in_both_languages(client, users, records, name, key, language):
    client.force_login(users.admin)

    response = client.get(url_of(name, key, records), HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 200
    assert f'<html lang="{language}"' in response.content.decode()


@pytest.mark.parametrize(("name", "key"), PERSONAL_PAGES + ADMIN_PAGES)
def test_anonymous_is_sent_to_the_login_page(client, records, name, key):
    response = client.get(url_of(name, key, records))

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")


def test_the_navigation_shows_administration_to_administrators_only(client, users):
    client.force_login(users.administrator)
    admin_page = client.get(reverse("notifications:inbox")).content.decode()
    client.force_login(users.tam)
    tam_page = client.get(reverse("notifications:inbox")).content.decode()

    for link in (
        reverse("notifications:outbox"),
        reverse("notifications:webhook_list"),
        reverse("jobs"),
    ):
        assert f'href="{link}"' in admin_page
        assert f'href="{link}"' not in tam_page
    assert 'id="nav-administration"' not in tam_page
    assert f'href="{reverse("notifications:inbox")}"' in tam_page


@pytest.mark.parametrize("role", sorted(set(ROLES) - {"admin"}))
def test_a_notification_is_read_by_its_recipient_only(users, role):
    # (A superuser holds every permission in Django; the pages and the API look notifications
    # up in the caller's own inbox, so even they reach nobody else's: see test_views_inbox.)
    user = getattr(users, role)
    own = NotificationFactory(recipient_user=user)
    someone_else = users.tam if role == "programme_lead" else users.programme_lead
    theirs = NotificationFactory(recipient_user=someone_else)

    assert user.has_perm("notifications.read_notification", own)
    assert not user.has_perm("notifications.read_notification", theirs)


@pytest.mark.parametrize("role", ROLES)
def test_the_administration_permissions(users, role):
    user = getattr(users, role)
    expected = role in ADMINS

    for permission in (
        "notifications.view_notification",
        "notifications.retry_notification",
        "notifications.view_webhooksubscription",
        "notifications.add_webhooksubscription",
        "notifications.change_webhooksubscription",
        "notifications.delete_webhooksubscription",
        "core.view_jobrun",
    ):
        assert user.has_perm(permission) is expected, permission
    assert user.has_perm("notifications.view_inbox")
    assert user.has_perm("notifications.change_preferences")
