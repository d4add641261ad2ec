"""The command with the real readers: a ServiceNow event log and a slice of the BPI 2013 log go
in through ``tamdesk import-incidents``, twice (the second run writes nothing), with the groups
the mapping names becoming departments."""

from __future__ import annotations

import gzip

import pytest
from django.core.management import call_command

from tamdesk.directory.models import Department
from tamdesk.sla.models import Incident, IncidentEvent, IncidentImport
from tests.sla.factories import office_calendar, policy
from tests.sla.imports.support import write_csv
from tests.sla.imports.test_read_bpi2013 import REAL
from tests.sla.imports.test_read_servicenow import HEADER, row
from tests.support import db_state

pytestmark = pytest.mark.django_db

BPI = REAL


@pytest.fixture
def sla(tam_client, users):
    return policy(client=tam_client, calendar=office_calendar(), by=users.administrator)


def run(path, *args):
    try:
        call_command("import-incidents", str(path), *args)
    except SystemExit as exit:  # 3: something was rejected, the rest imported
        return exit.code
    return 0


def test_a_servicenow_event_log_imports_and_a_second_run_writes_nothing(
    tmp_path, sla, tam_client, users, department
):
    group = {"assignment_group": department.code}
    rows = [
        row("INC1", "New", 0, "29/2/2016 01:16", **group),
        row("INC1", "Active", 1, "29/2/2016 01:40", assignment_group=department.code),
        row("INC1", "Awaiting User Info", 2, "29/2/2016 02:00", assignment_group=department.code),
        row("INC1", "Active", 3, "29/2/2016 03:00", assignment_group=department.code),
        row(
            "INC1",
            "Resolved",
            4,
            "29/2/2016 05:00",
            assignment_group=department.code,
            resolved_at="29/2/2016 05:00",
        ),
        row("INC2", "New", 0, "29/2/2016 04:00", opened_at="29/2/2016 04:00", **group),
    ]
    path = write_csv(tmp_path / "incidents.csv", HEADER, rows, default="?")
    args = ["--preset", "servicenow", "--client", tam_client.code, "--time-zone", "Europe/Moscow"]

    assert run(path, *args, "--by", users.service_manager.username) == 0

    first = Incident.objects.get(source_system="servicenow", external_id="INC1")
    assert first.client == tam_client
    assert first.status == "resolved"
    kinds = list(first.events.order_by("seq").values_list("kind", flat=True))
    assert kinds[0] == "opened" and "resolved" in kinds
    assert Incident.objects.filter(source_system="servicenow").count() == 2
    before = db_state(Incident, IncidentEvent)

    assert run(path, *args, "--by", users.service_manager.username) == 0

    assert db_state(Incident, IncidentEvent) == before
    assert IncidentImport.objects.count() == 2


@pytest.mark.skipif(not BPI.exists(), reason="the BPI 2013 log is not on this machine")
def test_a_slice_of_bpi_2013_imports_with_its_support_teams_as_departments(
    tmp_path, tam_client, users
):
    with gzip.open(BPI, "rt", encoding="utf-8-sig") as source:
        lines = [next(source) for _ in range(400)]
    numbers = {line.split(",", 1)[0] for line in lines[1:]}
    last = lines[-1].split(",", 1)[0]
    kept = [lines[0], *(line for line in lines[1:] if line.split(",", 1)[0] != last)]
    path = tmp_path / "slice.csv"
    path.write_text("".join(kept), encoding="utf-8")

    code = run(
        path, "--preset", "bpi2013", "--client", tam_client.code, "--by", users.admin.username
    )

    imported = Incident.objects.filter(source_system="bpi2013")
    assert code in (0, 3)
    outcome = IncidentImport.objects.get().outcome
    assert imported.count() + outcome["rejected"] == len(numbers) - 1
    assert imported.count() > 0
    assert Department.objects.count() > 1  # the support teams, created as the mapping says
    before = db_state(Incident, IncidentEvent)

    run(path, "--preset", "bpi2013", "--client", tam_client.code, "--by", users.admin.username)

    assert db_state(Incident, IncidentEvent) == before
