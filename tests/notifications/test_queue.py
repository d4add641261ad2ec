"""The delivery task through real huey queues — a SQLite file and Redis — instead of the tests'
immediate mode: enqueued on commit, taken off the queue and run by a "worker" (a thread with a
database connection of its own), idempotent when run twice, and the periodic jobs' lock shared
through the queue's storage."""

from __future__ import annotations

import os
import threading
import uuid
from contextlib import contextmanager

import pytest
import redis
from django.db import connections, transaction
from huey.storage import RedisStorage, SqliteStorage

from tamdesk.core.jobs import HUEY
from tamdesk.core.models import JobRun, JobRunOutcome
from tamdesk.notifications import services, tasks
from tamdesk.notifications.choices import Channel, NotificationStatus
from tamdesk.notifications.models import Notification
from tests.notifications.factories import NotificationFactory

pytestmark = pytest.mark.django_db(transaction=True)  # the worker thread must see the rows

REDIS_URL = "redis://127.0.0.1:6379/10"


def redis_or_skip(url: str = REDIS_URL) -> None:
    """Skip when Redis does not answer — or fail, in CI (env CI set), where it must."""
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {url} (needed in CI): {exc}")
        pytest.skip(f"Redis is not reachable at {url}: {exc}")


@contextmanager
def queue_on(storage):
    """HUEY enqueues to ``storage`` instead of running tasks at once. ``_immediate`` is set,
    not the ``immediate`` property: that would open the queue configured in settings."""
    saved = HUEY.storage, HUEY._immediate
    HUEY._immediate = False
    HUEY.storage = storage
    try:
        yield storage
    finally:
        storage.flush_all()
        HUEY.storage, HUEY._immediate = saved


@pytest.fixture(params=["sqlite", "redis"])
def queue(request, tmp_path):
    if request.param == "sqlite":
        storage = SqliteStorage(name="tamdesk-test", filename=str(tmp_path / "jobs.sqlite3"))
    else:
        redis_or_skip()
        storage = RedisStorage(
            name=f"tamdesk-test-{uuid.uuid4().hex}", url=REDIS_URL, blocking=False
        )
    with queue_on(storage):
        yield storage
    if request.param == "redis":
        storage.conn.close()


def work_off() -> int:
    """Do what a worker does: take each task off the queue and run it — in a thread of its
    own, so on a database connection of its own. Returns the number of tasks run."""
    done, errors = [], []

    def work() -> None:
        try:
            while (task := HUEY.dequeue()) is not None:
                HUEY.execute(task)
                done.append(task)
        except BaseException as exc:  # re-raised in the test's thread
            errors.append(exc)
        finally:
            connections.close_all()

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive(), "the worker thread did not finish"
    if errors:
        raise errors[0]
    return len(done)


def test_the_delivery_is_enqueued_on_commit_and_run_by_a_worker(queue, mailoutbox):
    notification = services.send_test_email(to="ops@example.com")  # commits: enqueues

    assert len(HUEY) == 1
    [pending] = HUEY.pending()
    assert (pending.name, pending.args) == ("notifications.deliver", ([notification.pk],))
    assert mailoutbox == []
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.PENDING

    assert work_off() == 1

    assert len(HUEY) == 0
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (NotificationStatus.SENT, 1)
    assert [m.to for m in mailoutbox] == [["ops@example.com"]]


def test_the_queue_file_is_shared_by_processes(tmp_path):
    filename = str(tmp_path / "jobs.sqlite3")
    with queue_on(SqliteStorage(name="tamdesk-test", filename=filename)):
        services.send_test_email(to="ops@example.com")
        # What another process (the worker) opening the same file sees:
        other = SqliteStorage(name="tamdesk-test", filename=filename)
        assert other.queue_size() == 1
        HUEY.storage.flush_queue()
        assert other.queue_size() == 0
        other.close()


def test_a_duplicate_task_sends_nothing_twice(queue, mailoutbox):
    row = NotificationFactory(channel=Channel.EMAIL)
    tasks.deliver_notifications([row.pk])
    tasks.deliver_notifications([row.pk])
    assert len(HUEY) == 2

    assert work_off() == 2

    assert len(mailoutbox) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (NotificationStatus.SENT, 1)


def test_a_rolled_back_notification_enqueues_nothing(queue):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        services.send_test_email(to="ops@example.com")
        raise Boom

    assert (len(HUEY), Notification.objects.count()) == (0, 0)


def test_a_periodic_job_run_through_the_queue_is_recorded(queue, mailoutbox):
    NotificationFactory(channel=Channel.EMAIL)
    tasks.sweep_outbox()  # what the scheduler does each minute

    assert len(HUEY) == 1
    assert work_off() == 1

    run = JobRun.objects.get(name="notifications.sweep")
    assert (run.outcome, run.detail) == (JobRunOutcome.SUCCEEDED, "1 sent")
    assert len(mailoutbox) == 1


def test_a_periodic_job_held_by_another_worker_is_skipped(queue, mailoutbox):
    NotificationFactory(channel=Channel.EMAIL)
    tasks.sweep_outbox()
    # Another worker is running the sweep: its lock is in the shared storage.
    with HUEY.lock_task("periodic:notifications.sweep"):
        assert work_off() == 1
    assert (JobRun.objects.count(), mailoutbox) == (0, [])

    tasks.sweep_outbox()
    assert work_off() == 1
    assert JobRun.objects.get().detail == "1 sent"
