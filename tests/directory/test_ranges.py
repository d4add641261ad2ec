"""The supported range in the directory (issue 10): account-team dates outside 1970–2200 are
refused in the API and on the pages, with nothing written."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tamdesk.directory.models import AccountTeamAssignment
from tests.conftest import api_as

pytestmark = pytest.mark.django_db
MESSAGE = "Enter a date between 1970-01-01 and 2200-12-31."


def _assignments() -> list:
    return list(AccountTeamAssignment.objects.order_by("pk").values())


@pytest.mark.parametrize("day", ["0001-01-01", "1901-01-01", "9999-12-31"])
def test_an_assignment_starting_outside_the_range_is_refused(users, tam_client, day):
    before = _assignments()
    data = {"client": tam_client.pk, "role": "tam", "user": users.other_tam.pk, "start_on": day}

    response = api_as(users.service_manager).post(
        "/api/v1/account-team-assignments/", data, format="json"
    )

    assert response.status_code == 400
    assert response.data["errors"] == {"start_on": [MESSAGE]}
    assert _assignments() == before


def test_an_assignment_ending_outside_the_range_is_refused(users, tam_client):
    assignment = AccountTeamAssignment.objects.get(client=tam_client, role="architect")
    before = _assignments()

    response = api_as(users.service_manager).patch(
        f"/api/v1/account-team-assignments/{assignment.pk}/",
        {"end_on": "9999-12-31"},
        format="json",
    )

    assert response.status_code == 400
    assert response.data["errors"] == {"end_on": [MESSAGE]}
    assert _assignments() == before


def test_the_assignment_form_refuses_a_start_outside_the_range(client, users, tam_client):
    client.force_login(users.admin)
    before = _assignments()
    data = {"client": tam_client.pk, "role": "tam", "user": users.other_tam.pk}

    response = client.post(
        reverse("directory:assignment_create"), {**data, "start_on": "1900-01-01"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"start_on": [MESSAGE]}
    assert _assignments() == before


@pytest.mark.parametrize("query", ["created_from=0001-01-01", "created_to=9999-12-31"])
def test_an_outbox_date_filter_outside_the_range_is_a_field_error(users, query):
    response = api_as(users.admin).get(f"/api/v1/outbox/?{query}")

    assert response.status_code == 400
    assert response.data["errors"] == {query.split("=")[0]: [MESSAGE]}
