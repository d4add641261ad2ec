"""The UI shell: login, logout, password change, language switch, error pages, and the shared
template helpers (pagination window, change history)."""

from __future__ import annotations

import pytest
from auditlog.context import set_actor
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import get_resolver
from django.utils import translation

from tamdesk.core.history import history
from tamdesk.core.templatetags.tamdesk_ui import _page_window
from tamdesk.core.views import server_error
from tests.directory.factories import ClientFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["en", "ru"])
def test_login_page_renders_in_both_languages(client, language):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=language)

    content = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}"' in content
    assert 'name="username"' in content
    assert 'action="/i18n/setlang/"' in content


def test_wrong_password_is_shown_on_the_login_page(client, users):
    response = client.post("/accounts/login/", {"username": "tam", "password": "wrong"})

    assert response.status_code == 200
    assert 'class="alert alert-danger"' in response.content.decode()


def test_logout_is_a_post_and_leads_to_the_login_page(client, users):
    client.force_login(users.tam)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response.url == "/accounts/login/"
    assert client.get("/").status_code == 302


def test_password_change(client, users, password):
    client.force_login(users.tam)
    assert client.get("/accounts/password/").status_code == 200

    response = client.post(
        "/accounts/password/",
        {
            "old_password": password,
            "new_password1": "a-much-longer-passphrase-42",
            "new_password2": "a-much-longer-passphrase-42",
        },
        follow=True,
    )

    assert response.redirect_chain == [("/accounts/password/done/", 302)]
    assert "Your password was changed." in response.content.decode()
    users.tam.refresh_from_db()
    assert users.tam.check_password("a-much-longer-passphrase-42")


def test_password_change_errors_are_field_errors(client, users):
    client.force_login(users.tam)

    response = client.post(
        "/accounts/password/",
        {"old_password": "wrong", "new_password1": "x", "new_password2": "y"},
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_old_password_error"' in content
    assert "is-invalid" in content


def test_language_switch_to_russian(client, users):
    client.force_login(users.tam)

    response = client.post("/i18n/setlang/", {"language": "ru", "next": "/directory/clients/"})

    assert response.status_code == 302
    assert response.url == "/directory/clients/"
    assert '<html lang="ru"' in client.get("/directory/clients/").content.decode()


def test_unknown_page_is_the_404_page(client, users):
    client.force_login(users.tam)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_404_page_for_anonymous_users_has_no_navigation(client):
    response = client.get("/no-such-page/")

    content = response.content.decode()
    assert response.status_code == 404
    assert 'id="sidebar"' not in content


def test_500_page_renders_without_a_request_context():
    response = server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    assert "Server error" in response.content.decode()
    assert "Server error" in render_to_string("500.html")


def test_500_page_offers_the_home_page_and_the_language_switch():
    assert get_resolver().resolve_error_handler(500) is server_error
    with translation.override("ru"):
        response = server_error(RequestFactory().get("/changes/?page=2"))

    content = response.content.decode()
    assert response.status_code == 500
    assert "Ошибка сервера" in content
    assert 'href="/"' in content
    assert 'action="/i18n/setlang/"' in content
    assert 'name="csrfmiddlewaretoken"' in content
    assert 'name="next" value="/changes/?page=2"' in content


@pytest.mark.parametrize("language", ["en", "ru"])
def test_403_and_404_pages_offer_the_home_page_and_the_language_switch(client, users, language):
    client.force_login(users.norole)

    for url, status in [("/jobs/", 403), ("/no-such-page/", 404)]:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)

        content = response.content.decode()
        assert response.status_code == status
        assert 'href="/"' in content
        assert 'action="/i18n/setlang/"' in content


def test_anonymous_htmx_request_redirects_the_whole_page_to_login(client):
    response = client.get("/directory/clients/", HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize(
    ("number", "pages", "window"),
    [
        (1, 1, [1]),
        (1, 3, [1, 2, 3]),
        (1, 10, [1, 2, 3, None, 10]),
        (6, 10, [1, None, 4, 5, 6, 7, 8, None, 10]),
        (10, 10, [1, None, 8, 9, 10]),
    ],
)
def test_pagination_window(number, pages, window):
    page = Paginator(list(range(pages * 25)), 25).page(number)

    assert _page_window(page) == window


def test_history_names_the_actor_or_system(users):
    record = ClientFactory(name="Before", tier="standard")  # created outside a request
    with set_actor(users.tam):
        record.name = "After"
        record.save()

    update, create = history(record)

    assert (update.action, update.actor, update.is_system) == (
        "Changed",
        users.tam.get_full_name(),
        False,
    )
    assert [(c.label, c.before, c.after) for c in update.changes] == [("Name", "Before", "After")]
    assert (create.action, create.actor, create.is_system) == ("Created", "system", True)
    assert ("Tier", "—", "Standard") in [(c.label, c.before, c.after) for c in create.changes]


def test_the_user_list_shows_the_roles_translated(client, users):
    client.force_login(users.administrator)

    content = client.get("/directory/users/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert ">Руководитель отдела</span>" in content
    assert ">Department lead</span>" not in content


def test_form_help_with_a_number_follows_the_request_language():
    from tamdesk.calendars.forms import ImportHolidaysForm
    from tests.calendars.factories import CalendarFactory

    with translation.override("ru"):
        form = ImportHolidaysForm(instance=CalendarFactory.build())

        assert form.fields["year_to"].help_text == "Не более 10 лет за один раз."  # noqa: RUF001
