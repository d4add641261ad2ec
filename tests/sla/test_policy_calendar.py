"""A policy's calendar must work at some time of the week: on a calendar without working time a
clock would run forever with no due time and never breach (``calendar_has_no_working_time``).
Refused through the service, the API and the page, with nothing written."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from tamdesk.calendars.exceptions import CalendarHasNoWorkingTime
from tamdesk.calendars.models import Calendar
from tamdesk.sla import services
from tamdesk.sla.models import SLAPolicy, SLAPolicyVersion, SLATarget
from tests.conftest import api_as
from tests.sla.factories import HOUR, at, office_calendar, policy
from tests.sla.test_api_policies import first_version, new_policy
from tests.sla.test_views_policies import new_policy as new_policy_form
from tests.sla.test_views_policies import terms

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(at(1), tick=False):
        yield


@pytest.fixture
def idle(db) -> Calendar:
    """No weekly hours, not 24×7."""
    return Calendar.objects.create(name="Never open", time_zone="Europe/Moscow")


def rows() -> tuple[int, int, int]:
    return SLAPolicy.objects.count(), SLAPolicyVersion.objects.count(), SLATarget.objects.count()


def test_the_service_refuses_a_first_version_on_a_calendar_without_working_time(users, idle):
    with pytest.raises(CalendarHasNoWorkingTime) as error:
        services.create_policy(
            name="Gold",
            tier="premium",
            valid_from=at(0),
            calendar=idle,
            targets={"p1": (HOUR, 4 * HOUR)},
            warning_thresholds=[50],
            reaction_pause_statuses=[],
            resolution_pause_statuses=[],
            by=users.administrator,
        )

    assert (error.value.code, error.value.field) == ("calendar_has_no_working_time", "calendar")
    assert "Never open" in error.value.message
    assert rows() == (0, 0, 0)


def test_the_service_refuses_a_new_version_on_it_and_keeps_the_current_one(users, idle):
    sla, current = policy(tier="premium", calendar=office_calendar())
    before = rows()

    with pytest.raises(CalendarHasNoWorkingTime):
        services.add_policy_version(
            sla,
            valid_from=at(0, days=7),
            calendar=idle,
            targets={"p1": (HOUR, 4 * HOUR)},
            warning_thresholds=[50],
            reaction_pause_statuses=[],
            resolution_pause_statuses=[],
            by=users.administrator,
        )

    current.refresh_from_db()
    assert current.valid_until is None
    assert rows() == before


def test_24x7_calendars_and_no_calendar_are_fine(users, idle):
    idle.is_always_open = True
    idle.save()
    _sla, version = policy(tier="premium", calendar=idle)
    assert version.calendar == idle
    _sla, version = policy(tier="standard", calendar=None)
    assert version.calendar is None


def test_the_api_refuses_it_on_the_calendar_field(users, idle):
    api = api_as(users.service_manager)

    response = api.post(
        "/api/v1/sla-policies/",
        new_policy(first_version=first_version(calendar=idle.pk)),
        format="json",
    )

    assert response.status_code == 400, response.data
    assert response.data["code"] == "calendar_has_no_working_time"
    assert list(response.data["errors"]) == ["calendar"]
    assert rows() == (0, 0, 0)


def test_the_api_refuses_a_version_on_it(users, idle):
    sla, _version = policy(tier="premium", calendar=office_calendar())
    before = rows()

    response = api_as(users.service_manager).post(
        f"/api/v1/sla-policies/{sla.pk}/versions/",
        first_version(valid_from="2026-11-30T06:00:00Z", calendar=idle.pk),
        format="json",
    )

    assert response.status_code == 400, response.data
    assert response.data["code"] == "calendar_has_no_working_time"
    assert rows() == before


def test_the_page_shows_it_on_the_calendar_field(client, users, idle):
    client.force_login(users.administrator)

    response = client.post(
        reverse("sla:policy_create"), new_policy_form(tier="premium", calendar=idle.pk)
    )

    assert response.status_code == 200
    assert "has no working time" in " ".join(response.context["form"].errors["calendar"])
    assert rows() == (0, 0, 0)


def test_the_new_version_page_shows_it_too(client, users, idle):
    sla, _version = policy(tier="premium", calendar=office_calendar())
    before = rows()
    client.force_login(users.administrator)

    response = client.post(
        reverse("sla:policy_version_create", args=[sla.pk]),
        terms(valid_from="2026-11-30T07:00", calendar=idle.pk),
    )

    assert response.status_code == 200
    assert "has no working time" in " ".join(response.context["form"].errors["calendar"])
    assert rows() == before
