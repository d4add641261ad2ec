"""The SLA compliance report in the API (route in ``tamdesk.config.api_urls``):

- ``GET /api/v1/sla-report/`` — the report's rows grouped by ``group_by`` and its totals;
- ``GET /api/v1/sla-report/violations/`` — the breached clocks of the same incidents, paginated;
- ``GET /api/v1/sla-report/departments/`` — the time per department of the same incidents
  (``sla.department_report``): rows per department and the groups asked for, with the OLA
  compliance; ``department`` keeps that department's holds.

Both read the incidents the caller may see (``visible_to``: a TAM their clients', a service
manager all) and need the permission to view incidents (``sla.view_incident``). Times are in the
caller's time zone (``directory.time_zones.user_time_zone``), named in the response. The figures
are defined in ``tamdesk.sla.reports`` and docs/domains/sla.md ("Reports").
"""

from __future__ import annotations

import zoneinfo

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.response import Response

from tamdesk.core import ranges
from tamdesk.core.api import RulesPermission
from tamdesk.core.scoping import ScopedViewSetMixin
from tamdesk.core.tokens import ApiTokenAuthentication
from tamdesk.core.viewsets import ApiSchema, error_response
from tamdesk.directory.time_zones import user_time_zone
from tamdesk.sla import department_report, reports
from tamdesk.sla.choices import ClockKind, Priority
from tamdesk.sla.models import Incident
from tamdesk.sla.report_export import row_data, totals_data, violation_data

#: The parameters the violations share with the report.
PERIOD_FIELDS = ("from", "to", "client", "priority", "department")


class PeriodQuerySerializer(serializers.Serializer):
    """The query parameters of the report and of its violations."""

    locals()["from"] = ranges.DayField(
        required=False,
        help_text=_(
            "First day (YYYY-MM-DD, in your time zone) of the opening of the incidents; "
            "default: the first day of the month eleven months before `to`."
        ),
    )
    to = ranges.DayField(
        required=False,
        help_text=_("Last day (included) of the opening of the incidents; default: today."),
    )
    client = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=ranges.MAX_ID,
        help_text=_("Only this client's incidents (its id)."),
    )
    priority = serializers.ChoiceField(
        choices=Priority.choices, required=False, help_text=_("Only incidents of this priority.")
    )
    department = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=ranges.MAX_ID,
        help_text=_("Only incidents currently in this department (its id)."),
    )

    def validate(self, attrs: dict) -> dict:
        time_zone = self.context["time_zone"]
        end = attrs.get("to") or timezone.localdate(timezone=zoneinfo.ZoneInfo(time_zone))
        start = attrs.get("from") or reports.default_start(end)
        try:
            reports.check_period(start, end)
        except reports.ReportError as exc:
            raise serializers.ValidationError({exc.field: [exc.message]}) from None
        return {**attrs, "from": start, "to": end, "time_zone": time_zone}


class ReportQuerySerializer(PeriodQuerySerializer):
    group_by = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_(
            "Comma-separated groups, any of `client`, `priority`, `department`, `month` "
            "(none: totals only)."
        ),
    )

    def validate_group_by(self, value: str) -> list[str]:
        names = [name.strip() for name in value.split(",") if name.strip()]
        try:
            return reports.check_group_by(names)
        except reports.ReportError as exc:
            raise serializers.ValidationError(exc.message) from None


class ClientRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PriorityRefSerializer(serializers.Serializer):
    value = serializers.ChoiceField(choices=Priority.choices)
    label = serializers.CharField()


class ClockFiguresSerializer(serializers.Serializer):
    met = serializers.IntegerField(help_text=_("Clocks that met their target."))
    breached = serializers.IntegerField(
        help_text=_("Clocks past their target, stopped or still running.")
    )
    running = serializers.IntegerField(help_text=_("Clocks running or paused within their target."))
    compliance_percent = serializers.FloatField(
        allow_null=True, help_text=_("met / (met + breached) × 100; null when nothing is decided.")
    )
    median_seconds = serializers.FloatField(
        allow_null=True, help_text=_("Median working time of the stopped clocks, seconds.")
    )
    p90_seconds = serializers.FloatField(
        allow_null=True,
        help_text=_("90th percentile of the working time of the stopped clocks, seconds."),
    )
    paused_seconds = serializers.IntegerField(help_text=_("Working seconds spent paused."))


class ReportTotalsSerializer(serializers.Serializer):
    incidents = serializers.IntegerField()
    reaction = ClockFiguresSerializer()
    resolution = ClockFiguresSerializer()


class ReportRowSerializer(ReportTotalsSerializer):
    """One group: its keys (only those grouped by) and its figures."""

    client = ClientRefSerializer(required=False)
    priority = PriorityRefSerializer(required=False)
    department = ClientRefSerializer(
        required=False, allow_null=True, help_text=_("null: incidents in no department.")
    )
    month = serializers.CharField(
        required=False, help_text=_("YYYY-MM, the month of the opening in `time_zone`.")
    )


class ReportSerializer(serializers.Serializer):
    group_by = serializers.ListField(child=serializers.CharField())
    locals()["from"] = ranges.DayField()
    to = ranges.DayField()
    time_zone = serializers.CharField(help_text=_("The zone the days and months are read in."))
    rows = ReportRowSerializer(many=True)
    totals = ReportTotalsSerializer()
    violations_url = serializers.CharField(
        help_text=_("The breached clocks of the same incidents (same parameters).")
    )


class ViolationSerializer(serializers.Serializer):
    incident = serializers.IntegerField(source="incident_id")
    title = serializers.CharField()
    client = ClientRefSerializer()
    priority = serializers.ChoiceField(choices=Priority.choices)
    kind = serializers.ChoiceField(choices=ClockKind.choices)
    target_seconds = serializers.IntegerField()
    due_at = ranges.InstantField(allow_null=True, help_text=_("When the target ran out."))
    breached_by_seconds = serializers.IntegerField(
        help_text=_("Working seconds consumed past the target (as last measured).")
    )
    url = serializers.CharField(help_text=_("The incident's page."))


class DepartmentReportQuerySerializer(ReportQuerySerializer):
    department = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=ranges.MAX_ID,
        help_text=_("Only this department's holds (its id)."),
    )


class OLAFiguresSerializer(serializers.Serializer):
    met = serializers.IntegerField(help_text=_("Shares released within the OLA target."))
    breached = serializers.IntegerField(help_text=_("Shares over the OLA target."))
    running = serializers.IntegerField(help_text=_("Shares still held, within the OLA target."))
    compliance_percent = serializers.FloatField(
        allow_null=True, help_text=_("met / (met + breached) × 100; null when nothing is decided.")
    )


class DepartmentTotalsSerializer(serializers.Serializer):
    incidents = serializers.IntegerField(help_text=_("Incidents the department held."))
    held_seconds = serializers.IntegerField(
        help_text=_("Working seconds of the resolution clock the department held them.")
    )
    median_seconds = serializers.FloatField(
        allow_null=True, help_text=_("Median held working time per incident, seconds.")
    )
    p90_seconds = serializers.FloatField(
        allow_null=True, help_text=_("90th percentile of the held working time, seconds.")
    )
    paused_seconds = serializers.IntegerField(help_text=_("Working seconds paused while held."))
    ola = OLAFiguresSerializer()


class DepartmentRowSerializer(DepartmentTotalsSerializer):
    department = ClientRefSerializer(allow_null=True, help_text=_("null: no department."))
    client = ClientRefSerializer(required=False)
    priority = PriorityRefSerializer(required=False)
    month = serializers.CharField(
        required=False, help_text=_("YYYY-MM, the month of the opening in `time_zone`.")
    )


class DepartmentReportSerializer(serializers.Serializer):
    group_by = serializers.ListField(child=serializers.CharField())
    locals()["from"] = ranges.DayField()
    to = ranges.DayField()
    time_zone = serializers.CharField(help_text=_("The zone the days and months are read in."))
    rows = DepartmentRowSerializer(many=True)
    totals = DepartmentTotalsSerializer()


class ReportSchema(ApiSchema):
    """The report is one object, not a list; its violations are a paginated list."""

    def _is_list_view(self, serializer=None) -> bool:
        return getattr(self.view, "action", None) == "violations"


class SLAReportViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    """The SLA compliance report over the incidents the caller reads."""

    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
    permission_classes = [RulesPermission]
    filter_backends: list = []
    schema = ReportSchema()
    queryset = Incident.objects.all()

    def _query(self, serializer_class=ReportQuerySerializer) -> dict:
        params = serializer_class(
            data=self.request.query_params,
            context={"time_zone": user_time_zone(self.request.user)},
        )
        params.is_valid(raise_exception=True)
        return params.validated_data

    def _incidents(self, query: dict):
        return reports.filtered(
            self.get_queryset(),
            client=query.get("client"),
            priority=query.get("priority", ""),
            department=query.get("department"),
        )

    @extend_schema(
        operation_id="sla_report",
        parameters=[ReportQuerySerializer],
        responses={200: ReportSerializer, 400: error_response(_("Invalid parameters."))},
        description=_(
            "SLA compliance per client, priority, department and month (any combination) "
            "with its totals, over the incidents opened in the period that you read."
        ),
    )
    def list(self, request, *args, **kwargs) -> Response:
        query = self._query()
        result = reports.report(
            self._incidents(query),
            group_by=query["group_by"],
            start=query["from"],
            end=query["to"],
            time_zone=query["time_zone"],
        )
        link = {
            key: request.query_params[key] for key in PERIOD_FIELDS if key in request.query_params
        }
        return Response(
            {
                "group_by": query["group_by"],
                "from": query["from"].isoformat(),
                "to": query["to"].isoformat(),
                "time_zone": query["time_zone"],
                "rows": [row_data(row, query["group_by"]) for row in result.rows],
                "totals": totals_data(result.totals),
                "violations_url": request.build_absolute_uri(
                    reverse("api:slareport-violations") + (f"?{urlencode(link)}" if link else "")
                ),
            }
        )

    @extend_schema(
        operation_id="sla_report_violations",
        parameters=[PeriodQuerySerializer],
        responses={
            200: ViolationSerializer(many=True),
            400: error_response(_("Invalid parameters.")),
        },
        description=_(
            "The breached clocks of the report's incidents, the latest breach first (paginated)."
        ),
    )
    @action(detail=False, methods=["get"])
    def violations(self, request, *args, **kwargs) -> Response:
        query = self._query(PeriodQuerySerializer)
        lo, hi = reports.period_bounds(query["from"], query["to"], query["time_zone"])
        incidents = self._incidents(query).filter(opened_at__gte=lo, opened_at__lt=hi)
        page = self.paginate_queryset(reports.breached_clocks(incidents))
        return self.get_paginated_response(
            [violation_data(reports.as_violation(clock)) for clock in page]
        )

    @extend_schema(
        operation_id="sla_report_departments",
        parameters=[DepartmentReportQuerySerializer],
        responses={
            200: DepartmentReportSerializer,
            400: error_response(_("Invalid parameters.")),
        },
        description=_(
            "Time per department: the resolution clock's working time each department held the "
            "incidents opened in the period that you read, with its OLA compliance, per "
            "department and the groups asked for."
        ),
    )
    @action(detail=False, methods=["get"])
    def departments(self, request, *args, **kwargs) -> Response:
        query = self._query(DepartmentReportQuerySerializer)
        incidents = reports.filtered(
            self.get_queryset(), client=query.get("client"), priority=query.get("priority", "")
        )
        period = {"start": query["from"], "end": query["to"], "time_zone": query["time_zone"]}
        result = department_report.report(
            incidents, group_by=query["group_by"], department=query.get("department"), **period
        )
        return Response(department_report.document(result, **period))
