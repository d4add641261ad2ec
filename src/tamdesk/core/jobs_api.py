"""``/api/v1/job-runs/``: the recorded runs of the periodic jobs, read-only, for administrators
(``core.view_jobrun``). Filters are the jobs page's (``JobRunFilter``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.authentication import SessionAuthentication

from tamdesk.core import ranges
from tamdesk.core.api import AuditedViewSetMixin, RulesPermission
from tamdesk.core.filters import JobRunFilter
from tamdesk.core.models import JobRun
from tamdesk.core.scoping import ScopedViewSetMixin
from tamdesk.core.tokens import ApiTokenAuthentication
from tamdesk.core.viewsets import ApiSchema


class JobRunSerializer(ranges.ModelSerializer):
    duration_seconds = serializers.FloatField(
        read_only=True, allow_null=True, help_text=_("Null while the run is going on.")
    )

    class Meta:
        model = JobRun
        fields = ["id", "name", "started_at", "finished_at", "outcome", "duration_seconds"]
        fields += ["detail", "worker"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary=_("Runs of the periodic jobs, newest first (administrators)")),
    retrieve=extend_schema(summary=_("One run of a periodic job")),
)
class JobRunViewSet(ScopedViewSetMixin, AuditedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    # Token first: its ``WWW-Authenticate`` header makes an anonymous call a 401, not a 403.
    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
    permission_classes = [RulesPermission]
    schema = ApiSchema()
    queryset = JobRun.objects.all()
    serializer_class = JobRunSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = JobRunFilter
