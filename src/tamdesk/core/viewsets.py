"""The shared base of the domains' API viewsets and the documented error responses. Apart from
``core.api`` because DRF imports that module (the pagination class) while it loads its views.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.filters import SearchFilter

from tamdesk.core.api import AuditedViewSetMixin, RulesPermission
from tamdesk.core.exceptions import ProtectedError


class ErrorSerializer(serializers.Serializer):
    """The one error shape of the API (see ``tamdesk.core.api.exception_handler``)."""

    code = serializers.CharField(
        help_text=_("Stable machine-readable code, e.g. `invalid` or `department_in_use`.")
    )
    detail = serializers.CharField(help_text=_("Human-readable message."))
    errors = serializers.DictField(
        child=serializers.JSONField(),
        help_text=_("Messages by field name; `non_field_errors` for the request as a whole."),
    )


def error_response(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


class ApiSchema(AutoSchema):
    """Adds the error responses an operation can return to its documented responses.

    ``error_statuses`` lists every status with its description and the rule saying which
    operations return it; a new cross-cutting status (say 412 for a stale ``If-Match``) is one
    more entry. An operation's own ``responses`` (``extend_schema``) win over these."""

    error_statuses: tuple[tuple[str, str, Callable[[ApiSchema], bool]], ...] = (
        (
            "400",
            _("Invalid input, or refused by a business rule; see `code` and `errors`."),
            lambda op: op.method != "GET" or op.is_list(),
        ),
        ("401", _("Not authenticated."), lambda op: op.authenticates()),
        ("403", _("Permission denied."), lambda op: op.authenticates()),
        (
            "404",
            _("No such record, or a page number out of range."),
            lambda op: "{" in op.path or op.is_list(),
        ),
        (
            "409",
            _("Refused by a business rule or a database constraint; see `code`."),
            lambda op: op.has_body() or op.method == "DELETE",
        ),
        (
            "413",
            _("The body is larger than the limit (`request_too_large`)."),
            lambda op: op.has_body(),
        ),
        (
            "429",
            _("Too many requests (`throttled`); retry after `Retry-After` seconds."),
            lambda op: bool(op.view.throttle_classes),
        ),
    )

    # Answered by the web server before tamdesk sees the request, so not in the API's shape.
    server_statuses: tuple[tuple[str, str, Callable[[ApiSchema], bool]], ...] = (
        (
            "414",
            _("The URL is longer than the web server accepts (8190 bytes in the request line)."),
            lambda op: True,
        ),
    )

    def authenticates(self) -> bool:
        return bool(self.view.authentication_classes)

    def has_body(self) -> bool:
        return self.method in ("POST", "PUT", "PATCH")

    def is_list(self) -> bool:
        return self.method == "GET" and self._is_list_view()

    def _error_responses(self) -> dict[str, str]:
        return {code: text for code, text, applies in self.error_statuses if applies(self)}

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, description in self._error_responses().items():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    error_response(description), code, direction=direction
                )
        for code, description, applies in self.server_statuses:
            if code not in responses and applies(self):
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(description=description), code, direction=direction
                )
        return responses


class RulesViewSet(AuditedViewSetMixin, viewsets.ModelViewSet):
    """CRUD guarded by the ``<app>.<verb>_<model>`` rules of the domain, with the documented
    error responses; a protected record is not deleted (409 ``protected``)."""

    # Token first: its ``WWW-Authenticate`` header makes an anonymous call a 401, not a 403.
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [RulesPermission]
    filter_backends = [DjangoFilterBackend, SearchFilter]
    schema = ApiSchema()

    def permission_name(self, verb: str) -> str:
        meta = self.get_queryset().model._meta
        return f"{meta.app_label}.{verb}_{meta.model_name}"

    def create_permission(self) -> str:
        """The model-level permission a create needs before the input is read."""
        return self.permission_name("add")

    def check_permissions(self, request) -> None:
        super().check_permissions(request)
        if self.action == "create" and not request.user.has_perm(self.create_permission()):
            self.permission_denied(request)

    def perform_destroy(self, instance) -> None:
        try:
            with transaction.atomic():
                instance.delete()
        except models.ProtectedError as exc:
            raise ProtectedError(
                _("The record is still referenced by other records and cannot be deleted.")
            ) from exc
