"""Changes publish ``task_completed`` and ``change_completed``, and react to the calendars'
``working_time_changed`` through a subscriber that ``ChangesConfig.ready`` registers: the
calendars publish without importing this domain."""

from __future__ import annotations

import datetime as dt
import pathlib

import pytest
import time_machine

import tamdesk
from tamdesk.calendars import services as calendar_services
from tamdesk.changes import services, tasks
from tamdesk.core import events
from tamdesk.core.events import ChangeCompleted, TaskCompleted, WorkingTimeChanged
from tests.calendars.factories import CalendarFactory
from tests.changes.factories import MON_0900, at, change, task
from tests.core.events_support import published_by
from tests.directory.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def test_finishing_a_task_and_the_change_publishes_each_once(users, tam_client, department):
    web = change(tam_client, by=users.tam)
    first = task(web, department, by=users.tam)
    services.transition_change(web, to="planned", by=users.tam, now=at(0))
    services.start_task(first, by=users.engineer, now=at(1))

    finished = published_by(
        lambda: services.complete_task(first, by=users.engineer, now=at(3)),
        TaskCompleted,
        ChangeCompleted,
    )
    done = published_by(
        lambda: services.transition_change(web, to="done", by=users.tam, now=at(4)),
        TaskCompleted,
        ChangeCompleted,
    )

    assert finished == [
        TaskCompleted(
            task_id=first.pk, change_id=web.pk, department_id=department.pk, completed_at=at(3)
        )
    ]
    assert done == [ChangeCompleted(change_id=web.pk, client_id=tam_client.pk, completed_at=at(4))]


def test_a_refused_completion_publishes_nothing(users, tam_client, department):
    web = change(tam_client, by=users.tam)
    first = task(web, department, by=users.tam)
    services.transition_change(web, to="planned", by=users.tam, now=at(0))

    def refused():
        with pytest.raises(services.ChangeError):
            services.complete_task(first, by=users.engineer, now=at(3))  # not started
        with pytest.raises(services.ChangeError):
            services.transition_change(web, to="done", by=users.tam, now=at(4))  # a task open

    assert published_by(refused, TaskCompleted, ChangeCompleted) == []


def test_changes_subscribes_to_working_time_changes_in_its_app_config():
    assert events.subscribers_of(WorkingTimeChanged)["changes.reschedule_working_time"] is (
        tasks.reschedule_after_working_time_change
    )


def test_the_calendars_publish_and_changes_reacts_without_the_calendars_importing_it(
    users, tam_client
):
    # Given a change whose only task is in a department working by its own calendar
    office = DepartmentFactory(
        calendar=CalendarFactory(time_zone="UTC", weekly={d: ((540, 1080),) for d in range(5)})
    )
    with time_machine.travel(MON_0900, tick=False):
        web = change(tam_client, by=users.tam)
        task(web, office, by=users.tam, hours="9")
        web.refresh_from_db()
        assert web.forecast_finish_at == at(9)  # Monday 09:00 + 9 h: Monday 18:00

        # When the calendars domain closes Monday, the changes domain's subscriber re-schedules
        published_by(
            lambda: calendar_services.add_exception(
                calendar=office.calendar, date=dt.date(2026, 11, 23), kind="closed", by=users.tam
            )
        )

    web.refresh_from_db()
    assert web.forecast_finish_at == at(9, days=1)  # Tuesday 18:00
    # And the calendars (and every lower layer) name no higher domain.
    root = pathlib.Path(tamdesk.__file__).parent
    for lower in ("core", "calendars", "directory", "notifications"):
        for source in (root / lower).rglob("*.py"):
            text = source.read_text()
            assert "tamdesk.changes" not in text and "tamdesk.sla" not in text, source
