"""``GET /api/v1/sla-report/`` and ``/violations/``: shape, read scoping, the permission
matrix, refused parameters (400 ``invalid`` naming the field) and the schema."""

from __future__ import annotations

import pytest
import time_machine
from drf_spectacular.generators import SchemaGenerator

from tamdesk.sla.models import Incident, IncidentClock
from tests.sla.reporting import NOW, build
from tests.support import api_for, refused

pytestmark = pytest.mark.django_db
URL = "/api/v1/sla-report/"
PERIOD = {"from": "2026-10-01", "to": "2026-11-30"}


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def made(tam_client, users):
    return build(tam_client, users)


def test_rows_totals_and_violations_link(made, users, tam_client, settings):
    settings.TIME_ZONE = "Europe/Moscow"  # the service manager reads the instance's zone
    response = api_for(users, "service_manager").get(URL, {"group_by": "month,client", **PERIOD})

    assert response.status_code == 200
    data = response.json()
    assert data["group_by"] == ["client", "month"]
    assert (data["from"], data["to"]) == ("2026-10-01", "2026-11-30")
    assert data["time_zone"] == "Europe/Moscow"
    assert [(r["client"]["name"], r["month"], r["incidents"]) for r in data["rows"]] == [
        ("Acme Retail", "2026-10", 2),
        ("Acme Retail", "2026-11", 3),  # a3: 23:30 UTC on 31 October is November in Moscow
        ("Beta Bank", "2026-10", 1),
        ("Beta Bank", "2026-11", 1),
    ]
    assert set(data["rows"][0]) == {"client", "month", "incidents", "reaction", "resolution"}
    assert data["totals"]["incidents"] == 7
    assert data["totals"]["reaction"] == {
        "met": 3,
        "breached": 3,
        "running": 1,
        "compliance_percent": 50.0,
        "median_seconds": 1800.0,
        "p90_seconds": 12240.0,
        "paused_seconds": 0,
    }
    assert data["violations_url"] == (
        "http://testserver/api/v1/sla-report/violations/?from=2026-10-01&to=2026-11-30"
    )


def test_keys_priority_and_department(made, users):
    data = api_for(users, "admin").get(URL, {"group_by": "priority,department", **PERIOD}).json()

    assert [(r["priority"], r["department"]) for r in data["rows"]][:2] == [
        ({"value": "p1", "label": "P1 — critical"}, {"id": made.db.pk, "name": "Databases"}),
        ({"value": "p3", "label": "P3 — medium"}, None),
    ]


def test_filters(made, users, tam_client):
    api = api_for(users, "service_manager")
    data = api.get(URL, {"client": tam_client.pk, "priority": "p1", **PERIOD}).json()
    # Grouped by nothing: one row, the totals.
    assert [r["incidents"] for r in data["rows"]] == [data["totals"]["incidents"]] == [2]
    data = api.get(URL, {"department": made.storage.pk, **PERIOD}).json()
    assert data["totals"]["incidents"] == 2


def test_default_period_is_the_last_twelve_months(made, users):
    data = api_for(users, "service_manager").get(URL).json()
    assert (data["from"], data["to"]) == ("2025-12-01", "2026-11-20")
    assert data["totals"]["incidents"] == 7


@pytest.mark.parametrize(
    ("actor", "status", "incidents"),
    [
        ("anonymous", 401, None),
        ("norole", 403, None),
        ("tam", 200, 5),
        ("other_tam", 200, 0),
        ("engineer", 200, 0),
        ("service_manager", 200, 7),
        ("administrator", 200, 7),
        ("programme_lead", 200, 7),
    ],
)
def test_permission_and_read_scoping(made, users, actor, status, incidents):
    api = api_for(users, actor)
    response = api.get(URL, PERIOD)
    assert response.status_code == status
    violations = api.get(URL + "violations/", PERIOD)
    assert violations.status_code == status
    if status == 200:
        assert response.json()["totals"]["incidents"] == incidents
        assert violations.json()["count"] == {7: 5, 5: 4, 0: 0}[incidents]


def test_violations_are_paginated_with_links(made, users):
    api = api_for(users, "service_manager")
    page = api.get(URL + "violations/", {**PERIOD, "page_size": 2}).json()

    assert page["count"] == 5
    assert len(page["results"]) == 2
    first = page["results"][0]
    assert set(first) == {
        "incident",
        "title",
        "client",
        "priority",
        "kind",
        "target_seconds",
        "due_at",
        "breached_by_seconds",
        "url",
    }
    assert first["url"] == f"/sla/incidents/{first['incident']}/"
    assert page["next"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"group_by": "client,week"}, "group_by"),
        ({"from": "1969-12-31"}, "from"),
        ({"to": "2201-01-01"}, "to"),
        ({"from": "2026-12-01", "to": "2026-11-01"}, "to"),
        ({"from": "yesterday"}, "from"),
        ({"priority": "p9"}, "priority"),
        ({"client": "acme"}, "client"),
        ({"department": "0"}, "department"),
    ],
)
def test_bad_parameters_are_refused_with_the_field(made, users, params, field):
    api = api_for(users, "service_manager")
    for path in (URL, URL + "violations/"):
        if field == "group_by" and path != URL:
            continue
        body = refused(api, "get", path, params, 400, "invalid", models=(Incident, IncidentClock))
        assert list(body["errors"]) == [field]


def test_query_budget(made, users, django_assert_max_num_queries):
    api = api_for(users, "tam")
    # Session-free client: the roles (1), incidents, clocks, client and department names.
    with django_assert_max_num_queries(6):
        assert (
            api.get(URL, {"group_by": "client,priority,department,month", **PERIOD}).status_code
            == 200
        )
    with django_assert_max_num_queries(4):
        assert api.get(URL + "violations/", PERIOD).status_code == 200


def test_schema_documents_the_report():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    report = schema["paths"]["/api/v1/sla-report/"]["get"]
    assert {p["name"] for p in report["parameters"]} == {
        "group_by",
        "from",
        "to",
        "client",
        "priority",
        "department",
    }
    assert {"200", "400", "401", "403"} <= set(report["responses"])
    violations = schema["paths"]["/api/v1/sla-report/violations/"]["get"]
    assert {"page", "page_size", "from"} <= {p["name"] for p in violations["parameters"]}
    ref = violations["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("PaginatedViolationList")
