"""Incident imports through the API: a multipart upload → 202 → the job → the status with the
reconciliation, the rejects CSV; every refused upload (400 with a code on its field, 413 over
the limit; nothing kept); who may upload into which client and who reads which import."""

from __future__ import annotations

import pytest

from tamdesk.sla.models import Incident, IncidentImport
from tests.conftest import api_as
from tests.directory.factories import ClientFactory
from tests.sla.factories import office_calendar, policy
from tests.sla.imports.upload_support import (
    csv_bytes,
    export_file,
    mapping_file,
    nothing_written,
    stored_files,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/incident-imports/"


@pytest.fixture
def sla(tam_client, users):
    return policy(client=tam_client, calendar=office_calendar(), by=users.administrator)


@pytest.fixture
def media(settings):
    return settings.MEDIA_ROOT


def body(**changes) -> dict:
    data = {"file": export_file(), "preset": "generic", "mapping": mapping_file()}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def post(user, **changes):
    return api_as(user).post(URL, body(**changes), format="multipart")


def test_upload_runs_the_import_and_the_status_has_the_result(
    users, sla, department, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(users.service_manager)

    assert response.status_code == 202, response.json()
    row = IncidentImport.objects.get()
    data = response.json()
    assert data["id"] == row.pk and data["url"].endswith(f"{URL}{row.pk}/")
    assert response["Location"] == data["url"]
    row.refresh_from_db()
    assert row.status == "done" and "awaiting_start" not in row.options

    status = api_as(users.service_manager).get(f"{URL}{row.pk}/").json()
    assert status["status"] == "done" and status["incidents_done"] == 3
    outcome = status["outcome"]
    assert (outcome["created"], outcome["rejected"], outcome["rejects_total"]) == (2, 1, 2)
    assert [(r["line"], r["column"]) for r in outcome["rejects"]] == [(3, "client"), (4, "Prio")]
    assert status["rejects_csv_url"] == f"{URL}{row.pk}/rejects.csv/"
    csv = api_as(users.service_manager).get(status["rejects_csv_url"])
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    assert csv.content.decode().splitlines()[1].startswith("3,client,T-3,")
    assert set(Incident.objects.values_list("external_id", flat=True)) == {"T-1", "T-2"}

    listed = api_as(users.service_manager).get(URL).json()
    assert [item["id"] for item in listed["results"]] == [row.pk]


def test_a_queued_import_has_no_outcome_yet(users, sla, media):
    response = post(users.service_manager)  # the commit never comes: the job is not run
    status = api_as(users.service_manager).get(response.json()["url"]).json()
    assert status["status"] == "queued" and status["outcome"] is None


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"preset": "nosuch"}, "preset", "invalid"),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "invalid_time_zone"),
        ({"mapping": mapping_file(b"shape = [")}, "mapping", "invalid_mapping"),
        ({"mapping": mapping_file(b'colour = "x"')}, "mapping", "invalid_mapping"),
        ({"mapping": None}, "mapping", "invalid_mapping"),
        ({"file": export_file(name="x.exe")}, "file", "unsupported_file_type"),
        ({"file": export_file(b"\xff\xfe\x00", name="x.csv")}, "file", "unreadable_file"),
        ({"file": None}, "file", "invalid"),
        ({"client": "999999"}, "client", "invalid"),
        ({"client": "0"}, "client", "invalid"),
        ({"unknown_clients": "map"}, "client_fallback", "invalid_policy"),
        ({"unknown_groups": "sometimes"}, "unknown_groups", "invalid"),
        ({"group_fallback": "999999"}, "group_fallback", "invalid"),
    ],
)
def test_a_refused_upload_is_400_on_its_field_and_keeps_nothing(
    users, sla, media, changes, field, code
):
    before = nothing_written()
    response = post(users.service_manager, **changes)
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == code and field in response.json()["errors"]
    assert nothing_written() == before and stored_files(media) == []


def test_a_file_over_the_limit_is_413_and_keeps_nothing(users, sla, media, settings):
    settings.IMPORT_MAX_BYTES = 100
    response = post(users.service_manager)
    assert response.status_code == 413 and response.json()["code"] == "request_too_large"
    assert not IncidentImport.objects.exists() and stored_files(media) == []


def test_a_body_declared_over_the_limit_is_413_before_it_is_read(users, settings):
    settings.IMPORT_MAX_BYTES = 10
    client = api_as(users.service_manager)
    response = client.post(
        URL,
        b"--x--\r\n",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(10 * 1024 * 1024),
    )
    assert response.status_code == 413 and response.json()["code"] == "request_too_large"


def test_a_json_upload_is_refused(users):
    response = api_as(users.service_manager).post(URL, {"preset": "generic"}, format="json")
    assert response.status_code == 415


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("admin", 202),
        ("administrator", 202),
        ("service_manager", 202),
        ("tam", 202),
        ("engineer", 403),
        ("lead", 403),
        ("norole", 403),
        (None, 401),
    ],
)
def test_who_may_upload(users, sla, media, username, status):
    user = getattr(users, username) if username else None
    before = nothing_written()
    response = api_as(user).post(URL, body(), format="multipart")
    assert response.status_code == status
    if status != 202:
        assert nothing_written() == before and stored_files(media) == []


def test_a_tam_uploads_into_their_clients_only(
    users, tam_client, sla, media, django_capture_on_commit_callbacks
):
    other = ClientFactory(name="Globex", code="GLOBEX")
    before = nothing_written()
    refused = post(users.tam, client=str(other.pk))
    assert refused.status_code == 400 and "client" in refused.json()["errors"]
    refused = post(users.tam, unknown_clients="create")
    assert refused.status_code == 400 and refused.json()["code"] == "invalid_policy"
    assert nothing_written() == before

    data = csv_bytes(
        [
            ["T-1", "Mine", "ACME", "1", "open", "01.06.2026 09:00", "", ""],
            ["T-2", "Theirs", "GLOBEX", "1", "open", "01.06.2026 09:00", "", ""],
        ]
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert post(users.tam, file=export_file(data)).status_code == 202
    assert list(Incident.objects.values_list("external_id", "client")) == [("T-1", tam_client.pk)]
    assert not Incident.objects.filter(client=other).exists()


def test_reads_are_scoped(users, sla, media):
    row_id = post(users.tam).json()["id"]
    for username, status, count in [
        ("tam", 200, 1),
        ("service_manager", 200, 1),
        ("administrator", 200, 1),
        ("other_tam", 404, 0),
        ("engineer", 404, 0),
    ]:
        client = api_as(getattr(users, username))
        assert client.get(f"{URL}{row_id}/").status_code == status, username
        assert client.get(f"{URL}{row_id}/rejects.csv/").status_code == status, username
        assert client.get(URL).json()["count"] == count, username
    norole = api_as(users.norole)
    assert norole.get(URL).status_code == 403
    assert norole.get(f"{URL}{row_id}/").status_code == 403


def test_the_list_keeps_a_query_budget(users, sla, media, django_assert_max_num_queries):
    for _ in range(3):
        post(users.service_manager)
    with django_assert_max_num_queries(8):
        response = api_as(users.service_manager).get(URL)
    assert response.json()["count"] == 3
