"""Logging in: the lock-out after repeated failures, for the login page and the token endpoint.

django-axes counts failed logins in the database (``axes_accessattempt``), so every web process
sees the same count. After ``settings.LOGIN_FAILURE_LIMIT`` failures from one client address
(``core.net.client_address``), logins from that address are refused — even with the right
password — until ``settings.LOGIN_LOCKOUT_MINUTES`` have passed since the last failure, or an
administrator runs ``tamdesk axes_reset_ip <address>``. A successful login clears the count.
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tamdesk.core.exceptions import DomainError


def lockout_message() -> str:
    minutes = settings.LOGIN_LOCKOUT_MINUTES
    return ngettext(
        "Too many failed login attempts from your address. Logging in is blocked for "
        "%(minutes)d minute; try again later, or ask an administrator to unblock it.",
        "Too many failed login attempts from your address. Logging in is blocked for "
        "%(minutes)d minutes; try again later, or ask an administrator to unblock it.",
        minutes,
    ) % {"minutes": minutes}


class LoginLockedOut(DomainError):
    """The token endpoint's form of the lock-out (429 ``login_locked_out``)."""

    code = "login_locked_out"
    status = 429

    def __init__(self):
        super().__init__(lockout_message())


class LoginLockoutBackend(AxesStandaloneBackend):
    """Axes' check, first among the authentication backends. A call without a request (a
    management command, a shell) has no client address to count and is not checked."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(request, original_response=None, credentials=None):
    """Axes' answer to a locked-out login page request (``AXES_LOCKOUT_CALLABLE``): the login
    page again, status 429, with the reason in the page's language."""
    return TemplateResponse(
        request,
        "registration/locked_out.html",
        {"title": _("Logging in is blocked"), "message": lockout_message()},
        status=429,
    ).render()
