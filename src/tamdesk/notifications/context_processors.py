"""The unread count of the bell in the top bar."""

from __future__ import annotations

import functools

from tamdesk.notifications.models import Notification


def notification_centre(request) -> dict:
    """``unread_notification_count`` for a signed-in user: one COUNT query, made only when a
    template shows it (the bell), at most once per response. Nothing for anonymous users.

    The value is a memoised function, not a lazy object: the template engine calls it and gets a
    plain ``int``. A ``SimpleLazyObject`` would reach ``{% blocktranslate count %}`` as is, and
    the Russian plural formula (``n%10``) cannot take the remainder of a proxy."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @functools.cache
    def unread_notification_count() -> int:
        return Notification.objects.inbox(user).unread().count()

    return {"unread_notification_count": unread_notification_count}
