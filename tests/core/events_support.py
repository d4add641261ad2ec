"""Record the domain events a test publishes: ``with recorded(ClockBreached) as seen: ...``.

Events are delivered after the commit; inside a test's transaction wrap the code in
``django_capture_on_commit_callbacks(execute=True)`` (jobs run inline in tests), or let
``published_by(action, ClockBreached)`` do both."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager

from django.test import TestCase

from tamdesk.core import events

RECORDER = "tests.recorder"


@contextmanager
def recorded(*event_types: type[events.DomainEvent]):
    seen: list[events.DomainEvent] = []
    for event_type in event_types:
        events.subscribe(event_type, seen.append, name=RECORDER)
    try:
        yield seen
    finally:
        for event_type in event_types:
            events.unsubscribe(event_type, name=RECORDER)


def published_by(action: Callable[[], object], *event_types: type[events.DomainEvent]) -> list:
    """The events of ``event_types`` that ``action`` publishes, delivered as after a commit."""
    with recorded(*event_types) as seen, TestCase.captureOnCommitCallbacks(execute=True):
        action()
    return seen
