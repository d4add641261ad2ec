"""The outbox: one row per notification, per recipient and channel, written in the transaction
of the event that caused it and delivered by the workers."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tamdesk.core.models import TimeStampedModel
from tamdesk.core.scoping import AdministeredQuerySet
from tamdesk.notifications.choices import Channel, NotificationStatus, WebhookFormat
from tamdesk.notifications.querysets import NotificationQuerySet


def new_webhook_secret() -> str:
    return secrets.token_urlsafe(32)


class WebhookSubscription(TimeStampedModel):
    """An outside system that receives events as HTTP POSTs."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    url = models.URLField(
        _("URL"), max_length=500, validators=[URLValidator(schemes=["http", "https"])]
    )
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        default=new_webhook_secret,
        help_text=_("The body is signed with HMAC-SHA256 under this secret."),
    )
    event_types = models.JSONField(
        _("event types"),
        default=list,
        blank=True,
        help_text=_("The events it receives; none selected means all of them."),
    )
    format = models.CharField(
        _("format"), max_length=16, choices=WebhookFormat.choices, default=WebhookFormat.JSON
    )
    is_active = models.BooleanField(_("active"), default=True)

    # Administrators only (``tamdesk.core.scoping``).
    objects = AdministeredQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("notifications:webhook_detail", args=[self.pk])

    def wants(self, event_type: str) -> bool:
        return self.is_active and (not self.event_types or event_type in self.event_types)


class NotificationProfile(models.Model):
    """What a person set for the messages they receive: the language of e-mails and digests."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_profile",
    )
    language = models.CharField(
        _("language of e-mails"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )

    class Meta:
        verbose_name = _("notification profile")
        verbose_name_plural = _("notification profiles")

    def __str__(self) -> str:
        return str(self.user)


class NotificationPreference(models.Model):
    """One person's choice for one event type on one channel (absent: the event type's default)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    event_type = models.CharField(_("event type"), max_length=64)
    channel = models.CharField(
        _("channel"),
        max_length=16,
        choices=[(Channel.IN_APP, Channel.IN_APP.label), (Channel.EMAIL, Channel.EMAIL.label)],
    )
    enabled = models.BooleanField(_("enabled"))

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "event_type", "channel"], name="notification_preference_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.event_type} {self.channel}: {self.enabled}"


class Notification(models.Model):
    """One message to one recipient (a user, a department's queue, a client's contact or a
    webhook) on one channel. ``dedup_key`` (event, recipient, channel) is unique, so an event
    notifies each recipient on each channel at most once."""

    uuid = models.UUIDField(_("delivery id"), default=uuid.uuid4, unique=True, editable=False)
    event_type = models.CharField(_("event type"), max_length=64, db_index=True)
    event_key = models.CharField(_("event"), max_length=200)
    dedup_key = models.CharField(_("deduplication key"), max_length=300, unique=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    recipient_department = models.ForeignKey(
        "directory.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    # SET_NULL: what was sent to a client stays in the outbox (address, subject, bodies) even
    # if the contact is ever deleted; contacts are deactivated in practice, not deleted.
    recipient_contact = models.ForeignKey(
        "directory.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    webhook = models.ForeignKey(
        WebhookSubscription,
        verbose_name=_("webhook"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    address = models.CharField(_("address"), max_length=500, blank=True)
    language = models.CharField(_("language"), max_length=8, default=settings.LANGUAGE_CODE)
    urgent = models.BooleanField(_("urgent"), default=False)
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text"), blank=True)
    body_html = models.TextField(_("HTML"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    payload = models.JSONField(_("data"), default=dict, blank=True)
    related_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    related_id = models.CharField(max_length=64, blank=True)
    related = GenericForeignKey("related_type", "related_id")

    status = models.CharField(
        _("status"),
        max_length=16,
        choices=NotificationStatus.choices,
        default=NotificationStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notification_due"),
            models.Index(
                fields=["recipient_user", "channel", "read_at"], name="notification_inbox"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="notification_one_recipient",
                condition=(
                    Q(
                        channel=Channel.IN_APP,
                        recipient_user__isnull=False,
                        recipient_department__isnull=True,
                        recipient_contact__isnull=True,
                        webhook__isnull=True,
                    )
                    | Q(
                        channel=Channel.EMAIL,
                        webhook__isnull=True,
                        recipient_user__isnull=False,
                        recipient_department__isnull=True,
                        recipient_contact__isnull=True,
                    )
                    # A department's queue, a client's contact, or a bare address (a test
                    # e-mail, or a contact since deleted).
                    | (
                        Q(channel=Channel.EMAIL, webhook__isnull=True, recipient_user__isnull=True)
                        & (Q(recipient_department__isnull=True) | Q(recipient_contact__isnull=True))
                    )
                    | Q(
                        channel=Channel.WEBHOOK,
                        webhook__isnull=False,
                        recipient_user__isnull=True,
                        recipient_department__isnull=True,
                        recipient_contact__isnull=True,
                    )
                ),
            ),
            models.CheckConstraint(
                name="notification_due_when_open",
                condition=Q(status__in=["sent", "dead"]) | Q(next_attempt_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return reverse("notifications:outbox_detail", args=[self.pk])

    @property
    def recipient(self):
        return (
            self.recipient_user
            or self.recipient_department
            or self.recipient_contact
            or self.webhook
        )

    @property
    def is_unread(self) -> bool:
        return self.channel == Channel.IN_APP and self.read_at is None
