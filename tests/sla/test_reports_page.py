"""The SLA report page (``sla:report``): the grouped table and totals, the chart, the violations
with links, the exports, read scoping, refused filters, the links into it."""

from __future__ import annotations

import csv
import io

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from tests.sla.reporting import NOW, build

pytestmark = pytest.mark.django_db
URL = reverse("sla:report")
PERIOD = {"from": "2026-10-01", "to": "2026-11-30"}


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def made(tam_client, users):
    return build(tam_client, users)


def test_table_chart_and_violations(client, users, made, settings):
    settings.TIME_ZONE = "Europe/Moscow"
    client.force_login(users.service_manager)
    response = client.get(URL, {"group_by": ["client", "month"], **PERIOD})

    assert response.status_code == 200
    content = response.content.decode()
    table = content[content.index('id="report-table"') : content.index("</table>")]
    assert table.count("<tr>") == 2 + 4 + 1  # two header rows, four groups, the totals
    assert "Beta Bank" in table and "2026-11" in table
    chart = content[content.index('id="report-chart"') : content.index("</svg>")]
    assert chart.count('data-kind="reaction"') == 2  # October and November
    violations = content[content.index('id="report-violations"') :]
    assert violations.count("/sla/incidents/") == 5
    assert f'href="/sla/incidents/{made.a2.pk}/"' in violations
    assert "?group_by=client&amp;group_by=month&amp;from=2026-10-01" in content  # exports


def test_chart_coordinates_are_not_localised(client, users, made):
    client.cookies["django_language"] = "ru"
    client.force_login(users.service_manager)
    content = client.get(URL, {"group_by": "month", **PERIOD}, HTTP_ACCEPT_LANGUAGE="ru").content
    chart = content.decode()[content.decode().index('id="report-chart"') :]
    chart = chart[: chart.index("</svg>")]
    assert 'y="' in chart and "," not in chart.split("<title>")[0]


@pytest.mark.parametrize(("who", "incidents"), [("tam", "5"), ("other_tam", "0"), ("admin", "7")])
def test_scoped_to_the_reader(client, users, made, who, incidents):
    client.force_login(getattr(users, who))
    response = client.get(URL, {**PERIOD, "export": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["incidents"] for r in rows] == [incidents]


def test_exports(client, users, made):
    client.force_login(users.service_manager)
    response = client.get(URL, {"group_by": "priority", **PERIOD, "export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert "sla-report-20261001-20261130.csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["priority"], r["incidents"]) for r in rows] == [
        ("p1", "3"),
        ("p3", "4"),
        ("total", "7"),
    ]

    response = client.get(URL, {"group_by": "priority", **PERIOD, "export": "xlsx"})
    book = load_workbook(io.BytesIO(response.content))
    assert [row[:2] for row in book["Compliance"].values][1:] == [
        ("p1", 3),
        ("p3", 4),
        ("total", 7),
    ]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-12-01", "to": "2026-11-01"}, "to"),
        ({"from": "1900-01-01"}, "from"),
        ({"group_by": "week"}, "group_by"),
        ({"priority": "p9"}, "priority"),
    ],
)
def test_bad_filters_show_the_field_error(client, users, made, params, field):
    client.force_login(users.service_manager)
    response = client.get(URL, params)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert 'id="report-table"' not in response.content.decode()


def test_permission(client, users, made):
    assert client.get(URL).status_code == 302  # to the login page
    client.force_login(users.norole)
    assert client.get(URL).status_code == 403


def test_query_budget(client, users, made, django_assert_max_num_queries):
    client.force_login(users.tam)
    client.get(URL, PERIOD)  # warm the session and the caches
    with django_assert_max_num_queries(20):
        client.get(URL, {"group_by": ["client", "priority", "department", "month"], **PERIOD})


def test_linked_from_the_sidebar_and_the_client_page(client, users, made, tam_client):
    client.force_login(users.tam)
    content = client.get(tam_client.get_absolute_url()).content.decode()
    assert f'href="{URL}?client={tam_client.pk}"' in content
    assert f'href="{URL}"' in content  # the sidebar
