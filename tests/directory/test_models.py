"""Database constraints: the last line of defence."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tamdesk.directory.models import Client
from tests.directory.factories import (
    AssignmentFactory,
    ClientFactory,
    CompetencyFactory,
    ComponentFactory,
    ContactFactory,
)

pytestmark = pytest.mark.django_db


def _violates(factory, **kwargs):
    with pytest.raises(IntegrityError), transaction.atomic():
        factory(**kwargs)


def test_one_open_assignment_per_client_and_role(users, tam_client):
    _violates(AssignmentFactory, client=tam_client, role="tam", user=users.other_tam)


def test_assignment_cannot_end_before_it_starts(users):
    _violates(
        AssignmentFactory,
        start_on=dt.date(2025, 1, 2),
        end_on=dt.date(2025, 1, 1),
        user=users.tam,
    )


def test_contact_email_unique_per_client_but_blank_allowed_twice():
    client = ClientFactory()
    ContactFactory(client=client, email="ops@acme.example")
    ContactFactory(client=client, email="")
    ContactFactory(client=client, email="")
    ContactFactory(email="ops@acme.example")  # another client
    _violates(ContactFactory, client=client, email="ops@acme.example")


def test_component_name_unique_per_client():
    component = ComponentFactory(name="edge-fw-01")
    _violates(ComponentFactory, client=component.client, name="edge-fw-01")


def test_competency_level_range():
    _violates(CompetencyFactory, level=5)


def test_invalid_status_is_refused_by_the_database():
    _violates(ClientFactory, status="bogus")


def test_time_zone_validated():
    client = Client(name="X", code="X1", time_zone="Mars/Olympus")
    with pytest.raises(ValidationError) as error:
        client.full_clean()
    assert "time_zone" in error.value.message_dict


def test_component_identifier_list():
    component = ComponentFactory(identifiers="fw-01\n\n 192.0.2.1 \n")
    assert component.identifier_list == ["fw-01", "192.0.2.1"]
