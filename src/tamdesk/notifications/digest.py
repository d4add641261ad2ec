"""The daily digest: one message per TAM at the start of their working day with what needs them
on their clients. It is made of sections; each domain writes the builders of its own (SLA risks,
clients without a key contact, unread notifications; later overdue tasks, stale documents, due
actions) next to the data it reads, and the workspace lists them, in order
(``tamdesk.workspace.sections.DIGEST_SECTIONS``), and runs the job that sends the digests with
that list (``tamdesk.workspace.tasks``): notifications cannot import the domains above it. A
section with nothing to say is left out, and so is a digest with no section.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tamdesk.directory.choices import AccountRole, ContactKind
from tamdesk.directory.models import AccountTeamAssignment, Client
from tamdesk.directory.time_zones import user_time_zone
from tamdesk.notifications import timing
from tamdesk.notifications.catalog import DAILY_DIGEST
from tamdesk.notifications.models import Notification

User = get_user_model()

#: When the working day starts at midnight (a 24×7 calendar), the digest waits until 09:00.
NIGHT_START = 9 * 60


@dataclass(frozen=True)
class DigestItem:
    text: str
    url: str = ""


@dataclass(frozen=True)
class DigestSection:
    key: str
    title: str | Promise
    build: Callable[[object, dt.datetime], list[DigestItem]]  # (user, now) → items


def compose(
    user, *, now: dt.datetime, sections: Sequence[DigestSection]
) -> list[tuple[DigestSection, list[DigestItem]]]:
    """The non-empty ``sections`` of ``user``'s digest, in their order."""
    composed = []
    for section in sections:
        items = section.build(user, now)
        if items:
            composed.append((section, items))
    return composed


def day_start(spec, now: dt.datetime) -> tuple[dt.date, dt.datetime | None]:
    """The recipient's local date at ``now`` and when their working day starts (None on a day
    off)."""
    zone = zoneinfo.ZoneInfo(spec.time_zone)
    today = now.astimezone(zone).date()
    intervals = spec.intervals_on(today)
    if not intervals:
        return today, None
    minute = intervals[0][0] or NIGHT_START
    start = dt.datetime.combine(today, dt.time(minute // 60, minute % 60), tzinfo=zone)
    return today, start


def digest_recipients():
    """Active people who are the current TAM or backup TAM of at least one client."""
    user_ids = (
        AccountTeamAssignment.objects.current()
        .filter(role__in=[AccountRole.TAM, AccountRole.BACKUP_TAM])
        .values("user_id")
    )
    return (
        User.objects.filter(pk__in=user_ids, is_active=True)
        .select_related("engineer__department__calendar", "notification_profile")
        .order_by("pk")
    )


def send_daily_digests(*, now: dt.datetime, sections: Sequence[DigestSection]) -> int:
    """Write today's digest, made of ``sections``, for every TAM whose working day has begun and
    who has not had it yet. Safe to run as often as wanted: one digest per person and local
    date."""
    from tamdesk.notifications.services import language_of, notify

    written = 0
    for user in digest_recipients():
        today, start = day_start(timing.working_calendar_of_user(user), now)
        if start is None or now < start:
            continue
        event_key = f"digest:{user.pk}:{today.isoformat()}"
        if Notification.objects.filter(event_key=event_key).exists():
            continue
        # The sections are composed in the recipient's language and zone, like the message.
        with translation.override(language_of(user)), timezone.override(user_time_zone(user)):
            composed = compose(user, now=now, sections=sections)
        if not composed:
            continue
        with transaction.atomic():
            rows = notify(
                event_type=DAILY_DIGEST.code,
                event_key=event_key,
                recipients=[user],
                context={"recipient": user, "day": today, "sections": composed},
                url=reverse("home"),
                urgent=True,  # it is already the start of their day
                now=now,
            )
        written += bool(rows)
    return written


# --- the notifications' and the directory's sections ------------------------------------------


def clients_missing_contacts(user, now: dt.datetime) -> list[DigestItem]:
    clients = (
        Client.objects.managed_by(user)
        .exclude(status="former")
        .annotate(
            technical=Count("contacts", filter=Q(contacts__kind=ContactKind.TECHNICAL)),
            deciders=Count("contacts", filter=Q(contacts__kind=ContactKind.DECISION_MAKER)),
        )
        .filter(Q(technical=0) | Q(deciders=0))
        .order_by("name")
    )
    items = []
    for client in clients:
        missing = []
        if not client.technical:
            missing.append(str(ContactKind.TECHNICAL.label))
        if not client.deciders:
            missing.append(str(ContactKind.DECISION_MAKER.label))
        items.append(
            DigestItem(
                text=_("%(client)s: no %(kinds)s")
                % {"client": client.name, "kinds": ", ".join(missing).lower()},
                url=client.get_absolute_url(),
            )
        )
    return items


def unread_notifications(user, now: dt.datetime) -> list[DigestItem]:
    unread = Notification.objects.inbox(user).unread().exclude(event_type=DAILY_DIGEST.code)
    count = unread.count()
    if not count:
        return []
    items = [DigestItem(text=n.subject, url=n.url) for n in unread[:10]]
    if count > len(items):
        items.append(
            DigestItem(
                text=ngettext("and %(count)d more", "and %(count)d more", count - len(items))
                % {"count": count - len(items)},
                url=reverse("notifications:inbox"),
            )
        )
    return items
