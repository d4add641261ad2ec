"""The supported range in the SLA domain (issue 10): an event or incident time without a UTC
offset (or a bare date) is refused, never read as UTC; times before 1970 or after 2200, policy
versions of year 2 and targets past 10,000 h are refused; ``breaching_within=1e8`` is a field
error — in the API and on the pages, with nothing written."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import time_machine
from django.urls import reverse

from tamdesk.sla import clocks
from tamdesk.sla.models import Incident, IncidentEvent, SLAPolicy
from tests.conftest import api_as
from tests.sla import test_api_incidents as incidents_api
from tests.sla import test_api_policies as policies_api
from tests.sla.factories import at, incident, office_calendar, policy
from tests.sla.test_views_incidents import open_form
from tests.support import refused

pytestmark = pytest.mark.django_db
NAIVE = "Give the time with its UTC offset, e.g. 2025-06-10T09:00:00+03:00."
OUT_OF_RANGE = "Enter a time between 1970-01-01 and 2200-12-31 (UTC)."


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(at(1), tick=False):
        yield


@pytest.fixture
def sla(tam_client, users):
    return policy(client=tam_client, calendar=office_calendar(), by=users.administrator)


@pytest.fixture
def web(sla, users):
    return incident(sla[0].client, by=users.tam)


# --- incidents: the API ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("opened_at", "message"),
    [
        ("2026-11-23T06:00:00", NAIVE),
        ("2026-11-23", NAIVE),
        ("1900-01-01T00:00:00Z", OUT_OF_RANGE),
        ("0002-01-01T00:00:00Z", OUT_OF_RANGE),
    ],
)
def test_an_incident_opened_at_a_time_without_an_offset_or_out_of_range_is_refused(
    users, sla, opened_at, message
):
    data = incidents_api.opening(sla[0].client, opened_at=opened_at)

    errors = refused(
        api_as(users.tam),
        "post",
        "/api/v1/incidents/",
        data,
        400,
        "invalid",
        models=incidents_api.SNAPSHOT,
    )["errors"]

    assert errors == {"opened_at": [message]}


def test_an_imported_event_without_an_offset_is_refused_naming_it(users, sla):
    data = incidents_api.opening(
        sla[0].client,
        events=[
            {"kind": "first_response", "at": "2026-11-23T07:00:00Z"},
            {"kind": "resolved", "at": "2026-11-23T08:00:00"},
        ],
    )

    errors = refused(
        api_as(users.tam),
        "post",
        "/api/v1/incidents/",
        data,
        400,
        "invalid",
        models=incidents_api.SNAPSHOT,
    )["errors"]

    assert errors == {"events": {1: {"at": [NAIVE]}}}


@pytest.mark.parametrize("at_value", ["2026-11-23T09:30:00", "2026-11-23", "1969-12-31T12:00:00Z"])
def test_an_appended_event_without_an_offset_or_out_of_range_is_refused(users, web, at_value):
    path = f"/api/v1/incidents/{web.pk}/events/"
    data = {"kind": "first_response", "at": at_value}

    errors = refused(
        api_as(users.tam), "post", path, data, 400, "invalid", models=incidents_api.SNAPSHOT
    )["errors"]

    assert list(errors) == ["at"]


def test_an_event_with_its_offset_is_read_in_that_offset(users, web):
    path = f"/api/v1/incidents/{web.pk}/events/"
    data = {"kind": "first_response", "at": "2026-11-23T09:30:00+03:00"}

    response = api_as(users.tam).post(path, data, format="json")

    assert response.status_code == 201, response.data
    assert IncidentEvent.objects.get(kind="first_response").at == dt.datetime(
        2026, 11, 23, 6, 30, tzinfo=dt.UTC
    )


@pytest.mark.parametrize(
    "query", ["breaching_within=1e8", "breaching_within=-1", "opened_from=0001-01-01"]
)
def test_an_out_of_range_list_filter_is_a_field_error(users, web, query):
    response = api_as(users.tam).get(f"/api/v1/incidents/?{query}")

    assert response.status_code == 400
    assert response.data["code"] == "invalid"
    assert list(response.data["errors"]) == [query.split("=")[0]]


def test_breaching_within_ten_thousand_hours_is_answered(users, web):
    response = api_as(users.tam).get("/api/v1/incidents/?breaching_within=10000")

    assert response.status_code == 200


# --- policies: the API -----------------------------------------------------------------------


def test_a_policy_of_year_2_is_refused(users):
    data = policies_api.new_policy(
        first_version=policies_api.first_version(valid_from="0002-01-01T00:00:00Z")
    )

    errors = refused(
        api_as(users.administrator),
        "post",
        "/api/v1/sla-policies/",
        data,
        400,
        "invalid",
        models=policies_api.SNAPSHOT,
    )["errors"]

    assert errors == {"first_version": {"valid_from": [OUT_OF_RANGE]}}


def test_a_policy_version_without_an_offset_is_refused(users, sla):
    path = f"/api/v1/sla-policies/{sla[0].pk}/versions/"
    data = policies_api.first_version(valid_from="2026-12-01T00:00:00")

    errors = refused(
        api_as(users.administrator),
        "post",
        path,
        data,
        400,
        "invalid",
        models=policies_api.SNAPSHOT,
    )["errors"]

    assert errors == {"valid_from": [NAIVE]}


def test_a_target_past_ten_thousand_hours_is_refused(users):
    targets = [{"priority": "p1", "reaction_seconds": 60, "resolution_seconds": 10_000 * 3600 + 1}]
    data = policies_api.new_policy(first_version=policies_api.first_version(targets=targets))

    errors = refused(
        api_as(users.administrator),
        "post",
        "/api/v1/sla-policies/",
        data,
        400,
        "invalid",
        models=policies_api.SNAPSHOT,
    )["errors"]

    assert list(errors["first_version"]["targets"][0]) == ["resolution_seconds"]
    assert not SLAPolicy.objects.exists()


# --- the pages -------------------------------------------------------------------------------


@pytest.mark.parametrize("opened_at", ["1900-01-01T09:00", "0002-01-01T00:00", "9999-12-31T23:59"])
def test_the_incident_form_refuses_a_time_out_of_the_range(client, users, sla, opened_at):
    client.force_login(users.tam)

    response = client.post(
        reverse("sla:incident_create"), open_form(sla[0].client, opened_at=opened_at)
    )

    assert response.status_code == 200
    assert response.context["form"].errors["opened_at"] == [OUT_OF_RANGE]
    assert not Incident.objects.exists()


def test_the_incident_list_shows_breaching_within_1e8_as_a_field_error(client, users, web):
    client.force_login(users.tam)

    response = client.get(reverse("sla:incident_list") + "?breaching_within=1e8")

    assert response.status_code == 200
    assert response.context["filter"].form.errors["breaching_within"]


def test_the_policy_form_refuses_a_target_past_ten_thousand_hours(client, users):
    client.force_login(users.administrator)
    field = "resolution_p1"

    response = client.post(reverse("sla:policy_create"), {"name": "Premium", field: "10000:01"})

    assert "Enter at most 10000:00." in response.context["form"].errors[field]
    assert not SLAPolicy.objects.exists()


# --- data stored before the edges were checked -----------------------------------------------


def test_an_incident_stored_in_year_2_does_not_slow_the_measuring(users, sla, web):
    Incident.objects.filter(pk=web.pk).update(opened_at=dt.datetime(2, 1, 1, tzinfo=dt.UTC))
    IncidentEvent.objects.filter(incident=web).update(at=dt.datetime(2, 1, 1, tzinfo=dt.UTC))
    stored = clocks.prefetched(Incident.objects.filter(pk=web.pk)).get()

    started = time.perf_counter()
    measured = clocks.measure([stored], now=at(1))

    assert time.perf_counter() - started < 3
    assert len(measured) == 2
