"""Who may do what with notifications.

- Everyone signed in has an inbox and preferences: they see and mark their own in-app
  notifications, nobody else's.
- Administrators see the whole outbox, retry failed and dead notifications and manage the
  webhook subscriptions.
"""

from __future__ import annotations

import rules

from tamdesk.core.permissions import is_administrator


@rules.predicate
def is_recipient(user, notification) -> bool:
    return notification is None or notification.recipient_user_id == user.pk


rules.add_perm("notifications.view_inbox", rules.is_authenticated)
rules.add_perm("notifications.read_notification", rules.is_authenticated & is_recipient)
rules.add_perm("notifications.change_preferences", rules.is_authenticated)
rules.add_perm("notifications.view_notification", is_administrator)
rules.add_perm("notifications.retry_notification", is_administrator)
for _verb in ("view", "add", "change", "delete"):
    rules.add_perm(f"notifications.{_verb}_webhooksubscription", is_administrator)
