"""``/api/v1/notifications/``: the caller's in-app notifications only; read, unread, read-all.
Nobody reaches another person's notification (404), and a refused call changes nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tamdesk.notifications.choices import Channel
from tamdesk.notifications.models import Notification
from tests.conftest import api_as
from tests.notifications.factories import NotificationFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/notifications/"


def read_states() -> dict:
    return dict(Notification.objects.values_list("pk", "read_at"))


def test_anonymous_gets_401(users):
    NotificationFactory(recipient_user=users.tam)

    for method, path in [("get", BASE), ("post", f"{BASE}read-all/")]:
        response = getattr(api_as(None), method)(path)
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"


def test_the_list_holds_the_callers_in_app_notifications_only(users, django_assert_max_num_queries):
    own = NotificationFactory.create_batch(3, recipient_user=users.norole)
    NotificationFactory(recipient_user=users.tam)
    NotificationFactory(recipient_user=users.norole, channel=Channel.EMAIL)

    with django_assert_max_num_queries(4):
        response = api_as(users.norole).get(BASE)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert {item["id"] for item in body["results"]} == {n.pk for n in own}
    assert set(body["results"][0]) == {
        "id",
        "event_type",
        "subject",
        "text",
        "url",
        "urgent",
        "created_at",
        "read_at",
        "is_unread",
    }


def test_the_list_filters_unread(users):
    fresh = NotificationFactory(recipient_user=users.tam)
    seen = NotificationFactory(recipient_user=users.tam, read_at=timezone.now())

    unread = api_as(users.tam).get(BASE, {"unread": "true"}).json()
    read = api_as(users.tam).get(BASE, {"unread": "false"}).json()

    assert [item["id"] for item in unread["results"]] == [fresh.pk]
    assert [item["id"] for item in read["results"]] == [seen.pk]


def test_read_and_unread(users):
    notification = NotificationFactory(recipient_user=users.tam)
    api = api_as(users.tam)

    read = api.post(f"{BASE}{notification.pk}/read/")
    assert read.status_code == 200
    assert read.json()["is_unread"] is False
    assert Notification.objects.get(pk=notification.pk).read_at is not None

    unread = api.post(f"{BASE}{notification.pk}/unread/")
    assert unread.status_code == 200
    assert unread.json()["is_unread"] is True
    assert Notification.objects.get(pk=notification.pk).read_at is None


def test_read_all_marks_the_callers_notifications(users):
    NotificationFactory.create_batch(2, recipient_user=users.tam)
    other = NotificationFactory(recipient_user=users.engineer)

    response = api_as(users.tam).post(f"{BASE}read-all/")

    assert response.status_code == 200
    assert response.json() == {"marked": 2}
    assert Notification.objects.get(pk=other.pk).read_at is None
    assert not Notification.objects.inbox(users.tam).unread().exists()


@pytest.mark.parametrize("role", ["admin", "administrator", "tam", "norole"])
def test_another_persons_notification_is_a_404_and_stays_as_it_was(users, role):
    theirs = NotificationFactory(recipient_user=users.engineer)
    seen = NotificationFactory(recipient_user=users.engineer, read_at=timezone.now())
    before = read_states()
    api = api_as(getattr(users, role))

    responses = [
        api.get(f"{BASE}{theirs.pk}/"),
        api.post(f"{BASE}{theirs.pk}/read/"),
        api.post(f"{BASE}{seen.pk}/unread/"),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404]
    assert {r.json()["code"] for r in responses} == {"not_found"}
    assert read_states() == before


def test_an_email_of_the_caller_is_not_in_the_api_inbox(users):
    email = NotificationFactory(recipient_user=users.tam, channel=Channel.EMAIL)

    response = api_as(users.tam).post(f"{BASE}{email.pk}/read/")

    assert response.status_code == 404
    assert Notification.objects.get(pk=email.pk).read_at is None


def test_the_inbox_is_read_only(users):
    notification = NotificationFactory(recipient_user=users.tam)
    api = api_as(users.tam)

    assert api.post(BASE, {"subject": "x"}, format="json").status_code == 405
    assert api.delete(f"{BASE}{notification.pk}/").status_code == 405
    assert Notification.objects.filter(pk=notification.pk).exists()
