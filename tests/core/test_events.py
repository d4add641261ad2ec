"""The domain-events mechanism: delivered after the commit only, one retried job per
subscriber, a failing subscriber never breaking the publisher."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest
from django.db import transaction
from huey.contrib.djhuey import HUEY

from tamdesk.core import events
from tamdesk.core.events import (
    ChangeCompleted,
    ClockBreached,
    ClockWarned,
    IncidentResolved,
    TaskCompleted,
    WorkingTimeChanged,
)
from tamdesk.core.models import EventDelivery, JobRun, JobRunOutcome
from tests.core.events_support import recorded

pytestmark = pytest.mark.django_db
AT = dt.datetime(2026, 11, 23, 6, tzinfo=dt.UTC)
CHANGED = WorkingTimeChanged(changed_at=AT, calendar_ids=(7,))


class Boom(Exception):
    pass


@pytest.fixture
def flaky():
    """A subscriber of ``working_time_changed`` that fails until ``flaky.fail`` is false."""

    class Flaky:
        fail = True
        calls: list = []

        def __call__(self, event):
            self.calls.append(event)
            if self.fail:
                raise Boom("the subscriber is down")
            return "done"

    subscriber = Flaky()
    events.subscribe(WorkingTimeChanged, subscriber, name="tests.flaky")
    yield subscriber
    events.unsubscribe(WorkingTimeChanged, name="tests.flaky")
    HUEY.flush()


def test_an_event_is_delivered_after_the_commit_not_before(django_capture_on_commit_callbacks):
    with recorded(WorkingTimeChanged) as seen:
        with django_capture_on_commit_callbacks() as callbacks:
            with transaction.atomic():
                events.publish(CHANGED)
            assert seen == []
        for callback in callbacks:
            callback()
    assert seen == [CHANGED]


def test_a_rolled_back_transaction_delivers_nothing(django_capture_on_commit_callbacks):
    with (
        recorded(WorkingTimeChanged) as seen,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        events.publish(CHANGED)
        raise Boom
    assert seen == []
    assert callbacks == []
    assert not EventDelivery.objects.exists()  # nothing owed either


def test_a_failing_subscriber_breaks_neither_the_publisher_nor_the_others(
    flaky, django_capture_on_commit_callbacks, caplog
):
    with (
        recorded(WorkingTimeChanged) as seen,
        caplog.at_level(logging.ERROR),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        events.publish(CHANGED)  # no error reaches the publisher
    assert seen == [CHANGED]
    assert flaky.calls == [CHANGED]
    run = JobRun.objects.get(name="working_time_changed → tests.flaky")
    assert run.outcome == JobRunOutcome.FAILED
    assert "the subscriber is down" in run.detail
    assert "job working_time_changed → tests.flaky failed" in caplog.text


def test_a_failed_delivery_is_retried_by_the_queue_until_it_succeeds(
    flaky, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        events.publish(CHANGED)
    delivery = EventDelivery.objects.get(subscriber="tests.flaky")
    assert (delivery.attempts, delivery.delivered_at) == (1, None)
    assert "the subscriber is down" in delivery.last_error
    (retry,) = [t for t in HUEY.scheduled() if t.name == "core.deliver_event"]
    assert retry.args == (delivery.pk,)
    assert retry.retries == 4  # five retries, a minute apart; one is scheduled

    flaky.fail = False
    HUEY.execute(retry, timestamp=retry.eta)  # a minute later

    assert flaky.calls == [CHANGED, CHANGED]
    outcomes = JobRun.objects.filter(name="working_time_changed → tests.flaky").order_by("pk")
    assert list(outcomes.values_list("outcome", flat=True)) == ["failed", "succeeded"]
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.last_error) == (2, "")
    assert delivery.delivered_at is not None
    HUEY.execute(retry, timestamp=retry.eta)  # a late duplicate of the job: skipped
    assert flaky.calls == [CHANGED, CHANGED]


def test_a_delivery_whose_enqueue_was_lost_is_found_by_the_sweep(
    django_capture_on_commit_callbacks, time_machine
):
    time_machine.move_to(AT, tick=False)
    with recorded(WorkingTimeChanged) as seen:
        with django_capture_on_commit_callbacks():  # the commit's callbacks never run
            events.publish(CHANGED)
        owed = EventDelivery.objects.get(subscriber="tests.recorder")
        assert (owed.event, owed.payload) == (
            "working_time_changed",
            {"changed_at": AT.isoformat(), "calendar_ids": [7], "department_ids": []},
        )

        with django_capture_on_commit_callbacks(execute=True):
            assert events.sweep(now=AT + dt.timedelta(minutes=9)) == 0  # not yet
        with django_capture_on_commit_callbacks(execute=True):
            assert events.sweep(now=AT + dt.timedelta(minutes=11)) == 2  # changes' too

    assert seen == [CHANGED]
    owed.refresh_from_db()
    assert owed.delivered_at == AT
    assert events.sweep(now=AT + dt.timedelta(days=31)) == 0
    assert not EventDelivery.objects.filter(pk=owed.pk).exists()  # pruned


def test_an_event_nobody_subscribes_to_costs_nothing(
    django_capture_on_commit_callbacks, django_assert_num_queries
):
    assert events.subscribers_of(ChangeCompleted) == {}
    with django_capture_on_commit_callbacks() as callbacks, django_assert_num_queries(0):
        events.publish(ChangeCompleted(change_id=1, client_id=2, completed_at=AT))
    assert callbacks == []


def test_two_subscribers_under_one_name_are_refused():
    from django.core.exceptions import ImproperlyConfigured

    with recorded(WorkingTimeChanged), pytest.raises(ImproperlyConfigured):
        events.subscribe(WorkingTimeChanged, print, name="tests.recorder")


@pytest.mark.parametrize(
    "event",
    [
        CHANGED,
        ClockWarned(
            incident_id=1, client_id=2, clock="reaction", percent=50, warned_at=AT, due_at=AT
        ),
        ClockBreached(incident_id=1, client_id=2, clock="resolution", breached_at=AT, due_at=None),
        IncidentResolved(incident_id=1, client_id=2, resolved_at=AT),
        ChangeCompleted(change_id=1, client_id=2, completed_at=AT),
        TaskCompleted(task_id=1, change_id=2, department_id=3, completed_at=AT),
    ],
    ids=lambda event: event.name,
)
def test_events_are_plain_values_that_survive_the_outbox(event):
    assert events._decode(type(event), json.loads(json.dumps(events._encode(event)))) == event
    assert events.EVENT_TYPES[event.name] is type(event)
    with pytest.raises(AttributeError):
        event.name = "other"  # frozen
