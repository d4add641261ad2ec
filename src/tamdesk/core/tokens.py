"""API tokens: making, checking and revoking them — the one home of the rules (ADR 0003).

- A token is ``tdk_`` and 43 random URL-safe characters; only its SHA-256 digest is stored, so a
  copy of the database holds no usable key. (The key is random, not a password: a fast hash is
  enough, and lets a request find its token with one indexed lookup.)
- Every token expires: ``settings.API_TOKEN_DAYS`` days by default, at most
  ``settings.API_TOKEN_MAX_DAYS``.
- Changing a password and deactivating an account revoke every token of that user; the
  services that do either call ``revoke_user_tokens``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from tamdesk.core.exceptions import DomainError
from tamdesk.core.models import ApiToken

log = logging.getLogger(__name__)

KEY_PREFIX = "tdk_"
PREFIX_LENGTH = 10  # "tdk_" and six characters, shown in lists
# ``last_used_at`` is written at most this often, not on every request.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class InvalidTokenLifetime(DomainError):
    code = "invalid_token_lifetime"


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def validate_days(days: int) -> int:
    """A token's lifetime in whole days: 1 to ``settings.API_TOKEN_MAX_DAYS``."""
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise InvalidTokenLifetime(
            _("A token lasts from 1 to %(max)d days.") % {"max": settings.API_TOKEN_MAX_DAYS},
            field="days",
        )
    return days


@transaction.atomic
def create_token(user, *, name: str = "", days: int | None = None, by) -> tuple[ApiToken, str]:
    """Make a token for ``user`` lasting ``days`` (default ``settings.API_TOKEN_DAYS``); returns
    the row and the key, which is never shown again. The user's expired tokens are dropped."""
    days = validate_days(settings.API_TOKEN_DAYS if days is None else days)
    now = timezone.now()
    ApiToken.objects.filter(user=user, expires_at__lte=now).delete()
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        digest=digest(key),
        prefix=key[:PREFIX_LENGTH],
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    log.info("API token %s for %s created by %s (%s days)", token.pk, user, by, days)
    return token, key


def revoke_token(token: ApiToken, *, by) -> None:
    """Revoke one token: it stops working at once."""
    ApiToken.objects.filter(pk=token.pk).delete()
    log.info("API token %s of %s revoked by %s", token.pk, token.user_id, by)


def revoke_user_tokens(user, *, by, reason: str) -> int:
    """Revoke every token of ``user`` (password changed, account deactivated); returns how many."""
    count, _rows = ApiToken.objects.filter(user=user).delete()
    if count:
        log.info("%s API tokens of %s revoked by %s: %s", count, user, by, reason)
    return count


def active_tokens_of_everyone():
    """Every token that has not expired, newest first."""
    return ApiToken.objects.filter(expires_at__gt=timezone.now())


def active_tokens(user):
    """The user's tokens that still work, newest first."""
    return active_tokens_of_everyone().filter(user=user)


class ApiTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>`` against ``ApiToken``: unknown, expired and revoked keys,
    and keys of inactive users, are refused alike (401 ``authentication_failed``). The token is
    ``request.auth``."""

    def authenticate_credentials(self, key: str):
        now = timezone.now()
        token = (
            ApiToken.objects.select_related("user")
            .filter(digest=digest(key), expires_at__gt=now)
            .first()
        )
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid or expired token."))
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token
