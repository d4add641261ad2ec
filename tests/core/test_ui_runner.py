"""``core.ui.run_service`` and ``run_action``: the pages' one form → service → refusal runner.
A valid form runs the call in one transaction; a refusal lands on the field it names (or the
form) and nothing it wrote is kept; success shows the message and redirects."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import RequestFactory

from tamdesk.core import ui
from tamdesk.core.exceptions import DomainError

pytestmark = pytest.mark.django_db


class NameForm(forms.Form):
    name = forms.CharField()


def _request():
    request = RequestFactory().post("/")
    request._messages = CookieStorage(request)
    return request


def _writes_then(refusal: DomainError | None):
    def call():
        group = Group.objects.create(name="Written")
        if refusal is not None:
            raise refusal
        return group

    return call


def test_success_shows_the_message_and_redirects():
    request = _request()

    response = ui.run_service(
        request,
        NameForm({"name": "x"}),
        _writes_then(None),
        success_message=lambda group: f"Saved {group.name}.",
        redirect_to=lambda group: f"/groups/{group.pk}/",
    )

    assert response.status_code == 302 and response.url.startswith("/groups/")
    assert [str(m) for m in get_messages(request)] == ["Saved Written."]
    assert Group.objects.filter(name="Written").exists()


@pytest.mark.parametrize(("field", "shown_on"), [("name", "name"), ("other", "__all__")])
def test_a_refusal_lands_on_its_field_and_nothing_is_kept(field, shown_on):
    request = _request()
    form = NameForm({"name": "x"})

    response = ui.run_service(
        request,
        form,
        _writes_then(DomainError("Refused.", field=field)),
        success_message="Saved.",
        redirect_to="/",
    )

    assert response is None
    assert form.errors[shown_on] == ["Refused."]
    assert not Group.objects.filter(name="Written").exists()
    assert list(get_messages(request)) == []


def test_an_invalid_form_calls_nothing():
    response = ui.run_service(_request(), NameForm({}), _writes_then(None), redirect_to="/")

    assert response is None and not Group.objects.filter(name="Written").exists()


def test_run_action_shows_the_refusal_as_a_message_or_hands_it_back():
    request = _request()

    flashed = ui.run_action(request, _writes_then(DomainError("No.")))
    quiet = ui.run_action(request, _writes_then(DomainError("Not now.")), flash=False)
    done = ui.run_action(request, _writes_then(None), success_message="Done.")

    assert (flashed, quiet, done) == ("No.", "Not now.", "")
    assert [str(m) for m in get_messages(request)] == ["No.", "Done."]
    assert Group.objects.filter(name="Written").count() == 1
