"""Background entry points of the workspace: the daily digests, sent with the sections the
workspace lists (``sections.DIGEST_SECTIONS``) — notifications, which builds and sends them,
cannot import the domains whose sections they are."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tamdesk.core.jobs import crontab, periodic_job
from tamdesk.notifications import digest
from tamdesk.workspace.sections import DIGEST_SECTIONS


# The job keeps the name it had under notifications, so that its recorded runs stay one history.
@periodic_job(
    "notifications.daily_digests",
    crontab(minute="*/5"),
    _("Send each TAM their daily digest at the start of their working day"),
    text="every 5 minutes",
)
def send_daily_digests() -> str:
    written = digest.send_daily_digests(now=timezone.now(), sections=DIGEST_SECTIONS)
    return f"{written} digests written"
