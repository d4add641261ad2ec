"""The API's edges answer in its own error shape, never with a 500 or an HTML page: bodies too
large or nested too deep (tamdesk.core.parsers), unknown paths and pages, OPTIONS everywhere."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import RequestDataTooBig
from django.test import RequestFactory
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient
from rest_framework.views import APIView

from tamdesk.calendars.models import Calendar
from tamdesk.core import api
from tamdesk.core.parsers import MAX_JSON_DEPTH, json_depth
from tamdesk.directory.models import Client
from tests.conftest import api_as
from tests.directory.factories import EngineerFactory

SHAPE = {"code", "detail", "errors"}


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(
    ("value", "depth"),
    [(1, 0), ([], 1), ({"a": [1, {"b": []}]}, 4), (json.loads(nested(900)), 900)],
)
def test_json_depth(value, depth):
    assert json_depth(value) == depth


@pytest.mark.django_db
class TestBodies:
    def test_deep_json_on_the_anonymous_token_endpoint_is_a_parse_error(self):
        response = APIClient().post(
            "/api/v1/auth/token/", nested(1000), content_type="application/json"
        )
        assert response.status_code == 400
        assert response.json()["code"] == "parse_error"
        assert "nested" in response.json()["detail"]

    def test_json_one_level_too_deep_is_refused_and_nothing_written(self, users):
        body = {"name": "Deep", "code": "DEEP", "notes": ""}
        body["tags"] = json.loads(nested(MAX_JSON_DEPTH))
        response = api_as(users.administrator).post(
            "/api/v1/clients/", json.dumps(body), content_type="application/json"
        )
        assert response.status_code == 400
        assert response.json()["code"] == "parse_error"
        assert not Client.objects.filter(code="DEEP").exists()

    def test_json_at_the_depth_limit_is_parsed(self, users):
        response = api_as(users.administrator).post(
            "/api/v1/auth/token/",
            json.dumps({"username": json.loads(nested(MAX_JSON_DEPTH - 1)), "password": "x"}),
            content_type="application/json",
        )
        assert response.status_code == 400
        assert response.json()["code"] == "invalid"

    def test_body_over_the_limit_is_413(self, users, settings):
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
        body = json.dumps({"name": "Big", "code": "BIG", "notes": "x" * 2000})
        response = api_as(users.administrator).post(
            "/api/v1/clients/", body, content_type="application/json"
        )
        assert response.status_code == 413
        assert set(response.json()) == SHAPE
        assert response.json()["code"] == "request_too_large"
        assert not Client.objects.filter(code="BIG").exists()

    def test_body_over_the_limit_before_authentication_is_413(self, settings):
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
        response = APIClient().post(
            "/api/v1/auth/token/",
            {"username": "x" * 200, "password": "y"},
            format="json",
        )
        assert response.status_code == 413
        assert response.json()["code"] == "request_too_large"


@pytest.mark.django_db
class TestPaths:
    @pytest.mark.parametrize(
        "path",
        ["/api/v1/nothing/", "/api/v1/clients/1.5/", "/api/v1/clients/abc/", "/api/v2/clients/"],
    )
    def test_unknown_api_path_is_a_json_404(self, users, path):
        response = api_as(users.administrator).get(path)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"code": "not_found", "detail": "Not found.", "errors": {}}

    @pytest.mark.parametrize("page", ["0", "2", "-1", "x"])
    def test_page_out_of_range_is_a_json_404(self, users, tam_client, page):
        response = api_as(users.administrator).get(f"/api/v1/clients/?page={page}")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"

    def test_unknown_page_outside_the_api_stays_html(self, users):
        response = APIClient().get("/no-such-page/")
        assert response.status_code == 404
        assert response["Content-Type"].startswith("text/html")

    def test_server_error_under_the_api_is_json(self):
        response = api.server_error(RequestFactory().get("/api/v1/clients/"))
        assert response.status_code == 500
        assert json.loads(response.content)["code"] == "server_error"

    def test_bad_request_under_the_api_is_json(self):
        response = api.bad_request(RequestFactory().get("/api/v1/clients/"), ValueError())
        assert (response.status_code, json.loads(response.content)["code"]) == (400, "bad_request")

    def test_a_body_django_refuses_under_the_api_is_413(self):
        too_big = RequestDataTooBig("The request body is larger than 100 bytes.")
        response = api.bad_request(RequestFactory().post("/api/v1/clients/"), too_big)
        assert response.status_code == 413
        assert json.loads(response.content)["code"] == "request_too_large"

    def test_permission_denied_under_the_api_is_json(self):
        response = api.permission_denied(RequestFactory().get("/api/v1/x/"), Exception())
        assert json.loads(response.content)["code"] == "permission_denied"


def _schema_paths() -> list[str]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(path.replace("{id}", "1") for path in schema["paths"])


@pytest.mark.django_db
@pytest.mark.parametrize("path", _schema_paths())
def test_options_never_fails(users, path):
    response = api_as(users.administrator).options(path)
    assert response.status_code in (200, 401, 403, 404, 405), response.content


@pytest.mark.django_db
def test_calendar_without_time_zone_gets_the_default(users):
    response = api_as(users.administrator).post(
        "/api/v1/calendars/", {"name": "Office"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["time_zone"] == "Europe/Moscow"
    assert Calendar.objects.get(name="Office").time_zone == "Europe/Moscow"


def _api_views():
    from django.urls import get_resolver

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern), pattern.callback

    return [
        (path, callback)
        for path, callback in walk(get_resolver().url_patterns)
        if path.startswith("api/") and hasattr(callback, "cls")
    ]


def test_every_api_view_parses_json_only_with_the_limits():
    from tamdesk.core.parsers import JSONParser

    views = _api_views()
    assert len(views) > 20
    for path, callback in views:
        assert list(callback.cls.parser_classes) == [JSONParser], path


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content_type", ["multipart/form-data; boundary=x", "application/x-www-form-urlencoded"]
)
def test_form_bodies_are_refused_and_nothing_written(users, content_type):
    # A form's lenient reading took an empty time zone as "the default"; the schema says JSON.
    body = "name=Office&time_zone=" if "urlencoded" in content_type else "--x--\r\n"
    response = api_as(users.administrator).post(
        "/api/v1/calendars/", body, content_type=content_type
    )
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert not Calendar.objects.exists()


#: The one body that is not JSON: an export of hundreds of megabytes is uploaded as a file
#: (docs/adr/0006-multipart-import-upload.md).
MULTIPART = ("post", "/api/v1/incident-imports/")


def test_schema_documents_json_bodies_only():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if "requestBody" in operation:
                expected = (
                    "multipart/form-data" if (method, path) == MULTIPART else "application/json"
                )
                assert set(operation["requestBody"]["content"]) == {expected}, (method, path)


def test_only_the_import_upload_parses_multipart():
    from tamdesk.core.parsers import JSONParser
    from tamdesk.sla.import_api import IncidentImportViewSet, UploadParser

    overriding = {
        callback.cls
        for _path, callback in _api_views()
        if callback.cls.get_parsers is not APIView.get_parsers
    }
    assert overriding == {IncidentImportViewSet}
    for action in ("list", "retrieve", "rejects_csv", None):
        view = IncidentImportViewSet(action=action)
        assert [type(p) for p in view.get_parsers()] == [JSONParser], action
    assert [type(p) for p in IncidentImportViewSet(action="create").get_parsers()] == [UploadParser]


@pytest.mark.django_db
def test_the_import_upload_refuses_a_form_body(users):
    response = api_as(users.administrator).post(
        "/api/v1/incident-imports/",
        "preset=generic",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


@pytest.mark.django_db
class TestPageSize:
    @pytest.mark.parametrize(
        "query",
        [
            "page_size=0",
            "page_size=501",
            "page_size=x",
            "page_size=1&page_size=2",
            "page_size=%C2%B2",
        ],
    )
    def test_a_page_size_out_of_range_is_refused(self, users, query):
        response = api_as(users.administrator).get(f"/api/v1/clients/?{query}")
        assert response.status_code == 400
        assert response.json()["code"] == "invalid"
        assert set(response.json()["errors"]) == {"page_size"}

    def test_a_page_size_in_range_is_used(self, users, tam_client):
        response = api_as(users.administrator).get("/api/v1/clients/?page_size=500")
        assert response.status_code == 200
        assert response.json()["count"] == 1

    def test_the_schema_states_the_range(self):
        schema = SchemaGenerator().get_schema(request=None, public=True)
        parameters = {
            p["name"]: p for p in schema["paths"]["/api/v1/clients/"]["get"]["parameters"]
        }
        assert parameters["page_size"]["schema"] == {
            "type": "integer",
            "minimum": 1,
            "maximum": 500,
        }
        assert parameters["page"]["schema"]["minimum"] == 1


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def test_schema_documents_the_statuses_of_every_operation(schema):
    clients = schema["paths"]["/api/v1/clients/"]
    assert {"400", "401", "403", "404"} <= set(clients["get"]["responses"])  # 404: page
    assert {"400", "409", "413"} <= set(clients["post"]["responses"])
    detail = schema["paths"]["/api/v1/clients/{id}/"]
    assert {"400", "404", "409"} <= set(detail["delete"]["responses"])
    assert "413" not in detail["delete"]["responses"]
    assert "content" not in clients["get"]["responses"]["414"]  # the web server's, no shape
    token = schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]
    assert {"400", "413", "429"} <= set(token)
    assert "401" not in token


def test_schema_marks_what_is_required_and_nullable(schema):
    components = schema["components"]["schemas"]
    assert "first_version" in components["SLAPolicyRequest"]["required"]
    patch = schema["paths"]["/api/v1/account-team-assignments/{id}/"]["patch"]
    answer = patch["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert components[answer.rsplit("/", 1)[1]]["properties"]["end_on"]["nullable"] is True


@pytest.mark.django_db
def test_partial_engineer_update_requires_whole_competencies(users, department):
    engineer = EngineerFactory(department=department)
    response = api_as(users.administrator).patch(
        f"/api/v1/engineers/{engineer.pk}/", {"competencies": [{"level": 1}]}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "competencies": {"0": {"field": ["This field is required."]}}
    }
    assert not engineer.competencies.exists()
