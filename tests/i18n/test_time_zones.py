"""One time zone rule: every time is shown in the zone of the person reading it — the viewer of a
page (their engineer profile's, else the instance's), the recipient of a message — and the zone is
named."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from tamdesk.notifications.models import Notification
from tamdesk.notifications.services import notify
from tests.changes.factories import change, task

pytestmark = pytest.mark.django_db

FINISH = dt.datetime(2026, 7, 25, 11, 5, tzinfo=dt.UTC)  # 14:05 in Moscow, 16:05 in Yekaterinburg


def set_zone(user, zone: str) -> None:
    user.engineer.time_zone = zone
    user.engineer.save(update_fields=["time_zone"])


def test_every_page_is_rendered_in_the_viewers_zone_and_names_it(client, users):
    set_zone(users.engineer, "Asia/Yekaterinburg")
    client.force_login(users.engineer)

    content = client.get(reverse("home")).content.decode()

    assert 'id="time-zone"' in content
    assert "Asia/Yekaterinburg</span>" in content


def test_a_person_without_an_engineer_profile_reads_the_instances_zone(client, users, settings):
    settings.TIME_ZONE = "Europe/Moscow"
    client.force_login(users.service_manager)

    content = client.get(reverse("home")).content.decode()

    assert "Europe/Moscow</span>" in content


def test_the_change_page_and_the_incident_page_agree_on_the_zone(client, users, tam_client):
    # The change page said "Times in UTC" while the incident page used the viewer's zone.
    set_zone(users.tam, "Europe/Moscow")
    made = change(tam_client, by=users.tam)
    client.force_login(users.tam)

    content = client.get(reverse("changes:change_detail", args=[made.pk])).content.decode()

    assert "Times in Europe/Moscow." in content
    assert "Times in UTC" not in content


def test_the_viewers_zone_costs_no_query_of_its_own(client, users, django_assert_num_queries):
    client.force_login(users.engineer)
    client.get(reverse("notifications:bell"))

    # the session, the user with their engineer profile, their roles, the unread count
    with django_assert_num_queries(4):
        client.get(reverse("notifications:bell"))


def test_a_notification_names_the_time_in_the_recipients_zone(users, tam_client, department):
    set_zone(users.tam, "Europe/Moscow")
    set_zone(users.engineer, "Asia/Yekaterinburg")
    incident = SimpleNamespace(
        pk=7, title="Disk full", client=tam_client, get_absolute_url=lambda: "/sla/incidents/7/"
    )
    context = {
        "incident": incident,
        "clock": SimpleNamespace(due_at=FINISH, kind="reaction"),
        "kind": "reaction",
        "percent": 50,
    }

    with timezone.override("UTC"):
        notify(
            event_type="sla.warning",
            event_key="incident:7:reaction:50",
            recipients=[users.tam, users.engineer],
            context=context,
        )

    texts = {
        row.recipient_user.username: row.body_text
        for row in Notification.objects.filter(channel="in_app")
    }
    assert "It breaches at 2026-07-25 14:05 (Europe/Moscow)" in texts["tam"]
    assert "It breaches at 2026-07-25 16:05 (Asia/Yekaterinburg)" in texts["engineer"]
    assert "UTC" not in texts["tam"]


def test_a_task_ready_e_mail_to_a_department_uses_the_departments_calendar_zone(
    users, tam_client, department
):
    from tests.calendars.factories import CalendarFactory

    department.calendar = CalendarFactory(time_zone="Asia/Novosibirsk")
    department.queue_email = "network@example.com"
    department.save()
    made = change(tam_client, by=users.tam)
    ready = task(made, department, by=users.tam, title="VLAN")
    ready.planned_finish_at = FINISH

    notify(
        event_type="changes.task_ready",
        event_key="task:ready:test",
        recipients=[department],
        context={"task": ready, "change": made},
    )

    row = Notification.objects.get(recipient_department=department)
    assert "2026-07-25 18:05 (Asia/Novosibirsk)" in row.body_text
