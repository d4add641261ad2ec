"""Delivery to real far ends: e-mail through an SMTP server on loopback, webhooks to an HTTP
receiver on loopback — failures, backoff, retries and their end, all observed on the far side."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json

import pytest
import time_machine
from django.utils import timezone

from tamdesk import __version__
from tamdesk.notifications import services, tasks
from tamdesk.notifications.choices import Channel, NotificationStatus, WebhookFormat
from tamdesk.notifications.models import NotificationProfile
from tests.directory.factories import UserFactory
from tests.notifications.conftest import OTHER, URGENT, free_port
from tests.notifications.factories import WebhookSubscriptionFactory

pytestmark = pytest.mark.django_db

TEST_TEXT = "This is a test message from tamdesk at http://127.0.0.1:8000."


def sweep_at(moment: dt.datetime) -> str:
    """The periodic sweep as the worker runs it, at ``moment``."""
    with time_machine.travel(moment, tick=False):
        tasks.sweep_outbox.call_local()
    return "swept"


# --- e-mail --------------------------------------------------------------------------------


def test_an_email_reaches_the_mail_server(smtp_settings, smtp_server, notify):
    ann = UserFactory(email="ann@example.com")

    [row] = notify(event_key="e:1", recipients=[ann])

    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (NotificationStatus.SENT, 1, "")
    assert row.sent_at is not None
    [message] = smtp_server.messages
    assert smtp_server.envelopes == [("tamdesk@localhost", ["ann@example.com"])]
    assert message["Subject"] == "tamdesk test message"
    assert message["To"] == "ann@example.com"
    assert message["Message-ID"] == f"<{row.uuid}@tamdesk>"
    assert message["X-Tamdesk-Event"] == URGENT.code
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "multipart/alternative"
    assert TEST_TEXT in message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert f"<p>{TEST_TEXT}</p>" in html and '<html lang="en">' in html


def test_an_email_is_written_in_the_recipients_language(smtp_settings, smtp_server, notify):
    ivan = UserFactory(email="ivan@example.com")
    NotificationProfile.objects.create(user=ivan, language="ru")

    [row] = notify(event_key="e:1", recipients=[ivan])

    assert row.language == "ru"
    [message] = smtp_server.messages
    assert message["Subject"].strip() == "Тестовое сообщение tamdesk"
    assert '<html lang="ru">' in message.get_body(("html",)).get_content()
    assert message["Message-ID"] == f"<{row.uuid}@tamdesk>"


def test_a_refusing_server_fails_the_email_until_a_sweep_after_the_backoff(
    smtp_settings, smtp_server, notify
):
    smtp_server.refusing = True
    before = timezone.now()

    [row] = notify(event_key="e:1", recipients=[UserFactory()])

    row.refresh_from_db()
    assert (row.status, row.attempts, smtp_server.refused) == (NotificationStatus.FAILED, 1, 1)
    assert "451" in row.last_error and "try later" in row.last_error
    assert row.next_attempt_at >= before + dt.timedelta(minutes=1)  # backoff(1)
    assert row.locked_until is None

    smtp_server.refusing = False
    sweep_at(row.next_attempt_at - dt.timedelta(seconds=1))  # not yet due
    assert smtp_server.messages == []

    sweep_at(row.next_attempt_at + dt.timedelta(seconds=1))
    sweep_at(row.next_attempt_at + dt.timedelta(minutes=10))  # nothing left to do

    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (NotificationStatus.SENT, 2, "")
    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0]["Message-ID"] == f"<{row.uuid}@tamdesk>"


def test_a_stopped_server_fails_the_email_and_it_goes_out_when_it_is_back(
    smtp_settings, smtp_server, notify
):
    smtp_server.stop()

    [row] = notify(event_key="e:1", recipients=[UserFactory()])

    row.refresh_from_db()
    assert (row.status, row.attempts) == (NotificationStatus.FAILED, 1)
    assert "Connection refused" in row.last_error or "ConnectionRefusedError" in row.last_error

    smtp_server.start()
    sweep_at(row.next_attempt_at + dt.timedelta(seconds=1))

    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT
    assert len(smtp_server.messages) == 1


def test_after_the_last_attempt_an_email_is_dead_and_the_sweep_leaves_it(
    smtp_settings, smtp_server, notify
):
    smtp_settings.NOTIFY_MAX_ATTEMPTS = 3
    smtp_server.refusing = True
    [row] = notify(event_key="e:1", recipients=[UserFactory()])
    waits = []
    for _attempt in range(2):
        row.refresh_from_db()
        waits.append(row.next_attempt_at)
        sweep_at(row.next_attempt_at + dt.timedelta(seconds=1))

    row.refresh_from_db()
    assert (row.status, row.attempts, smtp_server.refused) == (NotificationStatus.DEAD, 3, 3)
    assert waits[1] - waits[0] >= dt.timedelta(minutes=2)  # backoff grows: 1, 2 … minutes
    sweep_at(timezone.now() + dt.timedelta(days=1))
    row.refresh_from_db()
    assert (row.status, row.attempts, smtp_server.refused) == (NotificationStatus.DEAD, 3, 3)
    assert "451" in row.last_error


def test_retrying_a_dead_email_delivers_it(
    smtp_settings, smtp_server, notify, users, django_capture_on_commit_callbacks
):
    smtp_settings.NOTIFY_MAX_ATTEMPTS = 1
    smtp_server.refusing = True
    [row] = notify(event_key="e:1", recipients=[UserFactory()])
    row.refresh_from_db()
    assert (row.status, row.attempts) == (NotificationStatus.DEAD, 1)
    smtp_server.refusing = False

    with django_capture_on_commit_callbacks(execute=True):
        services.retry(row, by=users.admin)

    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (NotificationStatus.SENT, 1, "")
    assert len(smtp_server.messages) == 1
    with pytest.raises(services.NotificationError) as refused:
        services.retry(row, by=users.admin)
    assert refused.value.code == "not_retryable"


# --- webhooks ------------------------------------------------------------------------------


def test_a_webhook_gets_a_signed_json_body(webhook_receiver, notify):
    subscription = WebhookSubscriptionFactory(url=webhook_receiver.url)

    [row] = notify(
        Channel.WEBHOOK,
        event_key="incident:7:breached",
        url="/directory/clients/7/",
        payload={"client": "ACME", "minutes": 30},
    )

    row.refresh_from_db()
    assert (row.status, row.attempts, row.address) == (NotificationStatus.SENT, 1, subscription.url)
    [request] = webhook_receiver.requests
    headers = request.headers
    assert request.path == "/hook"
    assert headers["content-type"] == "application/json; charset=utf-8"
    assert headers["user-agent"] == f"tamdesk/{__version__}"
    assert headers["x-tamdesk-event"] == URGENT.code
    assert headers["x-tamdesk-delivery"] == str(row.uuid)
    timestamp = headers["x-tamdesk-timestamp"]
    expected = hmac.new(
        subscription.secret.encode(), timestamp.encode() + b"." + request.body, hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(headers["x-tamdesk-signature"], f"sha256={expected}")
    assert abs(int(timestamp) - timezone.now().timestamp()) < 60
    assert request.json() == {
        "id": str(row.uuid),
        "event": URGENT.code,
        "event_key": "incident:7:breached",
        "created_at": row.created_at.isoformat(),
        "urgent": True,
        "subject": "tamdesk test message",
        "text": row.body_text,
        "url": "http://127.0.0.1:8000/directory/clients/7/",
        "data": {"client": "ACME", "minutes": 30},
    }
    assert TEST_TEXT in row.body_text


def test_a_signature_under_another_secret_does_not_verify(webhook_receiver, notify):
    WebhookSubscriptionFactory(url=webhook_receiver.url, secret="right")

    notify(Channel.WEBHOOK, event_key="e:1")

    [request] = webhook_receiver.requests
    timestamp = request.headers["x-tamdesk-timestamp"]
    forged = hmac.new(b"wrong", timestamp.encode() + b"." + request.body, hashlib.sha256)
    assert request.headers["x-tamdesk-signature"] != f"sha256={forged.hexdigest()}"


def test_a_failing_receiver_gets_the_webhook_once_it_recovers(webhook_receiver, notify):
    WebhookSubscriptionFactory(url=webhook_receiver.url)
    webhook_receiver.fail_next(2, status=500)

    [row] = notify(Channel.WEBHOOK, event_key="e:1")
    row.refresh_from_db()
    assert (row.status, row.attempts) == (NotificationStatus.FAILED, 1)
    assert row.last_error == "DeliveryError: HTTP 500"

    for _attempt in range(3):
        sweep_at(row.next_attempt_at + dt.timedelta(seconds=1))
        row.refresh_from_db()

    assert (row.status, row.attempts, row.last_error) == (NotificationStatus.SENT, 3, "")
    assert [r.answered for r in webhook_receiver.requests] == [500, 500, 200]
    assert len(webhook_receiver.successes) == 1
    # Every attempt carries the same delivery id, so a receiver can drop duplicates.
    assert {r.headers["x-tamdesk-delivery"] for r in webhook_receiver.requests} == {str(row.uuid)}


def test_an_unreachable_receiver_fails_the_webhook(notify, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    WebhookSubscriptionFactory(url=f"http://127.0.0.1:{free_port()}/nothing-listens-here")

    [row] = notify(Channel.WEBHOOK, event_key="e:1")

    row.refresh_from_db()
    assert (row.status, row.attempts) == (NotificationStatus.FAILED, 1)
    # Not "Connection refused": the error must not tell a closed port from a filtered one.
    assert row.last_error == "DeliveryError: connection error"


def test_a_slack_webhook_gets_text(webhook_receiver, notify):
    WebhookSubscriptionFactory(url=webhook_receiver.url, format=WebhookFormat.SLACK)

    notify(Channel.WEBHOOK, event_key="e:1", url="/directory/clients/7/")

    [request] = webhook_receiver.requests
    body = request.json()
    assert list(body) == ["text"]
    assert body["text"].startswith("*tamdesk test message*\nThis is a test message from tamdesk")
    assert body["text"].endswith("\n<http://127.0.0.1:8000/directory/clients/7/>")
    assert request.headers["x-tamdesk-signature"].startswith("sha256=")


def test_webhooks_get_only_the_event_types_they_subscribed_to(webhook_receiver, notify):
    base = webhook_receiver.url
    WebhookSubscriptionFactory(name="urgent only", url=f"{base}/urgent", event_types=[URGENT.code])
    WebhookSubscriptionFactory(name="other only", url=f"{base}/other", event_types=[OTHER.code])
    WebhookSubscriptionFactory(name="everything", url=f"{base}/all", event_types=[])
    WebhookSubscriptionFactory(name="switched off", url=f"{base}/off", is_active=False)

    urgent_rows = notify(Channel.WEBHOOK, event_type=URGENT.code, event_key="e:1")
    other_rows = notify(Channel.WEBHOOK, event_type=OTHER.code, event_key="e:2")

    assert sorted(r.webhook.name for r in urgent_rows) == ["everything", "urgent only"]
    assert sorted(r.webhook.name for r in other_rows) == ["everything", "other only"]
    received = sorted((r.path, json.loads(r.body)["event"]) for r in webhook_receiver.requests)
    assert received == [
        ("/hook/all", OTHER.code),
        ("/hook/all", URGENT.code),
        ("/hook/other", OTHER.code),
        ("/hook/urgent", URGENT.code),
    ]
    assert not any(r.path == "/hook/off" for r in webhook_receiver.requests)
