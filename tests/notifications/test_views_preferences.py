"""The preferences page: the language of e-mails, the event type × channel matrix with the
event types' defaults, the working hours that decide when e-mails arrive."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tamdesk.calendars.engine import CalendarSpec
from tamdesk.notifications import catalog
from tamdesk.notifications.catalog import EventType
from tamdesk.notifications.choices import Channel
from tamdesk.notifications.forms import preference_field_name
from tamdesk.notifications.models import NotificationPreference, NotificationProfile

pytestmark = pytest.mark.django_db

CODE = "tests.ui_configurable"


@pytest.fixture
def in_app_only_event():
    """A configurable event type whose default is the notification centre only."""
    kind = catalog.register_event_type(
        EventType(
            code=CODE,
            label="Zz UI test event",
            template="notifications/email/test",
            default_channels=frozenset({Channel.IN_APP}),
        )
    )
    yield kind
    catalog.EVENT_TYPES.pop(CODE, None)


def matrix_post(language: str, checked: set[tuple[str, str]]) -> dict:
    data = {"language": language}
    for kind in catalog.EVENT_TYPES.values():
        if not kind.configurable:
            continue
        for channel in ("in_app", "email"):
            if (kind.code, channel) in checked:
                data[preference_field_name(kind.code, channel)] = "on"
    return data


def default_checked() -> set[tuple[str, str]]:
    return {
        (kind.code, channel)
        for kind in catalog.EVENT_TYPES.values()
        if kind.configurable
        for channel in kind.default_channels
        if channel in ("in_app", "email")
    }


def test_the_page_shows_configurable_event_types_with_their_defaults(
    client, users, in_app_only_event
):
    client.force_login(users.tam)

    response = client.get(reverse("notifications:preferences"))

    assert response.status_code == 200
    form = response.context["form"]
    assert form[preference_field_name(CODE, "in_app")].value() is True
    assert form[preference_field_name(CODE, "email")].value() is False
    content = response.content.decode()
    assert "Zz UI test event" in content
    assert "Test message" not in content  # not configurable
    assert preference_field_name("notifications.test", "email") not in form.fields


def test_saving_stores_only_the_differences_from_the_defaults(client, users, in_app_only_event):
    client.force_login(users.tam)
    checked = (default_checked() - {(CODE, "in_app")}) | {(CODE, "email")}

    response = client.post(reverse("notifications:preferences"), matrix_post("ru", checked))

    assert response.status_code == 302
    assert response.url == reverse("notifications:preferences")
    assert NotificationProfile.objects.get(user=users.tam).language == "ru"
    assert set(
        NotificationPreference.objects.filter(user=users.tam).values_list(
            "event_type", "channel", "enabled"
        )
    ) == {(CODE, "in_app", False), (CODE, "email", True)}


def test_the_page_shows_what_was_saved(client, users, in_app_only_event):
    client.force_login(users.tam)
    checked = (default_checked() - {(CODE, "in_app")}) | {(CODE, "email")}
    client.post(reverse("notifications:preferences"), matrix_post("ru", checked))

    form = client.get(reverse("notifications:preferences")).context["form"]

    assert form["language"].value() == "ru"
    assert form[preference_field_name(CODE, "in_app")].value() is False
    assert form[preference_field_name(CODE, "email")].value() is True


def test_going_back_to_the_defaults_removes_the_rows(client, users, in_app_only_event):
    NotificationPreference.objects.create(
        user=users.tam, event_type=CODE, channel="email", enabled=True
    )
    client.force_login(users.tam)

    client.post(reverse("notifications:preferences"), matrix_post("en", default_checked()))

    assert not NotificationPreference.objects.filter(user=users.tam).exists()


def test_an_unknown_language_is_a_field_error_and_changes_nothing(client, users, in_app_only_event):
    client.force_login(users.tam)
    checked = default_checked() | {(CODE, "email")}

    response = client.post(reverse("notifications:preferences"), matrix_post("xx", checked))

    assert response.status_code == 200
    assert "language" in response.context["form"].errors
    assert not NotificationProfile.objects.filter(user=users.tam).exists()
    assert not NotificationPreference.objects.filter(user=users.tam).exists()


def test_the_page_shows_the_default_working_hours(client, users, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    client.force_login(users.service_manager)  # not an engineer: the instance's zone

    response = client.get(reverse("notifications:preferences"))

    content = response.content.decode()
    assert "Europe/Berlin" in content
    week = response.context["week"]
    assert [day.hours for day in week] == ["09:00–18:00"] * 5 + ["", ""]
    assert week[0].name == "Monday"
    assert "not working" in content


def test_the_page_shows_the_engineers_time_zone(client, users):
    engineer = users.engineer.engineer
    engineer.time_zone = "Asia/Tokyo"
    engineer.save()
    client.force_login(users.engineer)

    response = client.get(reverse("notifications:preferences"))

    assert response.context["time_zone"] == "Asia/Tokyo"


def test_the_page_shows_the_department_calendar(client, users, monkeypatch):
    spec = CalendarSpec(
        time_zone="America/New_York",
        weekly=(((0, 12 * 60), (13 * 60, 24 * 60)),) * 7,
    )
    monkeypatch.setattr("tamdesk.notifications.timing.working_calendar_of_user", lambda user: spec)
    client.force_login(users.engineer)

    response = client.get(reverse("notifications:preferences"))

    assert response.context["time_zone"] == "America/New_York"
    assert response.context["week"][6].hours == "00:00–12:00, 13:00–24:00"


def test_anonymous_is_sent_to_the_login_page(client):
    response = client.get(reverse("notifications:preferences"))

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_a_user_without_a_role_has_preferences_too(client, users):
    client.force_login(users.norole)

    assert client.get(reverse("notifications:preferences")).status_code == 200
