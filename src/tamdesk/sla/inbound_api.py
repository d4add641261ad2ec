"""``POST /api/v1/inbound/incidents/<id>/``: a live incident source posts its updates
(``sla.imports.inbound``; docs/imports.md, "Live: inbound webhooks").

Authenticated by the source's own token (``Authorization: Bearer <token>``), not by a user: no
session (so no CSRF), no API token. An unknown or inactive source and a wrong token get the same
401. The body is JSON with the API's size and depth limits."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from tamdesk.core.viewsets import error_response
from tamdesk.sla.imports import inbound

SCHEME = "Bearer"


class InboundOutcomeSerializer(serializers.Serializer):
    event_id = serializers.CharField()
    external_id = serializers.CharField()
    status = serializers.ChoiceField(choices=["applied", "held", "rejected", "duplicate"])
    reason = serializers.CharField(allow_blank=True)


class InboundResultSerializer(serializers.Serializer):
    deliveries = InboundOutcomeSerializer(many=True)


class InboundIncidentsView(APIView):
    """Receive one row or a list of rows of a live source; answer each row's outcome."""

    authentication_classes = []
    permission_classes = []

    def get_authenticate_header(self, request) -> str:
        return f'{SCHEME} realm="tamdesk inbound"'

    def _source(self, request, source_id: int):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        scheme, _space, key = header.partition(" ")
        source = None
        if scheme == SCHEME and key.strip():
            source = inbound.authenticate(source_id, key.strip())
        if source is None:
            raise exceptions.AuthenticationFailed(_("Unknown source or wrong token."))
        return source

    @extend_schema(
        operation_id="inbound_incidents_create",
        tags=["inbound"],
        summary=_("Send incident updates from a live source"),
        description=_(
            "A helpdesk posts its incident updates: one row (a JSON object) or a list of up to "
            "100, in the shape of the source's format. Authenticate with the source's token: "
            "`Authorization: Bearer <token>`. Each row is applied, held until its predecessor "
            "arrives, rejected (with the reason), or a duplicate of an event already received."
        ),
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        request={"application/json": OpenApiTypes.ANY},
        responses={
            200: InboundResultSerializer,
            202: OpenApiResponse(
                InboundResultSerializer, description=_("Some rows are held for their predecessor.")
            ),
            400: error_response(_("A malformed body (`invalid`, the fields in `errors`).")),
            401: error_response(_("Unknown or inactive source, or a wrong token.")),
        },
    )
    def post(self, request, id: int, *args, **kwargs):
        source = self._source(request, id)
        try:
            outcomes = inbound.receive(source, request.data)
        except inbound.InvalidDelivery as invalid:
            raise exceptions.ValidationError(invalid.errors) from None
        held = any(outcome["status"] == inbound.Held for outcome in outcomes)
        return Response(
            {"deliveries": outcomes},
            status=status.HTTP_202_ACCEPTED if held else status.HTTP_200_OK,
        )
