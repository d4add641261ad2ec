"""The login lock-out: after 20 failed logins from one address, the login page and the token
endpoint refuse that address — even the right password — for 15 minutes. The count is in the
database (every process sees it), and X-Forwarded-For counts only from a trusted proxy."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tamdesk.core.models import ApiToken
from tamdesk.core.net import client_address

pytestmark = pytest.mark.django_db
TOKEN_URL = "/api/v1/auth/token/"
LIMIT = 20


def login(client: Client, password: str, **headers):
    return client.post(reverse("login"), {"username": "tam", "password": password}, headers=headers)


def fail_logins(times: int, **headers) -> None:
    """``times`` wrong passwords; the 20th failure is answered with the lock-out already."""
    for number in range(1, times + 1):
        response = login(Client(), "wrong", **headers)
        assert response.status_code == (429 if number >= LIMIT else 200)


def test_the_login_page_locks_after_20_failures_even_with_the_right_password(users, password):
    fail_logins(LIMIT)

    response = login(Client(), password)

    assert response.status_code == 429
    assert "_auth_user_id" not in response.wsgi_request.session
    content = response.content.decode()
    assert "Too many failed login attempts from your address" in content
    assert "15 minutes" in content
    assert 'href="/accounts/login/"' in content


def test_19_failures_do_not_lock_and_a_success_clears_the_count(users, password):
    fail_logins(LIMIT - 1)
    assert login(Client(), password).status_code == 302
    assert not AccessAttempt.objects.exists()

    fail_logins(LIMIT - 1)
    assert login(Client(), password).status_code == 302


def test_the_count_is_shared_by_every_process(users, password):
    """Counted in the database: a process with an empty cache and a new client sees it."""
    fail_logins(LIMIT)
    assert sum(AccessAttempt.objects.values_list("failures_since_start", flat=True)) == LIMIT

    cache.clear()
    assert login(Client(), password).status_code == 429


def test_the_lock_ends_after_the_cool_off(users, password):
    fail_logins(LIMIT)

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16)):
        assert login(Client(), password).status_code == 302


def test_the_lock_out_page_speaks_russian(users, password):
    fail_logins(LIMIT)

    response = login(Client(), password, accept_language="ru")

    assert response.status_code == 429
    assert '<html lang="ru"' in response.content.decode()


def test_the_token_endpoint_locks_after_20_failures(users, password):
    api = APIClient()
    for _ in range(LIMIT - 1):
        response = api.post(TOKEN_URL, {"username": "tam", "password": "wrong"})
        assert response.status_code == 400
        assert response.data["code"] == "invalid"
    response = api.post(TOKEN_URL, {"username": "tam", "password": "wrong"})
    assert response.status_code == 429

    response = APIClient().post(TOKEN_URL, {"username": "tam", "password": password})

    assert response.status_code == 429
    assert response.data["code"] == "login_locked_out"
    assert "Too many failed login attempts" in response.data["detail"]
    assert set(response.data) == {"code", "detail", "errors"}
    assert not ApiToken.objects.exists()


def test_failures_on_the_page_and_the_api_add_up(users, password):
    fail_logins(LIMIT // 2)
    for _ in range(LIMIT // 2):
        APIClient().post(TOKEN_URL, {"username": "other", "password": "wrong"})

    assert APIClient().post(TOKEN_URL, {"username": "tam", "password": password}).status_code == 429
    assert login(Client(), password).status_code == 429


def test_x_forwarded_for_from_a_client_is_ignored(users, password):
    """Without a trusted proxy, a new X-Forwarded-For per attempt does not make a new client."""
    for number in range(LIMIT):
        login(Client(), "wrong", x_forwarded_for=f"203.0.113.{number}")

    response = login(Client(), password, x_forwarded_for="198.51.100.1")

    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


def test_x_forwarded_for_from_a_trusted_proxy_names_the_client(users, password, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.0/8"]
    fail_logins(LIMIT, x_forwarded_for="203.0.113.9")

    assert login(Client(), password, x_forwarded_for="203.0.113.9").status_code == 429
    # Another client behind the same proxy is not locked out.
    assert login(Client(), password, x_forwarded_for="198.51.100.1").status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}


class FakeRequest:
    def __init__(self, remote: str, forwarded: str | None = None):
        self.META = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            self.META["HTTP_X_FORWARDED_FOR"] = forwarded


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "expected"),
    [
        ([], "198.51.100.7", "203.0.113.1", "198.51.100.7"),
        (["10.0.0.1"], "198.51.100.7", "203.0.113.1", "198.51.100.7"),
        (["10.0.0.1"], "10.0.0.1", "203.0.113.1", "203.0.113.1"),
        # The client may write its own X-Forwarded-For: the proxy appends the real address.
        (["10.0.0.1"], "10.0.0.1", "1.2.3.4, 203.0.113.1", "203.0.113.1"),
        # Two trusted proxies in a row: the right-most address that is not one of them.
        (["10.0.0.0/8"], "10.0.0.1", "1.2.3.4, 203.0.113.1, 10.0.0.2", "203.0.113.1"),
        (["10.0.0.1"], "10.0.0.1", "203.0.113.1:5555", "203.0.113.1"),
        (["10.0.0.1"], "10.0.0.1", "[2001:db8::1]:443", "2001:db8::1"),
        (["10.0.0.1"], "10.0.0.1", "not-an-address", "10.0.0.1"),
        (["10.0.0.1"], "10.0.0.1", None, "10.0.0.1"),
        (["::1"], "::1", "2001:db8::5", "2001:db8::5"),
    ],
)
def test_client_address(settings, trusted, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = trusted
    assert client_address(FakeRequest(remote, forwarded)) == expected


@pytest.mark.parametrize(
    ("trusted", "expected"), [([], "127.0.0.1"), (["127.0.0.1"], "203.0.113.66")]
)
def test_the_audit_log_records_the_address_by_the_same_rule(
    users, tam_client, settings, trusted, expected
):
    from auditlog.models import LogEntry

    settings.TRUSTED_PROXIES = trusted
    for client in (Client(), APIClient()):  # the page (middleware) and the API (viewset)
        client.force_login(users.administrator)
        response = client.patch(
            f"/api/v1/clients/{tam_client.pk}/",
            {"notes": f"by {type(client).__name__}"},
            content_type="application/json",
            headers={"x-forwarded-for": "203.0.113.66"},
        )
        assert response.status_code == 200
        entry = LogEntry.objects.get_for_object(tam_client).latest("pk")
        assert entry.remote_addr == expected
