"""Domain events: how one domain reacts to a fact of another without the publisher knowing it.

A lower domain *publishes* a fact (``publish(ClockBreached(...))``) inside the transaction that
makes it true; a higher domain *subscribes* to it in its ``AppConfig.ready``::

    events.subscribe(WorkingTimeChanged, tasks.reschedule_after_working_time_change,
                     name="changes.reschedule_working_time")

Once the publisher's transaction commits, each subscriber gets the event in a job of its own
(``core.deliver_event`` on the job queue): a rolled-back transaction delivers nothing, and a
subscriber that fails is logged, recorded as a failed job run and retried by the queue — it
never breaks the publisher nor the other subscribers. Delivery is at least once from the
moment the job is enqueued: subscribers are written to be safe to run twice. See
docs/adr/0004-domain-events.md and the "Domain events" section of docs/architecture.md.

The events are listed here, in one place, so that every domain can name them: they carry ids
and plain values (never model instances), as a job argument must, and a subscriber re-reads what
it needs.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from django.core.exceptions import ImproperlyConfigured

from tamdesk.core.jobs import enqueue_on_commit, job, run_recorded

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

Subscriber = Callable[[DomainEvent], object]

#: The subscribers of each event type, by their names (``<domain>.<what it does>``).
_SUBSCRIBERS: dict[type[DomainEvent], dict[str, Subscriber]] = {}


def subscribe(event_type: type[DomainEvent], subscriber: Subscriber, *, name: str) -> None:
    """Call ``subscriber(event)`` in a job of its own after each commit that published an
    ``event_type``. Call it from the subscribing domain's ``AppConfig.ready``; ``name`` is the
    subscriber's stable name (its job runs are recorded under it). Subscribing the same
    function twice under a name is harmless; two functions under one name are refused."""
    registered = _SUBSCRIBERS.setdefault(event_type, {})
    if registered.get(name, subscriber) is not subscriber:
        raise ImproperlyConfigured(f"{name} already subscribes to {event_type.name}")
    registered[name] = subscriber


def subscribers_of(event_type: type[DomainEvent]) -> dict[str, Subscriber]:
    """The subscribers of ``event_type`` by name (for tests and the docs)."""
    return dict(_SUBSCRIBERS.get(event_type, {}))


def unsubscribe(event_type: type[DomainEvent], *, name: str) -> None:
    """Forget the subscriber ``name`` of ``event_type`` (tests use it to clean up)."""
    _SUBSCRIBERS.get(event_type, {}).pop(name, None)


def publish(event: DomainEvent) -> None:
    """Tell the subscribers of ``event`` once the current transaction commits (at once outside
    one); a rolled-back transaction tells nobody. Call it inside the transaction that makes the
    fact true, once per fact. An event nobody subscribes to costs nothing."""
    for subscriber in _SUBSCRIBERS.get(type(event), {}):
        enqueue_on_commit(
            lambda subscriber=subscriber: deliver_event(subscriber, event),
            what=f"{event.name} for {subscriber}",
        )


@job(name="core.deliver_event", retries=5, retry_delay=60)
def deliver_event(subscriber: str, event: DomainEvent) -> None:
    """Run one subscriber for one event, recorded as a job run (``<event> → <subscriber>``); an
    error is recorded, logged and raised, so the queue retries it."""
    handler = _SUBSCRIBERS.get(type(event), {}).get(subscriber)
    if handler is None:  # unsubscribed since (a deploy removed it): nothing to do
        log.warning("no subscriber %s of %s any more; the event is dropped", subscriber, event)
        return
    run_recorded(f"{event.name} → {subscriber}"[:100], lambda: handler(event))
