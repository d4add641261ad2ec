"""The pages of the time per department: the OLA targets (list, add, edit with the version it
started from, delete; bad input is a field error and stores nothing; who may do what) and the
incident page's department bar (English and Russian)."""

from __future__ import annotations

import csv
import io
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from tamdesk.core.forms import VERSION_FIELD
from tamdesk.sla.models import OLATarget
from tamdesk.sla.services import NewEvent
from tests.directory.factories import DepartmentFactory
from tests.sla.factories import HOUR, at, incident, policy
from tests.sla.reporting import NOW, build

pytestmark = pytest.mark.django_db
LIST = reverse("sla:ola_list")
CREATE = reverse("sla:ola_create")
TOKEN = re.compile(rf'name="{VERSION_FIELD}" value="([^"]+)"')


@pytest.fixture
def target(department):
    return OLATarget.objects.create(department=department, priority="p1", target_seconds=HOUR)


# --- OLA targets -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("administrator", 200),
        ("service_manager", 200),
        ("lead", 200),
        ("tam", 403),
        ("engineer", 403),
        ("norole", 403),
    ],
)
def test_who_reads_the_list(client, users, target, role, status):
    client.force_login(getattr(users, role))
    response = client.get(LIST)
    assert response.status_code == status
    if status == 200:
        assert "Network group" in response.content.decode()


def test_anonymous_is_sent_to_sign_in(client, target):
    assert client.get(LIST).status_code == 302


def test_a_service_manager_adds_edits_and_deletes(client, users, department):
    client.force_login(users.service_manager)
    data = {"department": department.pk, "priority": "p2", "target_seconds": "2:30", "note": ""}
    assert client.post(CREATE, data).status_code == 302
    made = OLATarget.objects.get()
    assert (made.department, made.priority, made.target_seconds) == (department, "p2", 9000)

    url = reverse("sla:ola_update", args=[made.pk])
    token = TOKEN.search(client.get(url).content.decode()).group(1)
    response = client.post(url, {**data, "target_seconds": "3:00", VERSION_FIELD: token})
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.target_seconds == 3 * HOUR

    assert client.post(reverse("sla:ola_delete", args=[made.pk])).status_code == 302
    assert not OLATarget.objects.exists()


@pytest.mark.parametrize("role", ["lead", "tam", "engineer"])
def test_others_change_nothing(client, users, target, department, role):
    client.force_login(getattr(users, role))
    data = {"department": department.pk, "priority": "p2", "target_seconds": "2:00"}
    assert client.post(CREATE, data).status_code == 403
    update = reverse("sla:ola_update", args=[target.pk])
    assert client.post(update, {**data, "target_seconds": "9:00"}).status_code in (403, 404)
    assert client.post(reverse("sla:ola_delete", args=[target.pk])).status_code in (403, 404)
    assert list(OLATarget.objects.values_list("priority", "target_seconds")) == [("p1", HOUR)]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"target_seconds": "0:00"}, "target_seconds", "Targets are at least one minute."),
        ({"target_seconds": "10001:00"}, "target_seconds", "Enter at most 10000:00."),
        ({"target_seconds": "soon"}, "target_seconds", "Enter the time as H:MM"),
        ({"target_seconds": ""}, "target_seconds", "This field is required."),
        ({"priority": "p9"}, "priority", "Select a valid choice."),
        ({"department": "999999"}, "department", "Select a valid choice."),
        ({"priority": "p1"}, "__all__", "already exists"),
    ],
)
def test_bad_input_is_a_field_error_and_stores_nothing(
    client, users, target, department, changes, field, message
):
    client.force_login(users.administrator)
    data = {"department": department.pk, "priority": "p2", "target_seconds": "2:00", "note": ""}
    response = client.post(CREATE, {**data, **changes})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    assert OLATarget.objects.count() == 1


def test_a_stale_edit_is_refused(client, users, target):
    client.force_login(users.administrator)
    url = reverse("sla:ola_update", args=[target.pk])
    token = TOKEN.search(client.get(url).content.decode()).group(1)
    OLATarget.objects.filter(pk=target.pk).update(target_seconds=2 * HOUR)
    data = {
        "department": target.department_id,
        "priority": "p1",
        "target_seconds": "5:00",
        VERSION_FIELD: token,
    }
    response = client.post(url, data)
    assert response.status_code == 200
    target.refresh_from_db()
    assert target.target_seconds == 2 * HOUR


# --- the incident page's bar -------------------------------------------------------------------


@pytest.fixture
def breached(tam_client, users, department):
    """P1 (resolution target 4 h, 24×7): Network 1 h, Databases 4 h, Network 30 min; breached
    while Databases held it. Databases' OLA for P1 is 2 h."""
    databases = DepartmentFactory(code="db", name="Databases")
    policy(client=tam_client, by=users.administrator)
    OLATarget.objects.create(department=databases, priority="p1", target_seconds=2 * HOUR)
    OLATarget.objects.create(department=department, priority="p1", target_seconds=2 * HOUR)
    return incident(
        tam_client,
        by=users.tam,
        priority="p1",
        department=department,
        events=[
            NewEvent("first_response", at(0.1)),
            NewEvent("reassigned", at(1), department=databases),
            NewEvent("reassigned", at(5), department=department),
            NewEvent("resolved", at(5.5)),
        ],
        now=at(6),
    )


def test_the_bar_and_its_table(client, users, breached):
    client.force_login(users.tam)
    with time_machine.travel(at(6), tick=False):
        page = client.get(breached.get_absolute_url()).content.decode()
    bar = page[
        page.index('id="department-bar"') : page.index("</svg>", page.index("department-bar"))
    ]
    # 5.5 h held in all: Network 1.5 h (two holds), Databases 4 h, of which 2 h over its target.
    assert 'x="0.00" y="0" width="272.73"' in bar
    assert 'x="272.73" y="0" width="727.27"' in bar
    assert 'x="636.36" y="0" width="363.64" height="28" fill="url(#department-over)"' in bar
    table = page[page.index('id="department-time-table"') :]
    assert "1:30" in table and "4:00" in table and "over the target" in table
    assert "within the target" in table
    breach = page[page.index('id="department-breach"') :]
    assert "Databases held the incident for the largest part" in breach
    assert "The target ran out while Databases held it." in breach


def test_the_bar_in_russian(client, users, breached):
    client.force_login(users.tam)
    with time_machine.travel(at(6), tick=False):
        response = client.get(breached.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ru")
    page = response.content.decode()
    with translation.override("ru"):  # the catalogue's words (docs: the translations JSON)
        assert gettext("Time per department") in page
        assert gettext("over the target") in page
    assert 'width="727.27"' in page  # coordinates never in the locale's format
    assert "72,7%" in page  # the share as Russian writes it


def test_no_bar_without_holds_drawn_when_nothing_is_held(client, users, tam_client):
    policy(client=tam_client, by=users.administrator)
    record = incident(tam_client, by=users.tam, now=at(0))
    client.force_login(users.tam)
    with time_machine.travel(at(0), tick=False):
        page = client.get(record.get_absolute_url()).content.decode()
    assert 'id="department-time"' in page and 'id="department-bar"' not in page
    assert "No department" in page


# --- the report page's section -----------------------------------------------------------------

REPORT = reverse("sla:report")
PERIOD = {"from": "2026-10-01", "to": "2026-11-30"}


@pytest.fixture
def made(tam_client, users):
    with time_machine.travel(NOW, tick=False):
        yield build(tam_client, users)


def test_the_report_page_shows_the_time_per_department(client, users, made):
    client.force_login(users.service_manager)
    with time_machine.travel(NOW, tick=False):
        response = client.get(REPORT, {"group_by": "priority", **PERIOD})
    held = response.context["held"]
    assert held.group_by == ["priority", "department"]
    table = response.content.decode()
    section = table[table.index('id="report-departments"') :]
    assert "Databases" in section and "Storage" in section and "No department" in section
    assert 'data-export="departments-csv"' in table


def test_the_report_page_exports_the_time_per_department(client, users, made):
    client.force_login(users.tam)
    with time_machine.travel(NOW, tick=False):
        response = client.get(REPORT, {**PERIOD, "export": "csv", "view": "departments"})
    assert response["Content-Disposition"].startswith('attachment; filename="sla-departments-')
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:2] == ["department", "incidents"]
    # The TAM's five incidents: Databases (2), Storage (1), none (2).
    assert {row[0]: row[1] for row in rows[1:]} == {
        "Databases": "2",
        "Storage": "1",
        "": "2",
        "total": "5",
    }
    with time_machine.travel(NOW, tick=False):
        xlsx = client.get(REPORT, {**PERIOD, "export": "xlsx", "view": "departments"})
    assert load_workbook(io.BytesIO(xlsx.content))["Departments"].max_row == 5
