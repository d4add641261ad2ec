"""Domain events: how one domain reacts to a fact of another without the publisher knowing it.

A lower domain *publishes* a fact (``publish(ClockBreached(...))``) inside the transaction that
makes it true; a higher domain *subscribes* to it in its ``AppConfig.ready``::

    events.subscribe(WorkingTimeChanged, tasks.reschedule_after_working_time_change,
                     name="changes.reschedule_working_time")

Publishing writes one :class:`~tamdesk.core.models.EventDelivery` row per subscriber in the
publisher's transaction (a transactional outbox); once it commits, each row is delivered by a
job of its own (``core.deliver_event`` on the job queue). A rolled-back transaction leaves no
row and delivers nothing; a subscriber that fails is logged, recorded as a failed job run and
retried by the queue — it never breaks the publisher nor the other subscribers; a delivery
whose job was lost (the queue down at the commit, a crash) is enqueued again by the sweep
(``core.sweep_events``). Delivery is at least once: subscribers are written to be safe to run
twice. See docs/adr/0004-domain-events.md and "Domain events" in docs/architecture.md.

The events are listed here, in one place, so that every domain can name them: they carry ids
and plain values (never model instances), as a job argument must, and a subscriber re-reads what
it needs.
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import ClassVar

from django.core.exceptions import ImproperlyConfigured
from django.db.models import F
from django.utils import timezone

from tamdesk.core.jobs import enqueue_on_commit, job, run_recorded
from tamdesk.core.models import EventDelivery

log = logging.getLogger(__name__)

__all__ = [
    "ChangeCompleted",
    "ClockBreached",
    "ClockWarned",
    "DomainEvent",
    "IncidentResolved",
    "TaskCompleted",
    "WorkingTimeChanged",
    "publish",
    "subscribe",
]


@dataclass(frozen=True)
class DomainEvent:
    """A fact one domain tells others of. Subclasses are frozen dataclasses of plain values."""

    #: The event's stable name, as the docs, logs and job runs call it.
    name: ClassVar[str] = ""


# --- the events ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkingTimeChanged(DomainEvent):
    """The working time of these calendars changed (weekly hours, exceptions — a public-holiday
    import too —, time zone, 24×7), or these departments work by another calendar now."""

    name: ClassVar[str] = "working_time_changed"
    changed_at: dt.datetime
    calendar_ids: tuple[int, ...] = ()
    department_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class ClockWarned(DomainEvent):
    """A running (or paused) SLA clock of an incident crossed a warning threshold: ``percent``
    of its target used, at ``warned_at``. Published once per clock and threshold; a clock that
    jumps several thresholds at once (a late measurement) publishes the highest."""

    name: ClassVar[str] = "clock_warned"
    incident_id: int
    client_id: int
    clock: str  # "reaction" or "resolution" (sla.choices.ClockKind)
    percent: int
    warned_at: dt.datetime | None
    due_at: dt.datetime | None


@dataclass(frozen=True)
class ClockBreached(DomainEvent):
    """An SLA clock of an incident passed its target at ``breached_at``. Published once per
    clock breach, also for a breach found late (an import of old incidents: ``is_news`` false)."""

    name: ClassVar[str] = "clock_breached"
    incident_id: int
    client_id: int
    clock: str  # "reaction" or "resolution" (sla.choices.ClockKind)
    breached_at: dt.datetime | None
    due_at: dt.datetime | None
    is_news: bool = True


@dataclass(frozen=True)
class IncidentResolved(DomainEvent):
    """An incident was resolved at ``resolved_at`` (the time of its resolved event)."""

    name: ClassVar[str] = "incident_resolved"
    incident_id: int
    client_id: int
    resolved_at: dt.datetime


@dataclass(frozen=True)
class ChangeCompleted(DomainEvent):
    """A change request was done at ``completed_at``."""

    name: ClassVar[str] = "change_completed"
    change_id: int
    client_id: int
    completed_at: dt.datetime


@dataclass(frozen=True)
class TaskCompleted(DomainEvent):
    """A department task of a change was finished at ``completed_at``."""

    name: ClassVar[str] = "task_completed"
    task_id: int
    change_id: int
    department_id: int
    completed_at: dt.datetime


# --- subscribing and publishing ------------------------------------------------------------------

#: Every event type by its name (a delivery row names its event).
EVENT_TYPES: dict[str, type[DomainEvent]] = {
    cls.name: cls
    for cls in (
        WorkingTimeChanged,
        ClockWarned,
        ClockBreached,
        IncidentResolved,
        ChangeCompleted,
        TaskCompleted,
    )
}

#: A delivery not done this long after its event is enqueued again by the sweep.
SWEEP_AFTER = dt.timedelta(minutes=10)
#: A delivery that failed this often is left alone (undelivered, with its last error).
MAX_ATTEMPTS = 20
#: Delivered rows are kept this long (then pruned by the sweep).
KEEP_DELIVERED = dt.timedelta(days=30)

Subscriber = Callable[[DomainEvent], object]

#: The subscribers of each event type, by their names (``<domain>.<what it does>``).
_SUBSCRIBERS: dict[type[DomainEvent], dict[str, Subscriber]] = {}


def subscribe(event_type: type[DomainEvent], subscriber: Subscriber, *, name: str) -> None:
    """Call ``subscriber(event)`` in a job of its own after each commit that published an
    ``event_type``. Call it from the subscribing domain's ``AppConfig.ready``; ``name`` is the
    subscriber's stable name (its deliveries and job runs are recorded under it). Subscribing
    the same function twice under a name is harmless; two functions under one name are
    refused."""
    if EVENT_TYPES.get(event_type.name) is not event_type:
        raise ImproperlyConfigured(f"{event_type.__name__} is not listed in EVENT_TYPES")
    registered = _SUBSCRIBERS.setdefault(event_type, {})
    if registered.get(name, subscriber) is not subscriber:
        raise ImproperlyConfigured(f"{name} already subscribes to {event_type.name}")
    registered[name] = subscriber


def subscribers_of(event_type: type[DomainEvent]) -> dict[str, Subscriber]:
    """The subscribers of ``event_type`` by name."""
    return dict(_SUBSCRIBERS.get(event_type, {}))


def unsubscribe(event_type: type[DomainEvent], *, name: str) -> None:
    """Forget the subscriber ``name`` of ``event_type`` (tests use it to clean up)."""
    _SUBSCRIBERS.get(event_type, {}).pop(name, None)


def publish(event: DomainEvent) -> None:
    """Owe ``event`` to each of its subscribers: a delivery row each, written in the current
    transaction and delivered once it commits (at once outside one); a rolled-back transaction
    owes nothing. Call it inside the transaction that makes the fact true, once per fact. An
    event nobody subscribes to costs nothing."""
    names = list(_SUBSCRIBERS.get(type(event), {}))
    if not names:
        return
    payload = _encode(event)
    rows = EventDelivery.objects.bulk_create(
        EventDelivery(event=event.name, subscriber=name, payload=payload) for name in names
    )
    for row in rows:
        enqueue_on_commit(lambda pk=row.pk: deliver_event(pk), what=f"{row} (delivery {row.pk})")


def _encode(event: DomainEvent) -> dict:
    def plain(value):
        if isinstance(value, dt.datetime):
            return value.isoformat()
        return list(value) if isinstance(value, tuple) else value

    return {f.name: plain(getattr(event, f.name)) for f in fields(event)}


def _decode(event_type: type[DomainEvent], payload: dict) -> DomainEvent:
    values = {}
    for f in fields(event_type):
        value = payload[f.name]
        if isinstance(value, str) and "datetime" in str(f.type):
            value = dt.datetime.fromisoformat(value)
        values[f.name] = tuple(value) if isinstance(value, list) else value
    return event_type(**values)


@job(name="core.deliver_event", retries=5, retry_delay=60)
def deliver_event(delivery_id: int) -> None:
    """Run one subscriber for one event, recorded as a job run (``<event> → <subscriber>``),
    and mark the delivery done; an error is recorded on the delivery and the run, logged and
    raised, so the queue retries it. A delivery done already (a retry or the sweep came
    second) is skipped."""
    delivery = EventDelivery.objects.filter(pk=delivery_id, delivered_at=None).first()
    if delivery is None:
        return
    rows = EventDelivery.objects.filter(pk=delivery.pk)
    event_type = EVENT_TYPES.get(delivery.event)
    handler = _SUBSCRIBERS.get(event_type, {}).get(delivery.subscriber)
    if handler is None:  # a deploy removed the subscriber since: nothing left to do
        log.warning("%s has no subscriber any more; the delivery is dropped", delivery)
        rows.update(delivered_at=timezone.now(), last_error="no such subscriber any more")
        return
    event = _decode(event_type, delivery.payload)
    try:
        run_recorded(str(delivery)[:100], lambda: handler(event))
    except Exception as exc:
        error = "".join(traceback.format_exception(exc))[-4000:]
        rows.update(attempts=F("attempts") + 1, last_error=error)
        raise
    rows.update(attempts=F("attempts") + 1, delivered_at=timezone.now(), last_error="")


def sweep(*, now: dt.datetime | None = None, limit: int = 1000) -> int:
    """Enqueue again the deliveries still owed ``SWEEP_AFTER`` after their event (their job was
    lost, or keeps failing: up to ``MAX_ATTEMPTS``), and forget those delivered long ago.
    Returns the number enqueued."""
    now = now or timezone.now()
    owed = list(
        EventDelivery.objects.filter(
            delivered_at=None, created_at__lte=now - SWEEP_AFTER, attempts__lt=MAX_ATTEMPTS
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in owed:
        enqueue_on_commit(lambda pk=pk: deliver_event(pk), what=f"event delivery {pk}")
    EventDelivery.objects.filter(delivered_at__lt=now - KEEP_DELIVERED).delete()
    return len(owed)
