"""API plumbing shared by every domain: pagination, one error shape, object permissions from the
``rules`` predicates, and the audit actor for token-authenticated calls.

Every error body is ``{"code": "<stable code>", "detail": "<message>", "errors": {field: [..]}}``.
"""

from __future__ import annotations

from auditlog.context import auditlog_value, set_actor
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext, gettext_lazy
from django.views import defaults
from rest_framework import exceptions, permissions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from tamdesk.core.exceptions import DomainError
from tamdesk.core.net import client_address


class PreconditionFailed(exceptions.APIException):
    """``If-Match`` names a version of the record that is no longer current (412)."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = gettext_lazy("The record changed since you read it; nothing was written.")
    default_code = "precondition_failed"


class Pagination(PageNumberPagination):
    """``?page=`` and ``?page_size=`` (1 to 500). A page out of range is 404 ``not_found``; a
    page size that is not a whole number in range is refused (400 ``invalid``), not replaced by
    the default."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request) -> int:
        raw = request.query_params.getlist(self.page_size_query_param)
        if not raw:
            return self.page_size
        value = raw[0] if len(raw) == 1 else ""
        size = int(value) if value.isascii() and value.isdigit() else 0
        if not 1 <= size <= self.max_page_size:
            raise exceptions.ValidationError(
                {
                    self.page_size_query_param: [
                        gettext("Enter a whole number from 1 to %(max)d.")
                        % {"max": self.max_page_size}
                    ]
                }
            )
        return size

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] |= {"minimum": 1, "maximum": self.max_page_size}
            if parameter["name"] == self.page_query_param:
                parameter["schema"] |= {"minimum": 1}
        return parameters


def _field_errors(detail) -> dict:
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    return {"non_field_errors": _flatten(detail)}


def _flatten(value) -> list | dict:
    if isinstance(value, dict):
        return {key: _flatten(item) for key, item in value.items()}
    if isinstance(value, list):
        if all(not isinstance(item, (dict, list)) for item in value):
            return [str(item) for item in value]
        return [_flatten(item) for item in value]
    return [str(value)]


_CODES = {
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.ParseError: "parse_error",
    exceptions.Throttled: "throttled",
    PreconditionFailed: "precondition_failed",
}


def exception_handler(exc, context):
    """Map every error to the one JSON shape with a stable ``code``."""
    if isinstance(exc, DomainError):
        errors = {exc.field or "non_field_errors": [exc.message]}
        return Response(
            {"code": exc.code, "detail": exc.message, "errors": errors}, status=exc.status
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    if isinstance(exc, RequestDataTooBig):
        return Response(
            {"code": "request_too_large", "detail": str(exc), "errors": {}},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, IntegrityError):
        # The database constraint caught what validation missed: report, never 500.
        return Response(
            {"code": "integrity_error", "detail": str(exc), "errors": {}},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "code": "invalid",
            "detail": gettext("The request has invalid fields."),
            "errors": _field_errors(exc.detail),
        }
        return response
    code = next((c for cls, c in _CODES.items() if isinstance(exc, cls)), "error")
    detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
    response.data = {"code": code, "detail": str(detail), "errors": {}}
    return response


class RulesPermission(permissions.BasePermission):
    """Checks ``<app>.<verb>_<model>`` through the rules predicates: model-level for list and
    create, object-level for the rest. Create checks against the parent object are done by the
    viewset (``check_create_permission``) because the parent is only known after validation."""

    verbs = {
        "GET": "view",
        "HEAD": "view",
        "OPTIONS": "view",
        "POST": "add",
        "PUT": "change",
        "PATCH": "change",
        "DELETE": "delete",
    }

    def _perm(self, request, view) -> str:
        model = view.get_queryset().model
        verb = self.verbs.get(request.method, "change")
        return f"{model._meta.app_label}.{verb}_{model._meta.model_name}"

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return request.user.has_perm(self._perm(request, view))
        return True

    def has_object_permission(self, request, view, obj) -> bool:
        return request.user.has_perm(self._perm(request, view), obj)


class AuditedViewSetMixin:
    """Records the authenticated API user as the actor of auditlog entries (token auth happens
    after the auditlog middleware has run)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.user.is_authenticated:
            self._audit_outer = auditlog_value.get(None)
            self._audit_actor = set_actor(request.user, remote_addr=client_address(request))
            self._audit_actor.__enter__()

    def finalize_response(self, request, response, *args, **kwargs):
        actor = getattr(self, "_audit_actor", None)
        if actor is not None:
            actor.__exit__(None, None, None)
            self._audit_actor = None
            # Give the middleware its own context back, or it cannot disconnect its receiver
            # on the way out and one signal receiver leaks per request.
            if self._audit_outer is not None:
                auditlog_value.set(self._audit_outer)
        return super().finalize_response(request, response, *args, **kwargs)


# --- errors raised outside the API's views ------------------------------------------------------
# An unknown path under /api/, a request Django refuses before any view runs, an unhandled error:
# Django's error views (``handler404`` … in ``config/urls.py``) answer in the API's shape there and
# with the HTML pages everywhere else.

API_PREFIX = "/api/"


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def error_body(code: str, detail: str, *, status: int) -> JsonResponse:
    return JsonResponse({"code": code, "detail": detail, "errors": {}}, status=status)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_request(request):
        return error_body("not_found", gettext("Not found."), status=404)
    return defaults.page_not_found(request, exception)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_request(request):
        if isinstance(exception, RequestDataTooBig):
            return error_body("request_too_large", str(exception), status=413)
        return error_body("bad_request", gettext("Bad request."), status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_request(request):
        return error_body(
            "permission_denied",
            gettext("You do not have permission to perform this action."),
            status=403,
        )
    return defaults.permission_denied(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api_request(request):
        return error_body("server_error", gettext("Server error."), status=500)
    return defaults.server_error(request)
