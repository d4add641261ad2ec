"""The unread count of the bell in the top bar."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from tamdesk.notifications.models import Notification


def notification_centre(request) -> dict:
    """``unread_notification_count`` for a signed-in user: one COUNT query, made only when a
    template shows it (the bell), at most once per response. Nothing for anonymous users."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notification_count": SimpleLazyObject(
            lambda: Notification.objects.inbox(user).unread().count()
        )
    }
