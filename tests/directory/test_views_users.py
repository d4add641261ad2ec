"""User-account pages: administrators only; accounts are created, edited and deactivated."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db
User = get_user_model()


def _snapshot():
    return sorted(
        User.objects.values_list("username", "first_name", "email", "is_active", "password")
    )


@pytest.mark.parametrize("key", ["admin", "administrator"])
def test_administrators_see_the_pages(client, users, key, django_assert_max_num_queries):
    client.force_login(getattr(users, key))
    with django_assert_max_num_queries(15):
        response = client.get(reverse("directory:user_list"))
    assert response.status_code == 200
    assert "service_manager" in response.content.decode()
    for name in ["user_detail", "user_update"]:
        assert client.get(reverse(f"directory:{name}", args=[users.tam.pk])).status_code == 200
    assert client.get(reverse("directory:user_create")).status_code == 200


@pytest.mark.parametrize("key", ["tam", "engineer", "lead", "service_manager", "programme_lead"])
def test_other_roles_are_refused_and_nothing_changes(client, users, key):
    client.force_login(getattr(users, key))
    before = _snapshot()
    assert client.get(reverse("directory:user_list")).status_code == 403
    response = client.post(
        reverse("directory:user_update", args=[users.engineer.pk]),
        {"first_name": "Hacked", "is_active": "", "roles": ["Administrator"]},
    )
    assert response.status_code == 403
    assert client.post(reverse("directory:user_create"), {"username": "x"}).status_code == 403
    assert _snapshot() == before


def test_anonymous_is_sent_to_login(client, users):
    response = client.get(reverse("directory:user_list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_create_a_service_manager_who_is_not_an_engineer(client, users):
    client.force_login(users.administrator)
    response = client.post(
        reverse("directory:user_create"),
        {
            "username": "ovasilieva",
            "first_name": "Olga",
            "last_name": "Vasilieva",
            "email": "o.v@tamdesk.example",
            "password": "A-long-enough-pass-42",
            "roles": ["Service manager"],
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="ovasilieva")
    assert list(user.groups.values_list("name", flat=True)) == ["Service manager"]
    assert user.check_password("A-long-enough-pass-42")
    assert response["Location"] == reverse("directory:user_detail", args=[user.pk])


def test_bad_input_shows_field_errors_and_writes_nothing(client, users):
    client.force_login(users.administrator)
    before = _snapshot()
    response = client.post(
        reverse("directory:user_create"),
        {"username": "tam", "email": "not-an-email", "password": "123"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) >= {"email", "password"}
    response = client.post(reverse("directory:user_create"), {"username": "TAM"})
    assert "already taken" in response.content.decode()
    assert _snapshot() == before


def test_edit_deactivates_sets_roles_and_password(client, users):
    client.force_login(users.administrator)
    response = client.post(
        reverse("directory:user_update", args=[users.engineer.pk]),
        {
            "first_name": "Pavel",
            "last_name": "Sokolov",
            "email": "p@example.com",
            "is_active": "",
            "roles": ["Engineer", "Department lead"],
            "password": "Another-long-pass-77",
        },
    )
    assert response.status_code == 302
    users.engineer.refresh_from_db()
    assert not users.engineer.is_active
    assert users.engineer.check_password("Another-long-pass-77")
    assert set(users.engineer.groups.values_list("name", flat=True)) == {
        "Engineer",
        "Department lead",
    }


def test_edit_without_password_keeps_it(client, users, password):
    client.force_login(users.administrator)
    client.post(
        reverse("directory:user_update", args=[users.tam.pk]),
        {"first_name": "Ivan", "is_active": "on", "roles": ["TAM", "Engineer"]},
    )
    users.tam.refresh_from_db()
    assert users.tam.first_name == "Ivan" and users.tam.check_password(password)


def test_administrator_cannot_lock_themselves_out(client, users):
    client.force_login(users.administrator)
    url = reverse("directory:user_update", args=[users.administrator.pk])
    before = _snapshot()
    response = client.post(url, {"first_name": "A", "is_active": "", "roles": ["Administrator"]})
    assert "deactivate your own account" in response.content.decode()
    response = client.post(url, {"first_name": "A", "is_active": "on", "roles": ["TAM"]})
    assert "Administrator role from yourself" in response.content.decode()
    assert _snapshot() == before
    assert users.administrator.groups.filter(name="Administrator").exists()
