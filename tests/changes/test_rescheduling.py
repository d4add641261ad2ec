"""Forecasts follow the clock and working time: the periodic job re-schedules open changes (a
change that has not started slides with "now", and turns late — notifying its TAM once), and a
change to a department's calendar, its hours or exceptions, or the department's calendar itself
re-schedules the open changes with work in that department."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tamdesk.calendars import services as calendar_services
from tamdesk.changes import rescheduling, scheduling, services, tasks
from tamdesk.changes.choices import ChangeStatus, ScheduleStatus
from tamdesk.changes.models import ChangeRequest
from tamdesk.core.models import JobRun
from tamdesk.notifications.models import Notification
from tests.calendars.factories import OFFICE_DAY, CalendarFactory
from tests.changes.factories import MON_0900, at, change, task
from tests.conftest import api_as
from tests.directory.factories import ClientFactory, DepartmentFactory

pytestmark = pytest.mark.django_db
UTC_OFFICE = {day: ((9 * 60, 18 * 60),) for day in range(5)}


@pytest.fixture
def office(db):
    """A department working 09:00–18:00 UTC Monday to Friday by its own calendar."""
    calendar = CalendarFactory(time_zone="UTC", weekly=UTC_OFFICE)
    return DepartmentFactory(code="office", calendar=calendar)


@pytest.fixture
def _monday():
    with time_machine.travel(MON_0900, tick=False):
        yield


def slipped():
    return Notification.objects.filter(event_type="changes.forecast_slipped")


def test_the_periodic_job_moves_a_waiting_change_with_the_clock(users, tam_client, office):
    web = change(tam_client, by=users.tam, committed_on=dt.date(2026, 11, 24))
    task(web, office, by=users.tam, hours="9")  # Monday 09:00–18:00: a day to spare
    web.refresh_from_db()
    assert web.schedule_status == ScheduleStatus.ON_TRACK
    assert web.forecast_finish_at == at(9)
    assert not slipped().exists()

    with time_machine.travel(at(0, days=1), tick=False):  # Tuesday 09:00, nobody started
        tasks.reschedule_open_changes()
    web.refresh_from_db()
    assert web.forecast_finish_at == at(9, days=1)
    assert web.schedule_status == ScheduleStatus.AT_RISK  # on time, with no slack left

    with time_machine.travel(at(1, days=1), tick=False):  # Tuesday 10:00: cannot make it
        tasks.reschedule_open_changes()
        tasks.reschedule_open_changes()
    web.refresh_from_db()
    assert web.schedule_status == ScheduleStatus.LATE
    assert web.forecast_finish_at == at(0, days=2) + dt.timedelta(hours=1)  # Wednesday 10:00
    assert (
        slipped().filter(recipient_user=users.tam, channel="in_app").count() == 1
    )  # once per slip
    assert JobRun.objects.filter(name="changes.reschedule").exists()


def test_closed_changes_are_left_alone(users, tam_client, office):
    web = change(tam_client, by=users.tam)
    task(web, office, by=users.tam)
    services.transition_change(web, to=ChangeStatus.CANCELLED, by=users.tam, now=MON_0900)
    before = ChangeRequest.objects.values().get(pk=web.pk)

    with time_machine.travel(at(0, days=3), tick=False):
        assert rescheduling.reschedule(ChangeRequest.objects.all()) == 0

    assert ChangeRequest.objects.values().get(pk=web.pk) == before


def test_one_failing_change_does_not_hold_the_others_back(users, tam_client, office, monkeypatch):
    first = change(tam_client, by=users.tam, title="First")
    second = change(tam_client, by=users.tam, title="Second")
    for item in (first, second):
        task(item, office, by=users.tam)
    real = scheduling.recompute

    def recompute(change, now):
        if change.pk == first.pk:
            raise RuntimeError("broken calendar")
        return real(change, now)

    monkeypatch.setattr(scheduling, "recompute", recompute)
    later = at(0, days=1)

    with pytest.raises(rescheduling.RescheduleFailed, match=f"1 failed: CR-{first.pk}"):
        rescheduling.reschedule(ChangeRequest.objects.all(), now=later)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.scheduled_at == MON_0900
    assert second.scheduled_at == later


def test_stale_before_skips_changes_scheduled_since(users, tam_client, office):
    web = change(tam_client, by=users.tam)
    task(web, office, by=users.tam)

    assert rescheduling.reschedule(ChangeRequest.objects.all(), now=at(2), stale_before=at(-1)) == 0
    assert (
        rescheduling.reschedule(ChangeRequest.objects.all(), now=at(2), stale_before=MON_0900) == 1
    )


@pytest.mark.usefixtures("_monday")
def test_a_closed_day_in_the_departments_calendar_moves_the_forecast(
    users, tam_client, office, django_capture_on_commit_callbacks
):
    web = change(tam_client, by=users.tam, planned_start_at=at(0, days=1))
    task(web, office, by=users.tam, hours="9")  # Tuesday
    other = change(ClientFactory(), by=users.administrator, planned_start_at=at(0, days=1))
    task(other, DepartmentFactory(), by=users.administrator, hours="9")  # default calendar
    other_before = ChangeRequest.objects.values().get(pk=other.pk)
    web.refresh_from_db()
    assert web.forecast_finish_at == at(9, days=1)

    with django_capture_on_commit_callbacks(execute=True):
        calendar_services.add_exception(
            calendar=office.calendar, date=dt.date(2026, 11, 24), kind="closed", by=users.tam
        )

    web.refresh_from_db()
    assert web.forecast_finish_at == at(9, days=2)  # Wednesday
    assert ChangeRequest.objects.values().get(pk=other.pk) == other_before


@pytest.mark.usefixtures("_monday")
def test_new_weekly_hours_move_the_forecast(
    users, tam_client, office, django_capture_on_commit_callbacks
):
    web = change(tam_client, by=users.tam)
    task(web, office, by=users.tam, hours="9")

    with django_capture_on_commit_callbacks(execute=True):
        calendar_services.set_weekly_hours(
            office.calendar, weekly={day: OFFICE_DAY for day in range(5)}, by=users.tam
        )

    web.refresh_from_db()
    # Eight hours a day now (09–13, 14–18): the ninth hour is Tuesday 09:00–10:00.
    assert web.forecast_finish_at == at(1, days=1)


@pytest.mark.usefixtures("_monday")
def test_giving_the_department_another_calendar_moves_the_forecast(
    users, tam_client, office, django_capture_on_commit_callbacks
):
    web = change(tam_client, by=users.tam)
    task(web, office, by=users.tam, hours="9")
    mondays = CalendarFactory(time_zone="UTC", weekly={0: ((9 * 60, 12 * 60),)})

    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(users.administrator).patch(
            f"/api/v1/departments/{office.pk}/", {"calendar": mondays.pk}, format="json"
        )

    assert response.status_code == 200, response.content

    web.refresh_from_db()
    assert web.forecast_finish_at == at(3, days=14)  # three hours each Monday
