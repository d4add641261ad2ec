"""The SLA policy pages: a policy is created with its first version's terms in one go, a change
of terms is a new version, a policy in use is not deleted; bad input shows field errors and
stores nothing."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from tamdesk.sla.models import SLAPolicy, SLAPolicyVersion, SLATarget
from tests.sla.factories import HOUR, at, incident, office_calendar, policy

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(at(1), tick=False):
        yield


def terms(**changes) -> dict:
    data = {
        "valid_from": "2026-11-23T07:00",  # UTC: policy managers have no engineer profile
        "calendar": "",
        "reaction_p1": "0:30",
        "resolution_p1": "4:00",
        "reaction_p2": "1:00",
        "resolution_p2": "8:00",
        "reaction_p3": "",
        "resolution_p3": "",
        "reaction_p4": "",
        "resolution_p4": "",
        "warning_thresholds": "50, 75",
        "reaction_pause_statuses": ["waiting_client"],
        "resolution_pause_statuses": ["waiting_client", "waiting_third_party"],
        "note": "Contract 2027",
    }
    data.update(changes)
    return data


def new_policy(**changes) -> dict:
    return terms(**{"name": "Acme gold", "client": "", "tier": "", "description": "", **changes})


def test_create_a_policy_with_its_first_version(client, users, tam_client):
    calendar = office_calendar()
    client.force_login(users.service_manager)

    response = client.post(
        reverse("sla:policy_create"),
        new_policy(
            client=tam_client.pk, calendar=calendar.pk, reaction_p3="4:00", resolution_p3="40:00"
        ),
    )

    assert response.status_code == 302, response.context["form"].errors
    created = SLAPolicy.objects.get()
    assert response.status_code == 302 and response.url.startswith(created.get_absolute_url())
    version = created.versions.get()
    assert (created.client, version.number, version.calendar) == (tam_client, 1, calendar)
    assert version.valid_from == at(1)  # 07:00 UTC
    assert version.warning_thresholds == [50, 75]
    assert version.resolution_pause_statuses == ["waiting_client", "waiting_third_party"]
    assert version.created_by == users.service_manager and version.note == "Contract 2027"
    assert {
        t.priority: (t.reaction_seconds, t.resolution_seconds) for t in version.targets.all()
    } == {"p1": (HOUR // 2, 4 * HOUR), "p2": (HOUR, 8 * HOUR), "p3": (4 * HOUR, 40 * HOUR)}


def test_the_create_form_is_read_in_the_viewers_time_zone(client, users, tam_client):
    client.force_login(users.administrator)  # no engineer profile: UTC

    client.post(
        reverse("sla:policy_create"),
        new_policy(tier="premium", valid_from="2026-11-23T07:00"),
    )

    assert SLAPolicyVersion.objects.get().valid_from == at(1)  # 07:00 UTC


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"reaction_p1": "30 min"}, "reaction_p1", "Enter the time as H:MM"),
        ({"reaction_p1": "0:75"}, "reaction_p1", "Enter the time as H:MM"),
        ({"reaction_p1": "0:00"}, "reaction_p1", "at least one minute"),
        ({"resolution_p2": ""}, "resolution_p2", "both targets"),
        ({"warning_thresholds": "50, 120"}, "warning_thresholds", "between 1 and 99"),
        ({"warning_thresholds": "half"}, "warning_thresholds", "whole percentages"),
        (
            {"reaction_pause_statuses": ["new"]},
            "reaction_pause_statuses",
            "New cannot pause a clock",
        ),
        ({"reaction_pause_statuses": ["bogus"]}, "reaction_pause_statuses", "valid choice"),
        ({"valid_from": ""}, "valid_from", "required"),
        ({"tier": ""}, "client", "client or a tier"),
        ({"name": ""}, "name", "required"),
    ],
)
def test_bad_policy_input_shows_field_errors_and_creates_nothing(
    client, users, tam_client, changes, field, message
):
    client.force_login(users.administrator)
    data = new_policy(tier="premium")
    data.update(changes)

    response = client.post(reverse("sla:policy_create"), data)

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not SLAPolicy.objects.exists() and not SLATarget.objects.exists()


def test_a_policy_needs_a_target(client, users):
    client.force_login(users.administrator)
    data = new_policy(
        tier="premium", **{f"{c}_p{n}": "" for c in ("reaction", "resolution") for n in (1, 2)}
    )

    response = client.post(reverse("sla:policy_create"), data)

    assert "at least one priority" in response.context["form"].non_field_errors()[0]
    assert not SLAPolicy.objects.exists()


def test_a_tier_has_one_policy(client, users):
    policy(tier="premium")
    client.force_login(users.administrator)

    response = client.post(reverse("sla:policy_create"), new_policy(tier="premium", name="Two"))

    assert "already has a policy" in response.context["form"].errors["tier"][0]
    assert SLAPolicy.objects.count() == 1


def test_a_new_version_ends_the_previous_one(client, users, tam_client):
    sla, first = policy(client=tam_client, by=users.administrator)
    client.force_login(users.service_manager)

    form = client.get(reverse("sla:policy_version_create", args=[sla.pk])).content.decode()
    response = client.post(
        reverse("sla:policy_version_create", args=[sla.pk]),
        terms(valid_from="2026-11-24T06:00", reaction_p1="0:15", resolution_p1="2:00"),
    )

    assert 'value="0:30"' in form and 'value="24:00"' in form  # starts from the terms in force
    assert response.status_code == 302
    first.refresh_from_db()
    second = sla.versions.get(number=2)
    assert first.valid_until == second.valid_from == at(0, days=1)
    assert second.targets.get(priority="p1").reaction_seconds == 15 * 60


def test_a_version_that_would_rewrite_history_is_a_field_error(client, users, tam_client):
    sla, first = policy(client=tam_client, by=users.administrator)
    incident(tam_client, by=users.tam, opened=at(0.5), now=at(0.5))
    client.force_login(users.administrator)

    response = client.post(
        reverse("sla:policy_version_create", args=[sla.pk]),
        terms(valid_from="2026-11-23T06:00"),  # before the incident opened at 06:30 UTC
    )

    assert "cannot start before them" in response.context["form"].errors["valid_from"][0]
    first.refresh_from_db()
    assert first.valid_until is None and sla.versions.count() == 1


def test_policy_page_shows_every_version_and_the_one_in_force(client, users, tam_client):
    sla, _first = policy(client=tam_client, calendar=office_calendar(), by=users.administrator)
    from tamdesk.sla import services

    services.add_policy_version(
        sla,
        valid_from=at(0, days=30),
        calendar=None,
        targets={"p1": (HOUR // 4, 2 * HOUR)},
        warning_thresholds=[80],
        reaction_pause_statuses=[],
        resolution_pause_statuses=["waiting_third_party"],
        note="From next month",
        by=users.service_manager,
    )
    client.force_login(users.architect)  # a reader: on the client's account team

    content = client.get(sla.get_absolute_url()).content.decode()

    assert f'Client: <a href="{tam_client.get_absolute_url()}">Acme Retail</a>' in content
    current = content[content.index('id="v1"') :]
    assert "in force" in current[:800]
    future = content[content.index('id="v2"') : content.index('id="v1"')]
    assert "future" in future and "From next month" in future and "0:15" in future
    assert "Waiting for a third party" in future and "80 %" in future
    assert "Moscow office" in current and "40:00" in current  # P4 resolution, working time


def test_policy_list_shows_the_version_in_force(client, users, tam_client):
    sla, _version = policy(client=tam_client, by=users.administrator)
    policy(tier="premium", name="Premium tier")
    client.force_login(users.tam)

    content = client.get(reverse("sla:policy_list")).content.decode()

    assert sla.name in content and "Premium tier" in content
    assert "version 1" in content


def test_delete_an_unused_policy(client, users, tam_client):
    sla, _version = policy(client=tam_client)
    client.force_login(users.administrator)

    response = client.post(reverse("sla:policy_delete", args=[sla.pk]))

    assert response.status_code == 302
    assert not SLAPolicy.objects.exists() and not SLAPolicyVersion.objects.exists()


def test_a_policy_in_use_is_not_deleted(client, users, tam_client):
    sla, _version = policy(client=tam_client)
    incident(tam_client, by=users.tam)
    client.force_login(users.administrator)

    response = client.post(reverse("sla:policy_delete", args=[sla.pk]), follow=True)

    assert "cannot be deleted" in response.content.decode()
    assert SLAPolicy.objects.count() == 1 and SLATarget.objects.count() == 4


def test_rename_a_policy(client, users, tam_client):
    sla, _version = policy(client=tam_client)
    client.force_login(users.service_manager)

    client.post(
        reverse("sla:policy_update", args=[sla.pk]), {"name": "Acme 2027", "description": ""}
    )

    sla.refresh_from_db()
    assert sla.name == "Acme 2027"


@pytest.mark.parametrize("role", ["tam", "engineer", "architect", "norole"])
def test_only_policy_managers_write_policies(client, users, tam_client, role):
    sla, _version = policy(client=tam_client)
    client.force_login(getattr(users, role))

    responses = [
        client.post(reverse("sla:policy_create"), new_policy(tier="premium")),
        client.post(reverse("sla:policy_version_create", args=[sla.pk]), terms()),
        client.post(reverse("sla:policy_delete", args=[sla.pk])),
        client.post(reverse("sla:policy_update", args=[sla.pk]), {"name": "X"}),
    ]

    # The engineer does not read the client's policy: its pages are a 404 to her.
    expected = [403] + [404 if role == "engineer" else 403] * 3
    assert [r.status_code for r in responses] == expected
    assert SLAPolicy.objects.get().name == sla.name and SLAPolicyVersion.objects.count() == 1
