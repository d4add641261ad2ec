"""Every API error is ``{"code", "detail", "errors"}`` with a stable code
(tamdesk.core.api.exception_handler)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.test import APIClient

from tamdesk.core.api import exception_handler
from tamdesk.core.exceptions import DomainError, ProtectedError
from tests.conftest import api_as

SHAPE = {"code", "detail", "errors"}


@pytest.mark.parametrize(
    ("exc", "status", "code", "errors"),
    [
        (DomainError("No."), 400, "domain_error", {"non_field_errors": ["No."]}),
        (DomainError("Taken.", field="name", code="taken"), 400, "taken", {"name": ["Taken."]}),
        (ProtectedError("In use."), 409, "protected", {"non_field_errors": ["In use."]}),
        (DjangoValidationError({"name": ["Bad."]}), 400, "invalid", {"name": ["Bad."]}),
        (DjangoValidationError("Bad."), 400, "invalid", {"non_field_errors": ["Bad."]}),
        (
            exceptions.ValidationError({"items": [{"level": ["Too high."]}]}),
            400,
            "invalid",
            {"items": [{"level": ["Too high."]}]},
        ),
        (IntegrityError("UNIQUE constraint failed"), 409, "integrity_error", {}),
        (Http404(), 404, "not_found", {}),
        (DjangoPermissionDenied(), 403, "permission_denied", {}),
        (exceptions.Throttled(wait=5), 429, "throttled", {}),
        (exceptions.APIException(), 500, "error", {}),
    ],
)
def test_exception_handler_shape(exc, status, code, errors):
    response = exception_handler(exc, {})
    assert response.status_code == status
    assert set(response.data) == SHAPE
    assert (response.data["code"], response.data["errors"]) == (code, errors)
    assert isinstance(response.data["detail"], str)
    assert response.data["detail"]


def test_exception_handler_leaves_programming_errors_alone():
    assert exception_handler(ValueError("bug"), {}) is None


@pytest.mark.django_db
class TestOverHttp:
    def test_anonymous_is_401_with_a_challenge(self):
        response = APIClient().get("/api/v1/clients/")
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"
        assert response.data == {
            "code": "not_authenticated",
            "detail": "Authentication credentials were not provided.",
            "errors": {},
        }

    def test_no_role_is_403(self, users):
        response = api_as(users.norole).get("/api/v1/clients/")
        assert response.status_code == 403
        assert set(response.data) == SHAPE
        assert response.data["code"] == "permission_denied"

    def test_unknown_record_is_404(self, users):
        response = api_as(users.engineer).get("/api/v1/clients/999999/")
        assert response.status_code == 404
        assert response.data["code"] == "not_found"

    def test_wrong_method_is_405(self, users):
        response = api_as(users.administrator).put("/api/v1/clients/", {}, format="json")
        assert response.status_code == 405
        assert response.data["code"] == "method_not_allowed"

    def test_malformed_json_is_a_parse_error(self, users):
        response = api_as(users.administrator).post(
            "/api/v1/clients/", "{not json", content_type="application/json"
        )
        assert response.status_code == 400
        assert response.data["code"] == "parse_error"

    def test_unsupported_media_type(self, users):
        response = api_as(users.administrator).post(
            "/api/v1/clients/", "name=x", content_type="text/plain"
        )
        assert response.status_code == 415
        assert response.data["code"] == "unsupported_media_type"

    def test_invalid_input_lists_field_errors(self, users):
        response = api_as(users.administrator).post(
            "/api/v1/clients/", {"code": "bad code"}, format="json"
        )
        assert response.status_code == 400
        assert response.data["code"] == "invalid"
        assert set(response.data["errors"]) == {"name", "code"}
        assert all(isinstance(message, str) for message in response.data["errors"]["code"])

    def test_nested_field_errors_name_the_item(self, users, department):
        response = api_as(users.administrator).post(
            "/api/v1/engineers/",
            {
                "username": "x",
                "department": department.pk,
                "competencies": [{"field": "unix", "level": 2}, {"field": "unix", "level": 7}],
            },
            format="json",
        )
        assert response.status_code == 400
        assert response.json()["errors"] == {
            "competencies": {"1": {"level": ['"7" is not a valid choice.']}}
        }
