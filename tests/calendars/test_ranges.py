"""The supported range in the calendars domain (issue 10): ``?year=0`` (also -1, 10000) and
dates outside 1970–2200 are field errors in the API and on the pages, never a 500; an exception
out of the range is refused with nothing written; the month view stays within the range."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tamdesk.calendars.models import CalendarException
from tests.calendars.factories import CalendarFactory
from tests.conftest import api_as

pytestmark = pytest.mark.django_db
YEAR_MESSAGE = "Enter a year between 1970 and 2200."


@pytest.fixture
def calendar(db):
    return CalendarFactory(name="Moscow office")


@pytest.mark.parametrize("year", ["0", "-1", "10000", "1969", "2201", "1.5"])
def test_a_year_outside_the_range_is_a_field_error(users, calendar, year):
    response = api_as(users.admin).get(f"/api/v1/calendar-exceptions/?year={year}")

    assert response.status_code == 400
    assert response.data["code"] == "invalid"
    assert list(response.data["errors"]) == ["year"]


def test_a_year_in_the_range_lists_its_exceptions(users, calendar):
    CalendarException.objects.create(calendar=calendar, date=dt.date(2026, 1, 1), kind="closed")

    response = api_as(users.admin).get("/api/v1/calendar-exceptions/?year=2026")

    assert response.status_code == 200
    assert response.data["count"] == 1


@pytest.mark.parametrize("query", ["date_from=0001-01-01", "date_to=9999-12-31"])
def test_a_date_filter_outside_the_range_is_a_field_error(users, calendar, query):
    response = api_as(users.admin).get(f"/api/v1/calendar-exceptions/?{query}")

    assert response.status_code == 400
    assert list(response.data["errors"]) == [query.split("=")[0]]


@pytest.mark.parametrize("year", ["0", "-1", "10000"])
def test_the_exceptions_page_shows_a_year_outside_the_range_on_its_field(client, users, year):
    client.force_login(users.admin)

    response = client.get(reverse("calendars:exception_list") + f"?year={year}")

    assert response.status_code == 200
    assert response.context["filter"].form.errors == {"year": [YEAR_MESSAGE]}


@pytest.mark.parametrize("day", ["1900-01-01", "0001-01-01", "9999-12-31"])
def test_an_exception_outside_the_range_is_refused(users, calendar, day):
    data = {"calendar": calendar.pk, "date": day, "kind": "closed"}

    response = api_as(users.admin).post("/api/v1/calendar-exceptions/", data, format="json")

    assert response.status_code == 400
    assert response.data["errors"] == {"date": ["Enter a date between 1970-01-01 and 2200-12-31."]}
    assert not CalendarException.objects.exists()


def test_the_exception_form_refuses_a_date_outside_the_range(client, users, calendar):
    client.force_login(users.admin)
    data = {"calendar": calendar.pk, "date": "1901-05-01", "kind": "closed", "intervals": ""}

    response = client.post(reverse("calendars:exception_create"), data)

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["date"]
    assert not CalendarException.objects.exists()


@pytest.mark.parametrize("month", ["0000-01", "0001-01", "1969-12", "2201-01", "9999-12"])
def test_a_month_outside_the_range_shows_the_current_month(client, users, calendar, month):
    client.force_login(users.admin)

    response = client.get(
        reverse("calendars:calendar_detail", args=[calendar.pk]) + f"?month={month}"
    )

    assert response.status_code == 200
    today = dt.date.today()
    assert response.context["month"].first == today.replace(day=1)


def test_the_month_links_stop_at_the_edges_of_the_range(client, users, calendar):
    client.force_login(users.admin)
    page = reverse("calendars:calendar_detail", args=[calendar.pk])

    first = client.get(page + "?month=1970-01").context["month"]
    last = client.get(page + "?month=2200-12").context["month"]

    assert (first.previous_key, first.next_key) == ("1970-01", "1970-02")
    assert (last.previous_key, last.next_key) == ("2200-11", "2200-12")


def test_holidays_before_1970_are_not_imported(users, calendar):
    data = {"country": "RU", "year_from": 1960, "year_to": 1961}

    path = f"/api/v1/calendars/{calendar.pk}/import-holidays/"
    response = api_as(users.admin).post(path, data, format="json")

    assert response.status_code == 400
    assert response.data["errors"]["year_from"] == [YEAR_MESSAGE]
    assert not CalendarException.objects.exists()
