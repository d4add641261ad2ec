"""The OpenAPI schema (valid, generated without warnings, for signed-in users), the Swagger UI
served from local assets, and the unauthenticated health check."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from tests.conftest import api_as

RESOURCES = [
    "departments",
    "engineers",
    "clients",
    "contacts",
    "account-team-assignments",
    "components",
]


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def test_schema_validates(schema):
    validate_schema(schema)


def test_schema_generates_without_warnings(tmp_path):
    # The CI check: `spectacular --validate --fail-on-warn` raises on any warning or error.
    call_command("spectacular", validate=True, fail_on_warn=True, file=str(tmp_path / "api.yaml"))


def test_schema_has_every_resource_with_crud(schema):
    for resource in RESOURCES:
        assert set(schema["paths"][f"/api/v1/{resource}/"]) == {"get", "post"}
        assert set(schema["paths"][f"/api/v1/{resource}/{{id}}/"]) == {
            "get",
            "put",
            "patch",
            "delete",
        }


def test_schema_documents_the_token_endpoint(schema):
    operation = schema["paths"]["/api/v1/auth/token/"]["post"]
    request = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    response = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    components = schema["components"]["schemas"]
    assert set(components[request.rsplit("/", 1)[1]]["properties"]) == {"username", "password"}
    assert set(components[response.rsplit("/", 1)[1]]["properties"]) == {
        "token",
        "id",
        "expires_at",
    }
    assert {"400", "429"} <= set(operation["responses"])
    assert "/api/v1/auth/tokens/" in schema["paths"]


def test_schema_documents_the_error_shape(schema):
    error = schema["components"]["schemas"]["Error"]
    assert set(error["properties"]) == {"code", "detail", "errors"}
    operation = schema["paths"]["/api/v1/departments/{id}/"]["delete"]
    assert {"204", "401", "403", "404", "409"} <= set(operation["responses"])
    assert operation["responses"]["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }


def test_the_schema_needs_a_login(users):
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 401

    response = api_as(users.engineer).get(
        "/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    )
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "tamdesk API"


def test_the_schema_can_be_made_public(db, settings):
    settings.API_SCHEMA_PUBLIC = True
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert APIClient().get("/api/docs/").status_code == 200


def test_the_swagger_ui_sends_anonymous_visitors_to_the_login_page(db):
    response = APIClient().get("/api/docs/")
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/api/docs/"


def test_swagger_ui_uses_local_assets_only(client, users):
    client.force_login(users.engineer)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"https?://", html)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(assets) >= 3
    # The start-up script is a separate request (no inline script), the rest static files.
    assert "/api/docs/?script=" in assets
    for asset in assets:
        if asset.startswith("/api/docs/"):
            continue
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), asset
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")


@pytest.mark.django_db
def test_healthz_reports_the_database():
    response = APIClient().get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok"
