"""Everything that changes notifications: writing them (``notify``, inside the caller's
transaction), delivering them (the workers), retrying, reading, preferences."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from tamdesk.core.exceptions import DomainError
from tamdesk.directory.models import Contact, Department
from tamdesk.directory.time_zones import contact_time_zone, department_time_zone, user_time_zone
from tamdesk.notifications import channels, timing
from tamdesk.notifications.catalog import PERSONAL_CHANNELS, EventType, get_event_type
from tamdesk.notifications.choices import Channel, NotificationStatus
from tamdesk.notifications.models import (
    Notification,
    NotificationPreference,
    NotificationProfile,
    WebhookSubscription,
    new_webhook_secret,
)

log = logging.getLogger(__name__)
User = get_user_model()

#: How long a worker owns a notification it is delivering; a crashed worker's claim expires.
LEASE = dt.timedelta(minutes=5)
BACKOFF_CAP = dt.timedelta(hours=1)


class NotificationError(DomainError):
    code = "notification_error"


def backoff(attempts: int) -> dt.timedelta:
    """The wait before the next attempt after ``attempts`` failed ones: 1, 2, 4 … minutes, at
    most an hour."""
    return min(dt.timedelta(minutes=2 ** max(attempts - 1, 0)), BACKOFF_CAP)


# --- writing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def render(
    event_type: EventType, context: dict, language: str, time_zone: str | None = None
) -> Rendered:
    """The subject and the bodies of ``event_type`` in ``language``, with times in
    ``time_zone`` (the recipient's; the instance's by default), named ``TIME_ZONE`` in the
    templates."""
    time_zone = time_zone or settings.TIME_ZONE
    # LANGUAGE_CODE and TIME_ZONE as the i18n and tz context processors would give them.
    context = {
        "base_url": settings.BASE_URL,
        "LANGUAGE_CODE": language,
        "TIME_ZONE": time_zone,
        **context,
    }
    with translation.override(language), timezone.override(time_zone):
        subject = render_to_string(f"{event_type.template}_subject.txt", context)
        text = render_to_string(f"{event_type.template}.txt", context)
        html = render_to_string(f"{event_type.template}.html", context)
    subject = " ".join(subject.split())[:300]
    return Rendered(subject=subject, text=text.strip() + "\n", html=html)


def language_of(user) -> str:
    profile = getattr(user, "notification_profile", None)
    return profile.language if profile is not None else settings.LANGUAGE_CODE


def channels_for(user, event_type: EventType) -> set[str]:
    """The channels on which ``user`` receives ``event_type``: their preferences over the event
    type's defaults."""
    wanted = set(event_type.default_channels) & set(PERSONAL_CHANNELS)
    if not event_type.configurable:
        return wanted
    for channel, enabled in NotificationPreference.objects.filter(
        user=user, event_type=event_type.code
    ).values_list("channel", "enabled"):
        if enabled:
            wanted.add(channel)
        else:
            wanted.discard(channel)
    return wanted


def _email(common: dict, body: Rendered, *, key: str, **fields) -> Notification:
    """One e-mail row of ``notify``: ``fields`` name the recipient, address, language and when
    it is due."""
    return Notification(
        **common,
        **fields,
        dedup_key=key,
        channel=Channel.EMAIL,
        subject=body.subject,
        body_text=body.text,
        body_html=body.html,
    )


def notify(
    *,
    event_type: str,
    event_key: str,
    recipients: Iterable[models.Model],
    context: dict,
    url: str = "",
    related: models.Model | None = None,
    payload: dict | None = None,
    urgent: bool | None = None,
    now: dt.datetime | None = None,
) -> list[Notification]:
    """Write the notifications of one event, in the caller's transaction: one row per recipient
    (users, departments, client contacts) and channel, plus one per webhook subscribed to
    ``event_type``.

    A user gets the channels of their preferences, in their language, in their working hours
    unless urgent. A department gets an e-mail to its queue address. A client's ``Contact``
    gets an e-mail only, to their address (inactive contacts and those without one are
    skipped), in ``LANGUAGE_CODE`` (contacts have no language), due at once: messages to
    clients are sent deliberately, not in the background of some other event.

    ``event_key`` names the event (``"incident:42:resolution:breached"``): calling ``notify``
    again for the same event adds nothing, so callers need not check. Delivery is enqueued when
    the transaction commits; nothing is sent if it rolls back. Returns the rows written now.

    Each kind of recipient has its builder in ``RECIPIENT_BUILDERS``; anything else is a
    ``TypeError``.
    """
    kind = get_event_type(event_type)
    urgent = kind.urgent if urgent is None else urgent
    now = now or timezone.now()
    out = _Outgoing(
        kind=kind,
        key=event_key,
        urgent=urgent,
        now=now,
        context=context,
        common=_common_fields(
            kind, event_key, urgent=urgent, url=url, payload=payload, related=related
        ),
    )
    rows = [row for recipient in recipients for row in _builder_for(recipient)(out, recipient)]
    return _write_new(_first_of_each(rows + _webhook_rows(out)), now=now)


def _common_fields(
    kind: EventType,
    event_key: str,
    *,
    urgent: bool,
    url: str,
    payload: dict | None,
    related: models.Model | None,
) -> dict:
    """The fields every row of one event shares."""
    related_type = ContentType.objects.get_for_model(related) if related is not None else None
    return {
        "event_type": kind.code,
        "event_key": event_key,
        "urgent": urgent,
        "url": url,
        "payload": payload or {},
        "related_type": related_type,
        "related_id": str(related.pk) if related is not None else "",
    }


@dataclass
class _Outgoing:
    """One event on its way to its recipients: what every recipient builder needs, and the
    message, rendered once per language and time zone."""

    kind: EventType
    key: str
    urgent: bool
    now: dt.datetime
    context: dict
    #: The fields every row of the event shares.
    common: dict
    rendered: dict[tuple[str, str], Rendered] = field(default_factory=dict)

    def content(self, language: str, time_zone: str) -> Rendered:
        """The message in the recipient's language, with times in their zone."""
        if (language, time_zone) not in self.rendered:
            self.rendered[language, time_zone] = render(
                self.kind, self.context, language, time_zone
            )
        return self.rendered[language, time_zone]


def _department_rows(out: _Outgoing, department: Department) -> list[Notification]:
    """A department: an e-mail to its queue address (none without one), in ``LANGUAGE_CODE``,
    in its working hours unless urgent."""
    if not department.queue_email:
        return []
    spec = timing.working_calendar_of_department(department)
    body = out.content(settings.LANGUAGE_CODE, department_time_zone(department))
    return [
        _email(
            out.common,
            body,
            key=f"{out.key}|email|department:{department.pk}",
            recipient_department=department,
            address=department.queue_email,
            language=settings.LANGUAGE_CODE,
            next_attempt_at=timing.delivery_time(spec, urgent=out.urgent, now=out.now),
        )
    ]


def _contact_rows(out: _Outgoing, contact: Contact) -> list[Notification]:
    """A client's contact: an e-mail to their address (none when inactive or without one), in
    ``LANGUAGE_CODE``, due at once."""
    if not contact.is_active or not contact.email:
        return []
    body = out.content(settings.LANGUAGE_CODE, contact_time_zone(contact))
    return [
        _email(
            out.common,
            body,
            key=f"{out.key}|email|contact:{contact.pk}",
            recipient_contact=contact,
            address=contact.email,
            language=settings.LANGUAGE_CODE,
            next_attempt_at=out.now,
        )
    ]


def _user_rows(out: _Outgoing, user) -> list[Notification]:
    """A user (none when inactive): the channels of their preferences, in their language and
    time zone; the in-app one at once, the e-mail (to their address, if any) in their working
    hours unless urgent."""
    if not user.is_active:
        return []
    language = language_of(user)
    body = out.content(language, user_time_zone(user))
    wanted = channels_for(user, out.kind)
    rows = []
    if Channel.IN_APP in wanted:
        rows.append(_in_app(out, body, user=user, language=language))
    if Channel.EMAIL in wanted and user.email:
        spec = timing.working_calendar_of_user(user)
        rows.append(
            _email(
                out.common,
                body,
                key=f"{out.key}|email|user:{user.pk}",
                recipient_user=user,
                address=user.email,
                language=language,
                next_attempt_at=timing.delivery_time(spec, urgent=out.urgent, now=out.now),
            )
        )
    return rows


def _in_app(out: _Outgoing, body: Rendered, *, user, language: str) -> Notification:
    """The in-app row of ``user``: written as sent, it is in their inbox at once."""
    return Notification(
        **out.common,
        dedup_key=f"{out.key}|in_app|user:{user.pk}",
        channel=Channel.IN_APP,
        recipient_user=user,
        language=language,
        subject=body.subject,
        body_text=body.text,
        status=NotificationStatus.SENT,
        sent_at=out.now,
    )


#: How each kind of recipient ``notify`` accepts gets its rows: one builder per kind, called
#: with the outgoing event and the recipient, returning the rows (none to skip the recipient).
RECIPIENT_BUILDERS: dict[type, Callable[[_Outgoing, Any], list[Notification]]] = {
    Department: _department_rows,
    Contact: _contact_rows,
    User: _user_rows,
}


def _builder_for(recipient: models.Model) -> Callable[[_Outgoing, Any], list[Notification]]:
    for model, builder in RECIPIENT_BUILDERS.items():
        if isinstance(recipient, model):
            return builder
    raise TypeError(f"cannot notify {recipient!r}: not a user, a department or a contact")


def _webhook_rows(out: _Outgoing) -> list[Notification]:
    """One row per active webhook subscribed to the event type (if it goes to webhooks at
    all), in ``LANGUAGE_CODE`` with times in ``TIME_ZONE``, due at once."""
    if not out.kind.webhooks:
        return []
    return [
        _webhook_row(out, subscription)
        for subscription in WebhookSubscription.objects.filter(is_active=True)
        if subscription.wants(out.kind.code)
    ]


def _webhook_row(out: _Outgoing, subscription: WebhookSubscription) -> Notification:
    body = out.content(settings.LANGUAGE_CODE, settings.TIME_ZONE)
    return Notification(
        **out.common,
        dedup_key=f"{out.key}|webhook|webhook:{subscription.pk}",
        channel=Channel.WEBHOOK,
        webhook=subscription,
        address=subscription.url,
        language=settings.LANGUAGE_CODE,
        subject=body.subject,
        body_text=body.text,
        next_attempt_at=out.now,
    )


def _first_of_each(rows: list[Notification]) -> list[Notification]:
    """The rows without repeats: one per ``dedup_key``, the first (a recipient listed twice is
    notified once)."""
    seen: set[str] = set()
    return [row for row in rows if not (row.dedup_key in seen or seen.add(row.dedup_key))]


def _write_new(rows: list[Notification], *, now: dt.datetime) -> list[Notification]:
    """Store the rows not stored before (by an earlier call for the same event, or a concurrent
    one), enqueue the delivery of those due now when the transaction commits, and return them as
    stored."""
    if not rows:
        return []
    existing = set(
        Notification.objects.filter(dedup_key__in=[r.dedup_key for r in rows]).values_list(
            "dedup_key", flat=True
        )
    )
    fresh = [row for row in rows if row.dedup_key not in existing]
    # ignore_conflicts: a concurrent writer of the same event wins, quietly; its rows stand.
    Notification.objects.bulk_create(fresh, ignore_conflicts=True)
    due = [row.dedup_key for row in fresh if row.next_attempt_at and row.next_attempt_at <= now]
    if due:
        _enqueue_delivery_on_commit(due)
    if not fresh:
        return []
    # bulk_create with ignore_conflicts sets no primary keys: return the rows as stored.
    return list(
        Notification.objects.filter(dedup_key__in=[row.dedup_key for row in fresh]).order_by("pk")
    )


def _enqueue_delivery_on_commit(dedup_keys: list[str]) -> None:
    from tamdesk.core.jobs import enqueue_on_commit
    from tamdesk.notifications.tasks import deliver_notifications

    def enqueue() -> None:
        ids = list(
            Notification.objects.filter(dedup_key__in=dedup_keys).values_list("pk", flat=True)
        )
        if ids:
            deliver_notifications(ids)

    enqueue_on_commit(enqueue, what=f"the delivery of {len(dedup_keys)} notifications")


# --- delivering ----------------------------------------------------------------------------


def claim(notification_id: int, *, now: dt.datetime) -> bool:
    """Take ``notification_id`` for delivery if it is due and nobody holds it. One conditional
    UPDATE, so two workers never both win."""
    return bool(
        Notification.objects.due(now).filter(pk=notification_id).update(locked_until=now + LEASE)
    )


def deliver(notification_id: int, *, now: dt.datetime | None = None) -> str | None:
    """Deliver one notification if it is due; record the outcome. Safe to call twice and from
    several workers at once: only the worker that claims it sends. Returns the new status, or
    None when there was nothing to do."""
    now = now or timezone.now()
    if not claim(notification_id, now=now):
        return None
    notification = Notification.objects.select_related("webhook").get(pk=notification_id)
    try:
        if notification.channel == Channel.EMAIL:
            channels.send_email(notification)
        elif notification.channel == Channel.WEBHOOK:
            channels.send_webhook(notification)
    except Exception as exc:  # every failure of the far side is recorded and retried
        notification.attempts += 1
        notification.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if notification.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
            notification.status = NotificationStatus.DEAD
            log.error("notification %s is dead: %s", notification.pk, notification.last_error)
        else:
            notification.status = NotificationStatus.FAILED
            notification.next_attempt_at = timezone.now() + backoff(notification.attempts)
            log.warning(
                "notification %s failed (attempt %s): %s",
                notification.pk,
                notification.attempts,
                notification.last_error,
            )
    else:
        notification.attempts += 1
        notification.status = NotificationStatus.SENT
        notification.sent_at = timezone.now()
        notification.last_error = ""
    notification.locked_until = None
    with transaction.atomic():
        notification.save(
            update_fields=[
                "attempts",
                "last_error",
                "status",
                "next_attempt_at",
                "sent_at",
                "locked_until",
            ]
        )
        if notification.status == NotificationStatus.DEAD:
            _tell_administrators(notification, now=timezone.now())
    return notification.status


def _tell_administrators(dead: Notification, *, now: dt.datetime) -> None:
    """A dead notification notifies the administrators (in the app: the channel that failed
    may be e-mail)."""
    from tamdesk.core.roles import Role
    from tamdesk.notifications.catalog import DELIVERY_DEAD

    if dead.event_type == DELIVERY_DEAD.code:
        return
    administrators = (
        User.objects.filter(is_active=True)
        .filter(models.Q(is_superuser=True) | models.Q(groups__name=Role.ADMINISTRATOR))
        .distinct()
    )
    notify(
        event_type=DELIVERY_DEAD.code,
        event_key=f"dead:{dead.uuid}:{now.isoformat()}",
        recipients=administrators,
        context={"dead": dead},
        url=dead.get_absolute_url(),
        related=dead,
        now=now,
    )


def due_ids(*, now: dt.datetime, limit: int = 500) -> list[int]:
    return list(
        Notification.objects.due(now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


# --- people and administrators -------------------------------------------------------------


@transaction.atomic
def retry(notification: Notification, *, by, now: dt.datetime | None = None) -> Notification:
    """Put a dead or failed notification back in the queue, due now, with a fresh count."""
    notification = Notification.objects.select_for_update().get(pk=notification.pk)
    if notification.status not in (NotificationStatus.DEAD, NotificationStatus.FAILED):
        raise NotificationError(
            "Only a failed or dead notification can be retried.", code="not_retryable"
        )
    now = now or timezone.now()
    notification.status = NotificationStatus.PENDING
    notification.attempts = 0
    notification.next_attempt_at = now
    notification.locked_until = None
    notification.save(update_fields=["status", "attempts", "next_attempt_at", "locked_until"])
    log.info("notification %s retried by %s", notification.pk, by)
    _enqueue_delivery_on_commit([notification.dedup_key])
    return notification


def retry_all_dead(*, by, now: dt.datetime | None = None) -> int:
    """Put every dead notification back in the queue (as :func:`retry`); returns how many."""
    now = now or timezone.now()
    count = 0
    for notification in Notification.objects.filter(status=NotificationStatus.DEAD).order_by("pk"):
        try:
            retry(notification, by=by, now=now)
        except NotificationError:  # retried or delivered meanwhile by someone else
            continue
        count += 1
    return count


@transaction.atomic
def regenerate_webhook_secret(subscription: WebhookSubscription, *, by) -> WebhookSubscription:
    """Give ``subscription`` a new signing secret; the old one stops being valid at once."""
    subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    subscription.secret = new_webhook_secret()
    subscription.save(update_fields=["secret", "updated_at"])
    log.info("webhook %s: secret regenerated by %s", subscription.pk, by)
    return subscription


def mark_read(notification: Notification, *, by, now: dt.datetime | None = None) -> None:
    if notification.recipient_user_id != by.pk or notification.channel != Channel.IN_APP:
        raise NotificationError("This is not one of your notifications.", code="not_yours")
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=now or timezone.now()
    )


def mark_unread(notification: Notification, *, by) -> None:
    if notification.recipient_user_id != by.pk or notification.channel != Channel.IN_APP:
        raise NotificationError("This is not one of your notifications.", code="not_yours")
    Notification.objects.filter(pk=notification.pk).update(read_at=None)


def mark_all_read(*, by, now: dt.datetime | None = None) -> int:
    return Notification.objects.inbox(by).unread().update(read_at=now or timezone.now())


def preference_choices(user) -> dict[str, set[str]]:
    """The channels on which ``user`` receives each configurable event type (as
    :func:`channels_for`, for all of them in one query): ``{code: {"in_app", "email"}}``."""
    from tamdesk.notifications.catalog import EVENT_TYPES

    chosen = {
        (code, channel): enabled
        for code, channel, enabled in NotificationPreference.objects.filter(user=user).values_list(
            "event_type", "channel", "enabled"
        )
    }
    result: dict[str, set[str]] = {}
    for kind in EVENT_TYPES.values():
        if not kind.configurable:
            continue
        result[kind.code] = {
            channel
            for channel in PERSONAL_CHANNELS
            if chosen.get((kind.code, channel), channel in kind.default_channels)
        }
    return result


@transaction.atomic
def set_preferences(
    *, user, language: str, choices: dict[tuple[str, str], bool], by
) -> NotificationProfile:
    """Save ``user``'s language and their channel choices (``(event_type, channel) → on``);
    a choice equal to the event type's default is stored as no row."""
    from tamdesk.notifications.catalog import EVENT_TYPES

    if language not in dict(settings.LANGUAGES):
        raise NotificationError("Unknown language.", field="language", code="invalid_language")
    profile, _ = NotificationProfile.objects.select_for_update().get_or_create(user=user)
    profile.language = language
    profile.save(update_fields=["language"])
    for (code, channel), enabled in choices.items():
        kind = EVENT_TYPES.get(code)
        if kind is None or not kind.configurable or channel not in PERSONAL_CHANNELS:
            raise NotificationError(
                f"{code} on {channel} cannot be chosen.", code="invalid_preference"
            )
        default = channel in kind.default_channels
        if enabled == default:
            NotificationPreference.objects.filter(
                user=user, event_type=code, channel=channel
            ).delete()
        else:
            NotificationPreference.objects.update_or_create(
                user=user, event_type=code, channel=channel, defaults={"enabled": enabled}
            )
    return profile


@transaction.atomic
def send_test_email(*, to: str, by=None, now: dt.datetime | None = None) -> Notification:
    """Queue a test e-mail to ``to`` through the outbox; a worker delivers it."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    from tamdesk.notifications.catalog import TEST_MESSAGE

    try:
        validate_email(to)
    except ValidationError:
        raise NotificationError(
            f"{to!r} is not an e-mail address.", field="to", code="invalid"
        ) from None
    now = now or timezone.now()
    body = render(TEST_MESSAGE, {}, settings.LANGUAGE_CODE)
    notification = Notification.objects.create(
        event_type=TEST_MESSAGE.code,
        event_key=f"test:{now.isoformat()}:{to}",
        dedup_key=f"test:{now.isoformat()}:{to}|email|address",
        channel=Channel.EMAIL,
        address=to,
        urgent=True,
        subject=body.subject,
        body_text=body.text,
        body_html=body.html,
        next_attempt_at=now,
    )
    log.info("test e-mail to %s queued by %s", to, by or "the command line")
    _enqueue_delivery_on_commit([notification.dedup_key])
    return notification
