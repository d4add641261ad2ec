"""Incident imports from the UI: upload → preview → start → the job → the result page and the
rejects CSV; every refused upload (a field error, nothing kept); cancelling; resuming a failed
import; who may import into which client and who reads which import."""

from __future__ import annotations

import gzip

import pytest
from django.urls import reverse

from tamdesk.directory.models import Client
from tamdesk.sla.imports import preview, runs
from tamdesk.sla.models import Incident, IncidentImport
from tests.directory.factories import ClientFactory
from tests.sla.factories import office_calendar, policy
from tests.sla.imports.upload_support import (
    HEADER,
    csv_bytes,
    export_file,
    mapping_file,
    nothing_written,
    rows,
    stored_files,
)

pytestmark = pytest.mark.django_db

CREATE = reverse("sla:import_create")


@pytest.fixture
def sla(tam_client, users):
    return policy(client=tam_client, calendar=office_calendar(), by=users.administrator)


@pytest.fixture
def media(settings):
    return settings.MEDIA_ROOT


def form(**changes) -> dict:
    data = {
        "file": export_file(),
        "preset": "generic",
        "mapping": mapping_file(),
        "time_zone": "",
        "unknown_clients": "",
        "unknown_groups": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def upload(web, user, **changes):
    web.force_login(user)
    return web.post(CREATE, form(**changes))


def test_upload_preview_start_run_and_result(
    client, users, sla, tam_client, department, media, django_capture_on_commit_callbacks
):
    response = upload(client, users.service_manager)

    row = IncidentImport.objects.get()
    assert response.status_code == 302 and response.url == row.get_absolute_url()
    assert row.status == "queued" and row.options["awaiting_start"] is True
    assert not Incident.objects.exists()

    page = client.get(row.get_absolute_url())
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="preview-rows"' in html and "Disk full" in html
    context = page.context
    shown = context["preview"]
    assert shown.head.columns == HEADER and len(shown.head.rows) == 4
    assert [i.external_id for i in shown.incidents] == ["T-1", "T-2", "T-3"]
    names = {(n.kind, n.name): n.state for n in shown.names}
    assert names == {
        ("client", "ACME"): "found",
        ("client", "Nobody Ltd"): "refused",
        ("group", "network"): "found",
    }
    assert {(r.line, r.column) for r in shown.rejects} == {(3, "client"), (4, "Prio")}
    assert not Incident.objects.exists() and Client.objects.count() == 1  # nothing written

    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(reverse("sla:import_start", args=[row.pk]))
    assert started.status_code == 302

    row.refresh_from_db()
    assert row.status == "done" and row.incidents_done == row.incidents_total == 3
    assert set(Incident.objects.values_list("external_id", flat=True)) == {"T-1", "T-2"}
    page = client.get(row.get_absolute_url())
    assert page.context["outcome"].created == 2 and page.context["rejects_total"] == 2
    assert 'id="import-progress"' not in page.content.decode()
    rejects = client.get(reverse("sla:import_rejects", args=[row.pk]))
    assert rejects["Content-Type"].startswith("text/csv")
    lines = rejects.content.decode().splitlines()
    assert lines[0] == "line,column,external_id,reason" and len(lines) == 3
    assert lines[1].startswith("3,client,T-3,") and lines[2].startswith("4,Prio,T-4,")

    # the polled progress of an ended import reloads the page
    polled = client.get(row.get_absolute_url(), headers={"HX-Request": "true"})
    assert polled.status_code in (200, 286) and polled.headers.get("HX-Refresh") == "true"


def test_a_queued_import_polls_its_progress(client, users, sla, media):
    upload(client, users.service_manager)
    row = IncidentImport.objects.get()
    row.options = {k: v for k, v in row.options.items() if k != "awaiting_start"}
    row.incidents_total, row.incidents_done, row.status = 10, 4, "running"
    row.save()
    page = client.get(row.get_absolute_url())
    assert 'hx-trigger="every 2s"' in page.content.decode()
    fragment = client.get(row.get_absolute_url(), headers={"HX-Request": "true"})
    html = fragment.content.decode()
    assert 'max="10"' in html and 'value="4"' in html and "<html" not in html


def test_cancel_deletes_the_row_and_its_files(
    client, users, sla, media, django_capture_on_commit_callbacks
):
    upload(client, users.service_manager)
    row = IncidentImport.objects.get()
    assert len(stored_files(media)) == 2  # the export and its mapping
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("sla:import_cancel", args=[row.pk]))
    assert response.status_code == 302 and response.url == reverse("sla:import_list")
    assert not IncidentImport.objects.exists() and stored_files(media) == []


def test_a_started_import_cannot_be_started_or_cancelled_again(
    client, users, sla, media, django_capture_on_commit_callbacks
):
    upload(client, users.service_manager)
    row = IncidentImport.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("sla:import_start", args=[row.pk]))
    before = nothing_written()
    client.post(reverse("sla:import_start", args=[row.pk]))
    client.post(reverse("sla:import_cancel", args=[row.pk]))
    assert nothing_written() == before


def test_a_failed_import_shows_its_error_and_resumes(
    client, users, sla, media, monkeypatch, django_capture_on_commit_callbacks
):
    upload(client, users.service_manager)
    row = IncidentImport.objects.get()
    real = runs.reader_for

    def broken(*args):
        def read(*a, **k):
            raise OSError("disk gone")

        return read

    monkeypatch.setattr(runs, "reader_for", broken)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("sla:import_start", args=[row.pk]))
    row.refresh_from_db()
    assert row.status == "failed" and "disk gone" in row.error
    page = client.get(row.get_absolute_url()).content.decode()
    assert 'id="import-error"' in page and 'id="import-resume"' in page

    monkeypatch.setattr(runs, "reader_for", real)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("sla:import_resume", args=[row.pk]))
    row.refresh_from_db()
    assert row.status == "done" and Incident.objects.count() == 2


# --- refused uploads: a field error, nothing kept ----------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"file": export_file(b"\x00\xff\xfe garbage", name="x.csv")}, "file"),
        ({"file": export_file(name="tickets.pdf")}, "file"),
        ({"file": export_file(b"", name="empty.csv")}, "file"),
        ({"file": export_file(csv_bytes(rows(), header=["a", "b"]))}, "file"),
        ({"preset": "servicenow"}, "file"),  # the columns ServiceNow writes are missing
        ({"preset": "nosuch"}, "preset"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"mapping": mapping_file(b"shape = [unclosed")}, "mapping"),
        ({"mapping": mapping_file(b'colour = "red"')}, "mapping"),
        ({"mapping": mapping_file(b"{}", name="mapping.yaml")}, "mapping"),
        ({"mapping": None}, "mapping"),  # generic needs a mapping
        ({"unknown_clients": "map"}, "client_fallback"),
        ({"unknown_clients": "bogus"}, "unknown_clients"),
        ({"file": None}, "file"),
    ],
)
def test_a_refused_upload_is_a_field_error_and_keeps_nothing(
    client, users, sla, media, changes, field
):
    before = nothing_written()
    response = upload(client, users.service_manager, **changes)
    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors
    assert nothing_written() == before and stored_files(media) == []


def test_a_file_over_the_limit_is_refused(client, users, sla, media, settings):
    settings.IMPORT_MAX_BYTES = 100
    response = upload(client, users.service_manager)
    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    assert not IncidentImport.objects.exists() and stored_files(media) == []


def test_a_body_declared_far_over_the_limit_is_refused_before_it_is_read(
    client, users, sla, settings
):
    settings.IMPORT_MAX_BYTES = 10
    client.force_login(users.service_manager)
    response = client.post(CREATE, form(), CONTENT_LENGTH=str(50 * 1024 * 1024))
    assert response.status_code == 413
    assert "file" in response.context["form"].errors
    assert not IncidentImport.objects.exists()


def test_the_preview_reads_the_head_of_a_big_file_only(client, users, sla, media, monkeypatch):
    body = [[f"T-{n}", "x", "ACME", "1", "open", "01.06.2026 09:00", "", ""] for n in range(5000)]
    data = gzip.compress(csv_bytes(body))
    monkeypatch.setattr(preview, "READ_ROWS", 50)
    upload(client, users.service_manager, file=export_file(data, name="big.csv.gz"))
    row = IncidentImport.objects.get()
    shown = client.get(row.get_absolute_url()).context["preview"]
    assert shown.head.rows_read == 50 and not shown.head.is_whole
    assert len(shown.head.rows) == preview.PREVIEW_ROWS
    assert shown.incidents_built == 50 and len(shown.incidents) == preview.INCIDENTS_SHOWN


# --- who may import into which client, who reads which import ----------------------------------


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("admin", 200),
        ("administrator", 200),
        ("service_manager", 200),
        ("tam", 200),
        ("engineer", 403),
        ("lead", 403),
        ("norole", 403),
    ],
)
def test_who_may_open_the_new_import_page(client, users, username, status):
    client.force_login(getattr(users, username))
    assert client.get(CREATE).status_code == status
    assert client.get(reverse("sla:import_list")).status_code == (
        403 if username == "norole" else 200
    )


def test_an_engineer_cannot_upload(client, users, sla, media):
    before = nothing_written()
    assert upload(client, users.engineer).status_code == 403
    assert nothing_written() == before and stored_files(media) == []


def test_a_tam_chooses_among_their_clients_only(client, users, tam_client, sla, media):
    other = ClientFactory(name="Globex", code="GLOBEX")
    client.force_login(users.tam)
    choices = client.get(CREATE).context["form"].fields["client"].queryset
    assert list(choices) == [tam_client]
    create_choices = dict(client.get(CREATE).context["form"].fields["unknown_clients"].choices)
    assert "create" not in create_choices
    before = nothing_written()
    response = upload(client, users.tam, client=str(other.pk))
    assert "client" in response.context["form"].errors
    assert nothing_written() == before


def test_a_tams_import_writes_into_their_clients_only(
    client, users, tam_client, sla, media, django_capture_on_commit_callbacks
):
    other = ClientFactory(name="Globex", code="GLOBEX")
    data = csv_bytes(
        [
            ["T-1", "Mine", "ACME", "1", "open", "01.06.2026 09:00", "", ""],
            ["T-2", "Theirs", "GLOBEX", "1", "open", "01.06.2026 09:00", "", ""],
        ]
    )
    upload(client, users.tam, file=export_file(data))
    row = IncidentImport.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("sla:import_start", args=[row.pk]))
    row.refresh_from_db()
    assert row.status == "done"
    assert list(Incident.objects.values_list("external_id", "client")) == [("T-1", tam_client.pk)]
    assert not Incident.objects.filter(client=other).exists()
    assert [r["column"] for r in row.outcome["rejects"]] == ["client"]


def test_reads_are_scoped(client, users, sla, media):
    upload(client, users.tam)
    row = IncidentImport.objects.get()
    url = row.get_absolute_url()
    for username, status in [
        ("tam", 200),
        ("service_manager", 200),
        ("administrator", 200),
        ("other_tam", 404),
        ("engineer", 404),
        ("norole", 403),
    ]:
        client.force_login(getattr(users, username))
        assert client.get(url).status_code == status, username
        rejects = client.get(reverse("sla:import_rejects", args=[row.pk]))
        assert rejects.status_code in (status, 302 if status == 200 else status), username
    client.force_login(users.other_tam)
    assert client.get(reverse("sla:import_list")).context["page_obj"].paginator.count == 0
    client.force_login(users.service_manager)
    assert client.get(reverse("sla:import_list")).context["page_obj"].paginator.count == 1


def test_only_the_uploader_or_a_manager_starts_or_cancels(client, users, sla, media):
    upload(client, users.tam)
    row = IncidentImport.objects.get()
    client.force_login(users.other_tam)
    assert client.post(reverse("sla:import_cancel", args=[row.pk])).status_code == 404
    client.force_login(users.engineer)
    assert client.post(reverse("sla:import_start", args=[row.pk])).status_code == 404
    assert IncidentImport.objects.get().options["awaiting_start"] is True


def test_the_list_is_newest_first_within_a_query_budget(
    client, users, sla, media, django_assert_max_num_queries
):
    for name in ("a.csv", "b.csv", "c.csv"):
        upload(client, users.service_manager, file=export_file(name=name))
    with django_assert_max_num_queries(12):
        page = client.get(reverse("sla:import_list"))
    assert [r.file_name for r in page.context["object_list"]] == ["c.csv", "b.csv", "a.csv"]
