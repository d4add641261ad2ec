"""The calendar forms: hours typed as text, each weekday's mistakes on its own field."""

from __future__ import annotations

import datetime as dt

import pytest

from tamdesk.calendars.forms import (
    CalendarExceptionForm,
    CalendarForm,
    HoursField,
    ImportHolidaysForm,
    WeeklyHoursForm,
)
from tests.calendars.factories import OFFICE_DAY, CalendarFactory

pytestmark = pytest.mark.django_db
EMPTY_WEEK = {day: "" for day in ("monday", "tuesday", "wednesday", "thursday", "friday")} | {
    "saturday": "",
    "sunday": "",
}


def test_hours_field_parses_and_shows_hh_mm():
    field = HoursField()
    assert field.clean("09:00-13:00, 14:00-18:00") == OFFICE_DAY
    assert field.clean("") == ()
    assert field.prepare_value(OFFICE_DAY) == "09:00-13:00, 14:00-18:00"
    assert field.prepare_value(((0, 1440),)) == "00:00-24:00"


def test_weekly_form_shows_the_hours_and_gives_them_back():
    calendar = CalendarFactory()
    form = WeeklyHoursForm(instance=calendar)
    assert form["monday"].value() == "09:00-13:00, 14:00-18:00"
    assert form["saturday"].value() == ""

    bound = WeeklyHoursForm(
        {**EMPTY_WEEK, "monday": "08:00-17:00", "saturday": "10:00-14:00"}, instance=calendar
    )
    assert bound.is_valid(), bound.errors
    assert bound.weekly_hours() == {0: ((480, 1020),), 5: ((600, 840),)}


def test_weekly_form_reports_each_weekday_on_its_field():
    form = WeeklyHoursForm(
        {
            **EMPTY_WEEK,
            "monday": "09:00-13:00, 12:00-18:00",
            "wednesday": "9 to 5",
            "friday": "18:00-09:00",
            "sunday": "00:00-24:00",
        },
        instance=CalendarFactory(),
    )
    assert not form.is_valid()
    assert form.errors == {
        "monday": ["09:00–13:00 overlaps 12:00–18:00."],
        "wednesday": ["“9 to 5” is not a time range like 09:00-13:00."],
        "friday": ["18:00–09:00: the end must be after the start, within 00:00-24:00."],
    }


def test_new_calendar_form_has_weekly_hours_with_office_defaults_edit_form_does_not():
    new = CalendarForm()
    assert new["monday"].value() == "09:00-18:00"
    assert new["saturday"].value() == ""
    assert "monday" not in CalendarForm(instance=CalendarFactory()).fields

    bound = CalendarForm(
        {"name": "Office", "time_zone": "Europe/Moscow", **EMPTY_WEEK, "tuesday": "10:00-19:00"}
    )
    assert bound.is_valid(), bound.errors
    assert bound.service_arguments() == {
        "name": "Office",
        "time_zone": "Europe/Moscow",
        "description": "",
        "is_always_open": False,
        "weekly": {1: ((600, 1140),)},
    }


def test_calendar_form_refuses_an_unknown_time_zone_and_a_taken_name():
    CalendarFactory(name="Office")
    form = CalendarForm({"name": "Office", "time_zone": "Mars/Olympus", **EMPTY_WEEK})
    assert not form.is_valid()
    assert set(form.errors) == {"name", "time_zone"}


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"kind": "closed", "intervals": "09:00-12:00"}, ["A closed day has no working hours."]),
        (
            {"kind": "special_hours", "intervals": ""},
            ["Give the working hours of the day, like 09:00-17:00."],
        ),
        (
            {"kind": "working_day", "intervals": "10-12"},
            ["“10” is not a time between 00:00 and 23:59 (HH:MM)."],
        ),
    ],
)
def test_exception_form_checks_the_hours_against_the_kind(data, errors):
    calendar = CalendarFactory()
    form = CalendarExceptionForm({"calendar": calendar.pk, "date": "2025-12-30", **data})
    assert not form.is_valid()
    assert form.errors == {"intervals": errors}


def test_exception_form_gives_the_service_arguments_and_hides_the_calendar_on_edit():
    calendar = CalendarFactory()
    form = CalendarExceptionForm(
        {
            "calendar": calendar.pk,
            "date": "2025-12-30",
            "kind": "special_hours",
            "name": "Short day",
            "intervals": "09:00-16:00",
        }
    )
    assert form.is_valid(), form.errors
    assert form.service_arguments() == {
        "date": dt.date(2025, 12, 30),
        "kind": "special_hours",
        "name": "Short day",
        "intervals": ((540, 960),),
    }
    exception = calendar.exceptions.create(
        date=dt.date(2025, 1, 1), kind="special_hours", intervals=[[540, 960]]
    )
    edit = CalendarExceptionForm(instance=exception)
    assert "calendar" not in edit.fields
    assert edit["intervals"].value() == "09:00-16:00"


def test_import_form_offers_the_countries_with_russia_first_chosen():
    form = ImportHolidaysForm(instance=CalendarFactory())
    choices = dict(form.fields["country"].choices)
    assert choices["RU"] == "Russia (RU)"
    assert choices["DE"] == "Germany (DE)"
    assert form["country"].value() == "RU"
    assert form["year_to"].value() == form["year_from"].value() + 1
