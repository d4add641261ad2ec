"""The outbox pages (administrators): filters, sorting, the dead banner, the detail page with
its bodies shown safely, retry of one and of every dead notification."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tamdesk.notifications.choices import Channel, NotificationStatus
from tamdesk.notifications.models import Notification
from tests.directory.factories import UserFactory
from tests.notifications.factories import NotificationFactory, WebhookSubscriptionFactory

pytestmark = pytest.mark.django_db


def subjects(response) -> list[str]:
    return [n.subject for n in response.context["object_list"]]


@pytest.fixture
def outbox(users):
    ann = UserFactory(username="ann", first_name="Ann", last_name="Archer")
    hook = WebhookSubscriptionFactory(name="Chat room")
    return {
        "in_app": NotificationFactory(recipient_user=ann, subject="In-app to Ann"),
        "email": NotificationFactory(
            recipient_user=ann, channel=Channel.EMAIL, subject="E-mail to Ann"
        ),
        "dead": NotificationFactory(
            channel=Channel.WEBHOOK,
            webhook=hook,
            status=NotificationStatus.DEAD,
            attempts=8,
            last_error="HTTPError: 500",
            subject="Dead webhook",
        ),
        "failed": NotificationFactory(
            channel=Channel.EMAIL,
            status=NotificationStatus.FAILED,
            attempts=2,
            event_type="notifications.daily_digest",
            subject="Failed digest",
        ),
    }


def test_the_outbox_lists_every_notification(client, users, outbox, django_assert_max_num_queries):
    client.force_login(users.administrator)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("notifications:outbox"))

    assert response.status_code == 200
    assert set(subjects(response)) == {n.subject for n in outbox.values()}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "dead"}, {"Dead webhook"}),
        ({"status": "failed"}, {"Failed digest"}),
        ({"channel": "email"}, {"E-mail to Ann", "Failed digest"}),
        ({"event_type": "notifications.daily_digest"}, {"Failed digest"}),
        ({"q": "archer"}, {"In-app to Ann", "E-mail to Ann"}),
        ({"q": "chat room"}, {"Dead webhook"}),
        ({"channel": "email", "q": "ann"}, {"E-mail to Ann"}),
    ],
)
def test_outbox_filters(client, users, outbox, params, expected):
    client.force_login(users.administrator)

    response = client.get(reverse("notifications:outbox"), params)

    assert set(subjects(response)) == expected


def test_outbox_filters_by_date(client, users, outbox):
    Notification.objects.filter(pk=outbox["dead"].pk).update(
        created_at=timezone.now() - dt.timedelta(days=10)
    )
    client.force_login(users.administrator)
    cutoff = (timezone.localdate() - dt.timedelta(days=5)).isoformat()

    older = client.get(reverse("notifications:outbox"), {"created_to": cutoff})
    newer = client.get(reverse("notifications:outbox"), {"created_from": cutoff})

    assert subjects(older) == ["Dead webhook"]
    assert "Dead webhook" not in subjects(newer) and len(subjects(newer)) == 3


def test_outbox_sorts(client, users, outbox):
    client.force_login(users.administrator)

    response = client.get(reverse("notifications:outbox"), {"ordering": "-attempts"})

    assert subjects(response)[:2] == ["Dead webhook", "Failed digest"]


def test_outbox_answers_htmx_with_the_table(client, users, outbox):
    client.force_login(users.administrator)

    response = client.get(reverse("notifications:outbox"), HTTP_HX_REQUEST="true")

    content = response.content.decode()
    assert "<html" not in content
    assert "Dead webhook" in content


def test_dead_notifications_raise_a_banner(client, users, outbox):
    client.force_login(users.administrator)

    content = client.get(reverse("notifications:outbox")).content.decode()

    assert 'id="dead-banner"' in content
    assert "1 notification is dead" in content
    assert reverse("notifications:outbox_retry_dead") in content


def test_no_banner_without_dead_notifications(client, users):
    NotificationFactory(channel=Channel.EMAIL)
    client.force_login(users.administrator)

    content = client.get(reverse("notifications:outbox")).content.decode()

    assert 'id="dead-banner"' not in content


def test_the_detail_page_shows_every_field(client, users, outbox):
    dead = outbox["dead"]
    client.force_login(users.administrator)

    response = client.get(reverse("notifications:outbox_detail", args=[dead.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert "HTTPError: 500" in content
    assert str(dead.uuid) in content
    assert dead.address in content
    assert reverse("notifications:outbox_retry", args=[dead.pk]) in content


def test_the_html_body_never_reaches_the_page_raw(client, users):
    notification = NotificationFactory(
        channel=Channel.EMAIL,
        body_text="plain <text>",
        body_html='<p onclick="x()">Hi</p><script>alert("x")</script>',
    )
    client.force_login(users.administrator)

    content = client.get(
        reverse("notifications:outbox_detail", args=[notification.pk])
    ).content.decode()

    assert "<script>alert" not in content
    assert '<p onclick="x()">' not in content
    assert 'sandbox=""' in content
    assert 'srcdoc="&lt;p onclick=&quot;x()&quot;&gt;Hi&lt;/p&gt;&lt;script&gt;' in content
    assert "plain &lt;text&gt;" in content


def test_a_sent_notification_has_no_retry_button(client, users):
    sent = NotificationFactory(channel=Channel.EMAIL, status=NotificationStatus.SENT)
    client.force_login(users.administrator)

    content = client.get(reverse("notifications:outbox_detail", args=[sent.pk])).content.decode()

    assert reverse("notifications:outbox_retry", args=[sent.pk]) not in content


@pytest.mark.parametrize("key", ["dead", "failed"])
def test_retry_queues_a_failed_or_dead_notification_again(
    client, users, outbox, key, django_capture_on_commit_callbacks
):
    notification = outbox[key]
    client.force_login(users.administrator)

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("notifications:outbox_retry", args=[notification.pk]))

    assert response.status_code == 302
    assert response.url == notification.get_absolute_url()
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.PENDING
    assert notification.attempts == 0


def test_retry_of_a_sent_notification_is_refused_with_a_message(client, users):
    sent = NotificationFactory(channel=Channel.EMAIL, status=NotificationStatus.SENT, attempts=1)
    client.force_login(users.administrator)

    response = client.post(reverse("notifications:outbox_retry", args=[sent.pk]), follow=True)

    assert "Only a failed or dead notification can be retried." in response.content.decode()
    sent.refresh_from_db()
    assert (sent.status, sent.attempts) == (NotificationStatus.SENT, 1)


def test_retry_all_dead_asks_first(client, users, outbox):
    client.force_login(users.administrator)

    response = client.get(reverse("notifications:outbox_retry_dead"))

    assert response.status_code == 200
    assert "Queue the 1 dead notification again?" in response.content.decode()
    assert Notification.objects.get(pk=outbox["dead"].pk).status == NotificationStatus.DEAD


def test_retry_all_dead_queues_only_the_dead(
    client, users, outbox, django_capture_on_commit_callbacks
):
    second = NotificationFactory(channel=Channel.EMAIL, status=NotificationStatus.DEAD, attempts=8)
    client.force_login(users.administrator)

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("notifications:outbox_retry_dead"), follow=True)

    assert "2 notifications are queued again." in response.content.decode()
    statuses = dict(Notification.objects.values_list("pk", "status"))
    assert statuses[outbox["dead"].pk] == statuses[second.pk] == NotificationStatus.PENDING
    assert statuses[outbox["failed"].pk] == NotificationStatus.FAILED
    assert statuses[outbox["in_app"].pk] == NotificationStatus.SENT


@pytest.mark.parametrize("name", ["outbox_retry", "outbox_retry_dead"])
@pytest.mark.parametrize("role", ["tam", "engineer", "norole"])
def test_only_administrators_retry(client, users, outbox, name, role):
    client.force_login(getattr(users, role))
    args = [outbox["dead"].pk] if name == "outbox_retry" else []

    response = client.post(reverse(f"notifications:{name}", args=args))

    assert response.status_code == 403
    dead = Notification.objects.get(pk=outbox["dead"].pk)
    assert (dead.status, dead.attempts) == (NotificationStatus.DEAD, 8)
