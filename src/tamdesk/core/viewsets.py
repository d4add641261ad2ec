"""The shared base of the domains' API viewsets and the documented error responses. Apart from
``core.api`` because DRF imports that module (the pagination class) while it loads its views.
"""

from __future__ import annotations

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.filters import SearchFilter

from tamdesk.core.api import AuditedViewSetMixin, RulesPermission
from tamdesk.core.exceptions import ProtectedError
from tamdesk.core.tokens import ApiTokenAuthentication


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
    """Adds the error responses an operation can return to its documented responses."""

    def _error_responses(self) -> dict[str, str]:
        writes = self.method in ("POST", "PUT", "PATCH")
        errors = {
            "400": _("Invalid input; field errors under `errors`."),
            "401": _("Not authenticated."),
            "403": _("Permission denied."),
            "404": _("No such record."),
            "409": _("Refused by a business rule or a database constraint; see `code`."),
        }
        wanted = {"401", "403"}
        if writes or (self.method == "GET" and self._is_list_view()):
            wanted.add("400")
        if "{" in self.path:
            wanted.add("404")
        if writes or self.method == "DELETE":
            wanted.add("409")
        return {code: text for code, text in errors.items() if code in wanted}

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, description in self._error_responses().items():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    error_response(description), code, direction=direction
                )
        return responses


class RulesViewSet(AuditedViewSetMixin, viewsets.ModelViewSet):
    """CRUD guarded by the ``<app>.<verb>_<model>`` rules of the domain, with the documented
    error responses; a protected record is not deleted (409 ``protected``)."""

    # Token first: its ``WWW-Authenticate`` header makes an anonymous call a 401, not a 403.
    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
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
