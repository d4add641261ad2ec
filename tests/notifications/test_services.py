"""The outbox's rules: rows written in the caller's transaction and delivered after its commit,
once; who gets what on which channel; preferences; claims and leases."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from tamdesk.core.models import JobRun
from tamdesk.notifications import services, tasks
from tamdesk.notifications.choices import Channel, NotificationStatus
from tamdesk.notifications.models import Notification, NotificationPreference
from tests.directory.factories import DepartmentFactory, EngineerFactory, UserFactory
from tests.notifications.conftest import PLAIN, URGENT
from tests.notifications.factories import NotificationFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC
# A Wednesday, 12:00 UTC (15:00 in Moscow): inside everybody's default working hours.
WORKING_NOON = dt.datetime(2025, 3, 12, 12, 0, tzinfo=UTC)


class Boom(Exception):
    pass


def notify(**kwargs) -> list[Notification]:
    kwargs.setdefault("event_type", URGENT.code)
    kwargs.setdefault("event_key", "e:1")
    kwargs.setdefault("context", {})
    return services.notify(**kwargs)


def channels_of(rows) -> list[tuple[str, str]]:
    return sorted((r.channel, r.address) for r in rows)


# --- the transaction ---------------------------------------------------------------------


def test_a_rolled_back_event_writes_and_sends_nothing(
    django_capture_on_commit_callbacks, mailoutbox
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        rows = notify(recipients=[UserFactory()])
        assert len(rows) == 2  # written in the transaction…
        raise Boom  # …which the event's failure rolls back

    assert callbacks == []
    assert not Notification.objects.exists()
    assert mailoutbox == []


def test_delivery_waits_for_the_commit(django_capture_on_commit_callbacks, mailoutbox):
    ann = UserFactory(email="ann@example.com")
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        notify(recipients=[ann])
        assert mailoutbox == []

    assert len(callbacks) == 1
    assert [m.to for m in mailoutbox] == [["ann@example.com"]]
    assert Notification.objects.get(channel=Channel.EMAIL).status == NotificationStatus.SENT


def test_a_lost_enqueue_is_delivered_by_the_sweep(django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(recipients=[UserFactory(email="ann@example.com")])
    assert len(callbacks) == 1  # the enqueue that never ran (the queue was down, say)
    assert Notification.objects.get(channel=Channel.EMAIL).status == NotificationStatus.PENDING

    tasks.sweep_outbox.call_local()

    assert [m.to for m in mailoutbox] == [["ann@example.com"]]
    assert Notification.objects.get(channel=Channel.EMAIL).status == NotificationStatus.SENT
    assert JobRun.objects.get(name="notifications.sweep").detail == "1 sent"
    tasks.sweep_outbox.call_local()
    assert len(mailoutbox) == 1
    assert JobRun.objects.filter(detail="none due").count() == 1


def test_notifying_the_same_event_twice_adds_nothing(
    django_capture_on_commit_callbacks, mailoutbox
):
    ann = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        first = notify(recipients=[ann, ann])
        second = notify(recipients=[ann])

    assert channels_of(first) == [(Channel.EMAIL, ann.email), (Channel.IN_APP, "")]
    assert second == []
    assert Notification.objects.count() == 2
    assert len(mailoutbox) == 1
    assert all(row.pk for row in first)


# --- delivering once ---------------------------------------------------------------------


def test_two_deliveries_of_one_notification_send_once(mailoutbox):
    row = NotificationFactory(channel=Channel.EMAIL)

    assert services.deliver(row.pk) == NotificationStatus.SENT
    assert services.deliver(row.pk) is None

    assert len(mailoutbox) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.locked_until) == (NotificationStatus.SENT, 1, None)


def test_a_notification_claimed_by_a_live_worker_is_left_to_it(mailoutbox):
    now = timezone.now()
    row = NotificationFactory(channel=Channel.EMAIL, locked_until=now + dt.timedelta(minutes=4))

    assert services.deliver(row.pk, now=now) is None
    assert tasks.sweep_outbox.call_local() is None and mailoutbox == []
    assert services.due_ids(now=now) == []


def test_a_crashed_workers_claim_expires_and_is_taken_over(mailoutbox):
    now = timezone.now()
    row = NotificationFactory(channel=Channel.EMAIL, next_attempt_at=now - dt.timedelta(hours=1))
    assert services.claim(row.pk, now=now - services.LEASE - dt.timedelta(seconds=1))
    # …and that worker died before sending: its lease has run out by now.

    assert services.due_ids(now=now) == [row.pk]
    assert services.deliver(row.pk, now=now) == NotificationStatus.SENT
    assert len(mailoutbox) == 1


def test_only_one_of_two_claims_wins():
    row = NotificationFactory(channel=Channel.EMAIL)
    now = timezone.now()

    assert [services.claim(row.pk, now=now), services.claim(row.pk, now=now)] == [True, False]
    row.refresh_from_db()
    assert row.locked_until == now + services.LEASE


def test_a_notification_not_yet_due_is_not_delivered(mailoutbox):
    now = timezone.now()
    row = NotificationFactory(channel=Channel.EMAIL, next_attempt_at=now + dt.timedelta(hours=1))

    assert services.deliver(row.pk, now=now) is None
    assert services.due_ids(now=now) == []
    assert mailoutbox == []


# --- who gets what -------------------------------------------------------------------------


def test_in_app_notifications_are_sent_at_once_and_unread(django_capture_on_commit_callbacks):
    ann = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        notify(event_type=PLAIN.code, recipients=[ann], now=WORKING_NOON, url="/x/")

    row = Notification.objects.get(channel=Channel.IN_APP)
    assert (row.recipient_user, row.status, row.sent_at) == (
        ann,
        NotificationStatus.SENT,
        WORKING_NOON,
    )
    assert (row.next_attempt_at, row.attempts, row.is_unread) == (None, 0, True)
    assert (row.subject, row.url, row.urgent) == ("tamdesk test message", "/x/", False)
    assert list(Notification.objects.inbox(ann).unread()) == [row]


def test_inactive_people_get_nothing_and_people_without_email_no_email():
    gone = UserFactory(is_active=False)
    mailless = UserFactory(email="")

    rows = notify(recipients=[gone, mailless])

    assert [(r.channel, r.recipient_user) for r in rows] == [(Channel.IN_APP, mailless)]


def test_a_department_is_written_to_at_its_queue_address(
    django_capture_on_commit_callbacks, mailoutbox
):
    with_queue = DepartmentFactory(queue_email="noc@example.com")
    without_queue = DepartmentFactory(queue_email="")

    with django_capture_on_commit_callbacks(execute=True):
        rows = notify(recipients=[with_queue, without_queue])

    [row] = rows
    assert (row.channel, row.recipient_department, row.address) == (
        Channel.EMAIL,
        with_queue,
        "noc@example.com",
    )
    assert row.recipient_user is None and row.language == "en"
    assert [m.to for m in mailoutbox] == [["noc@example.com"]]


def test_something_else_than_a_person_or_department_is_refused():
    with pytest.raises(TypeError, match="not a user, a department or a contact"):
        notify(recipients=["someone@example.com"])


def test_related_object_and_payload_are_kept():
    ann = UserFactory()
    [row, _email] = notify(recipients=[ann], related=ann, payload={"n": 1})

    assert (row.related, row.payload) == (ann, {"n": 1})


# --- preferences ---------------------------------------------------------------------------


def test_preferences_switch_a_channel_off_and_on_again():
    ann = UserFactory()
    services.set_preferences(
        user=ann, language="en", choices={(PLAIN.code, Channel.EMAIL): False}, by=ann
    )
    assert channels_of(notify(event_type=PLAIN.code, event_key="e:1", recipients=[ann])) == [
        (Channel.IN_APP, "")
    ]

    services.set_preferences(
        user=ann, language="en", choices={(PLAIN.code, Channel.EMAIL): True}, by=ann
    )
    assert not NotificationPreference.objects.exists()  # back to the default: no row
    assert channels_of(notify(event_type=PLAIN.code, event_key="e:2", recipients=[ann])) == [
        (Channel.EMAIL, ann.email),
        (Channel.IN_APP, ""),
    ]


def test_preferences_can_add_a_channel_and_remove_all():
    ann = UserFactory()
    services.set_preferences(
        user=ann,
        language="ru",
        choices={(PLAIN.code, Channel.IN_APP): False, (PLAIN.code, Channel.EMAIL): False},
        by=ann,
    )

    assert notify(event_type=PLAIN.code, recipients=[ann]) == []
    assert ann.notification_profile.language == "ru"


def test_preferences_refuse_what_cannot_be_chosen():
    ann = UserFactory()
    with pytest.raises(services.NotificationError) as refused:
        services.set_preferences(
            user=ann, language="en", choices={("notifications.test", Channel.EMAIL): False}, by=ann
        )
    assert refused.value.code == "invalid_preference"
    with pytest.raises(services.NotificationError) as refused:
        services.set_preferences(user=ann, language="xx", choices={}, by=ann)
    assert refused.value.code == "invalid_language"


# --- urgent or not -------------------------------------------------------------------------


def test_a_non_urgent_email_outside_working_hours_waits(
    django_capture_on_commit_callbacks, mailoutbox
):
    ann = UserFactory()  # not an engineer: the instance's time zone (UTC), 09–18 on weekdays
    saturday = dt.datetime(2025, 3, 15, 10, 0, tzinfo=UTC)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        rows = notify(event_type=PLAIN.code, recipients=[ann], now=saturday)

    email = next(r for r in rows if r.channel == Channel.EMAIL)
    assert email.next_attempt_at == dt.datetime(2025, 3, 17, 9, 0, tzinfo=UTC)
    assert (email.status, callbacks, mailoutbox) == (NotificationStatus.PENDING, [], [])
    assert services.due_ids(now=dt.datetime(2025, 3, 17, 8, 59, tzinfo=UTC)) == []
    assert services.due_ids(now=dt.datetime(2025, 3, 17, 9, 0, tzinfo=UTC)) == [email.pk]


def test_an_urgent_email_goes_at_once(django_capture_on_commit_callbacks, mailoutbox):
    ann = UserFactory()
    saturday = dt.datetime(2025, 3, 15, 10, 0, tzinfo=UTC)

    with django_capture_on_commit_callbacks(execute=True):
        rows = notify(event_type=PLAIN.code, recipients=[ann], now=saturday, urgent=True)

    email = next(r for r in rows if r.channel == Channel.EMAIL)
    assert (email.next_attempt_at, email.urgent) == (saturday, True)
    assert len(mailoutbox) == 1


def test_an_engineer_is_written_to_in_working_hours_at_once(
    django_capture_on_commit_callbacks, mailoutbox
):
    engineer = EngineerFactory(time_zone="Europe/Moscow").user

    with django_capture_on_commit_callbacks(execute=True):
        rows = notify(event_type=PLAIN.code, recipients=[engineer], now=WORKING_NOON)

    assert next(r for r in rows if r.channel == Channel.EMAIL).next_attempt_at == WORKING_NOON
    assert len(mailoutbox) == 1


# --- the test message and retries ----------------------------------------------------------


def test_the_test_email_goes_through_the_outbox(django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        row = services.send_test_email(to="ops@example.com")

    row.refresh_from_db()
    assert (row.channel, row.address, row.urgent, row.status) == (
        Channel.EMAIL,
        "ops@example.com",
        True,
        NotificationStatus.SENT,
    )
    [message] = mailoutbox
    assert message.subject == "tamdesk test message"
    assert message.extra_headers["Message-ID"] == f"<{row.uuid}@tamdesk>"


def test_the_test_email_needs_an_address():
    with pytest.raises(services.NotificationError) as refused:
        services.send_test_email(to="not an address")
    assert refused.value.code == "invalid"
    assert not Notification.objects.exists()


def test_a_sent_notification_cannot_be_retried(users):
    row = NotificationFactory(channel=Channel.EMAIL, status=NotificationStatus.SENT)
    with pytest.raises(services.NotificationError):
        services.retry(row, by=users.admin)


def test_backoff_doubles_up_to_an_hour():
    minutes = [services.backoff(n).total_seconds() / 60 for n in range(1, 10)]
    assert minutes == [1, 2, 4, 8, 16, 32, 60, 60, 60]
