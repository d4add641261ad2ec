from __future__ import annotations

from django.db import models
from django.db.models import Q


class NotificationQuerySet(models.QuerySet):
    def inbox(self, user):
        """The in-app notifications of ``user``, newest first."""
        return self.filter(recipient_user=user, channel="in_app")

    def unread(self):
        return self.filter(read_at__isnull=True)

    def due(self, now):
        """Undelivered, due by ``now`` and not claimed by a worker."""
        return self.filter(status__in=["pending", "failed"], next_attempt_at__lte=now).filter(
            Q(locked_until__isnull=True) | Q(locked_until__lt=now)
        )
