"""Token and session authentication, and the API user recorded as the actor of the audit log."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.db.models.signals import pre_save
from rest_framework.test import APIClient

from tamdesk.core import tokens
from tamdesk.core.models import ApiToken
from tamdesk.directory.models import Client, Contact
from tests.conftest import api_as
from tests.directory.api_support import SNAPSHOT
from tests.support import db_state

pytestmark = pytest.mark.django_db
TOKEN_URL = "/api/v1/auth/token/"


def _token_api(user) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {tokens.create_token(user, by=user)[1]}")
    return api


def test_token_for_good_credentials(users, password):
    response = APIClient().post(TOKEN_URL, {"username": "tam", "password": password}, format="json")
    assert response.status_code == 200
    token = ApiToken.objects.get(user=users.tam)
    assert set(response.data) == {"token", "id", "expires_at"}
    assert response.data["id"] == token.pk
    # Only the digest is stored; the key is shown once.
    assert token.digest == tokens.digest(response.data["token"]) != response.data["token"]
    again = APIClient().post(TOKEN_URL, {"username": "tam", "password": password})
    assert again.data["token"] != response.data["token"]
    assert ApiToken.objects.filter(user=users.tam).count() == 2


def test_token_then_authorization_header(users, password, tam_client):
    token = APIClient().post(TOKEN_URL, {"username": "tam", "password": password}).data["token"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = api.get("/api/v1/clients/")
    assert response.status_code == 200
    assert [item["code"] for item in response.data["results"]] == ["ACME"]


@pytest.mark.parametrize(
    "credentials",
    [
        {"username": "tam", "password": "wrong"},
        {"username": "nobody", "password": "correct-horse-battery-staple"},
    ],
)
def test_token_for_bad_credentials(users, credentials):
    before = db_state(*SNAPSHOT)
    response = APIClient().post(TOKEN_URL, credentials, format="json")
    assert response.status_code == 400
    assert response.data["code"] == "invalid"
    assert list(response.data["errors"]) == ["non_field_errors"]
    assert db_state(*SNAPSHOT) == before


def test_token_for_an_inactive_user(users, password):
    users.tam.is_active = False
    users.tam.save()
    response = APIClient().post(TOKEN_URL, {"username": "tam", "password": password})
    assert response.status_code == 400
    assert not ApiToken.objects.filter(user=users.tam).exists()


def test_token_needs_both_fields(db):
    response = APIClient().post(TOKEN_URL, {}, format="json")
    assert response.status_code == 400
    assert response.data["code"] == "invalid"
    assert set(response.data["errors"]) == {"username", "password"}


def test_token_endpoint_ignores_a_browser_session_without_csrf(users, password):
    api = APIClient(enforce_csrf_checks=True)
    api.login(username="tam", password=password)
    response = api.post(TOKEN_URL, {"username": "tam", "password": password})
    assert response.status_code == 200


def test_unknown_token_is_401(users):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = api.get("/api/v1/clients/")
    assert response.status_code == 401
    assert response.data["code"] == "authentication_failed"
    assert response["WWW-Authenticate"] == "Token"


def test_session_authentication(users, password, tam_client):
    api = APIClient()
    api.login(username="tam", password=password)
    assert api.get(f"/api/v1/clients/{tam_client.pk}/").status_code == 200


def test_session_write_needs_csrf(users, password, tam_client):
    api = APIClient(enforce_csrf_checks=True)
    api.login(username="tam", password=password)
    before = db_state(*SNAPSHOT)
    response = api.patch(f"/api/v1/clients/{tam_client.pk}/", {"notes": "x"}, format="json")
    assert response.status_code == 403
    assert response.data["code"] == "permission_denied"
    assert db_state(*SNAPSHOT) == before


def test_audit_log_records_the_token_user(users, tam_client):
    response = _token_api(users.tam).post(
        "/api/v1/contacts/",
        {"client": tam_client.pk, "name": "Olga", "email": "olga@acme.example"},
        format="json",
    )
    assert response.status_code == 201
    contact = Contact.objects.get(pk=response.data["id"])
    entry = LogEntry.objects.get_for_object(contact).get()
    assert (entry.action, entry.actor) == (LogEntry.Action.CREATE, users.tam)


def test_audit_log_records_changes_and_deletes_through_services(users, tam_client):
    api = _token_api(users.administrator)
    assert api.patch(f"/api/v1/clients/{tam_client.pk}/", {"notes": "VIP"}).status_code == 200
    entry = LogEntry.objects.get_for_object(tam_client).latest("pk")
    assert (entry.action, entry.actor, entry.changes_dict["notes"]) == (
        LogEntry.Action.UPDATE,
        users.administrator,
        ["", "VIP"],
    )
    client = Client.objects.create(name="Short-lived", code="SL")
    assert api.delete(f"/api/v1/clients/{client.pk}/").status_code == 204
    entry = LogEntry.objects.filter(object_pk=str(client.pk), action=LogEntry.Action.DELETE).get()
    assert entry.actor == users.administrator


def test_audit_log_records_the_forced_user(users, tam_client):
    api_as(users.tam).patch(f"/api/v1/clients/{tam_client.pk}/", {"notes": "n"}, format="json")
    assert LogEntry.objects.get_for_object(tam_client).latest("pk").actor == users.tam


def test_api_calls_do_not_leak_audit_signal_receivers(users, tam_client):
    """Regression: each authenticated call left one auditlog receiver connected for good."""
    api = _token_api(users.administrator)
    api.get("/api/v1/clients/")
    before = len(pre_save.receivers)
    for number in range(3):
        api.patch(f"/api/v1/clients/{tam_client.pk}/", {"notes": str(number)}, format="json")
    assert len(pre_save.receivers) == before
