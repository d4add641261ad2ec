"""The outbox's section of the background jobs page (a core page, which cannot import
notifications: ``config/urls.py`` gives it this section)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone

from tamdesk.core.views import JobsPageSection
from tamdesk.notifications.choices import NotificationStatus
from tamdesk.notifications.models import Notification

#: A notification still waiting this long after it was due means no worker is delivering.
OVERDUE_AFTER = dt.timedelta(minutes=5)


def outbox_health(request: HttpRequest) -> JobsPageSection | None:
    """Dead notifications, and those overdue: waiting (pending, or failed and due for a retry)
    more than ``OVERDUE_AFTER`` past their time — the sign that no worker is running."""
    if not request.user.has_perm("notifications.view_notification"):
        return None
    cutoff = timezone.now() - OVERDUE_AFTER
    counts = Notification.objects.aggregate(
        dead=Count("pk", filter=Q(status=NotificationStatus.DEAD)),
        overdue=Count(
            "pk",
            filter=Q(
                status__in=[NotificationStatus.PENDING, NotificationStatus.FAILED],
                next_attempt_at__lt=cutoff,
            ),
        ),
    )
    return JobsPageSection(
        template="notifications/partials/_jobs_outbox_health.html",
        context={**counts, "overdue_minutes": int(OVERDUE_AFTER.total_seconds() // 60)},
    )
