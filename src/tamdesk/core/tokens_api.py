"""The API of API tokens (routes in ``tamdesk.config.api_urls``):

- ``POST /api/v1/auth/token/`` — user name and password in, a new token out (it expires after
  ``TAMDESK_API_TOKEN_DAYS``); ``DELETE`` with a token revokes that token (an API log-out).
- ``GET /api/v1/auth/tokens/``, ``DELETE /api/v1/auth/tokens/{id}/`` — the caller's own tokens.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.authtoken.serializers import AuthTokenSerializer  # no model: app not installed
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from tamdesk.core import ranges, tokens
from tamdesk.core.api import AuditedViewSetMixin
from tamdesk.core.auth import LoginLockedOut
from tamdesk.core.models import ApiToken
from tamdesk.core.scoping import ScopedViewSetMixin
from tamdesk.core.viewsets import ApiSchema, error_response


class ObtainedTokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("The key; it is shown only this once."))
    id = serializers.IntegerField()
    expires_at = ranges.InstantField()


class ObtainTokenView(APIView):
    """A new token for a user name and password; errors use the API's error shape."""

    # The credentials are in the body; a browser session must not make CSRF apply to the POST.
    authentication_classes = []
    permission_classes = []
    serializer_class = AuthTokenSerializer

    def get_authenticators(self):
        # DELETE revokes the token it is called with.
        if getattr(self.request, "method", "") == "DELETE":
            return [tokens.ApiTokenAuthentication()]
        return super().get_authenticators()

    def get_permissions(self):
        if getattr(self.request, "method", "") == "DELETE":
            return [IsAuthenticated()]
        return super().get_permissions()

    @extend_schema(
        operation_id="auth_token_create",
        tags=["auth"],
        summary=_("Obtain an API token"),
        description=_(
            "Send a user name and password; use the returned token as "
            "`Authorization: Token <token>` on every other call. Each call makes a new token, "
            "which expires after the configured number of days (30 by default). After 20 failed "
            "attempts from one address, logins from it are refused for a while "
            "(429 `login_locked_out`)."
        ),
        request=AuthTokenSerializer,
        responses={
            200: ObtainedTokenSerializer,
            400: error_response(_("Missing fields or wrong credentials (`invalid`).")),
            429: error_response(_("Too many failed attempts from this address.")),
        },
    )
    def post(self, request, *args, **kwargs):
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        try:
            serializer.is_valid(raise_exception=True)
        except exceptions.ValidationError:
            # Set by django-axes when this address is (or just became) locked out.
            if getattr(request, "axes_locked_out", False):
                raise LoginLockedOut() from None
            raise
        user = serializer.validated_data["user"]
        token, key = tokens.create_token(user, by=user)
        return Response({"token": key, "id": token.pk, "expires_at": token.expires_at})

    @extend_schema(
        operation_id="auth_token_destroy",
        tags=["auth"],
        summary=_("Revoke the token of this call"),
        request=None,
        responses={
            204: None,
            401: error_response(_("No token, or an unknown or expired one.")),
        },
    )
    def delete(self, request, *args, **kwargs):
        tokens.revoke_token(request.auth, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApiTokenSerializer(ranges.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "last_used_at"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary=_("Your API tokens that have not expired, newest first")),
    retrieve=extend_schema(summary=_("One of your API tokens")),
    destroy=extend_schema(summary=_("Revoke one of your API tokens")),
)
class ApiTokenViewSet(
    ScopedViewSetMixin,
    AuditedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The caller's own tokens (another person's is a 404). The key itself is never shown again:
    ``prefix`` tells them apart."""

    # Token first: its ``WWW-Authenticate`` header makes an anonymous call a 401, not a 403.
    authentication_classes = [tokens.ApiTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    schema = ApiSchema()
    serializer_class = ApiTokenSerializer
    filter_backends = []
    queryset = ApiToken.objects.all()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApiToken.objects.none()
        # The caller's own (``ApiTokenQuerySet.visible_to``) that still work.
        return super().get_queryset() & tokens.active_tokens(self.request.user)

    def perform_destroy(self, instance: ApiToken) -> None:
        tokens.revoke_token(instance, by=self.request.user)
