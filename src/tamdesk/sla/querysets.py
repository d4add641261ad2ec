"""Reusable reads of the SLA domain."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q

from tamdesk.sla.choices import WORKING_STATUSES


class PolicyVersionQuerySet(models.QuerySet):
    def in_force(self, at: dt.datetime):
        return self.filter(valid_from__lte=at).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gt=at)
        )


class IncidentQuerySet(models.QuerySet):
    def open(self):
        """Incidents in a working status: neither resolved nor closed."""
        return self.filter(status__in=WORKING_STATUSES)

    def visible_to(self, user):
        """Every incident for people with a role (the SLA is everybody's business here)."""
        return self


class IncidentClockQuerySet(models.QuerySet):
    def alert_due(self, now: dt.datetime):
        return self.filter(next_alert_at__lte=now)
