"""Background jobs: the recorded runs of periodic jobs, their lock, enqueue on commit, pruning."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.db import transaction
from django.utils import timezone

from tamdesk.core import jobs
from tamdesk.core.jobs import HUEY, PERIODIC_JOBS, crontab, enqueue_on_commit, run_recorded
from tamdesk.core.models import JobRun, JobRunOutcome
from tamdesk.core.tasks import prune_old_job_runs
from tests.notifications.factories import JobRunFactory

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


def test_a_successful_run_is_recorded_with_its_summary():
    run = run_recorded("tests.job", lambda: "3 delivered")

    run.refresh_from_db()
    assert (run.name, run.outcome, run.detail) == (
        "tests.job",
        JobRunOutcome.SUCCEEDED,
        "3 delivered",
    )
    assert run.finished_at >= run.started_at
    assert run.worker.endswith(f":{jobs.os.getpid()}")


def test_a_run_returning_nothing_has_an_empty_detail():
    assert run_recorded("tests.job", lambda: None).detail == ""


def test_a_failed_run_is_recorded_with_its_traceback_and_re_raised(caplog):
    def fail():
        raise Boom("the mail server is on fire")

    with pytest.raises(Boom), caplog.at_level(logging.ERROR, logger="tamdesk.core.jobs"):
        run_recorded("tests.job", fail)

    run = JobRun.objects.get(name="tests.job")
    assert run.outcome == JobRunOutcome.FAILED
    assert run.finished_at is not None
    assert "Traceback (most recent call last)" in run.detail
    assert "Boom: the mail server is on fire" in run.detail
    assert "job tests.job failed" in caplog.text


def test_the_periodic_jobs_are_declared_with_their_schedule():
    assert {"core.prune_job_runs", "notifications.sweep", "notifications.daily_digests"} <= set(
        PERIODIC_JOBS
    )
    sweep = PERIODIC_JOBS["notifications.sweep"]
    assert sweep.schedule == "every minute"
    assert sweep.task.name == "notifications.sweep"


def test_a_periodic_job_records_its_run():
    JobRunFactory(started_at=timezone.now() - dt.timedelta(days=31))

    prune_old_job_runs.call_local()

    run = JobRun.objects.get()
    assert (run.name, run.outcome, run.detail) == (
        "core.prune_job_runs",
        JobRunOutcome.SUCCEEDED,
        "1 runs removed",
    )


def test_a_run_already_in_progress_elsewhere_is_skipped(caplog):
    lock = HUEY.lock_task("periodic:core.prune_job_runs")
    with lock, caplog.at_level(logging.INFO, logger="tamdesk.core.jobs"):
        prune_old_job_runs.call_local()

    assert not JobRun.objects.exists()
    assert "already running elsewhere" in caplog.text
    # The lock is released afterwards: the next run happens.
    prune_old_job_runs.call_local()
    assert JobRun.objects.filter(outcome=JobRunOutcome.SUCCEEDED).count() == 1


@pytest.fixture
def fresh_job():
    """A periodic job declared by the test (so no other test has run it in this process)."""
    calls = []

    @jobs.periodic_job("tests.fresh", crontab(minute="*"), "A test job", text="every minute")
    def fresh() -> str:
        calls.append(1)
        return "done"

    yield fresh, calls
    PERIODIC_JOBS.pop("tests.fresh")
    HUEY._registry.unregister(fresh.task_class)
    HUEY.flush_locks("periodic:tests.fresh")


def test_a_starting_worker_clears_the_lock_a_dead_worker_left(fresh_job):
    # Regression: the lock was made at the first run only, so a worker starting with
    # flush_locks (settings.HUEY) did not know it and a crashed run blocked the job for good.
    fresh, calls = fresh_job
    HUEY.put_if_empty(f"{HUEY.name}.lock.periodic:tests.fresh", "1")  # a worker died in a run

    assert "periodic:tests.fresh" in HUEY.flush_locks()  # what a starting consumer does

    fresh.call_local()
    assert calls == [1]
    assert JobRun.objects.get(name="tests.fresh").detail == "done"


def test_enqueue_on_commit_waits_for_the_commit(django_capture_on_commit_callbacks):
    enqueued = []
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        enqueue_on_commit(lambda: enqueued.append("x"), what="x")
        assert enqueued == []
    assert (len(callbacks), enqueued) == (1, ["x"])


def test_a_rolled_back_transaction_enqueues_nothing(django_capture_on_commit_callbacks):
    enqueued = []
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        enqueue_on_commit(lambda: enqueued.append("x"), what="x")
        raise Boom
    assert (callbacks, enqueued) == ([], [])


def test_a_failed_enqueue_is_logged_not_raised(django_capture_on_commit_callbacks, caplog):
    def queue_down():
        raise ConnectionError("redis is down")

    with (
        caplog.at_level(logging.ERROR, logger="tamdesk.core.jobs"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        enqueue_on_commit(queue_down, what="the delivery of 2 notifications")

    assert "could not enqueue the delivery of 2 notifications" in caplog.text
    assert "ConnectionError: redis is down" in caplog.text


def test_prune_keeps_recent_runs():
    old = JobRunFactory(started_at=timezone.now() - dt.timedelta(days=30, minutes=1))
    recent = JobRunFactory(started_at=timezone.now() - dt.timedelta(days=29))

    assert jobs.prune_job_runs(keep_days=30) == 1
    assert list(JobRun.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not JobRun.objects.filter(pk=old.pk).exists()
