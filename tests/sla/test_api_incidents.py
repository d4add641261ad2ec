"""The incidents API: opening with a history, the timeline, both clocks (measured live on one
incident, as stored in lists), the permission matrix — and a refused or invalid call changes
nothing."""

from __future__ import annotations

import pytest
import time_machine

from tamdesk.notifications.models import Notification
from tamdesk.sla.models import Incident, IncidentClock, IncidentEvent
from tamdesk.sla.services import NewEvent
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
WORKERS = {"admin", "administrator", "service_manager", "tam", "engineer", "lead"}
READERS = set(ACTORS) - {"anonymous", "norole"}


#: The rows a refused call must leave as they were.
SNAPSHOT = (Incident, IncidentEvent, IncidentClock, Notification)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(at(1), tick=False):
        yield


@pytest.fixture
def sla(tam_client, users):
    return policy(client=tam_client, calendar=office_calendar(), by=users.administrator)


@pytest.fixture
def web(sla, users, department):
    """An incident of ``tam_client`` in ``department`` (so its engineers and lead read it)."""
    return incident(sla[0].client, by=users.tam, department=department)


def opening(client_record, **changes) -> dict:
    data = {
        "client": client_record.pk,
        "title": "Mail relay queue growing",
        "priority": "p3",
        "source_system": "zabbix",
        "external_id": "ZBX-7",
        "opened_at": "2026-11-23T06:00:00Z",
    }
    data.update(changes)
    return data


# --- reading -------------------------------------------------------------------------------


def test_retrieve_measures_both_clocks_now(users, web):
    with time_machine.travel(at(2), tick=False):  # stored at 09:00; now 11:00 Moscow
        data = api_as(users.engineer).get(f"/api/v1/incidents/{web.pk}/").json()

    reaction = data["clocks"]["reaction"]
    assert reaction == {
        "state": "running",
        "target_seconds": 4 * HOUR,
        "elapsed_seconds": 2 * HOUR,
        "paused_seconds": 0,
        "remaining_seconds": 2 * HOUR,
        "due_at": "2026-11-23T10:00:00Z",
        "breached_at": None,
        "warn_at": [
            {"percent": 50, "at": "2026-11-23T08:00:00Z"},
            {"percent": 75, "at": "2026-11-23T09:00:00Z"},
        ],
        "measured_at": "2026-11-23T08:00:00Z",
    }
    assert data["clocks"]["resolution"]["target_seconds"] == 24 * HOUR
    assert data["policy_version"] == web.policy_version_id
    assert (data["priority"], data["status"]) == ("p3", "new")


def test_a_breach_shows_live_before_any_job_stored_it(users, web):
    with time_machine.travel(at(6.5), tick=False):
        data = api_as(users.tam).get(f"/api/v1/incidents/{web.pk}/").json()

    reaction = data["clocks"]["reaction"]
    assert reaction["state"] == "breached"
    assert reaction["breached_at"] == "2026-11-23T10:00:00Z"
    assert reaction["remaining_seconds"] == -int(1.5 * HOUR)
    assert IncidentClock.objects.get(incident=web, kind="reaction").state == "running"


def test_the_list_gives_the_clocks_as_stored(users, web):
    with time_machine.travel(at(6.5), tick=False):
        data = api_as(users.architect).get("/api/v1/incidents/").json()

    (item,) = data["results"]
    assert item["clocks"]["reaction"]["state"] == "running"  # as measured at the opening
    assert item["clocks"]["reaction"]["measured_at"] == "2026-11-23T06:00:00Z"
    assert item["clocks"]["reaction"]["elapsed_seconds"] == 0


def test_list_filters_are_the_pages(users, sla, department):
    acme = sla[0].client
    p1 = incident(acme, by=users.tam, priority="p1", department=department)
    incident(acme, by=users.tam, events=[NewEvent("resolved", at(0.5))], now=at(0.5))
    api = api_as(users.tam)

    def ids(query: str) -> set[int]:
        return {item["id"] for item in api.get(f"/api/v1/incidents/{query}").json()["results"]}

    assert ids("?priority=p1") == {p1.pk}
    assert ids(f"?department={department.pk}") == {p1.pk}
    assert ids("?is_open=true") == {p1.pk}
    assert ids("?breaching_within=1") == {p1.pk}  # reaction due 09:30, stored
    assert ids("?search=mail") == set()


def test_list_query_count_does_not_grow(users, sla, django_assert_max_num_queries):
    for number in range(30):
        incident(sla[0].client, by=users.tam, title=f"Incident {number}")

    with django_assert_max_num_queries(6):
        response = api_as(users.tam).get("/api/v1/incidents/")

    assert response.json()["count"] == 30


def test_the_timeline(users, sla):
    web = incident(
        sla[0].client,
        by=users.tam,
        events=[NewEvent("status_changed", at(0.5), "in_progress", note="Looking")],
        now=at(0.5),
    )

    data = api_as(users.programme_lead).get(f"/api/v1/incidents/{web.pk}/events/").json()

    assert [(e["seq"], e["kind"], e["from_value"], e["to_value"]) for e in data] == [
        (1, "opened", "", "new"),
        (2, "status_changed", "new", "in_progress"),
    ]
    assert data[1]["by"] == users.tam.pk and data[1]["note"] == "Looking"


# --- opening -------------------------------------------------------------------------------


def test_open_with_a_history(users, sla):
    response = api_as(users.engineer).post(
        "/api/v1/incidents/",
        opening(
            sla[0].client,
            events=[
                {"kind": "first_response", "at": "2026-11-23T06:10:00Z"},
                {"kind": "status_changed", "at": "2026-11-23T06:20:00Z", "to_value": "in_progress"},
            ],
        ),
        format="json",
    )

    assert response.status_code == 201, response.data
    created = Incident.objects.get()
    assert response.data["id"] == created.pk
    assert created.status == "in_progress" and created.first_response_at == at(1 / 6)
    assert response.data["clocks"]["reaction"]["state"] == "met"
    assert response.data["clocks"]["resolution"]["elapsed_seconds"] == HOUR
    assert created.events.count() == 3


def test_open_now_by_default(users, sla):
    data = opening(sla[0].client)
    del data["opened_at"]

    response = api_as(users.tam).post("/api/v1/incidents/", data, format="json")

    assert response.status_code == 201
    assert Incident.objects.get().opened_at == at(1)


def test_an_impossible_history_is_refused_naming_the_event(users, sla):
    errors = refused(
        api_as(users.tam),
        "post",
        "/api/v1/incidents/",
        opening(
            sla[0].client,
            events=[
                {"kind": "resolved", "at": "2026-11-23T06:30:00Z"},
                {"kind": "first_response", "at": "2026-11-23T06:20:00Z"},
            ],
        ),
        400,
        "impossible_timeline",
        models=SNAPSHOT,
    )["errors"]

    assert list(errors) == ["events[1].at"]


def test_an_opening_in_the_future_is_refused_on_opened_at(users, sla):
    errors = refused(
        api_as(users.tam),
        "post",
        "/api/v1/incidents/",
        opening(sla[0].client, opened_at="2026-11-23T09:00:00Z"),
        400,
        "impossible_timeline",
        models=SNAPSHOT,
    )["errors"]

    assert "future" in errors["opened_at"][0]


def test_a_known_external_id_is_a_409(users, sla):
    incident(sla[0].client, by=users.tam, source_system="zabbix", external_id="ZBX-7")

    errors = refused(
        api_as(users.tam),
        "post",
        "/api/v1/incidents/",
        opening(sla[0].client),
        409,
        "duplicate_incident",
        models=SNAPSHOT,
    )["errors"]

    assert "external_id" in errors


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"priority": "p9"}, "priority"),
        ({"title": ""}, "title"),
        ({"status": "resolved"}, "status"),
        ({"client": 999999}, "client"),
        ({"events": [{"kind": "opened"}]}, "events"),
        ({"events": [{"kind": "comment", "at": "noon"}]}, "events"),
    ],
)
def test_invalid_openings_are_refused(users, sla, changes, field):
    errors = refused(
        api_as(users.tam),
        "post",
        "/api/v1/incidents/",
        opening(sla[0].client, **changes),
        400,
        "invalid",
        models=SNAPSHOT,
    )["errors"]

    assert field in errors


# --- changing ------------------------------------------------------------------------------


def test_patch_the_words(users, web):
    response = api_as(users.lead).patch(
        f"/api/v1/incidents/{web.pk}/", {"title": "Web farm down"}, format="json"
    )

    assert response.status_code == 200 and response.data["title"] == "Web farm down"
    web.refresh_from_db()
    assert web.title == "Web farm down"


@pytest.mark.parametrize("field", ["status", "priority", "assignee", "opened_at", "client"])
def test_timeline_fields_are_not_patched(users, web, field):
    errors = refused(
        api_as(users.tam),
        "patch",
        f"/api/v1/incidents/{web.pk}/",
        {"title": "New", field: "p1"},
        400,
        "invalid",
        models=SNAPSHOT,
    )["errors"]

    assert "events" in errors[field][0]


def test_incidents_are_not_put_nor_deleted(users, web):
    api = api_as(users.admin)

    assert api.put(f"/api/v1/incidents/{web.pk}/", {}, format="json").status_code == 405
    assert api.delete(f"/api/v1/incidents/{web.pk}/").status_code == 405
    assert Incident.objects.filter(pk=web.pk).exists()


def test_append_one_event(users, web):
    response = api_as(users.engineer).post(
        f"/api/v1/incidents/{web.pk}/events/",
        {"kind": "status_changed", "to_value": "waiting_client", "note": "Asked for logs"},
        format="json",
    )

    assert response.status_code == 201, response.data
    assert [(e["seq"], e["kind"], e["at"]) for e in response.data] == [
        (2, "status_changed", "2026-11-23T07:00:00Z")
    ]
    web.refresh_from_db()
    assert web.status == "waiting_client"
    assert IncidentClock.objects.get(incident=web, kind="reaction").state == "paused"


def test_append_several_events(users, web, department):
    response = api_as(users.tam).post(
        f"/api/v1/incidents/{web.pk}/events/",
        [
            {"kind": "reassigned", "at": "2026-11-23T06:10:00Z", "department": department.pk},
            {"kind": "first_response", "at": "2026-11-23T06:20:00Z"},
            {"kind": "resolved", "at": "2026-11-23T06:50:00Z"},
        ],
        format="json",
    )

    assert response.status_code == 201
    assert [e["kind"] for e in response.data] == ["reassigned", "first_response", "resolved"]
    web.refresh_from_db()
    assert (web.department, web.status, web.resolved_at) == (department, "resolved", at(50 / 60))


def test_an_impossible_event_is_refused_and_nothing_stored(users, web):
    errors = refused(
        api_as(users.tam),
        "post",
        f"/api/v1/incidents/{web.pk}/events/",
        [
            {"kind": "first_response", "at": "2026-11-23T06:20:00Z"},
            {"kind": "first_response", "at": "2026-11-23T06:30:00Z"},
        ],
        400,
        "impossible_timeline",
        models=SNAPSHOT,
    )["errors"]

    assert list(errors) == ["events[1].kind"]


def test_an_event_before_the_opening_is_refused(users, web):
    errors = refused(
        api_as(users.tam),
        "post",
        f"/api/v1/incidents/{web.pk}/events/",
        {"kind": "comment", "at": "2026-11-23T05:00:00Z"},
        400,
        "impossible_timeline",
        models=SNAPSHOT,
    )["errors"]

    assert "time order" in errors["events[0].at"][0]


def test_an_invalid_event_is_refused(users, web):
    refused(
        api_as(users.tam),
        "post",
        f"/api/v1/incidents/{web.pk}/events/",
        {"kind": "exploded"},
        400,
        "invalid",
        models=SNAPSHOT,
    )


# --- the permission matrix -----------------------------------------------------------------


@pytest.mark.parametrize("actor", ACTORS)
def test_reading(users, web, actor):
    api = api_for(users, actor)
    expected = 200 if actor in READERS else 401 if actor == "anonymous" else 403

    for path in (
        "/api/v1/incidents/",
        f"/api/v1/incidents/{web.pk}/",
        f"/api/v1/incidents/{web.pk}/events/",
    ):
        assert api.get(path).status_code == expected, path


@pytest.mark.parametrize("actor", ACTORS)
def test_writing(users, sla, web, actor):
    api = api_for(users, actor)
    calls = [
        ("post", "/api/v1/incidents/", opening(sla[0].client), 201),
        ("patch", f"/api/v1/incidents/{web.pk}/", {"title": "Renamed"}, 200),
        ("post", f"/api/v1/incidents/{web.pk}/events/", {"kind": "comment", "note": "Hi"}, 201),
    ]
    for method, path, data, allowed in calls:
        if actor in WORKERS:
            response = getattr(api, method)(path, data, format="json")
            assert response.status_code == allowed, (path, response.data)
        else:
            code = "not_authenticated" if actor == "anonymous" else "permission_denied"
            refused(
                api, method, path, data, 401 if actor == "anonymous" else 403, code, models=SNAPSHOT
            )
