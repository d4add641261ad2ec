"""The notification centre: the bell and its count, the inbox, marking read and unread, and
following a notification's link (never off the site)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tamdesk.notifications.choices import Channel
from tamdesk.notifications.models import Notification
from tests.notifications.factories import NotificationFactory

pytestmark = pytest.mark.django_db


def unread_badge(content: str) -> str | None:
    marker = 'data-unread-count="'
    if marker not in content:
        return None
    return content.split(marker, 1)[1].split('"', 1)[0]


def read_state(*notifications) -> dict[int, dt.datetime | None]:
    return {n.pk: Notification.objects.get(pk=n.pk).read_at for n in notifications}


# --- the bell ------------------------------------------------------------------------------


def test_the_bell_shows_the_unread_count_of_the_user_only(client, users):
    NotificationFactory.create_batch(3, recipient_user=users.tam)
    NotificationFactory(recipient_user=users.tam, read_at=timezone.now())
    NotificationFactory(recipient_user=users.engineer)
    NotificationFactory(recipient_user=users.tam, channel=Channel.EMAIL)  # not in the inbox
    client.force_login(users.tam)

    content = client.get(reverse("home")).content.decode()

    assert 'id="notification-bell"' in content
    assert unread_badge(content) == "3"
    assert 'hx-trigger="every 60s"' in content
    assert f'hx-get="{reverse("notifications:bell")}"' in content


@pytest.mark.parametrize("count", [1, 3, 5, 21])
def test_the_bell_counts_unread_notifications_in_russian(client, users, count):
    # The count reached the Russian plural formula (n%10) as a lazy object: a 500 on every page.
    NotificationFactory.create_batch(count, recipient_user=users.tam)
    client.force_login(users.tam)

    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="ru")

    assert response.status_code == 200
    content = response.content.decode()
    assert unread_badge(content) == str(count)
    assert f"Уведомления: {count} непрочитан" in content


def test_the_bell_has_no_badge_when_everything_is_read(client, users):
    NotificationFactory(recipient_user=users.tam, read_at=timezone.now())
    client.force_login(users.tam)

    content = client.get(reverse("notifications:bell")).content.decode()

    assert 'id="notification-bell"' in content
    assert unread_badge(content) is None


def test_the_bell_caps_the_badge_at_99(client, users):
    NotificationFactory.create_batch(100, recipient_user=users.tam)
    client.force_login(users.tam)

    content = client.get(reverse("notifications:bell")).content.decode()

    assert unread_badge(content) == "100"
    assert "99+" in content


def test_the_bell_fragment_costs_one_count_query(client, users, django_assert_num_queries):
    NotificationFactory.create_batch(2, recipient_user=users.tam)
    client.force_login(users.tam)
    client.get(reverse("notifications:bell"))  # warm the session

    # the session, the user, their roles (the shell's context), the count
    with django_assert_num_queries(4) as captured:
        response = client.get(reverse("notifications:bell"))

    assert response.status_code == 200
    counts = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1


def test_the_bell_stops_polling_for_an_anonymous_page(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("notifications:bell"))

    assert response.status_code == 286
    assert response.content == b""


def test_pages_count_unread_notifications_once(client, users, django_assert_max_num_queries):
    NotificationFactory.create_batch(5, recipient_user=users.tam)
    client.force_login(users.tam)

    with django_assert_max_num_queries(12) as captured:
        client.get(reverse("notifications:inbox"))

    bell_counts = [
        q["sql"]
        for q in captured.captured_queries
        if "COUNT(" in q["sql"].upper() and "read_at" in q["sql"]
    ]
    assert len(bell_counts) == 1


def test_anonymous_pages_make_no_count_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("login"))

    assert response.status_code == 200
    assert "notification-bell" not in response.content.decode()


# --- the inbox -----------------------------------------------------------------------------


def test_inbox_lists_own_in_app_notifications_newest_first(client, users):
    older = NotificationFactory(recipient_user=users.tam, subject="Older news")
    Notification.objects.filter(pk=older.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=1)
    )
    NotificationFactory(recipient_user=users.tam, subject="Newer news")
    NotificationFactory(recipient_user=users.engineer, subject="Somebody else's")
    NotificationFactory(recipient_user=users.tam, channel=Channel.EMAIL, subject="An e-mail")
    client.force_login(users.tam)

    content = client.get(reverse("notifications:inbox")).content.decode()

    assert content.index("Newer news") < content.index("Older news")
    assert "Somebody else&#x27;s" not in content and "Somebody else's" not in content
    assert "An e-mail" not in content
    assert "2 notifications" in content


def test_inbox_filters_unread(client, users):
    NotificationFactory(recipient_user=users.tam, subject="Fresh")
    NotificationFactory(recipient_user=users.tam, subject="Seen", read_at=timezone.now())
    client.force_login(users.tam)

    unread = client.get(reverse("notifications:inbox"), {"unread": "true"}).content.decode()
    everything = client.get(reverse("notifications:inbox")).content.decode()

    assert "Fresh" in unread and "Seen" not in unread
    assert "Fresh" in everything and "Seen" in everything


def test_inbox_paginates_by_25(client, users, django_assert_max_num_queries):
    NotificationFactory.create_batch(30, recipient_user=users.tam)
    client.force_login(users.tam)

    with django_assert_max_num_queries(12):
        first = client.get(reverse("notifications:inbox")).content.decode()
    second = client.get(reverse("notifications:inbox"), {"page": 2}).content.decode()

    assert first.count('id="notification-') == 25 + 1  # the rows, and the bell
    assert second.count('id="notification-') == 5 + 1
    assert "30 notifications" in first


def test_inbox_answers_htmx_with_the_list_only(client, users):
    NotificationFactory(recipient_user=users.tam, subject="Fresh")
    client.force_login(users.tam)

    content = client.get(reverse("notifications:inbox"), HTTP_HX_REQUEST="true").content.decode()

    assert "Fresh" in content
    assert "<html" not in content


def test_inbox_is_for_everyone_signed_in_even_without_a_role(client, users):
    client.force_login(users.norole)

    assert client.get(reverse("notifications:inbox")).status_code == 200


def test_inbox_sends_anonymous_users_to_the_login_page(client):
    response = client.get(reverse("notifications:inbox"))

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")


# --- marking -------------------------------------------------------------------------------


def test_mark_read_with_htmx_swaps_the_row_and_the_bell(client, users):
    notification = NotificationFactory(recipient_user=users.tam, subject="Fresh")
    NotificationFactory(recipient_user=users.tam)
    client.force_login(users.tam)

    response = client.post(
        reverse("notifications:notification_read", args=[notification.pk]), HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert f'id="notification-{notification.pk}"' in content
    assert "Mark unread" in content
    assert 'hx-swap-oob="true"' in content
    assert unread_badge(content) == "1"
    assert Notification.objects.get(pk=notification.pk).read_at is not None


def test_mark_unread_brings_it_back(client, users):
    notification = NotificationFactory(recipient_user=users.tam, read_at=timezone.now())
    client.force_login(users.tam)

    response = client.post(
        reverse("notifications:notification_unread", args=[notification.pk]),
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert "Mark read" in response.content.decode()
    assert unread_badge(response.content.decode()) == "1"
    assert Notification.objects.get(pk=notification.pk).read_at is None


def test_mark_read_without_htmx_goes_back_to_the_inbox(client, users):
    notification = NotificationFactory(recipient_user=users.tam)
    client.force_login(users.tam)

    response = client.post(reverse("notifications:notification_read", args=[notification.pk]))

    assert response.status_code == 302
    assert response.url == reverse("notifications:inbox")
    assert Notification.objects.get(pk=notification.pk).read_at is not None


def test_mark_read_is_a_post_only(client, users):
    notification = NotificationFactory(recipient_user=users.tam)
    client.force_login(users.tam)

    response = client.get(reverse("notifications:notification_read", args=[notification.pk]))

    assert response.status_code == 405
    assert Notification.objects.get(pk=notification.pk).read_at is None


def test_mark_all_read_marks_only_own_notifications(client, users):
    own = NotificationFactory.create_batch(3, recipient_user=users.tam)
    other = NotificationFactory(recipient_user=users.engineer)
    client.force_login(users.tam)

    response = client.post(reverse("notifications:inbox_read_all"))

    assert response.status_code == 302
    assert all(read_at is not None for read_at in read_state(*own).values())
    assert read_state(other) == {other.pk: None}


@pytest.mark.parametrize("name", ["notification_read", "notification_unread", "notification_open"])
def test_nobody_marks_another_persons_notification(client, users, name):
    theirs = NotificationFactory(recipient_user=users.engineer, url="/")
    seen = NotificationFactory(recipient_user=users.engineer, read_at=timezone.now())
    before = read_state(theirs, seen)
    client.force_login(users.admin)  # not even an administrator

    responses = [
        client.post(reverse(f"notifications:{name}", args=[theirs.pk])),
        client.post(reverse(f"notifications:{name}", args=[seen.pk]), HTTP_HX_REQUEST="true"),
    ]

    assert [r.status_code for r in responses] == [404, 404]
    assert read_state(theirs, seen) == before


def test_an_email_row_of_the_user_is_not_in_their_inbox(client, users):
    email = NotificationFactory(recipient_user=users.tam, channel=Channel.EMAIL)
    client.force_login(users.tam)

    response = client.post(reverse("notifications:notification_read", args=[email.pk]))

    assert response.status_code == 404
    assert Notification.objects.get(pk=email.pk).read_at is None


def test_anonymous_cannot_mark(client, users):
    notification = NotificationFactory(recipient_user=users.tam)

    response = client.post(reverse("notifications:notification_read", args=[notification.pk]))

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert Notification.objects.get(pk=notification.pk).read_at is None


# --- following the link --------------------------------------------------------------------


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, users):
    notification = NotificationFactory(recipient_user=users.tam, url="/directory/clients/")
    client.force_login(users.tam)

    response = client.post(reverse("notifications:notification_open", args=[notification.pk]))

    assert response.status_code == 302
    assert response.url == "/directory/clients/"
    assert Notification.objects.get(pk=notification.pk).read_at is not None


def test_an_absolute_link_to_this_site_is_followed(client, users, settings):
    settings.BASE_URL = "https://tamdesk.example.com"
    notification = NotificationFactory(
        recipient_user=users.tam, url="https://tamdesk.example.com/directory/clients/"
    )
    client.force_login(users.tam)

    response = client.post(reverse("notifications:notification_open", args=[notification.pk]))

    assert response.url == "https://tamdesk.example.com/directory/clients/"


@pytest.mark.parametrize(
    "url", ["https://evil.example.com/", "//evil.example.com/x", "javascript:alert(1)"]
)
def test_a_link_off_the_site_is_refused(client, users, url):
    notification = NotificationFactory(recipient_user=users.tam, url=url)
    client.force_login(users.tam)

    response = client.post(
        reverse("notifications:notification_open", args=[notification.pk]), follow=True
    )

    assert response.redirect_chain == [(reverse("notifications:inbox"), 302)]
    assert "leads off this site" in response.content.decode()


def test_the_inbox_shows_a_plain_link_to_open_each_notification(client, users):
    notification = NotificationFactory(recipient_user=users.tam, url="/directory/clients/42/")
    client.force_login(users.tam)

    content = client.get(reverse("notifications:inbox")).content.decode()

    # A link (opens in a new tab, can be copied), not a form button; the target stays behind it
    open_url = reverse("notifications:notification_open", args=[notification.pk])
    assert f'<a href="{open_url}"' in content
    assert f'action="{open_url}"' not in content
    assert "/directory/clients/42/" not in content


def test_opening_with_a_get_marks_read_and_follows_the_link(client, users):
    notification = NotificationFactory(recipient_user=users.tam, url="/directory/clients/")
    client.force_login(users.tam)

    response = client.get(reverse("notifications:notification_open", args=[notification.pk]))

    assert response.status_code == 302
    assert response.url == "/directory/clients/"
    assert "no-cache" in response["Cache-Control"]
    assert Notification.objects.get(pk=notification.pk).read_at is not None


def test_opening_another_persons_notification_with_a_get_changes_nothing(client, users):
    theirs = NotificationFactory(recipient_user=users.engineer, url="/")
    before = read_state(theirs)
    client.force_login(users.tam)

    response = client.get(reverse("notifications:notification_open", args=[theirs.pk]))

    assert response.status_code == 404
    assert read_state(theirs) == before


def test_opening_without_logging_in_leads_to_the_login_and_changes_nothing(client, users):
    notification = NotificationFactory(recipient_user=users.tam, url="/")
    url = reverse("notifications:notification_open", args=[notification.pk])

    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert Notification.objects.get(pk=notification.pk).read_at is None


def test_a_link_off_the_site_is_refused_on_a_get_too(client, users):
    notification = NotificationFactory(recipient_user=users.tam, url="https://evil.example.com/")
    client.force_login(users.tam)

    response = client.get(
        reverse("notifications:notification_open", args=[notification.pk]), follow=True
    )

    assert response.redirect_chain == [(reverse("notifications:inbox"), 302)]
