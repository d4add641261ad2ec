"""Base models shared by every domain."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tamdesk.core.querysets import ApiTokenQuerySet
from tamdesk.core.scoping import AdministeredQuerySet


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class JobRunOutcome(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class JobRun(models.Model):
    """One run of a periodic background job: when it started and ended and how it went."""

    name = models.CharField(_("job"), max_length=100, db_index=True)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=JobRunOutcome.choices, default=JobRunOutcome.RUNNING
    )
    detail = models.TextField(_("detail"), blank=True)
    worker = models.CharField(_("worker"), max_length=200, blank=True)

    # Administrators only (``tamdesk.core.scoping``).
    objects = AdministeredQuerySet.as_manager()

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["name", "-started_at"], name="core_jobrun_name_started")]

    def __str__(self) -> str:
        return f"{self.name} @ {self.started_at:%Y-%m-%d %H:%M:%S}"

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class EventDelivery(models.Model):
    """One domain event owed to one subscriber (``core.events``): written in the publisher's
    transaction, delivered by a job after the commit, marked delivered when the subscriber
    returns. A delivery whose job was lost (the queue was down at the commit, the process died)
    is found again by the sweep, so that no committed event is lost."""

    event = models.CharField(_("event"), max_length=100)
    subscriber = models.CharField(_("subscriber"), max_length=100)
    payload = models.JSONField(_("payload"), default=dict)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("event delivery")
        verbose_name_plural = _("event deliveries")
        indexes = [
            models.Index(fields=["delivered_at", "created_at"], name="core_eventdelivery_due")
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscriber}"


class ApiToken(models.Model):
    """A personal API token (``Authorization: Token <key>``). Only the SHA-256 digest of the key
    is stored: the key is shown once, when the token is made. A token expires at
    ``expires_at``; the owner lists and revokes theirs, and changing the password or deactivating
    the account revokes them all (``core.tokens``). Revoking deletes the row."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    digest = models.CharField(_("digest"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        _("prefix"),
        max_length=12,
        editable=False,
        help_text=_("The first characters of the key, to tell tokens apart."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})" if self.name else f"{self.prefix}…"

    def is_expired(self, at: dt.datetime | None = None) -> bool:
        return self.expires_at <= (at or timezone.now())
