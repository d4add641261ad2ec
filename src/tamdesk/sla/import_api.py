"""Incident imports in the API (route in ``tamdesk.config.api_urls``; docs/imports.md, "From the
API"):

- ``POST /api/v1/incident-imports/`` — a multipart upload (the one request body of the API that
  is not JSON: docs/adr/0006-multipart-import-upload.md) of the export with its options; the
  import is checked (``sla.imports.uploads.upload``), recorded and enqueued: 202 with its id and
  the URL to follow it. A body over ``TAMDESK_IMPORT_MAX_BYTES`` is 413 ``request_too_large``
  before it is read.
- ``GET /api/v1/incident-imports/`` and ``/{id}/`` — the imports the caller reads
  (``IncidentImportQuerySet.visible_to``), with their progress and, once done, the
  reconciliation, the rejects and the SLA disagreements (as stored: at most
  ``writer.MAX_LISTED`` of each, the totals exact).
- ``GET /api/v1/incident-imports/{id}/rejects.csv`` — the rejects as CSV.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, parsers, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.response import Response

from tamdesk.core import ranges
from tamdesk.core.api import RulesPermission
from tamdesk.core.scoping import ScopedViewSetMixin
from tamdesk.core.tokens import ApiTokenAuthentication
from tamdesk.core.viewsets import ApiSchema, error_response
from tamdesk.directory.models import Client, Department
from tamdesk.sla.choices import IncidentImportStatus
from tamdesk.sla.imports import runs, uploads, writer
from tamdesk.sla.imports.resolve import POLICIES
from tamdesk.sla.models import IncidentImport

#: The multipart fields besides the file may take this much.
FORM_OVERHEAD_BYTES = 1024 * 1024


def check_upload_length(meta: dict) -> None:
    try:
        length = int(meta.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.IMPORT_MAX_BYTES + FORM_OVERHEAD_BYTES:
        raise RequestDataTooBig(
            gettext("The request body is larger than %(limit)d bytes.")
            % {"limit": settings.IMPORT_MAX_BYTES + FORM_OVERHEAD_BYTES}
        )


class UploadParser(parsers.MultiPartParser):
    """Multipart, for the import upload only: a body declared larger than the import's limit
    (plus the other fields) is refused before it is read (413). The fields besides the file
    keep Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE``."""

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        check_upload_length(request.META if request is not None else {})
        return super().parse(stream, media_type, parser_context)


class IncidentImportUploadSerializer(serializers.Serializer):
    """The upload: the export and the options of ``tamdesk import-incidents``."""

    file = serializers.FileField(
        help_text=_(
            "The export: CSV (may be gzip-compressed); the generic format also JSON lines "
            "(.jsonl) or XLSX. At most TAMDESK_IMPORT_MAX_BYTES (default 200 MB)."
        )
    )
    preset = serializers.ChoiceField(choices=list(runs.PRESETS), help_text=_("The format."))
    mapping = serializers.FileField(
        required=False, help_text=_("A mapping file, TOML (.toml) or JSON (.json).")
    )
    client = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=ranges.MAX_ID,
        help_text=_("Every incident goes to this client (its id), whatever the file says."),
    )
    time_zone = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        default="",
        help_text=_("The zone of the times the file writes without an offset (IANA name)."),
    )
    unknown_clients = serializers.ChoiceField(
        choices=list(POLICIES),
        required=False,
        help_text=_("Unknown clients: reject, create or map (to `client_fallback`)."),
    )
    client_fallback = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=ranges.MAX_ID,
        help_text=_("The client unknown clients go to (its id), with `map`."),
    )
    unknown_groups = serializers.ChoiceField(
        choices=list(POLICIES),
        required=False,
        help_text=_("Unknown groups: reject, create or map (to `group_fallback`)."),
    )
    group_fallback = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=ranges.MAX_ID,
        help_text=_("The department unknown groups go to (its id), with `map`."),
    )
    dry_run = serializers.BooleanField(
        required=False, default=False, help_text=_("Check and report, write nothing.")
    )

    def _client(self, value, field: str) -> Client | None:
        if value is None:
            return None
        client = uploads.importable_clients(self.context["request"].user).filter(pk=value).first()
        if client is None:
            raise serializers.ValidationError(
                {field: [gettext("You may not import into this client.")]},
                code="not_your_client",
            )
        return client

    def validate(self, attrs: dict) -> dict:
        attrs["client"] = self._client(attrs.get("client"), "client")
        attrs["client_fallback"] = self._client(attrs.get("client_fallback"), "client_fallback")
        group = attrs.get("group_fallback")
        if group is not None:
            attrs["group_fallback"] = Department.objects.filter(pk=group).first()
            if attrs["group_fallback"] is None:
                raise serializers.ValidationError(
                    {"group_fallback": [gettext("No such department.")]}
                )
        return attrs

    def upload_arguments(self) -> dict:
        data = self.validated_data
        return {
            "file": data["file"],
            "preset": data["preset"],
            "mapping_file": data.get("mapping"),
            "client": data.get("client"),
            "time_zone": data.get("time_zone", ""),
            "client_policy": data.get("unknown_clients", ""),
            "group_policy": data.get("unknown_groups", ""),
            "client_fallback": data.get("client_fallback"),
            "group_fallback": data.get("group_fallback"),
            "dry_run": data.get("dry_run", False),
        }


class AcceptedSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    status = serializers.ChoiceField(choices=IncidentImportStatus.choices, read_only=True)
    url = serializers.CharField(read_only=True, help_text=_("Follow the import here."))


class RejectSerializer(serializers.Serializer):
    line = serializers.IntegerField(read_only=True, help_text=_("1 = the first data row."))
    column = serializers.CharField(read_only=True)
    external_id = serializers.CharField(read_only=True)
    reason = serializers.CharField(read_only=True)


class DisagreementSerializer(serializers.Serializer):
    incident_id = serializers.IntegerField(read_only=True)
    external_id = serializers.CharField(read_only=True)
    clock = serializers.CharField(
        read_only=True, help_text=_("reaction, resolution, or empty for the source's overall flag.")
    )
    source = serializers.CharField(read_only=True, help_text=_("met or breached"))
    tamdesk = serializers.CharField(read_only=True, help_text=_("met or breached"))
    url = serializers.CharField(read_only=True, help_text=_("The incident's page."))


class OutcomeSerializer(serializers.Serializer):
    rows = serializers.IntegerField(read_only=True)
    incidents = serializers.IntegerField(read_only=True)
    created = serializers.IntegerField(read_only=True)
    updated = serializers.IntegerField(read_only=True)
    unchanged = serializers.IntegerField(read_only=True)
    rejected = serializers.IntegerField(read_only=True)
    events = serializers.IntegerField(read_only=True)
    pauses = serializers.IntegerField(read_only=True)
    reassignments = serializers.IntegerField(read_only=True)
    reopenings = serializers.IntegerField(read_only=True)
    dry_run = serializers.BooleanField(read_only=True)
    rejects_total = serializers.IntegerField(read_only=True)
    rejects = RejectSerializer(many=True, read_only=True)
    disagreements_total = serializers.IntegerField(read_only=True)
    disagreements = DisagreementSerializer(many=True, read_only=True)


class IncidentImportSerializer(ranges.ModelSerializer):
    """An import with its progress; ``outcome`` once it is done (null before)."""

    imported_by = serializers.CharField(source="created_by.username", read_only=True)
    outcome = serializers.SerializerMethodField()
    rejects_csv_url = serializers.SerializerMethodField()

    class Meta:
        model = IncidentImport
        fields = [
            "id",
            "created_at",
            "imported_by",
            "preset",
            "source_system",
            "file_name",
            "is_dry_run",
            "status",
            "rows_read",
            "incidents_total",
            "incidents_done",
            "started_at",
            "finished_at",
            "error",
            "outcome",
            "rejects_csv_url",
        ]
        read_only_fields = fields

    @extend_schema_field(OutcomeSerializer(allow_null=True))
    def get_outcome(self, row: IncidentImport) -> dict | None:
        if row.status != IncidentImportStatus.DONE:
            return None
        return OutcomeSerializer(row.outcome).data

    @extend_schema_field(OpenApiTypes.STR)
    def get_rejects_csv_url(self, row: IncidentImport) -> str:
        return reverse("api:incidentimport-rejects-csv", args=[row.pk])


class IncidentImportViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Upload an export to import (multipart), follow the imports you read."""

    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
    permission_classes = [RulesPermission]
    schema = ApiSchema()
    filter_backends: list = []
    queryset = IncidentImport.objects.select_related("created_by")
    serializer_class = IncidentImportSerializer

    def initialize_request(self, request, *args, **kwargs):
        # The action decides the parser (``get_parsers``): known before the request is wrapped.
        self.action = self.action_map.get(request.method.lower())
        return super().initialize_request(request, *args, **kwargs)

    def get_parsers(self):
        """Multipart for the upload (``create``) only; every other body is JSON."""
        if getattr(self, "action", None) == "create":
            return [UploadParser()]
        return super().get_parsers()

    def get_serializer_class(self):
        if self.action == "create":
            return IncidentImportUploadSerializer
        return IncidentImportSerializer

    def get_object(self):
        if not self.request.user.has_perm("sla.view_incidentimport"):
            self.permission_denied(self.request)
        return super().get_object()

    @extend_schema(
        operation_id="incident_imports_create",
        request={"multipart/form-data": IncidentImportUploadSerializer},
        responses={
            202: AcceptedSerializer,
            400: error_response(
                _(
                    "Refused; `code` says why: `invalid` (a field), `invalid_preset`, "
                    "`invalid_time_zone`, `invalid_mapping`, `unsupported_file_type`, "
                    "`unreadable_file`, `not_your_client`, `invalid_policy`."
                )
            ),
            413: error_response(
                _("The file is larger than TAMDESK_IMPORT_MAX_BYTES (`request_too_large`).")
            ),
        },
        description=_(
            "Upload a helpdesk's export (multipart/form-data) and import it in the background: "
            "202 with the import's id and the URL to follow it. Nothing is kept when refused."
        ),
    )
    def create(self, request, *args, **kwargs) -> Response:
        if not request.user.has_perm("sla.add_incidentimport"):
            self.permission_denied(request)
        serializer = IncidentImportUploadSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        try:
            row = uploads.upload(
                by=request.user, awaiting_start=False, **serializer.upload_arguments()
            )
        except uploads.UploadTooLarge as error:
            return Response(
                {"code": "request_too_large", "detail": error.message, "errors": {}},
                status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        url = request.build_absolute_uri(reverse("api:incidentimport-detail", args=[row.pk]))
        return Response(
            {"id": row.pk, "status": row.status, "url": url},
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": url},
        )

    @extend_schema(
        operation_id="incident_imports_rejects_csv",
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description=_("line, column, external_id, reason")
            ),
        },
        description=_("The rejects of a done import as CSV (header only before it is done)."),
    )
    @action(detail=True, methods=["get"], url_path="rejects.csv", url_name="rejects-csv")
    def rejects_csv(self, request, *args, **kwargs) -> HttpResponse:
        row = self.get_object()
        out = io.StringIO()
        rejects = runs.outcome_of(row).rejects if row.status == IncidentImportStatus.DONE else []
        writer.write_rejects_csv(rejects, out)
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="import-{row.pk}-rejects.csv"'
        return response
