"""The daily digest: one per TAM and local date, at the start of their working day, with the
sections that have something to say, in their language."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine

from tamdesk.core.models import JobRun
from tamdesk.directory.choices import AccountRole, ContactKind
from tamdesk.notifications import digest, services
from tamdesk.notifications.catalog import DAILY_DIGEST
from tamdesk.notifications.choices import Channel
from tamdesk.notifications.models import Notification, NotificationProfile
from tamdesk.workspace import tasks
from tamdesk.workspace.sections import DIGEST_SECTIONS
from tests.calendars.factories import CalendarFactory
from tests.directory.factories import AssignmentFactory, ClientFactory, ContactFactory
from tests.notifications.factories import NotificationFactory

pytestmark = pytest.mark.django_db

MSK = zoneinfo.ZoneInfo("Europe/Moscow")
# 2025-03-12 is a Wednesday. The TAM of the fixtures is an engineer in Moscow, 09–18.
WEDNESDAY_9 = dt.datetime(2025, 3, 12, 9, 0, tzinfo=MSK)


def digests_at(moment: dt.datetime, capture) -> int:
    """Run the digests at ``moment`` (the clock too), delivering what they write."""
    with time_machine.travel(moment, tick=False), capture(execute=True):
        return digest.send_daily_digests(now=moment, sections=DIGEST_SECTIONS)


def digests_of(user, channel: str = Channel.EMAIL) -> list[Notification]:
    return list(
        Notification.objects.filter(
            event_type=DAILY_DIGEST.code, recipient_user=user, channel=channel
        )
    )


def test_one_digest_per_tam_once_their_day_has_begun(
    users, tam_client, django_capture_on_commit_callbacks, mailoutbox
):
    capture = django_capture_on_commit_callbacks

    assert digests_at(WEDNESDAY_9 - dt.timedelta(minutes=1), capture) == 0
    assert digests_of(users.tam) == [] and mailoutbox == []

    assert digests_at(WEDNESDAY_9, capture) == 1
    assert digests_at(WEDNESDAY_9 + dt.timedelta(hours=3), capture) == 0  # not twice a day
    [row] = digests_of(users.tam)
    assert (row.channel, row.event_key, row.address) == (
        Channel.EMAIL,
        f"digest:{users.tam.pk}:2025-03-12",
        users.tam.email,
    )
    assert [m.to for m in mailoutbox] == [[users.tam.email]]

    assert digests_at(WEDNESDAY_9 + dt.timedelta(days=1), capture) == 1  # Thursday's
    assert len(digests_of(users.tam)) == 2
    assert digests_of(users.architect) == []  # not a TAM of the client


def test_no_digest_on_a_day_off(users, tam_client, django_capture_on_commit_callbacks):
    saturday_noon = dt.datetime(2025, 3, 15, 12, 0, tzinfo=MSK)
    assert digests_at(saturday_noon, django_capture_on_commit_callbacks) == 0


def test_the_department_calendar_sets_the_start_of_the_day(
    users, tam_client, department, django_capture_on_commit_callbacks
):
    department.calendar = CalendarFactory(weekly={2: ((11 * 60, 20 * 60),)})
    department.save()
    capture = django_capture_on_commit_callbacks

    assert digests_at(dt.datetime(2025, 3, 12, 10, 59, tzinfo=MSK), capture) == 0
    assert digests_at(dt.datetime(2025, 3, 12, 11, 0, tzinfo=MSK), capture) == 1


def test_a_round_the_clock_calendar_waits_until_nine(
    users, tam_client, department, django_capture_on_commit_callbacks
):
    department.calendar = CalendarFactory(is_always_open=True, weekly={})
    department.save()
    capture = django_capture_on_commit_callbacks

    assert digests_at(dt.datetime(2025, 3, 15, 8, 59, tzinfo=MSK), capture) == 0
    assert digests_at(dt.datetime(2025, 3, 15, 9, 0, tzinfo=MSK), capture) == 1


def test_a_tam_with_nothing_to_report_gets_none(
    users, tam_client, django_capture_on_commit_callbacks, mailoutbox
):
    ContactFactory(client=tam_client, kind=ContactKind.TECHNICAL)
    ContactFactory(client=tam_client, kind=ContactKind.DECISION_MAKER)
    NotificationFactory(recipient_user=users.tam, read_at=WEDNESDAY_9)  # read already

    assert digest.compose(users.tam, now=WEDNESDAY_9, sections=DIGEST_SECTIONS) == []
    assert digests_at(WEDNESDAY_9, django_capture_on_commit_callbacks) == 0
    assert mailoutbox == []


def test_backup_tams_get_one_former_and_inactive_tams_do_not(
    users, tam_client, django_capture_on_commit_callbacks
):
    AssignmentFactory(client=tam_client, user=users.other_tam, role=AccountRole.BACKUP_TAM)
    AssignmentFactory(
        client=ClientFactory(), user=users.lead, end_on=dt.date(2025, 3, 1)
    )  # a TAM no more
    AssignmentFactory(client=ClientFactory(), user=users.engineer)
    users.engineer.is_active = False
    users.engineer.save()

    assert digests_at(WEDNESDAY_9, django_capture_on_commit_callbacks) == 2
    assert [bool(digests_of(u)) for u in (users.tam, users.other_tam, users.lead)] == [
        True,
        True,
        False,
    ]
    assert not digests_of(users.engineer)


def test_the_sections_list_clients_missing_key_contacts_and_unread_notifications(users, tam_client):
    ContactFactory(client=tam_client, kind=ContactKind.TECHNICAL)
    complete = ClientFactory(name="Beta Bank")
    ContactFactory(client=complete, kind=ContactKind.TECHNICAL)
    ContactFactory(client=complete, kind=ContactKind.DECISION_MAKER)
    AssignmentFactory(client=complete, user=users.tam)
    former = ClientFactory(name="Gone Ltd", status="former")
    AssignmentFactory(client=former, user=users.tam)
    unread = NotificationFactory(recipient_user=users.tam, subject="Task 7 is overdue", url="/t/7/")
    NotificationFactory(recipient_user=users.tam, read_at=WEDNESDAY_9)
    NotificationFactory(recipient_user=users.other_tam)
    NotificationFactory(recipient_user=users.tam, event_type=DAILY_DIGEST.code)

    sections = digest.compose(users.tam, now=WEDNESDAY_9, sections=DIGEST_SECTIONS)

    assert [(s.key, items) for s, items in sections] == [
        (
            "clients_missing_contacts",
            [digest.DigestItem("Acme Retail: no decision-maker", tam_client.get_absolute_url())],
        ),
        ("unread_notifications", [digest.DigestItem("Task 7 is overdue", "/t/7/")]),
    ]
    assert unread.is_unread


def test_many_unread_notifications_end_with_a_link_to_the_inbox(users):
    NotificationFactory.create_batch(12, recipient_user=users.tam)

    items = digest.unread_notifications(users.tam, WEDNESDAY_9)

    assert len(items) == 11
    assert items[-1] == digest.DigestItem("and 2 more", "/notifications/")


def test_the_digest_email_lists_the_sections(
    users, tam_client, django_capture_on_commit_callbacks, mailoutbox
):
    NotificationFactory(recipient_user=users.tam, subject="Task 7 is overdue", url="/t/7/")

    digests_at(WEDNESDAY_9, django_capture_on_commit_callbacks)

    [message] = mailoutbox
    client_url = f"http://127.0.0.1:8000{tam_client.get_absolute_url()}"
    assert message.subject == "Your tamdesk digest for 2025-03-12"
    assert message.to == [users.tam.email]
    name = users.tam.get_full_name()
    assert message.body == (
        f"Good morning, {name}. Here is what needs you today.\n"
        "\n"
        "Clients without a key contact\n"
        f"- Acme Retail: no technical specialist, decision-maker ({client_url})\n"
        "\n"
        "Unread notifications\n"
        "- Task 7 is overdue (http://127.0.0.1:8000/t/7/)\n"
    )
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert (
        f'<a href="{client_url}">Acme Retail: no technical specialist, decision-maker</a>' in html
    )
    assert "http://127.0.0.1:8000/notifications/preferences/" in html


def test_the_digest_is_in_the_recipients_language(
    users, tam_client, django_capture_on_commit_callbacks, mailoutbox
):
    NotificationProfile.objects.create(user=users.tam, language="ru")

    digests_at(WEDNESDAY_9, django_capture_on_commit_callbacks)

    [message] = mailoutbox
    [row] = digests_of(users.tam)
    assert row.language == "ru"
    assert "лицо, принимающее решения" in message.body  # ContactKind's Russian label
    assert message.subject == "Ваша сводка tamdesk на 12.03.2025"  # the Russian date format
    assert "Доброе утро," in message.body
    assert '<html lang="ru">' in message.alternatives[0][0]


def test_a_tam_who_switched_the_digest_email_off_gets_it_in_the_app_only(
    users, tam_client, django_capture_on_commit_callbacks, mailoutbox
):
    services.set_preferences(
        user=users.tam,
        language="en",
        choices={(DAILY_DIGEST.code, Channel.EMAIL): False},
        by=users.tam,
    )

    assert digests_at(WEDNESDAY_9, django_capture_on_commit_callbacks) == 1
    assert mailoutbox == [] and digests_of(users.tam) == []
    [row] = digests_of(users.tam, Channel.IN_APP)
    assert row.subject == "Your tamdesk digest for 2025-03-12" and row.is_unread
    assert "Clients without a key contact" in row.body_text
    # Its own digest is not an unread notification of the next one.
    assert digest.unread_notifications(users.tam, WEDNESDAY_9) == []


def test_no_digest_for_a_tam_who_switched_it_off(
    users, tam_client, django_capture_on_commit_callbacks, mailoutbox
):
    services.set_preferences(
        user=users.tam,
        language="en",
        choices={
            (DAILY_DIGEST.code, Channel.EMAIL): False,
            (DAILY_DIGEST.code, Channel.IN_APP): False,
        },
        by=users.tam,
    )

    assert digests_at(WEDNESDAY_9, django_capture_on_commit_callbacks) == 0
    assert mailoutbox == [] and not Notification.objects.exists()


def test_the_periodic_job_records_how_many_digests_it_wrote(
    users, tam_client, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel(WEDNESDAY_9, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        tasks.send_daily_digests.call_local()

    assert JobRun.objects.get(name="notifications.daily_digests").detail == "1 digests written"
