"""The SLA policies API: a policy created with its first version, a new version, deleting an
unused policy and refusing a used one, the permission matrix — refused or invalid calls change
nothing."""

from __future__ import annotations

import pytest
import time_machine

from tamdesk.sla.models import SLAPolicy, SLAPolicyVersion, SLATarget
from tests.conftest import api_as
from tests.sla.factories import HOUR, at, incident, office_calendar, policy
from tests.support import api_for, refused

pytestmark = pytest.mark.django_db
ACTORS = [
    "anonymous",
    "norole",
    "admin",
    "administrator",
    "service_manager",
    "tam",
    "engineer",
    "lead",
    "architect",
    "programme_lead",
]
MANAGERS = {"admin", "administrator", "service_manager"}
READERS = set(ACTORS) - {"anonymous", "norole"}
#: Who reads a policy of ``tam_client``: it follows its client (``SLAPolicyQuerySet``).
CLIENT_READERS = READERS - {"engineer", "lead"}


#: The rows a refused call must leave as they were.
SNAPSHOT = (SLAPolicy, SLAPolicyVersion, SLATarget)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(at(1), tick=False):
        yield


def first_version(**changes) -> dict:
    data = {
        "valid_from": "2026-11-23T06:00:00Z",
        "targets": [
            {"priority": "p1", "reaction_seconds": 1800, "resolution_seconds": 4 * HOUR},
            {"priority": "p3", "reaction_seconds": 4 * HOUR, "resolution_seconds": 24 * HOUR},
        ],
    }
    data.update(changes)
    return data


def new_policy(**changes) -> dict:
    data = {"name": "Premium tier", "tier": "premium", "first_version": first_version()}
    data.update(changes)
    return data


def test_create_a_policy_with_its_first_version(users, tam_client):
    calendar = office_calendar()

    response = api_as(users.service_manager).post(
        "/api/v1/sla-policies/",
        new_policy(
            name="Acme",
            tier="",
            client=tam_client.pk,
            first_version=first_version(calendar=calendar.pk),
        ),
        format="json",
    )

    assert response.status_code == 201, response.data
    (version,) = response.data["versions"]
    assert response.data["client"] == tam_client.pk and response.data["tier"] == ""
    assert version["number"] == 1 and version["calendar"] == calendar.pk
    assert version["is_in_force"] is True
    assert version["warning_thresholds"] == [50, 75]  # the defaults
    assert version["reaction_pause_statuses"] == ["waiting_client"]
    assert version["targets"] == [
        {"priority": "p1", "reaction_seconds": 1800, "resolution_seconds": 4 * HOUR},
        {"priority": "p3", "reaction_seconds": 4 * HOUR, "resolution_seconds": 24 * HOUR},
    ]
    assert "first_version" not in response.data
    assert SLAPolicyVersion.objects.get().created_by == users.service_manager


def test_retrieve_nests_versions_and_targets(users, tam_client):
    sla, _version = policy(client=tam_client)

    data = api_as(users.architect).get(f"/api/v1/sla-policies/{sla.pk}/").json()

    assert data["name"] == sla.name
    assert len(data["versions"][0]["targets"]) == 4


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"first_version": None}, "invalid", "first_version"),
        ({"first_version": first_version(targets=[])}, "invalid", "first_version"),
        (
            {
                "first_version": first_version(
                    targets=[{"priority": "p1", "reaction_seconds": 10, "resolution_seconds": 60}]
                )
            },
            "invalid",
            "first_version",
        ),
        ({"first_version": first_version(warning_thresholds=[150])}, "invalid", "first_version"),
        (
            {"first_version": first_version(reaction_pause_statuses=["new"])},
            "invalid",
            "first_version",
        ),
        ({"tier": ""}, "invalid", "client"),
        ({"tier": "gold"}, "invalid", "tier"),
    ],
)
def test_invalid_policies_are_refused(users, changes, code, field):
    errors = refused(
        api_as(users.administrator),
        "post",
        "/api/v1/sla-policies/",
        new_policy(**changes),
        400,
        code,
        models=SNAPSHOT,
    )["errors"]

    assert field in errors


def test_client_and_tier_together_are_refused(users, tam_client):
    errors = refused(
        api_as(users.administrator),
        "post",
        "/api/v1/sla-policies/",
        new_policy(client=tam_client.pk),
        400,
        "invalid",
        models=SNAPSHOT,
    )["errors"]

    assert "exactly one" in errors["client"][0]


def test_a_tier_has_one_policy(users):
    policy(tier="premium", name="Existing")

    refused(
        api_as(users.administrator),
        "post",
        "/api/v1/sla-policies/",
        new_policy(),
        400,
        "tier_has_policy",
        models=SNAPSHOT,
    )


def test_add_a_version(users, tam_client):
    sla, first = policy(client=tam_client)

    response = api_as(users.administrator).post(
        f"/api/v1/sla-policies/{sla.pk}/versions/",
        first_version(valid_from="2026-12-01T00:00:00Z", note="Amendment 2"),
        format="json",
    )

    assert response.status_code == 201, response.data
    assert response.data["number"] == 2 and response.data["note"] == "Amendment 2"
    assert response.data["is_in_force"] is False  # from December
    first.refresh_from_db()
    assert first.valid_until.isoformat() == "2026-12-01T00:00:00+00:00"


def test_a_version_rewriting_history_is_refused(users, tam_client):
    sla, _first = policy(client=tam_client)
    incident(tam_client, by=users.tam, opened=at(0.5), now=at(0.5))

    errors = refused(
        api_as(users.administrator),
        "post",
        f"/api/v1/sla-policies/{sla.pk}/versions/",
        first_version(valid_from="2026-11-23T06:00:00Z"),
        400,
        "version_rewrites_history",
        models=SNAPSHOT,
    )["errors"]

    assert "valid_from" in errors


def test_a_version_before_the_current_one_is_refused(users, tam_client):
    sla, _first = policy(client=tam_client)

    refused(
        api_as(users.administrator),
        "post",
        f"/api/v1/sla-policies/{sla.pk}/versions/",
        first_version(valid_from="2025-01-01T00:00:00Z"),
        400,
        "version_not_after_latest",
        models=SNAPSHOT,
    )


def test_rename(users, tam_client):
    sla, _first = policy(client=tam_client)

    response = api_as(users.service_manager).patch(
        f"/api/v1/sla-policies/{sla.pk}/", {"name": "Acme 2027"}, format="json"
    )

    assert response.status_code == 200 and response.data["name"] == "Acme 2027"
    assert response.data["versions"][0]["number"] == 1


def test_delete_an_unused_policy(users, tam_client):
    sla, _first = policy(client=tam_client)

    response = api_as(users.administrator).delete(f"/api/v1/sla-policies/{sla.pk}/")

    assert response.status_code == 204
    assert not SLAPolicy.objects.exists() and not SLATarget.objects.exists()


def test_a_policy_in_use_is_not_deleted(users, tam_client):
    sla, _first = policy(client=tam_client)
    incident(tam_client, by=users.tam)

    errors = refused(
        api_as(users.administrator),
        "delete",
        f"/api/v1/sla-policies/{sla.pk}/",
        None,
        409,
        "policy_in_use",
        models=SNAPSHOT,
    )["errors"]

    assert "cannot be deleted" in errors["non_field_errors"][0]


def test_list_query_count_does_not_grow(users, django_assert_max_num_queries):
    from tests.directory.factories import AssignmentFactory, ClientFactory

    for number in range(20):
        policy(client=ClientFactory(name=f"Client {number}"), calendar=None)

    for client in ClientFactory._meta.model.objects.all():
        AssignmentFactory(client=client, user=users.tam, role="tam")

    with django_assert_max_num_queries(8):
        response = api_as(users.tam).get("/api/v1/sla-policies/")

    assert response.json()["count"] == 20


@pytest.mark.parametrize("actor", ACTORS)
def test_permission_matrix(users, tam_client, actor):
    sla, _first = policy(client=tam_client)
    api = api_for(users, actor)
    read = 200 if actor in READERS else 401 if actor == "anonymous" else 403
    assert api.get("/api/v1/sla-policies/").status_code == read
    hidden = actor in READERS - CLIENT_READERS  # not their client's: 404, also for writes
    assert api.get(f"/api/v1/sla-policies/{sla.pk}/").status_code == (404 if hidden else read)

    calls = [
        ("post", "/api/v1/sla-policies/", new_policy(), 201),
        (
            "post",
            f"/api/v1/sla-policies/{sla.pk}/versions/",
            first_version(valid_from="2026-12-01T00:00:00Z"),
            201,
        ),
        ("patch", f"/api/v1/sla-policies/{sla.pk}/", {"name": "Renamed"}, 200),
    ]
    for method, path, data, allowed in calls:
        if actor in MANAGERS:
            assert getattr(api, method)(path, data, format="json").status_code == allowed, path
        elif hidden and path != "/api/v1/sla-policies/":
            refused(api, method, path, data, 404, "not_found", models=SNAPSHOT)
        else:
            code = "not_authenticated" if actor == "anonymous" else "permission_denied"
            refused(
                api, method, path, data, 401 if actor == "anonymous" else 403, code, models=SNAPSHOT
            )
    if actor not in MANAGERS:
        code = "not_authenticated" if actor == "anonymous" else "permission_denied"
        status = 401 if actor == "anonymous" else 403
        if hidden:
            code, status = "not_found", 404
        refused(
            api, "delete", f"/api/v1/sla-policies/{sla.pk}/", None, status, code, models=SNAPSHOT
        )


def test_several_client_policies_and_one_per_client(users, tam_client):
    from tests.directory.factories import ClientFactory

    policy(client=ClientFactory(name="Other"))
    api = api_as(users.administrator)

    created = api.post(
        "/api/v1/sla-policies/",
        new_policy(name="Acme", tier="", client=tam_client.pk),
        format="json",
    )
    assert created.status_code == 201, created.data
    refused(
        api,
        "post",
        "/api/v1/sla-policies/",
        new_policy(name="Acme again", tier="", client=tam_client.pk),
        400,
        "client_has_policy",
        models=SNAPSHOT,
    )
