"""Middleware of the core app: the audit log's client address."""

from __future__ import annotations

from auditlog.middleware import AuditlogMiddleware as BaseAuditlogMiddleware

from tamdesk.core.net import client_address, is_trusted_proxy, parse_address


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
