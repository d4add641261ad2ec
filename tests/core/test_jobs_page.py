"""The background jobs page (administrators): every declared periodic job with its last run and
last success, the run history with filters and pages, and — from the notifications layer — the
dead and overdue notifications, with a warning when no worker seems to be running."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tamdesk.core.jobs import PERIODIC_JOBS
from tamdesk.core.models import JobRunOutcome
from tamdesk.notifications.choices import Channel, NotificationStatus
from tests.notifications.factories import JobRunFactory, NotificationFactory

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    return [run.name for run in response.context["object_list"]]


def test_the_page_lists_every_declared_periodic_job(client, users):
    client.force_login(users.administrator)

    response = client.get(reverse("jobs"))

    assert response.status_code == 200
    listed = [status.job.name for status in response.context["jobs"]]
    assert listed == sorted(PERIODIC_JOBS)
    assert {"notifications.sweep", "notifications.daily_digests"} <= set(listed)
    content = response.content.decode()
    for job in PERIODIC_JOBS.values():
        assert job.name in content
        assert job.schedule in content


def test_each_job_shows_its_last_run_and_last_success(client, users):
    now = timezone.now()
    JobRunFactory(name="notifications.sweep", started_at=now - dt.timedelta(minutes=3))
    success = JobRunFactory(name="notifications.sweep", started_at=now - dt.timedelta(minutes=2))
    failure = JobRunFactory(
        name="notifications.sweep",
        started_at=now - dt.timedelta(minutes=1),
        outcome=JobRunOutcome.FAILED,
        detail="Traceback: boom",
    )
    client.force_login(users.administrator)

    response = client.get(reverse("jobs"))

    status = next(s for s in response.context["jobs"] if s.job.name == "notifications.sweep")
    assert status.last_run == failure
    assert status.last_success == success
    never = next(s for s in response.context["jobs"] if s.job.name != "notifications.sweep")
    assert never.last_run is None and never.last_success is None


def test_the_history_filters_by_job_and_outcome(client, users):
    JobRunFactory(name="notifications.sweep")
    JobRunFactory(name="notifications.sweep", outcome=JobRunOutcome.FAILED)
    JobRunFactory(name="notifications.daily_digests")
    client.force_login(users.administrator)

    by_job = client.get(reverse("jobs"), {"name": "notifications.daily_digests"})
    by_outcome = client.get(reverse("jobs"), {"outcome": "failed"})

    assert names(by_job) == ["notifications.daily_digests"]
    assert names(by_outcome) == ["notifications.sweep"]
    assert by_outcome.context["object_list"][0].outcome == JobRunOutcome.FAILED


def test_the_history_is_paginated_with_a_query_budget(client, users, django_assert_max_num_queries):
    start = timezone.now() - dt.timedelta(hours=1)
    for minute in range(30):
        JobRunFactory(started_at=start + dt.timedelta(minutes=minute))
    client.force_login(users.administrator)

    # The page's own queries, and two per declared periodic job (its last run, its last success):
    # the history's size does not count.
    with django_assert_max_num_queries(8 + 2 * len(PERIODIC_JOBS)):
        first = client.get(reverse("jobs"))
    second = client.get(reverse("jobs"), {"page": 2})

    assert len(first.context["object_list"]) == 25
    assert len(second.context["object_list"]) == 5
    assert first.context["object_list"][0].started_at > first.context["object_list"][1].started_at


def test_htmx_gets_the_history_table_only(client, users):
    JobRunFactory()
    client.force_login(users.administrator)

    response = client.get(reverse("jobs"), {"outcome": "succeeded"}, HTTP_HX_REQUEST="true")

    content = response.content.decode()
    assert "<html" not in content
    assert "notifications.sweep" in content


def test_the_page_counts_dead_and_overdue_notifications(client, users):
    long_ago = timezone.now() - dt.timedelta(minutes=6)
    NotificationFactory.create_batch(2, channel=Channel.EMAIL, status=NotificationStatus.DEAD)
    NotificationFactory(channel=Channel.EMAIL, next_attempt_at=long_ago)
    NotificationFactory(channel=Channel.EMAIL)  # due now: not overdue yet
    client.force_login(users.administrator)

    response = client.get(reverse("jobs"))

    [section] = response.context["sections"]
    assert (section.context["dead"], section.context["overdue"]) == (2, 1)
    content = response.content.decode()
    assert 'id="no-worker-warning"' in content
    assert "No worker seems to be running" in content
    assert "tamdesk worker" in content


def test_no_warning_when_nothing_is_overdue(client, users):
    NotificationFactory(channel=Channel.EMAIL, next_attempt_at=timezone.now())
    NotificationFactory(channel=Channel.EMAIL, status=NotificationStatus.DEAD)
    NotificationFactory(  # sent long ago: nothing to do
        channel=Channel.EMAIL, status=NotificationStatus.SENT, next_attempt_at=None
    )
    client.force_login(users.administrator)

    response = client.get(reverse("jobs"))

    [section] = response.context["sections"]
    assert (section.context["dead"], section.context["overdue"]) == (1, 0)
    assert 'id="no-worker-warning"' not in response.content.decode()


def test_a_failed_notification_past_its_retry_time_counts_as_overdue(client, users):
    NotificationFactory(
        channel=Channel.EMAIL,
        status=NotificationStatus.FAILED,
        next_attempt_at=timezone.now() - dt.timedelta(minutes=30),
    )
    client.force_login(users.administrator)

    [section] = client.get(reverse("jobs")).context["sections"]

    assert section.context["overdue"] == 1


@pytest.mark.parametrize("role", ["tam", "engineer", "lead", "service_manager", "norole"])
def test_others_are_refused(client, users, role):
    client.force_login(getattr(users, role))

    assert client.get(reverse("jobs")).status_code == 403


def test_anonymous_is_sent_to_the_login_page(client):
    response = client.get(reverse("jobs"))

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")


def test_the_core_page_stands_without_the_layers_above(rf, users):
    from tamdesk.core.views import JobsPage

    request = rf.get("/jobs/")
    request.user = users.administrator
    request.htmx = False

    response = JobsPage.as_view()(request)
    response.render()

    assert response.status_code == 200
    assert response.context_data["sections"] == []
