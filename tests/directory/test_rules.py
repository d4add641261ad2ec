"""One home per rule in the directory: the contact e-mail rule (``Contact.check_email``) — the
page, the API and the model refuse a second contact of a client with the same address with one
message, on the field ``email``."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tamdesk.directory.models import Contact
from tests.conftest import api_as
from tests.directory.factories import ContactFactory
from tests.directory.test_views_forms import contact_data

pytestmark = pytest.mark.django_db


def test_the_page_the_api_and_the_model_refuse_a_taken_email_with_one_message(
    client, users, tam_client
):
    taken = ContactFactory(client=tam_client, email="jane@acme.example")
    with pytest.raises(ValidationError) as refusal:
        Contact(client=tam_client, name="Jane again", email=taken.email).full_clean()
    (message,) = refusal.value.message_dict["email"]
    client.force_login(users.tam)

    form = client.post("/directory/contacts/new/", contact_data(tam_client.pk)).context["form"]
    answer = api_as(users.tam).post(
        "/api/v1/contacts/",
        {"client": tam_client.pk, "name": "Jane again", "email": taken.email},
        format="json",
    )

    assert message == "This client already has a contact with this e-mail."
    assert form.errors["email"] == [message]
    assert answer.status_code == 400 and answer.json()["code"] == "invalid"
    assert answer.json()["errors"]["email"] == [message]
    assert Contact.objects.count() == 1


def test_a_contact_keeps_its_own_email_and_another_client_may_share_it(users, tam_client):
    own = ContactFactory(client=tam_client, email="jane@acme.example")
    elsewhere = ContactFactory(email="jane@acme.example")

    own.full_clean()
    elsewhere.full_clean()
    answer = api_as(users.tam).patch(
        f"/api/v1/contacts/{own.pk}/", {"email": "jane@acme.example"}, format="json"
    )

    assert answer.status_code == 200
