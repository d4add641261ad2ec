"""The OpenAPI schema (``/api/schema/``) and the Swagger UI (``/api/docs/``): for signed-in
users (a session or a token), or for everyone when ``settings.API_SCHEMA_PUBLIC``
(``TAMDESK_API_SCHEMA_PUBLIC``)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated

from tamdesk.core.middleware import CSP_HEADER, policy_header
from tamdesk.core.tokens import ApiTokenAuthentication


class ApiSchemaView(SpectacularAPIView):
    # Token first: its ``WWW-Authenticate`` header makes an anonymous call a 401, not a 403.
    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]

    def get_permissions(self):
        return [AllowAny()] if settings.API_SCHEMA_PUBLIC else [IsAuthenticated()]


class ApiDocsView(SpectacularSwaggerSplitView):
    """The Swagger UI with its start-up script as a separate file (no inline script). Its page
    carries one inline ``<style>`` block, so its policy allows inline styles, on this page only.
    An anonymous visitor is sent to the login page."""

    authentication_classes = [SessionAuthentication]

    def get_permissions(self):
        return [AllowAny()] if settings.API_SCHEMA_PUBLIC else [IsAuthenticated()]

    def dispatch(self, request, *args, **kwargs):
        if not settings.API_SCHEMA_PUBLIC and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        response = super().dispatch(request, *args, **kwargs)
        policy = {**settings.CONTENT_SECURITY_POLICY, "style-src": ["'self'", "'unsafe-inline'"]}
        response[CSP_HEADER] = policy_header(policy)
        return response
