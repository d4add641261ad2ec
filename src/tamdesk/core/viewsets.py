"""The shared base of the domains' API viewsets and the documented error responses. Apart from
``core.api`` because DRF imports that module (the pagination class) while it loads its views.

Concurrent edits (``VersionedViewSetMixin``, ``UpdateFieldsModelSerializer``): a record's
``ETag`` is a hash of its stored values; PUT, PATCH and DELETE lock the row, compare an
``If-Match`` header with it (412 ``precondition_failed`` when stale, nothing written) and write
only the fields they were given.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.filters import SearchFilter

from tamdesk.core import concurrency, ranges
from tamdesk.core.api import AuditedViewSetMixin, PreconditionFailed, RulesPermission
from tamdesk.core.exceptions import ProtectedError
from tamdesk.core.scoping import ScopedViewSetMixin
from tamdesk.core.tokens import ApiTokenAuthentication

#: Methods that change one record: locked, checked against ``If-Match``, run in a transaction.
WRITE_METHODS = ("PUT", "PATCH", "DELETE")
#: Actions whose successful response carries the record's ``ETag``.
VERSIONED_ACTIONS = ("retrieve", "update", "partial_update")


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
    operations return it; a new cross-cutting status (412 for a stale ``If-Match``, say) is one
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
            "412",
            _(
                "`precondition_failed`: `If-Match` names an older version of the record; "
                "nothing was written. Read it again and repeat the change."
            ),
            lambda op: op._is_versioned_write() and isinstance(op.view, VersionedViewSetMixin),
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

    def _is_versioned_write(self) -> bool:
        return self.method in WRITE_METHODS and "{" in self.path

    def _error_responses(self) -> dict[str, str]:
        return {code: text for code, text, applies in self.error_statuses if applies(self)}

    def _is_versioned_read_or_write(self) -> bool:
        action = getattr(self.view, "action", None)
        return isinstance(self.view, VersionedViewSetMixin) and action in VERSIONED_ACTIONS

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self._is_versioned_write() and isinstance(self.view, VersionedViewSetMixin):
            parameters.append(
                OpenApiParameter(
                    "If-Match",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    required=False,
                    description=_(
                        "The `ETag` of the record as you read it: the change is refused with "
                        "412 `precondition_failed` if the record changed since. Without it the "
                        "change is made, and writes only the fields it gives."
                    ),
                )
            )
        if self._is_versioned_read_or_write():
            parameters.append(
                OpenApiParameter(
                    "ETag",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    response=["200"],
                    description=_(
                        "The version of the record; send it back in `If-Match` to change it."
                    ),
                )
            )
        return parameters

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


class VersionedViewSetMixin:
    """No lost updates through the API (``tamdesk.core.concurrency``).

    - A record's GET, PUT and PATCH responses carry its ``ETag``: a hash of its stored values
      (``version_values``; a viewset adds what else its representation writes, like an
      engineer's account and roles).
    - PUT, PATCH and DELETE of a record run in one transaction: the record's rows are locked
      (``rows_to_lock``) and it is read again under the lock; an ``If-Match`` header that does
      not name its current ``ETag`` is refused with 412 ``precondition_failed`` and nothing is
      written. ``*`` matches any version; a weak tag (``W/"…"``) is compared as the strong one
      (proxies that compress weaken tags).
    - Without ``If-Match`` the write is made, and since it works on the row as read under the
      lock and writes only the fields it is given (``UpdateFieldsModelSerializer``, the
      services' ``update_fields``), it cannot undo another writer's change of other fields.
    """

    _versioned_object = None

    def rows_to_lock(self, obj) -> list:
        """The rows a write of ``obj`` changes, in locking order."""
        return [obj]

    def version_values(self, obj) -> dict:
        """What the ``ETag`` covers: the stored columns and many-to-many links of ``obj``."""
        values = concurrency.stored_values(obj)
        for field in obj._meta.many_to_many:
            values[field.name] = sorted(getattr(obj, field.name).values_list("pk", flat=True))
        return values

    def etag(self, obj) -> str:
        return f'"{concurrency.version_of(self.version_values(obj))}"'

    def _is_versioned_write(self, request, kwargs) -> bool:
        return request.method in WRITE_METHODS and (self.lookup_url_kwarg or self.lookup_field) in (
            kwargs
        )

    def dispatch(self, request, *args, **kwargs):
        if not self._is_versioned_write(request, kwargs):
            return super().dispatch(request, *args, **kwargs)
        with transaction.atomic():
            response = super().dispatch(request, *args, **kwargs)
            if response.status_code >= 400:
                transaction.set_rollback(True)
        return response

    def get_object(self):
        obj = super().get_object()
        if self.request.method in WRITE_METHODS:
            concurrency.lock(*self.rows_to_lock(obj))
            obj = super().get_object()  # read again, under the lock
            self.check_if_match(obj)
        self._versioned_object = obj
        return obj

    def check_if_match(self, obj) -> None:
        header = self.request.headers.get("If-Match")
        if not header:
            return
        tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
        if "*" not in tags and self.etag(obj) not in tags:
            raise PreconditionFailed(
                _(
                    "The record changed since the version in If-Match; nothing was written. "
                    "Read it again and repeat the change."
                )
            )

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        obj = self._versioned_object
        if (
            obj is not None
            and getattr(self, "action", None) in VERSIONED_ACTIONS
            and 200 <= response.status_code < 300
        ):
            if request.method != "GET" and request.method != "HEAD":
                obj = type(obj)._base_manager.get(pk=obj.pk)  # as written
            response["ETag"] = self.etag(obj)
        return response


class UpdateFieldsModelSerializer(ranges.ModelSerializer):
    """The base of the domains' model serializers (model dates and date-times are the
    range-checked fields of ``core.ranges``): updating a record writes only the fields
    the request gave (``save(update_fields=[…])``), never the other columns as they were read.
    """

    def update(self, instance, validated_data):
        many = {field.name for field in instance._meta.many_to_many}
        for name, value in validated_data.items():
            if name in many:
                getattr(instance, name).set(value)
            else:
                setattr(instance, name, value)
        fields = concurrency.update_fields_of(instance, validated_data)
        if fields:
            instance.save(update_fields=fields)
        return instance


class RulesViewSet(
    ScopedViewSetMixin, VersionedViewSetMixin, AuditedViewSetMixin, viewsets.ModelViewSet
):
    """CRUD guarded by the ``<app>.<verb>_<model>`` rules of the domain, with the documented
    error responses; a protected record is not deleted (409 ``protected``); edits are locked
    and versioned (``VersionedViewSetMixin``); only the rows the caller may read are listed or
    found (``ScopedViewSetMixin``: another is a 404)."""

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

    def get_object(self):
        # Someone who may not read the model at all (no role) is refused (403) whatever the
        # id; a record outside the rows they read is a 404 (``ScopedViewSetMixin``).
        if not self.request.user.has_perm(self.permission_name("view")):
            self.permission_denied(self.request)
        return super().get_object()

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
