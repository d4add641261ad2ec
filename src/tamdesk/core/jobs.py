"""Background jobs: huey (through its Django integration) with one way to declare a periodic job.

A periodic job is declared in code next to the service it runs::

    @periodic_job("notifications.sweep", crontab(minute="*"), _("Deliver what is due"))
    def sweep_outbox() -> str:
        return f"{services.sweep(now=timezone.now())} delivered"

Each run is recorded as a :class:`~tamdesk.core.models.JobRun` (start, end, outcome, the
returned summary or the error), which administrators see on the jobs page. A run holds a lock
named after the job, so with several workers (Redis) one run of a job happens at a time; the jobs
themselves are written to be safe to run twice anyway.
"""

from __future__ import annotations

import logging
import os
import socket
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task
from huey.exceptions import TaskLockedException

from tamdesk.core.models import JobRun, JobRunOutcome

log = logging.getLogger(__name__)

__all__ = ["HUEY", "PeriodicJob", "crontab", "enqueue_on_commit", "job", "periodic_job"]


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    schedule: str  # the crontab as text, for the jobs page
    description: str | Promise
    task: Callable


#: Every periodic job declared with :func:`periodic_job`, by name (the jobs page lists them).
PERIODIC_JOBS: dict[str, PeriodicJob] = {}


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_recorded(name: str, fn: Callable[[], object]) -> JobRun:
    """Run ``fn`` as job ``name`` and record the run; re-raise its error after recording it."""
    run = JobRun.objects.create(name=name, started_at=timezone.now(), worker=_worker_name())
    try:
        summary = fn()
    except Exception as exc:
        run.outcome = JobRunOutcome.FAILED
        run.detail = "".join(traceback.format_exception(exc))[-4000:]
        run.finished_at = timezone.now()
        run.save(update_fields=["outcome", "detail", "finished_at"])
        log.exception("job %s failed", name)
        raise
    run.outcome = JobRunOutcome.SUCCEEDED
    run.detail = "" if summary is None else str(summary)[:4000]
    run.finished_at = timezone.now()
    run.save(update_fields=["outcome", "detail", "finished_at"])
    return run


def periodic_job(name: str, schedule: crontab, description: str | Promise, *, text: str):
    """Declare ``fn`` as a periodic job run by the workers' scheduler (``text`` repeats the
    schedule in words for the jobs page, e.g. ``"every minute"``)."""

    def decorator(fn: Callable[[], object]):
        # Made at declaration, not at the first run: a starting worker clears only the locks
        # huey knows of (consumer flush_locks), and one a dead worker left must be among them.
        lock = HUEY.lock_task(f"periodic:{name}")

        def run() -> None:
            try:
                with lock:
                    run_recorded(name, fn)
            except TaskLockedException:
                log.info("job %s is already running elsewhere; this run is skipped", name)

        run.__name__ = fn.__name__
        task = db_periodic_task(schedule, name=name)(run)
        PERIODIC_JOBS[name] = PeriodicJob(name, text, description, task)
        return task

    return decorator


def job(*, name: str, retries: int = 3, retry_delay: int = 30):
    """Declare a background task: it takes ids, re-fetches and calls a service; huey retries it
    ``retries`` times, ``retry_delay`` seconds apart, when it raises."""
    return db_task(name=name, retries=retries, retry_delay=retry_delay)


def enqueue_on_commit(enqueue: Callable[[], object], *, what: str) -> None:
    """Call ``enqueue`` (which enqueues tasks) once the current transaction commits — at once
    outside one; a rolled-back transaction enqueues nothing. A failed enqueue (the queue is down)
    is logged, not raised: what it carried is found again by a sweep."""

    def run() -> None:
        try:
            enqueue()
        except Exception:
            log.exception("could not enqueue %s; the next sweep will pick it up", what)

    transaction.on_commit(run)


def prune_job_runs(*, keep_days: int = 30) -> int:
    """Forget job runs older than ``keep_days``."""
    cutoff = timezone.now() - timedelta(days=keep_days)
    deleted, _ = JobRun.objects.filter(started_at__lt=cutoff).delete()
    return deleted
