"""Reusable reads of the directory."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone

from tamdesk.directory.choices import AccountRole


def _current(day: dt.date | None) -> Q:
    day = day or timezone.localdate()
    return Q(start_on__lte=day) & (Q(end_on__isnull=True) | Q(end_on__gte=day))


class AccountTeamQuerySet(models.QuerySet):
    def current(self, day: dt.date | None = None) -> AccountTeamQuerySet:
        """Assignments in force on ``day`` (today by default)."""
        return self.filter(_current(day))


class ClientQuerySet(models.QuerySet):
    def managed_by(self, user, day: dt.date | None = None) -> ClientQuerySet:
        """Clients whose current TAM or backup TAM is ``user``."""
        return self.on_account_team_of(
            user, roles=[AccountRole.TAM, AccountRole.BACKUP_TAM], day=day
        )

    def on_account_team_of(
        self, user, *, roles: list[str] | None = None, day: dt.date | None = None
    ) -> ClientQuerySet:
        """Clients where ``user`` currently holds an account-team role (any, or one of
        ``roles``)."""
        day = day or timezone.localdate()
        # One filter() call: all conditions must hold for the same assignment row.
        condition = (
            Q(account_assignments__user=user)
            & Q(account_assignments__start_on__lte=day)
            & (
                Q(account_assignments__end_on__isnull=True)
                | Q(account_assignments__end_on__gte=day)
            )
        )
        if roles is not None:
            condition &= Q(account_assignments__role__in=roles)
        return self.filter(condition).distinct()
