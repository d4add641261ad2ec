"""Background entry points of the notifications: deliver what is due, the sweep that finds what
an enqueue lost. (The daily digests' job is the workspace's, which gives it its sections.)"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tamdesk.core.jobs import crontab, job, periodic_job
from tamdesk.notifications import services


@job(name="notifications.deliver", retries=0)
def deliver_notifications(notification_ids: list[int]) -> None:
    """Deliver the given notifications; each is re-checked and claimed first, so a late or a
    duplicate task sends nothing twice. Failures are recorded on the rows (and retried by the
    sweep), not by huey."""
    for notification_id in notification_ids:
        services.deliver(notification_id)


@periodic_job(
    "notifications.sweep",
    crontab(minute="*"),
    _(
        "Deliver every notification that is due: deferred to working hours, retried after a "
        "failure, or whose enqueue was lost"
    ),
    text="every minute",
)
def sweep_outbox() -> str:
    statuses: dict[str, int] = {}
    for notification_id in services.due_ids(now=timezone.now()):
        status = services.deliver(notification_id)
        if status:
            statuses[status] = statuses.get(status, 0) + 1
    return (
        ", ".join(f"{count} {status}" for status, count in sorted(statuses.items())) or "none due"
    )
