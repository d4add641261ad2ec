"""Import runs: the job with its progress, resuming, the command, and who reads which runs."""

from __future__ import annotations

import unittest.mock
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from tamdesk.core.models import JobRun
from tamdesk.sla import tasks
from tamdesk.sla.imports import runs
from tamdesk.sla.imports.records import ReadResult, Reject
from tamdesk.sla.models import Incident, IncidentImport
from tests.sla.imports.test_writer import h, result, source
from tests.support import db_state


def fake_reader(read: ReadResult, calls: list | None = None):
    def read_file(path, *, time_zone, mapping, client):
        if calls is not None:
            calls.append((str(path), time_zone, mapping, client))
        return read

    return read_file


@pytest.fixture
def sla(tam_client, users):
    from tests.sla.factories import office_calendar, policy

    return policy(client=tam_client, calendar=office_calendar(), by=users.administrator)


@pytest.fixture
def export(tmp_path):
    path = tmp_path / "incidents.csv"
    path.write_text("number,...\n")
    return path


def started(users, export, **kwargs) -> IncidentImport:
    return runs.start_import(
        by=kwargs.pop("by", users.service_manager),
        preset="servicenow",
        file_name=export.name,
        options={"path": str(export), "time_zone": "Europe/Moscow", **kwargs},
    )


def test_the_job_runs_the_import_and_saves_its_progress(sla, users, export, monkeypatch):
    read = result(*(source(f"INC{n}", line=10 * n) for n in range(1, 6)))
    calls = []
    monkeypatch.setattr(runs, "reader_for", lambda preset, *_: fake_reader(read, calls))
    row = started(users, export)
    tasks.import_incidents(row.pk)
    row.refresh_from_db()
    assert row.status == "done" and row.incidents_total == 5 and row.incidents_done == 5
    assert row.source_system == "servicenow" and row.rows_read == 25
    assert calls == [(str(export), "Europe/Moscow", None, "")]
    assert row.outcome["created"] == 5 and row.outcome["rejects"] == []
    assert JobRun.objects.get(name="sla.import_incidents").outcome == "succeeded"


def test_progress_is_reported_every_n_incidents(sla, users, export):
    read = result(*(source(f"INC{n}", line=10 * n) for n in range(1, 6)))
    row = started(users, export)
    seen = []
    from tamdesk.sla.imports import writer

    original = writer.write

    def spying_write(*args, **kwargs):
        progress = kwargs["progress"]

        def wrapped(done, outcome):
            progress(done, outcome)
            seen.append(IncidentImport.objects.get(pk=row.pk).incidents_done)

        kwargs["progress"] = wrapped
        return original(*args, **kwargs)

    with unittest.mock.patch.object(writer, "write", spying_write):
        runs.run_import(row.pk, read=fake_reader(read), progress_every=2)
    assert seen == [2, 4, 5]  # saved on the row every 2 incidents and at the end


def test_a_failed_import_is_marked_and_a_rerun_resumes(sla, users, export, monkeypatch):
    from tamdesk.sla import services

    read = result(*(source(f"INC{n}", line=10 * n) for n in range(1, 5)))
    row = started(users, export)
    real = services.open_incident
    calls = []

    def dying(**kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("worker killed")
        return real(**kwargs)

    monkeypatch.setattr(services, "open_incident", dying)
    with pytest.raises(RuntimeError):
        runs.run_import(row.pk, read=fake_reader(read))
    row.refresh_from_db()
    assert row.status == "failed" and "worker killed" in row.error
    assert Incident.objects.count() == 2
    monkeypatch.setattr(services, "open_incident", real)
    runs.run_import(row.pk, read=fake_reader(read))
    row.refresh_from_db()
    assert row.status == "done" and row.error == ""
    assert (row.outcome["created"], row.outcome["unchanged"]) == (2, 2)
    assert Incident.objects.count() == 4


def test_a_done_import_is_not_run_again(sla, users, export):
    row = started(users, export)
    runs.run_import(row.pk, read=fake_reader(result(source("INC1"))))
    before = db_state(IncidentImport, Incident)
    runs.run_import(row.pk, read=fake_reader(result(source("INC2"))))
    assert db_state(IncidentImport, Incident) == before


def test_the_stored_outcome_caps_its_lists(sla, users, export, monkeypatch):
    from tamdesk.sla.imports import writer

    monkeypatch.setattr(writer, "MAX_LISTED", 3)
    rejects = [Reject(n, "opened_at", "Not a date", f"X{n}") for n in range(1, 11)]
    row = started(users, export)
    read = result(rejects=rejects)
    outcome = writer.write(read, resolver=runs.resolver_for(row), by=users.service_manager)
    data = outcome.as_json(limit=3)
    assert data["rejects_total"] == 10 and [r["line"] for r in data["rejects"]] == [1, 2, 3]


# --- the command -------------------------------------------------------------------------------


def test_the_command_imports_prints_the_summary_and_writes_the_rejects(
    sla, users, export, monkeypatch
):
    bad = Reject(4, "opened_at", "Not a date: 31/31/2016", "INC4")
    read = result(source("INC1"), source("INC2", line=10), rejects=[bad])
    calls = []
    monkeypatch.setattr(runs, "reader_for", lambda preset, *_: fake_reader(read, calls))
    out = StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command(
            "import-incidents",
            str(export),
            "--preset",
            "servicenow",
            "--time-zone",
            "Europe/Moscow",
            "--by",
            "service_manager",
            stdout=out,
        )
    assert exit_.value.code == 3
    text = out.getvalue()
    assert "Created 2, updated 0, unchanged 0, rejected 0." in text
    assert "Events 8: pauses 2, reassignments 0, reopenings 0." in text
    rejects = export.with_name("incidents.csv.rejects.csv").read_text().splitlines()
    assert rejects == ["line,column,external_id,reason", "4,opened_at,INC4,Not a date: 31/31/2016"]
    row = IncidentImport.objects.get()
    assert (row.created_by, row.status, row.preset) == (users.service_manager, "done", "servicenow")


def test_the_command_exits_zero_when_nothing_is_rejected_and_dry_run_writes_nothing(
    sla, users, export, monkeypatch
):
    read = result(source("INC1"))
    monkeypatch.setattr(runs, "reader_for", lambda preset, *_: fake_reader(read))
    out = StringIO()
    before = db_state(Incident)
    call_command(
        "import-incidents", str(export), "--preset", "jira", "--dry-run", "--by", "tam", stdout=out
    )
    assert "dry run, nothing written" in out.getvalue()
    assert "Created 1," in out.getvalue()
    assert db_state(Incident) == before
    call_command("import-incidents", str(export), "--preset", "jira", "--by", "tam", stdout=out)
    assert Incident.objects.get().opened_at == h(0)


def test_the_command_refuses_a_missing_file_and_an_unknown_user(users, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("import-incidents", str(tmp_path / "none.csv"), "--preset", "jira")
    (tmp_path / "x.csv").write_text("")
    with pytest.raises(CommandError):
        call_command("import-incidents", str(tmp_path / "x.csv"), "--preset", "jira", "--by", "x")


# --- permissions and read scoping -------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "may"),
    [
        ("admin", True),
        ("administrator", True),
        ("service_manager", True),
        ("tam", True),
        ("engineer", False),
        ("lead", False),
        ("architect", False),
        ("programme_lead", False),
        ("norole", False),
    ],
)
def test_who_may_import(users, actor, may):
    assert getattr(users, actor).has_perm("sla.add_incidentimport") is may


def test_imports_are_read_by_their_importer_and_by_administrators_and_service_managers(
    users, export
):
    mine = started(users, export, by=users.tam)
    theirs = started(users, export, by=users.other_tam)
    managers = started(users, export, by=users.service_manager)
    every = {mine.pk, theirs.pk, managers.pk}

    def visible(user):
        return set(IncidentImport.objects.visible_to(user).values_list("pk", flat=True))

    assert visible(users.tam) == {mine.pk}
    assert visible(users.other_tam) == {theirs.pk}
    assert visible(users.administrator) == visible(users.admin) == every
    assert visible(users.service_manager) == every
    assert visible(users.engineer) == set()
    assert visible(users.norole) == set()


def test_the_job_reads_an_uploaded_file(sla, users, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    calls = []
    monkeypatch.setattr(
        runs, "reader_for", lambda preset, *_: fake_reader(result(source("U1")), calls)
    )
    row = runs.start_import(
        by=users.tam,
        preset="jira",
        file_name="export.csv",
        upload=SimpleUploadedFile("export.csv", b"Issue key\nU1\n"),
        options={"client": "ACME"},
    )
    tasks.import_incidents(row.pk)
    row.refresh_from_db()
    assert row.status == "done" and Incident.objects.get().external_id == "U1"
    path = calls[0][0]
    assert path == row.upload.path
    assert Path(path).read_bytes() == b"Issue key\nU1\n"
    assert calls[0][3] == "ACME"
