"""Calendars publish ``working_time_changed`` — once per change of working time, with the
calendar's id — from every write path: services, pages and API. Departments (directory)
publish it when they work by another calendar."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tamdesk.calendars import services
from tamdesk.calendars.exceptions import ExceptionDateTaken
from tamdesk.calendars.models import CalendarException
from tamdesk.core.events import WorkingTimeChanged
from tests.calendars.factories import OFFICE_WEEK, CalendarExceptionFactory, CalendarFactory
from tests.conftest import api_as
from tests.core.events_support import published_by
from tests.directory.factories import DepartmentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_frozen")]
NOW = dt.datetime(2026, 11, 23, 6, tzinfo=dt.UTC)


@pytest.fixture
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def calendar(db):
    return CalendarFactory(time_zone="UTC", weekly=OFFICE_WEEK)


def published(action) -> list:
    return published_by(action, WorkingTimeChanged)


def of(calendar) -> list[WorkingTimeChanged]:
    return [WorkingTimeChanged(changed_at=NOW, calendar_ids=(calendar.pk,))]


def test_new_weekly_hours(calendar, users):
    assert published(
        lambda: services.set_weekly_hours(calendar, weekly={0: ((600, 660),)}, by=users.admin)
    ) == of(calendar)


def test_adding_editing_and_deleting_an_exception(calendar, users):
    def add():
        return services.add_exception(
            calendar=calendar, date=dt.date(2026, 12, 1), kind="closed", by=users.admin
        )

    assert published(add) == of(calendar)
    added = CalendarException.objects.get(calendar=calendar)
    assert published(
        lambda: services.update_exception(
            added, date=dt.date(2026, 12, 2), kind="closed", name="Moved", by=users.admin
        )
    ) == of(calendar)
    assert published(lambda: services.delete_exception(added, by=users.admin)) == of(calendar)
    assert not CalendarException.objects.filter(pk=added.pk).exists()


def test_a_holiday_import_publishes_once_and_a_repeat_not_at_all(calendar):
    def run():
        services.import_public_holidays(
            calendar, country="RU", year_from=2025, year_to=2025, by=None
        )

    assert published(run) == of(calendar)
    assert published(run) == []


def test_a_refused_change_publishes_nothing(calendar, users):
    CalendarExceptionFactory(calendar=calendar, date=dt.date(2026, 12, 1))

    def refused():
        with pytest.raises(ExceptionDateTaken):
            services.add_exception(
                calendar=calendar, date=dt.date(2026, 12, 1), kind="closed", by=users.admin
            )

    assert published(refused) == []


def test_editing_a_calendar_on_its_page(client, calendar, users):
    client.force_login(users.admin)

    def edit():
        data = {"name": calendar.name, "time_zone": "Europe/Moscow"}
        assert client.post(f"/calendars/{calendar.pk}/edit/", data).status_code == 302

    assert published(edit) == of(calendar)


def test_deleting_an_exception_on_its_page(client, calendar, users):
    exception = CalendarExceptionFactory(calendar=calendar, date=dt.date(2026, 12, 1))
    client.force_login(users.admin)

    def delete():
        assert client.post(f"/calendars/exceptions/{exception.pk}/delete/").status_code == 302

    assert published(delete) == of(calendar)


def test_editing_a_calendar_and_deleting_an_exception_through_the_api(calendar, users):
    api = api_as(users.admin)
    exception = CalendarExceptionFactory(calendar=calendar, date=dt.date(2026, 12, 1))

    def edit():
        path = f"/api/v1/calendars/{calendar.pk}/"
        assert api.patch(path, {"time_zone": "Europe/Moscow"}, format="json").status_code == 200

    def delete():
        path = f"/api/v1/calendar-exceptions/{exception.pk}/"
        assert api.delete(path).status_code == 204

    assert published(edit) == of(calendar)
    assert published(delete) == of(calendar)


def test_a_department_publishes_when_it_works_by_another_calendar(calendar, users):
    department = DepartmentFactory()
    api = api_as(users.admin)
    path = f"/api/v1/departments/{department.pk}/"

    def patch(data):
        return lambda: api.patch(path, data, format="json")

    assert published(patch({"description": "Routers"})) == []
    assert published(patch({"calendar": calendar.pk})) == [
        WorkingTimeChanged(changed_at=NOW, department_ids=(department.pk,))
    ]
    department.refresh_from_db()
    assert department.calendar == calendar


def test_a_department_edited_on_its_page_publishes_when_its_calendar_changes(
    client, calendar, users
):
    department = DepartmentFactory(code="net", name="Network")
    client.force_login(users.admin)
    form = {"code": "net", "name": "Network", "is_active": "on"}

    def edit(**data):
        def post():
            path = f"/directory/departments/{department.pk}/edit/"
            assert client.post(path, form | data).status_code == 302

        return post

    assert published(edit(calendar=department.calendar_id or "")) == []
    assert published(edit(calendar=calendar.pk)) == [
        WorkingTimeChanged(changed_at=NOW, department_ids=(department.pk,))
    ]
