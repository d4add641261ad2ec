"""When a message may reach a person: non-urgent e-mail waits for the recipient's working hours
(their department's calendar, else 09–18 on weekdays in their own time zone); urgent goes at
once."""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo

import pytest
import time_machine

from tamdesk.calendars.engine import CalendarSpec
from tamdesk.notifications import services, tasks, timing
from tamdesk.notifications.choices import Channel, NotificationStatus
from tests.calendars.factories import CalendarExceptionFactory, CalendarFactory
from tests.directory.factories import DepartmentFactory, EngineerFactory, UserFactory
from tests.notifications.conftest import PLAIN

MSK = zoneinfo.ZoneInfo("Europe/Moscow")
UTC = dt.UTC
# 2025-03-11 is a Tuesday; 2025-03-14 a Friday.
TUESDAY_23_MSK = dt.datetime(2025, 3, 11, 23, 0, tzinfo=MSK)
WEDNESDAY_09_MSK = dt.datetime(2025, 3, 12, 9, 0, tzinfo=MSK)


_events = itertools.count()


def email_time(recipient, *, now: dt.datetime, urgent: bool | None = None) -> dt.datetime:
    rows = services.notify(
        event_type=PLAIN.code,
        event_key=f"e:{next(_events)}",
        recipients=[recipient],
        context={},
        now=now,
        urgent=urgent,
    )
    [email] = [r for r in rows if r.channel == Channel.EMAIL]
    return email.next_attempt_at


# --- the rule, without a database ----------------------------------------------------------


def test_the_default_hours_are_nine_to_six_on_weekdays():
    spec = timing.default_spec("Europe/Moscow")
    assert spec.weekly == ((((9 * 60, 18 * 60),),) * 5) + ((), ())
    assert spec.time_zone == "Europe/Moscow"


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (TUESDAY_23_MSK, WEDNESDAY_09_MSK),
        (dt.datetime(2025, 3, 12, 8, 59, tzinfo=MSK), WEDNESDAY_09_MSK),
        (WEDNESDAY_09_MSK, WEDNESDAY_09_MSK),  # inside working hours: at once
        (
            dt.datetime(2025, 3, 12, 17, 59, tzinfo=MSK),
            dt.datetime(2025, 3, 12, 17, 59, tzinfo=MSK),
        ),
        (dt.datetime(2025, 3, 12, 18, 0, tzinfo=MSK), dt.datetime(2025, 3, 13, 9, 0, tzinfo=MSK)),
        (dt.datetime(2025, 3, 14, 19, 0, tzinfo=MSK), dt.datetime(2025, 3, 17, 9, 0, tzinfo=MSK)),
        (dt.datetime(2025, 3, 16, 12, 0, tzinfo=MSK), dt.datetime(2025, 3, 17, 9, 0, tzinfo=MSK)),
    ],
)
def test_a_non_urgent_message_waits_for_the_working_day(now, expected):
    spec = timing.default_spec("Europe/Moscow")
    assert timing.delivery_time(spec, urgent=False, now=now) == expected
    assert timing.delivery_time(spec, urgent=True, now=now) == now


def test_a_24x7_calendar_never_makes_a_message_wait():
    spec = CalendarSpec.always_open("Europe/Moscow")
    assert timing.delivery_time(spec, urgent=False, now=TUESDAY_23_MSK) == TUESDAY_23_MSK


# --- people and departments ----------------------------------------------------------------


@pytest.mark.django_db
def test_an_engineers_email_at_23_moscow_goes_at_9_next_morning():
    engineer = EngineerFactory(time_zone="Europe/Moscow").user

    assert email_time(engineer, now=TUESDAY_23_MSK) == WEDNESDAY_09_MSK
    assert WEDNESDAY_09_MSK.astimezone(UTC) == dt.datetime(2025, 3, 12, 6, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_an_urgent_email_at_23_goes_at_once():
    engineer = EngineerFactory(time_zone="Europe/Moscow").user

    assert email_time(engineer, now=TUESDAY_23_MSK, urgent=True) == TUESDAY_23_MSK


@pytest.mark.django_db
def test_an_email_on_friday_evening_waits_for_monday():
    engineer = EngineerFactory(time_zone="Europe/Moscow").user
    friday_evening = dt.datetime(2025, 3, 14, 18, 30, tzinfo=MSK)

    assert email_time(engineer, now=friday_evening) == dt.datetime(2025, 3, 17, 9, 0, tzinfo=MSK)


@pytest.mark.django_db
def test_the_engineers_own_time_zone_counts():
    vladivostok = zoneinfo.ZoneInfo("Asia/Vladivostok")  # UTC+10, 7 hours ahead of Moscow
    engineer = EngineerFactory(time_zone="Asia/Vladivostok").user

    # 23:00 Tuesday in Moscow is 06:00 Wednesday in Vladivostok: three hours to wait.
    assert email_time(engineer, now=TUESDAY_23_MSK) == dt.datetime(
        2025, 3, 12, 9, 0, tzinfo=vladivostok
    )


@pytest.mark.django_db
def test_without_an_engineer_profile_the_instance_time_zone_counts(settings):
    settings.TIME_ZONE = "Europe/Moscow"

    assert email_time(UserFactory(), now=TUESDAY_23_MSK) == WEDNESDAY_09_MSK


@pytest.mark.django_db
def test_the_department_calendar_wins_over_the_default_hours():
    calendar = CalendarFactory(
        time_zone="Europe/Moscow", weekly={day: ((10 * 60, 19 * 60),) for day in range(5)}
    )
    # Thursday is a holiday in this department.
    CalendarExceptionFactory(calendar=calendar, date=dt.date(2025, 3, 13))
    department = DepartmentFactory(calendar=calendar)
    engineer = EngineerFactory(department=department, time_zone="Asia/Vladivostok").user
    wednesday_18_30 = dt.datetime(2025, 3, 12, 18, 30, tzinfo=MSK)

    assert email_time(engineer, now=TUESDAY_23_MSK) == dt.datetime(2025, 3, 12, 10, 0, tzinfo=MSK)
    services.notify(
        event_type=PLAIN.code,
        event_key="wednesday",
        recipients=[engineer],
        context={},
        now=wednesday_18_30,
    )
    email = engineer.notifications.get(event_key="wednesday", channel=Channel.EMAIL)
    assert email.next_attempt_at == wednesday_18_30  # still inside the department's day
    friday_10 = dt.datetime(2025, 3, 14, 10, 0, tzinfo=MSK)
    assert email_time(engineer, now=dt.datetime(2025, 3, 12, 19, 0, tzinfo=MSK)) == friday_10


@pytest.mark.django_db
def test_a_department_queue_follows_its_calendar_else_the_instance_hours(settings):
    settings.TIME_ZONE = "UTC"
    night_shift = CalendarFactory(time_zone="Europe/Moscow", weekly={2: ((22 * 60, 24 * 60),)})
    with_calendar = DepartmentFactory(calendar=night_shift)
    without_calendar = DepartmentFactory()

    rows = services.notify(
        event_type=PLAIN.code,
        event_key="e:1",
        recipients=[with_calendar, without_calendar],
        context={},
        now=dt.datetime(2025, 3, 12, 12, 0, tzinfo=MSK),
    )

    times = {r.recipient_department: r.next_attempt_at for r in rows}
    assert times == {
        with_calendar: dt.datetime(2025, 3, 12, 22, 0, tzinfo=MSK),
        without_calendar: dt.datetime(2025, 3, 12, 9, 0, tzinfo=UTC),  # 12:00 MSK = 09:00 UTC
    }


# --- the sweep sends it when its time comes ------------------------------------------------


@pytest.mark.django_db
def test_a_deferred_email_is_sent_by_the_first_sweep_of_the_working_day(
    django_capture_on_commit_callbacks, mailoutbox
):
    engineer = EngineerFactory(time_zone="Europe/Moscow", user__email="eng@example.com").user
    with (
        time_machine.travel(TUESDAY_23_MSK, tick=False),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        services.notify(event_type=PLAIN.code, event_key="e:1", recipients=[engineer], context={})
    assert (callbacks, mailoutbox) == ([], [])  # nothing to enqueue before the morning

    for moment in (TUESDAY_23_MSK, WEDNESDAY_09_MSK - dt.timedelta(seconds=1)):
        with time_machine.travel(moment, tick=False):
            tasks.sweep_outbox.call_local()
    assert mailoutbox == []

    with time_machine.travel(WEDNESDAY_09_MSK, tick=False):
        tasks.sweep_outbox.call_local()
    assert [m.to for m in mailoutbox] == [["eng@example.com"]]
    email = engineer.notifications.get(channel=Channel.EMAIL)
    assert (email.status, email.sent_at) == (NotificationStatus.SENT, WEDNESDAY_09_MSK)
