"""Base models shared by every domain."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tamdesk.core import ranges
from tamdesk.core.querysets import ApiTokenQuerySet
from tamdesk.core.scoping import AdministeredQuerySet


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class TimelineEntry(models.Model):
    """One entry of an append-only timeline (a change's activity, an incident's events): what
    happened (``kind``), when (``at``), who did it (``by``: empty for the system, and once the
    user is deleted, the entry staying) and, when a value changed, from what to what. Entries
    are appended, never edited.

    A subclass adds the foreign key to what the timeline belongs to, redeclares ``kind`` with
    its choices and label, its ``Meta`` (ordering, indexes) and ``__str__``; it may name the
    values as a person reads them (``value_label``, shown by ``from_display``/``to_display``).
    Writers store values through ``clip``."""

    #: The longest ``from_value``/``to_value`` stored: ``clip`` cuts a longer one.
    VALUE_LENGTH = 200

    kind = models.CharField(_("what"), max_length=32)
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_value = models.CharField(_("from"), max_length=VALUE_LENGTH, blank=True)
    to_value = models.CharField(_("to"), max_length=VALUE_LENGTH, blank=True)

    class Meta:
        abstract = True

    @classmethod
    def clip(cls, value: object) -> str:
        """``value`` as ``from_value``/``to_value`` store it: as text, cut to
        ``VALUE_LENGTH`` characters."""
        return str(value)[: cls.VALUE_LENGTH]

    def value_label(self, value: str) -> str:
        """``value`` (a ``from_value`` or ``to_value`` of this entry) as a person reads it:
        as stored, unless the subclass knows its label."""
        return value

    @property
    def from_display(self) -> str:
        return self.value_label(self.from_value)

    @property
    def to_display(self) -> str:
        return self.value_label(self.to_value)


class EvergreenQuerySet(models.QuerySet):
    """The reads of an ``EvergreenMixin`` model; a domain's queryset of such a model inherits
    it (``class RiskQuerySet(EvergreenQuerySet)``)."""

    def due_for_review(self, today: dt.date) -> EvergreenQuerySet:
        """The rows whose review is due on ``today``: as ``EvergreenMixin.is_review_due``."""
        return self.filter(Q(next_review_on__isnull=True) | Q(next_review_on__lte=today))


class EvergreenMixin(models.Model):
    """Something that must be kept current (documents, risks, actions): its owner reviews it
    every ``review_interval_days`` calendar days. The review is due on ``next_review_on`` — and
    at once when there is no such date (never reviewed nor scheduled: nothing escapes review).

    The interval is checked against ``core.ranges`` (1 to 3,650 days) by the field's validator
    (forms through ``full_clean``, model serializers) and by a check constraint. A subclass that
    declares its own ``Meta`` extends ``EvergreenMixin.Meta`` to keep the constraint; its
    queryset extends ``EvergreenQuerySet``.

    The owner is ``PROTECT``: users are deactivated, not deleted, and deleting one who still
    owns reviews fails instead of leaving them with nobody; hand them over first. Empty until
    someone is given the duty. Who reviewed last is kept ``SET_NULL``, like an entry's author
    (``TimelineEntry.by``)."""

    #: The fields ``mark_reviewed`` sets: the caller saves these (``update_fields``).
    REVIEW_FIELDS = ("last_reviewed_at", "last_reviewed_by", "next_review_on")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_interval_days = models.PositiveIntegerField(
        _("review interval, days"), validators=[ranges.validate_review_interval]
    )
    next_review_on = models.DateField(
        _("next review on"), null=True, blank=True, validators=[ranges.validate_date]
    )
    last_reviewed_at = models.DateTimeField(_("last reviewed at"), null=True, blank=True)
    last_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = EvergreenQuerySet.as_manager()

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    review_interval_days__gte=ranges.MIN_REVIEW_DAYS,
                    review_interval_days__lte=ranges.MAX_REVIEW_DAYS,
                ),
                name="%(app_label)s_%(class)s_review_interval_range",
            )
        ]

    def is_review_due(self, today: dt.date) -> bool:
        return self.next_review_on is None or self.next_review_on <= today

    def mark_reviewed(self, *, by, at: dt.datetime) -> tuple[str, ...]:
        """Record a review by ``by`` at ``at``: the next one is due ``review_interval_days``
        calendar days after the day of ``at`` (in the current time zone: the viewer's on a
        page). Sets the fields and saves nothing: the caller's service saves ``REVIEW_FIELDS``
        (returned), under its row lock. ``OutOfSupportedRange`` if the interval or the next
        review lies outside ``core.ranges``."""
        self.next_review_on = self.next_review_after(timezone.localdate(at))
        self.last_reviewed_at = at
        self.last_reviewed_by = by
        return self.REVIEW_FIELDS

    def next_review_after(self, day: dt.date) -> dt.date:
        """The date of the next review when the last one was on ``day``."""
        interval = self.review_interval_days
        if interval is None or not ranges.MIN_REVIEW_DAYS <= interval <= ranges.MAX_REVIEW_DAYS:
            raise ranges.OutOfSupportedRange(
                str(ranges.REVIEW_INTERVAL_MESSAGE), field="review_interval_days"
            )
        try:
            next_on = day + dt.timedelta(days=interval)
        except OverflowError:  # past year 9999
            next_on = dt.date.max
        if not ranges.is_supported_date(next_on):
            raise ranges.OutOfSupportedRange(
                gettext("The next review would fall after %(last)s.")
                % {"last": ranges.LAST_DATE.isoformat()},
                field="review_interval_days",
            )
        return next_on


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
