"""Time per department in the API: ``GET /api/v1/sla-report/departments/`` (shape, agreement
with the report, read scoping, the permission matrix, refused parameters) and the incident's
``holds``; the CLI's ``--view departments``."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
import time_machine
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator

from tamdesk.sla import department_report
from tamdesk.sla.models import Incident, IncidentHold, OLATarget
from tests.sla.factories import HOUR
from tests.sla.reporting import NOW, build, t
from tests.support import api_for, refused

pytestmark = pytest.mark.django_db
URL = "/api/v1/sla-report/departments/"
PERIOD = {"from": "2026-10-01", "to": "2026-11-30"}


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def made(tam_client, users):
    made = build(tam_client, users)
    OLATarget.objects.create(department=made.db, priority="p1", target_seconds=4 * HOUR)
    return made


def test_rows_and_totals_agree_with_the_report(made, users, settings):
    settings.TIME_ZONE = "Europe/Moscow"
    response = api_for(users, "service_manager").get(URL, {"group_by": "priority", **PERIOD})

    assert response.status_code == 200
    data = response.json()
    assert data["group_by"] == ["priority", "department"]
    expected = department_report.report(
        Incident.objects.all(),
        group_by=["priority"],
        start=dt.date(2026, 10, 1),
        end=dt.date(2026, 11, 30),
        time_zone="Europe/Moscow",
    )
    assert data["rows"] == json.loads(
        json.dumps([department_report.row_data(r, expected.group_by) for r in expected.rows])
    )
    databases = next(
        r
        for r in data["rows"]
        if r["department"]
        and r["department"]["id"] == made.db.pk
        and r["priority"]["value"] == "p1"
    )
    # a1 3 h, a2 5 h, b1 2 h against 4 h: two met, one breached.
    assert databases["incidents"] == 3 and databases["held_seconds"] == 10 * HOUR
    assert databases["ola"] == {
        "met": 2,
        "breached": 1,
        "running": 0,
        "compliance_percent": 66.67,
    }
    assert data["totals"]["incidents"] == sum(r["incidents"] for r in data["rows"]) == 7
    assert data["totals"]["ola"]["met"] == 2


def test_the_department_filter_keeps_its_holds(made, users):
    data = api_for(users, "service_manager").get(URL, {"department": made.db.pk, **PERIOD}).json()
    assert [r["department"]["name"] for r in data["rows"]] == ["Databases"]


@pytest.mark.parametrize(
    ("actor", "status", "incidents"),
    [
        ("anonymous", 401, None),
        ("norole", 403, None),
        ("tam", 200, 5),
        ("other_tam", 200, 0),
        ("service_manager", 200, 7),
    ],
)
def test_permission_and_read_scoping(made, users, actor, status, incidents):
    response = api_for(users, actor).get(URL, PERIOD)
    assert response.status_code == status
    if status == 200:
        # Every incident of the build is held by one department (or none) from start to end.
        assert response.json()["totals"]["incidents"] == incidents


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"group_by": "client,week"}, "group_by"),
        ({"from": "1969-12-31"}, "from"),
        ({"from": "2026-12-01", "to": "2026-11-01"}, "to"),
        ({"priority": "p9"}, "priority"),
        ({"client": "acme"}, "client"),
        ({"department": "0"}, "department"),
        ({"department": str(2**63)}, "department"),
    ],
)
def test_bad_parameters_are_refused_with_the_field(made, users, params, field):
    api = api_for(users, "service_manager")
    body = refused(api, "get", URL, params, 400, "invalid", models=(Incident, IncidentHold))
    assert list(body["errors"]) == [field]


def test_query_budget(made, users, django_assert_max_num_queries):
    api = api_for(users, "tam")
    with django_assert_max_num_queries(7):
        assert api.get(URL, {"group_by": "client,priority,month", **PERIOD}).status_code == 200


def test_schema_documents_it():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/sla-report/departments/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"group_by", "department"}


def test_an_incident_shows_its_holds(made, users):
    api = api_for(users, "tam")
    opened = t(2026, 11, 20, 8)
    response = api.post(
        "/api/v1/incidents/",
        {
            "client": made.a1.client_id,
            "title": "Payments slow",
            "priority": "p2",
            "department": made.db.pk,
            "opened_at": opened.isoformat(),
            "events": [
                {
                    "kind": "reassigned",
                    "at": t(2026, 11, 20, 10).isoformat(),
                    "department": made.storage.pk,
                }
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    holds = response.json()["holds"]
    assert [(h["department"], h["working_seconds"], h["ended_at"] is None) for h in holds] == [
        (made.db.pk, 2 * HOUR, False),
        (made.storage.pk, 2 * HOUR, True),  # measured at now (12:00)
    ]
    listed = api.get("/api/v1/incidents/", {"page_size": 50}).json()["results"]
    stored = next(i for i in listed if i["id"] == response.json()["id"])
    assert stored["holds"] == holds


def test_cli_view_departments(made, tmp_path):
    out = io.StringIO()
    call_command(
        "sla",
        "report",
        "--view",
        "departments",
        "--group-by",
        "client",
        "--from",
        "2026-10-01",
        "--to",
        "2026-11-30",
        "--time-zone",
        "Europe/Moscow",
        stdout=out,
    )
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0])[:3] == ["client", "department", "incidents"]
    assert rows[-1]["client"] == "total"
    target = tmp_path / "held.json"
    call_command(
        "sla", "report", "--view", "departments", "--format", "json", "--output", str(target)
    )
    document = json.loads(target.read_text())
    assert document["group_by"] == ["department"] and document["totals"]["incidents"] == 7
    xlsx = tmp_path / "held.xlsx"
    call_command(
        "sla", "report", "--view", "departments", "--format", "xlsx", "--output", str(xlsx)
    )
    assert xlsx.stat().st_size > 0
