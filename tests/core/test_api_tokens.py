"""API tokens: they expire, only their digest is stored, a password change or deactivation
revokes them, and their owner lists and revokes them (page, API, command line)."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tamdesk.core import tokens
from tamdesk.core.models import ApiToken
from tamdesk.core.roles import Role
from tamdesk.directory import services as directory_services
from tests.directory.factories import EngineerFactory, UserFactory

pytestmark = pytest.mark.django_db
TOKEN_URL = "/api/v1/auth/token/"
TOKENS_URL = "/api/v1/auth/tokens/"


def token_api(key: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def works(key: str) -> bool:
    return token_api(key).get("/api/v1/clients/").status_code == 200


def obtain(password: str, username: str = "tam") -> str:
    response = APIClient().post(TOKEN_URL, {"username": username, "password": password})
    assert response.status_code == 200, response.data
    return response.data["token"]


# --- expiry ------------------------------------------------------------------------------------


def test_a_token_expires_after_the_configured_days(users, password, settings):
    settings.API_TOKEN_DAYS = 30
    start = timezone.now()
    key = obtain(password)
    token = ApiToken.objects.get()
    assert abs(token.expires_at - (start + dt.timedelta(days=30))) < dt.timedelta(seconds=5)

    with time_machine.travel(start + dt.timedelta(days=29, hours=23)):
        assert works(key)
    with time_machine.travel(start + dt.timedelta(days=30, minutes=1)):
        response = token_api(key).get("/api/v1/clients/")
        assert response.status_code == 401
        assert response.data["code"] == "authentication_failed"


def test_the_database_holds_no_usable_key(users, password):
    key = obtain(password)
    token = ApiToken.objects.get()
    assert key.startswith("tdk_") and len(key) > 40
    assert key not in {token.digest, token.prefix}
    assert token.prefix == key[:10]
    assert not works(token.digest)


def test_last_used_is_recorded(users, password):
    key = obtain(password)
    assert ApiToken.objects.get().last_used_at is None
    works(key)
    assert ApiToken.objects.get().last_used_at is not None


# --- revoked by the services that change a password or deactivate --------------------------------


def test_changing_the_password_on_the_page_revokes_every_token(client, users, password):
    keys = [obtain(password), obtain(password)]
    other = tokens.create_token(users.engineer, by=users.engineer)[1]
    client.force_login(users.tam)

    response = client.post(
        reverse("password_change"),
        {
            "old_password": password,
            "new_password1": "a-new-long-passphrase-7",
            "new_password2": "a-new-long-passphrase-7",
        },
        follow=True,
    )

    assert response.status_code == 200
    assert "Your 2 API tokens were revoked" in response.content.decode()
    assert not any(works(key) for key in keys)
    assert works(other)


def test_a_refused_password_change_keeps_the_tokens(client, users, password):
    key = obtain(password)
    client.force_login(users.tam)

    response = client.post(
        reverse("password_change"),
        {
            "old_password": "wrong",
            "new_password1": "x-y-z-1234567",
            "new_password2": "x-y-z-1234567",
        },
    )

    assert response.status_code == 200
    assert works(key)


def test_an_administrator_setting_a_password_revokes_the_tokens(users, password):
    key = obtain(password)

    directory_services.update_user(
        users.tam,
        first_name="",
        last_name="",
        email="",
        is_active=True,
        roles=[Role.TAM, Role.ENGINEER],
        password="another-long-passphrase-8",
        by=users.administrator,
    )

    assert not works(key)


def test_an_edit_without_a_password_keeps_the_tokens(users, password):
    key = obtain(password)

    directory_services.update_user(
        users.tam,
        first_name="Tam",
        last_name="",
        email="",
        is_active=True,
        roles=[Role.TAM, Role.ENGINEER],
        by=users.administrator,
    )

    assert works(key)


def test_deactivating_an_account_revokes_the_tokens(users, password):
    key = obtain(password)

    directory_services.update_user(
        users.tam,
        first_name="",
        last_name="",
        email="",
        is_active=False,
        roles=[Role.TAM],
        by=users.administrator,
    )

    assert not ApiToken.objects.filter(user=users.tam).exists()
    assert not works(key)


def test_deactivating_or_deleting_an_engineer_revokes_the_tokens(users, department):
    kept = EngineerFactory(department=department)
    for deactivate in (True, False):
        engineer = EngineerFactory(department=department)
        tokens.create_token(engineer.user, by=engineer.user)
        if deactivate:
            directory_services.update_engineer(
                engineer,
                department=department,
                first_name="",
                last_name="",
                email="",
                position="",
                time_zone="UTC",
                is_active=False,
                by=users.administrator,
            )
        else:
            directory_services.delete_engineer(engineer, by=users.administrator)
        assert not ApiToken.objects.filter(user=engineer.user).exists()
    tokens.create_token(kept.user, by=kept.user)
    assert ApiToken.objects.filter(user=kept.user).exists()


def test_a_token_of_a_user_deactivated_behind_the_services_back_is_refused(users, password):
    key = obtain(password)
    users.tam.is_active = False
    users.tam.save()
    assert not works(key)


# --- the API: list and revoke one's own --------------------------------------------------------


def test_the_api_lists_only_the_callers_tokens(users, password):
    key = obtain(password)
    tokens.create_token(users.engineer, name="theirs", by=users.engineer)
    tokens.create_token(users.tam, name="CI", days=7, by=users.tam)

    response = token_api(key).get(TOKENS_URL)

    assert response.status_code == 200
    assert [item["name"] for item in response.data["results"]] == ["CI", ""]
    assert set(response.data["results"][0]) == {
        "id",
        "name",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
    }
    assert key not in str(response.data)


def test_the_owner_revokes_a_token_through_the_api(users, password):
    key = obtain(password)
    other, other_key = tokens.create_token(users.tam, by=users.tam)

    assert token_api(key).delete(f"{TOKENS_URL}{other.pk}/").status_code == 204

    assert not works(other_key)
    assert works(key)


def test_another_persons_token_cannot_be_revoked(users, password):
    key = obtain(password)
    theirs, their_key = tokens.create_token(users.engineer, by=users.engineer)

    response = token_api(key).delete(f"{TOKENS_URL}{theirs.pk}/")

    assert response.status_code == 404
    assert works(their_key)


def test_delete_on_the_token_endpoint_revokes_the_token_used(users, password):
    key, other_key = obtain(password), obtain(password)

    assert token_api(key).delete(TOKEN_URL).status_code == 204

    assert not works(key)
    assert works(other_key)
    assert APIClient().delete(TOKEN_URL).status_code == 401


def test_the_token_list_needs_a_login(db):
    response = APIClient().get(TOKENS_URL)
    assert response.status_code == 401
    assert response.data["code"] == "not_authenticated"


# --- the page -----------------------------------------------------------------------------------


def test_the_page_creates_a_named_token_and_shows_the_key_once(client, users):
    client.force_login(users.tam)

    response = client.post(reverse("core:api_tokens"), {"name": "Backup script", "days": "90"})

    assert response.status_code == 302
    response = client.get(response.url)
    assert response.status_code == 200
    token = ApiToken.objects.get(user=users.tam)
    key = response.context["new_key"]
    assert token.digest == tokens.digest(key)
    assert token.name == "Backup script"
    assert token.expires_at - token.created_at == dt.timedelta(days=90)
    assert response["Cache-Control"] == "no-store"
    assert key in response.content.decode()
    page = client.get(reverse("core:api_tokens")).content.decode()
    assert "Backup script" in page and token.prefix in page and key not in page
    assert works(key)


@pytest.mark.parametrize("days", ["0", "366", "-1", "many"])
def test_the_page_refuses_a_lifetime_out_of_range(client, users, days):
    client.force_login(users.tam)

    response = client.post(reverse("core:api_tokens"), {"name": "x", "days": days})

    assert response.status_code == 400
    assert "days" in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_the_page_revokes_only_ones_own_tokens(client, users):
    mine, my_key = tokens.create_token(users.tam, by=users.tam)
    theirs, their_key = tokens.create_token(users.engineer, by=users.engineer)
    client.force_login(users.tam)

    assert client.post(reverse("core:api_token_revoke", args=[theirs.pk])).status_code == 404
    response = client.post(reverse("core:api_token_revoke", args=[mine.pk]))

    assert response.status_code == 302
    assert not works(my_key)
    assert works(their_key)


def test_the_user_menu_links_the_page(client, users):
    client.force_login(users.tam)
    assert reverse("core:api_tokens") in client.get(reverse("home")).content.decode()


def test_the_page_needs_a_login(client, db):
    response = client.get(reverse("core:api_tokens"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# --- the command line: a service account's token -----------------------------------------------


def test_the_command_creates_a_long_lived_token_for_a_service_account(db):
    UserFactory(username="svc-crm", roles=[Role.SERVICE_MANAGER])
    out, err = StringIO(), StringIO()

    call_command(
        "tokens", "create", "svc-crm", "--name", "CRM", "--days", "365", stdout=out, stderr=err
    )

    key = out.getvalue().strip()
    token = ApiToken.objects.get()
    assert (token.user.username, token.name) == ("svc-crm", "CRM")
    assert token.digest == tokens.digest(key)
    assert token.expires_at - token.created_at == dt.timedelta(days=365)
    assert "not shown again" in err.getvalue()

    listing = StringIO()
    call_command("tokens", "list", stdout=listing)
    assert "svc-crm" in listing.getvalue() and key not in listing.getvalue()

    call_command("tokens", "revoke", str(token.pk), stdout=StringIO())
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["create", "nobody"], "no active user"),
        (["create", "svc", "--days", "366"], "from 1 to 365 days"),
        (["revoke", "999"], "no token"),
    ],
)
def test_the_command_refuses(db, args, message):
    UserFactory(username="svc")
    with pytest.raises(CommandError, match=message):
        call_command("tokens", *args, stdout=StringIO(), stderr=StringIO())
    assert not ApiToken.objects.exists()
