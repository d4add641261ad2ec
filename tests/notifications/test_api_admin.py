"""The administrators' API: ``outbox/`` (list, filters, retry), ``webhook-subscriptions/``
(CRUD, the secret, regenerate-secret) and ``job-runs/`` (read-only). Anonymous calls get 401,
everybody but administrators 403 — and a refused or invalid call changes nothing."""

from __future__ import annotations

import pytest

from tamdesk.core.models import JobRun, JobRunOutcome
from tamdesk.notifications.choices import Channel, NotificationStatus
from tamdesk.notifications.models import Notification, WebhookSubscription
from tests.conftest import api_as
from tests.directory.factories import UserFactory
from tests.notifications.factories import (
    JobRunFactory,
    NotificationFactory,
    WebhookSubscriptionFactory,
)
from tests.support import ACTORS

pytestmark = pytest.mark.django_db

ADMINS = {"admin", "administrator"}


def state() -> dict:
    return {
        "notifications": list(Notification.objects.order_by("pk").values()),
        "webhooks": list(WebhookSubscription.objects.order_by("pk").values()),
        "runs": list(JobRun.objects.order_by("pk").values()),
    }


def actor(users, role):
    return None if role == "anonymous" else getattr(users, role)


def expected_refusal(role: str) -> int:
    return 401 if role == "anonymous" else 403


@pytest.fixture
def world(users):
    hook = WebhookSubscriptionFactory(name="Ops chat")
    return {
        "hook": hook,
        "dead": NotificationFactory(
            channel=Channel.WEBHOOK, webhook=hook, status=NotificationStatus.DEAD, attempts=8
        ),
        "sent": NotificationFactory(
            channel=Channel.EMAIL, status=NotificationStatus.SENT, attempts=1
        ),
        "run": JobRunFactory(),
    }


# --- the permission matrix -----------------------------------------------------------------


@pytest.mark.parametrize("role", ACTORS)
def test_reads_are_for_administrators(users, world, role):
    api = api_as(actor(users, role))
    paths = [
        "/api/v1/outbox/",
        f"/api/v1/outbox/{world['dead'].pk}/",
        "/api/v1/webhook-subscriptions/",
        f"/api/v1/webhook-subscriptions/{world['hook'].pk}/",
        "/api/v1/job-runs/",
        f"/api/v1/job-runs/{world['run'].pk}/",
    ]

    statuses = {path: api.get(path).status_code for path in paths}

    expected = 200 if role in ADMINS else expected_refusal(role)
    assert statuses == dict.fromkeys(paths, expected)


@pytest.mark.parametrize("role", sorted(set(ACTORS) - ADMINS))
def test_writes_by_others_are_refused_and_change_nothing(users, world, role):
    api = api_as(actor(users, role))
    hook = world["hook"]
    before = state()

    responses = [
        api.post(f"/api/v1/outbox/{world['dead'].pk}/retry/"),
        api.post(
            "/api/v1/webhook-subscriptions/",
            {"name": "Sneaky", "url": "https://evil.example.com/"},
            format="json",
        ),
        api.patch(f"/api/v1/webhook-subscriptions/{hook.pk}/", {"is_active": False}, format="json"),
        api.put(
            f"/api/v1/webhook-subscriptions/{hook.pk}/",
            {"name": "X", "url": "https://x.example.com/"},
            format="json",
        ),
        api.delete(f"/api/v1/webhook-subscriptions/{hook.pk}/"),
        api.post(f"/api/v1/webhook-subscriptions/{hook.pk}/regenerate-secret/"),
    ]

    assert [r.status_code for r in responses] == [expected_refusal(role)] * len(responses)
    code = "not_authenticated" if role == "anonymous" else "permission_denied"
    assert {r.json()["code"] for r in responses} == {code}
    assert state() == before


def test_job_runs_are_read_only(users, world):
    api = api_as(users.administrator)
    before = state()

    assert api.post("/api/v1/job-runs/", {"name": "x"}, format="json").status_code == 405
    assert api.delete(f"/api/v1/job-runs/{world['run'].pk}/").status_code == 405
    assert state() == before


# --- the outbox ----------------------------------------------------------------------------


def test_outbox_lists_with_filters_and_a_query_budget(users, world, django_assert_max_num_queries):
    ann = UserFactory(username="ann", last_name="Archer")
    NotificationFactory(recipient_user=ann, subject="For Ann")
    api = api_as(users.administrator)

    with django_assert_max_num_queries(5):
        everything = api.get("/api/v1/outbox/").json()
    dead = api.get("/api/v1/outbox/", {"status": "dead"}).json()
    by_recipient = api.get("/api/v1/outbox/", {"q": "archer"}).json()
    by_channel = api.get("/api/v1/outbox/", {"channel": "webhook"}).json()
    sorted_ = api.get("/api/v1/outbox/", {"ordering": "-attempts"}).json()

    assert everything["count"] == 3
    assert [n["id"] for n in dead["results"]] == [world["dead"].pk]
    assert [n["subject"] for n in by_recipient["results"]] == ["For Ann"]
    assert [n["id"] for n in by_channel["results"]] == [world["dead"].pk]
    assert sorted_["results"][0]["id"] == world["dead"].pk
    assert {"status", "attempts", "next_attempt_at", "last_error", "body_html"} <= set(
        dead["results"][0]
    )


def test_an_invalid_filter_is_a_400(users, world):
    response = api_as(users.administrator).get("/api/v1/outbox/", {"status": "lost"})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "status" in response.json()["errors"]


def test_retry_queues_a_dead_notification(users, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        response = api_as(users.administrator).post(f"/api/v1/outbox/{world['dead'].pk}/retry/")

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["attempts"]) == ("pending", 0)


def test_retry_of_a_sent_notification_is_400_not_retryable(users, world):
    before = state()

    response = api_as(users.administrator).post(f"/api/v1/outbox/{world['sent'].pk}/retry/")

    assert response.status_code == 400
    assert response.json()["code"] == "not_retryable"
    assert state() == before


def test_retry_of_a_missing_notification_is_404(users, world):
    response = api_as(users.administrator).post("/api/v1/outbox/999999/retry/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# --- webhook subscriptions -----------------------------------------------------------------


def test_create_shows_the_generated_secret_once_and_retrieve_shows_it(users):
    api = api_as(users.administrator)

    created = api.post(
        "/api/v1/webhook-subscriptions/",
        {
            "name": "Ticketing",
            "url": "https://tickets.example.com/in",
            "event_types": ["notifications.daily_digest"],
            "format": "json",
        },
        format="json",
    )

    assert created.status_code == 201
    body = created.json()
    subscription = WebhookSubscription.objects.get(name="Ticketing")
    assert body["secret"] == subscription.secret and len(body["secret"]) >= 32
    assert body["event_types"] == ["notifications.daily_digest"]
    listed = api.get("/api/v1/webhook-subscriptions/").json()["results"]
    assert all("secret" not in item for item in listed)
    assert api.get(f"/api/v1/webhook-subscriptions/{subscription.pk}/").json()["secret"] == (
        subscription.secret
    )


def test_a_given_secret_is_used_and_never_echoed_on_update(users):
    api = api_as(users.administrator)
    hook = WebhookSubscriptionFactory()

    response = api.patch(
        f"/api/v1/webhook-subscriptions/{hook.pk}/",
        {"secret": "a-secret-chosen-by-the-receiver"},
        format="json",
    )

    assert response.status_code == 200
    assert "secret" not in response.json()
    hook.refresh_from_db()
    assert hook.secret == "a-secret-chosen-by-the-receiver"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "X", "url": "ftp://files.example.com/in"}, "url"),
        ({"name": "X", "url": "not a url"}, "url"),
        ({"name": "X"}, "url"),
        ({"name": "X", "url": "https://x.example.com/", "event_types": ["nope"]}, "event_types"),
        ({"name": "X", "url": "https://x.example.com/", "format": "xml"}, "format"),
        ({"name": "X", "url": "https://x.example.com/", "secret": "short"}, "secret"),
        ({"name": "Ops chat", "url": "https://x.example.com/"}, "name"),
    ],
)
def test_invalid_subscriptions_are_refused(users, world, body, field):
    before = state()

    response = api_as(users.administrator).post(
        "/api/v1/webhook-subscriptions/", body, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["errors"]
    assert state() == before


def test_update_and_delete(users, world):
    api = api_as(users.administrator)
    hook = world["hook"]

    updated = api.patch(
        f"/api/v1/webhook-subscriptions/{hook.pk}/", {"is_active": False}, format="json"
    )
    assert updated.status_code == 200 and updated.json()["is_active"] is False

    deleted = api.delete(f"/api/v1/webhook-subscriptions/{hook.pk}/")
    assert deleted.status_code == 204
    assert not WebhookSubscription.objects.filter(pk=hook.pk).exists()


def test_regenerate_secret(users, world):
    hook = world["hook"]
    old = hook.secret

    response = api_as(users.administrator).post(
        f"/api/v1/webhook-subscriptions/{hook.pk}/regenerate-secret/"
    )

    assert response.status_code == 200
    hook.refresh_from_db()
    assert hook.secret != old
    assert response.json()["secret"] == hook.secret


# --- job runs ------------------------------------------------------------------------------


def test_job_runs_filter_by_job_and_outcome(users, world):
    failed = JobRunFactory(name="notifications.daily_digests", outcome=JobRunOutcome.FAILED)
    api = api_as(users.administrator)

    by_name = api.get("/api/v1/job-runs/", {"name": "notifications.daily_digests"}).json()
    by_outcome = api.get("/api/v1/job-runs/", {"outcome": "succeeded"}).json()

    assert [run["id"] for run in by_name["results"]] == [failed.pk]
    assert [run["id"] for run in by_outcome["results"]] == [world["run"].pk]
    assert by_outcome["results"][0]["duration_seconds"] == 2.0
