from __future__ import annotations

from django.db.models import Q

from tamdesk.core.roles import Role, role_names
from tamdesk.core.scoping import RestrictedQuerySet


class NotificationQuerySet(RestrictedQuerySet):
    def visible_to(self, user):
        """Administrators read the whole outbox; everyone else their own notifications."""
        if Role.ADMINISTRATOR.value in role_names(user):
            return self.all()
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(recipient_user=user)

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
