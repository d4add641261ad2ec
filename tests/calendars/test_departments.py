"""A department works by a calendar: the field on the department's form, page and API."""

from __future__ import annotations

import pytest
from django.db.models import ProtectedError

from tamdesk.directory.models import Department
from tests.calendars.factories import CalendarFactory
from tests.conftest import api_as

pytestmark = pytest.mark.django_db


def test_the_api_sets_and_shows_the_calendar(users, department):
    calendar = CalendarFactory(name="24×7 duty", is_always_open=True)
    api = api_as(users.administrator)

    response = api.patch(
        f"/api/v1/departments/{department.pk}/", {"calendar": calendar.pk}, format="json"
    )

    assert response.status_code == 200, response.data
    assert response.data["calendar"] == calendar.pk
    department.refresh_from_db()
    assert department.calendar == calendar
    created = api.post(
        "/api/v1/departments/", {"code": "noc", "name": "NOC", "calendar": None}, format="json"
    )
    assert created.status_code == 201 and created.data["calendar"] is None


def test_an_unknown_calendar_is_a_field_error(users, department):
    response = api_as(users.administrator).patch(
        f"/api/v1/departments/{department.pk}/", {"calendar": 999999}, format="json"
    )
    assert response.status_code == 400
    assert set(response.data["errors"]) == {"calendar"}
    department.refresh_from_db()
    assert department.calendar is None


def test_the_form_offers_the_calendars_and_saves_the_choice(client, users, department):
    calendar = CalendarFactory(name="Moscow office 5/2")
    client.force_login(users.administrator)
    page = client.get(f"/directory/departments/{department.pk}/edit/").content.decode()
    assert 'name="calendar"' in page and "Moscow office 5/2" in page

    response = client.post(
        f"/directory/departments/{department.pk}/edit/",
        {"code": "network", "name": "Network group", "calendar": calendar.pk, "is_active": "on"},
    )

    assert response.status_code == 302
    department.refresh_from_db()
    assert department.calendar == calendar


def test_the_department_page_links_its_calendar_and_the_calendar_page_its_departments(
    client, users, department
):
    calendar = CalendarFactory(name="Moscow office 5/2")
    department.calendar = calendar
    department.save()
    client.force_login(users.engineer)

    department_page = client.get(department.get_absolute_url()).content.decode()
    calendar_page = client.get(calendar.get_absolute_url()).content.decode()

    assert f'href="{calendar.get_absolute_url()}">Moscow office 5/2</a>' in department_page
    assert f'href="{department.get_absolute_url()}">Network group</a>' in calendar_page


def test_the_database_protects_a_calendar_in_use(department):
    calendar = CalendarFactory()
    Department.objects.filter(pk=department.pk).update(calendar=calendar)
    with pytest.raises(ProtectedError):
        calendar.delete()
