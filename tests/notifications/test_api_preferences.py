"""``/api/v1/notification-preferences/``: the caller's language and channel choices, one
resource per person (GET, PUT); invalid input is a 400 with field errors and changes nothing."""

from __future__ import annotations

import pytest

from tamdesk.notifications import catalog
from tamdesk.notifications.catalog import EventType
from tamdesk.notifications.choices import Channel
from tamdesk.notifications.models import NotificationPreference, NotificationProfile
from tests.conftest import api_as

pytestmark = pytest.mark.django_db

URL = "/api/v1/notification-preferences/"
CODE = "tests.api_configurable"


@pytest.fixture(autouse=True)
def in_app_only_event():
    kind = catalog.register_event_type(
        EventType(
            code=CODE,
            label="API test event",
            template="notifications/email/test",
            default_channels=frozenset({Channel.IN_APP}),
        )
    )
    yield kind
    catalog.EVENT_TYPES.pop(CODE, None)


def entry(body: dict, code: str) -> dict:
    return next(item for item in body["event_types"] if item["event_type"] == code)


def stored() -> tuple[list, list]:
    return (
        list(NotificationProfile.objects.values_list("user_id", "language")),
        list(
            NotificationPreference.objects.values_list(
                "user_id", "event_type", "channel", "enabled"
            )
        ),
    )


def test_anonymous_gets_401():
    assert api_as(None).get(URL).status_code == 401
    response = api_as(None).put(URL, {"language": "ru"}, format="json")
    assert response.status_code == 401
    assert stored() == ([], [])


def test_get_shows_the_defaults(users):
    response = api_as(users.norole).get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["language"] == "en"
    assert entry(body, CODE) == {
        "event_type": CODE,
        "label": "API test event",
        "in_app": True,
        "email": False,
    }
    assert "notifications.test" not in {item["event_type"] for item in body["event_types"]}


def test_put_round_trip(users):
    api = api_as(users.tam)

    response = api.put(
        URL,
        {"language": "ru", "event_types": [{"event_type": CODE, "in_app": False, "email": True}]},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["language"] == "ru"
    assert entry(response.json(), CODE)["in_app"] is False
    assert entry(response.json(), CODE)["email"] is True
    assert api.get(URL).json() == response.json()
    assert NotificationProfile.objects.get(user=users.tam).language == "ru"


def test_put_leaves_omitted_channels_and_event_types_alone(users):
    api = api_as(users.tam)
    api.put(
        URL, {"language": "en", "event_types": [{"event_type": CODE, "email": True}]}, format="json"
    )

    response = api.put(URL, {"language": "ru"}, format="json")

    assert entry(response.json(), CODE) | {"label": ""} == {
        "event_type": CODE,
        "label": "",
        "in_app": True,
        "email": True,
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"language": "xx"}, "language"),
        ({}, "language"),
        (
            {"language": "ru", "event_types": [{"event_type": "nope.unknown", "email": True}]},
            "event_types",
        ),
        (
            {
                "language": "ru",
                "event_types": [{"event_type": "notifications.test", "email": False}],
            },
            "event_types",
        ),
        (
            {"language": "ru", "event_types": [{"event_type": CODE}, {"event_type": CODE}]},
            "event_types",
        ),
        (
            {"language": "ru", "event_types": [{"event_type": CODE, "email": "maybe"}]},
            "event_types",
        ),
    ],
)
def test_invalid_input_is_a_field_error_and_changes_nothing(users, body, field):
    before = stored()

    response = api_as(users.tam).put(URL, body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["errors"]
    assert stored() == before


def test_an_unknown_event_type_is_reported_on_its_entry(users):
    response = api_as(users.tam).put(
        URL,
        {"language": "en", "event_types": [{"event_type": CODE}, {"event_type": "nope"}]},
        format="json",
    )

    assert response.json()["errors"]["event_types"]["1"]["event_type"] == [
        "Unknown event type, or one that cannot be switched off."
    ]


def test_post_and_delete_are_not_allowed(users):
    api = api_as(users.tam)

    assert api.post(URL, {"language": "ru"}, format="json").status_code == 405
    assert api.delete(URL).status_code == 405
    assert stored() == ([], [])
