"""Middleware of the core app: the security headers of every response, and the audit log's
client address."""

from __future__ import annotations

from auditlog.middleware import AuditlogMiddleware as BaseAuditlogMiddleware
from django.conf import settings

from tamdesk.core.net import client_address, is_trusted_proxy, parse_address

CSP_HEADER = "Content-Security-Policy"


def policy_header(policy: dict[str, list[str]]) -> str:
    """``{"default-src": ["'self'"], ...}`` as a header value."""
    return "; ".join(" ".join([directive, *sources]) for directive, sources in policy.items())


class SecurityHeadersMiddleware:
    """Adds ``Content-Security-Policy`` (``settings.CONTENT_SECURITY_POLICY``) and
    ``Permissions-Policy`` (``settings.PERMISSIONS_POLICY``) to every response that does not set
    its own — a view with special needs (the Swagger UI) sets a policy of its own."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.csp = policy_header(settings.CONTENT_SECURITY_POLICY)
        self.permissions = ", ".join(
            f"{feature}=({' '.join(allowed)})"
            for feature, allowed in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if CSP_HEADER not in response:
            response[CSP_HEADER] = self.csp
        if "Permissions-Policy" not in response:
            response["Permissions-Policy"] = self.permissions
        return response


class AuditlogMiddleware(BaseAuditlogMiddleware):
    """django-auditlog's middleware, recording the client address by ``core.net``'s rule (the
    original believes any ``X-Forwarded-For`` a client sends)."""

    @staticmethod
    def _get_remote_addr(request):
        return client_address(request) or None

    @staticmethod
    def _get_remote_port(request):
        if not is_trusted_proxy(parse_address(request.META.get("REMOTE_ADDR", ""))):
            return None
        return BaseAuditlogMiddleware._get_remote_port(request)
