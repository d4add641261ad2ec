"""Database constraints: the last line of defence."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tamdesk.directory.models import (
    AccountTeamAssignment,
    Client,
    Competency,
    Component,
    Contact,
)
from tests.directory.factories import (
    AssignmentFactory,
    ClientFactory,
    CompetencyFactory,
    ComponentFactory,
    ContactFactory,
)
from tests.support import violates

pytestmark = pytest.mark.django_db


def test_one_open_assignment_per_client_and_role(users, tam_client):
    violates(
        AccountTeamAssignment,
        "assignment_one_open_per_client_role",
        lambda: AssignmentFactory(client=tam_client, role="tam", user=users.other_tam),
    )


def test_assignment_cannot_end_before_it_starts(users):
    violates(
        AccountTeamAssignment,
        "assignment_end_after_start",
        lambda: AssignmentFactory(
            start_on=dt.date(2025, 1, 2), end_on=dt.date(2025, 1, 1), user=users.tam
        ),
    )


def test_contact_email_unique_per_client_but_blank_allowed_twice():
    client = ClientFactory()
    ContactFactory(client=client, email="ops@acme.example")
    ContactFactory(client=client, email="")
    ContactFactory(client=client, email="")
    ContactFactory(email="ops@acme.example")  # another client
    violates(
        Contact,
        "contact_unique_email_per_client",
        lambda: ContactFactory(client=client, email="ops@acme.example"),
    )


def test_component_name_unique_per_client():
    component = ComponentFactory(name="edge-fw-01")
    violates(
        Component,
        "component_unique_name_per_client",
        lambda: ComponentFactory(client=component.client, name="edge-fw-01"),
    )


def test_competency_level_range():
    violates(Competency, "competency_level_range", lambda: CompetencyFactory(level=5))


def test_invalid_status_is_refused_by_the_database():
    violates(Client, "client_status_valid", lambda: ClientFactory(status="bogus"))


def test_time_zone_validated():
    client = Client(name="X", code="X1", time_zone="Mars/Olympus")
    with pytest.raises(ValidationError) as error:
        client.full_clean()
    assert "time_zone" in error.value.message_dict


def test_component_identifier_list():
    component = ComponentFactory(identifiers="fw-01\n\n 192.0.2.1 \n")
    assert component.identifier_list == ["fw-01", "192.0.2.1"]
