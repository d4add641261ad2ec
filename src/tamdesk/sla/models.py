"""SLA policies (versioned), incidents with their event timelines, and each incident's two clocks
as last measured."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tamdesk.core import ranges
from tamdesk.core.models import TimelineEntry, TimeStampedModel
from tamdesk.directory.choices import ClientTier
from tamdesk.sla.choices import (
    ClockKind,
    ClockState,
    InboundDeliveryStatus,
    IncidentEventKind,
    IncidentImportStatus,
    IncidentSourcePreset,
    IncidentStatus,
    MonthlyReportStatus,
    PolicySource,
    Priority,
)
from tamdesk.sla.querysets import (
    InboundDeliveryQuerySet,
    IncidentClockQuerySet,
    IncidentHoldQuerySet,
    IncidentImportQuerySet,
    IncidentQuerySet,
    IncidentSourceQuerySet,
    MonthlyReportQuerySet,
    OLATargetQuerySet,
    PolicyVersionQuerySet,
    SLAPolicyQuerySet,
)

DEFAULT_THRESHOLDS = [50, 75]
#: The shortest OLA target, working seconds (as an SLA target: ``terms.MIN_TARGET_SECONDS``).
MIN_OLA_SECONDS = 60
DEFAULT_PAUSE_STATUSES = [IncidentStatus.WAITING_CLIENT.value]


def default_thresholds() -> list[int]:
    return list(DEFAULT_THRESHOLDS)


def default_pause_statuses() -> list[str]:
    return list(DEFAULT_PAUSE_STATUSES)


class SLAPolicy(TimeStampedModel):
    """The service levels promised to one client, or to every client of a tier that has no
    policy of its own. Its terms live in versions; a change makes a new version."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    client = models.OneToOneField(
        "directory.Client",
        verbose_name=_("client"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sla_policy",
    )
    tier = models.CharField(_("tier"), max_length=16, choices=ClientTier.choices, blank=True)
    description = models.TextField(_("description"), blank=True)

    objects = SLAPolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="sla_policy_client_or_tier",
                condition=(Q(client__isnull=False) & Q(tier=""))
                | (Q(client__isnull=True) & ~Q(tier="")),
            ),
            models.UniqueConstraint(
                fields=["tier"], condition=~Q(tier=""), name="sla_policy_one_per_tier"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("sla:policy_detail", args=[self.pk])


class SLAPolicyVersion(models.Model):
    """The terms of a policy from ``valid_from`` until the next version. Never edited once an
    incident uses it: incidents keep the version in force when they opened."""

    policy = models.ForeignKey(
        SLAPolicy, verbose_name=_("policy"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    calendar = models.ForeignKey(
        "calendars.Calendar",
        verbose_name=_("calendar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sla_policy_versions",
        help_text=_("Working time the targets are measured in; none means 24×7."),
    )
    warning_thresholds = models.JSONField(
        _("warning thresholds, %"),
        default=default_thresholds,
        help_text=_("Percentages of a target at which people are warned."),
    )
    reaction_pause_statuses = models.JSONField(
        _("statuses that pause the reaction clock"), default=default_pause_statuses, blank=True
    )
    resolution_pause_statuses = models.JSONField(
        _("statuses that pause the resolution clock"), default=default_pause_statuses, blank=True
    )
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = PolicyVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("SLA policy version")
        verbose_name_plural = _("SLA policy versions")
        ordering = ["policy", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="sla_version_number_unique"),
            models.UniqueConstraint(
                fields=["policy", "valid_from"], name="sla_version_valid_from_unique"
            ),
            models.CheckConstraint(
                name="sla_version_period",
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=models.F("valid_from")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy} v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("sla:policy_detail", args=[self.policy_id]) + f"#v{self.number}"

    def is_in_force(self, at) -> bool:
        """Whether the version measures incidents opened at ``at`` (``in_force`` of one row)."""
        return self.valid_from <= at and (self.valid_until is None or at < self.valid_until)

    def pause_statuses(self, clock: str) -> list[str]:
        if clock == ClockKind.REACTION:
            return list(self.reaction_pause_statuses)
        return list(self.resolution_pause_statuses)


class SLATarget(models.Model):
    version = models.ForeignKey(
        SLAPolicyVersion,
        verbose_name=_("policy version"),
        on_delete=models.CASCADE,
        related_name="targets",
    )
    priority = models.CharField(_("priority"), max_length=4, choices=Priority.choices)
    reaction_seconds = models.PositiveIntegerField(
        _("reaction target, s"), validators=[MinValueValidator(60)]
    )
    resolution_seconds = models.PositiveIntegerField(
        _("resolution target, s"), validators=[MinValueValidator(60)]
    )

    class Meta:
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        ordering = ["version", "priority"]
        constraints = [
            models.UniqueConstraint(fields=["version", "priority"], name="sla_target_unique"),
            models.CheckConstraint(
                name="sla_target_positive",
                condition=Q(reaction_seconds__gte=60) & Q(resolution_seconds__gte=60),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} {self.priority}"

    def seconds(self, clock: str) -> int:
        return self.reaction_seconds if clock == ClockKind.REACTION else self.resolution_seconds


class Incident(TimeStampedModel):
    client = models.ForeignKey(
        "directory.Client",
        verbose_name=_("client"),
        on_delete=models.PROTECT,
        related_name="incidents",
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    priority = models.CharField(_("priority"), max_length=4, choices=Priority.choices)
    status = models.CharField(
        _("status"), max_length=32, choices=IncidentStatus.choices, default=IncidentStatus.NEW
    )
    department = models.ForeignKey(
        "directory.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incidents",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_incidents",
    )
    source_system = models.CharField(_("source system"), max_length=64, default="tamdesk")
    external_id = models.CharField(_("external id"), max_length=128, blank=True)
    policy_version = models.ForeignKey(
        SLAPolicyVersion,
        verbose_name=_("SLA policy version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incidents",
    )
    opened_at = models.DateTimeField(_("opened at"))
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_system", "external_id"],
                condition=~Q(external_id=""),
                name="incident_external_id_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["client", "-opened_at"], name="incident_client_opened"),
            # The incident list's order: its first pages read the index, not every incident.
            models.Index(fields=["-opened_at", "-id"], name="incident_opened"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("sla:incident_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status not in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED)

    @property
    def policy_source(self) -> str | None:
        """Why its policy measures the incident: ``own`` (the client's own policy), ``tier``
        (the client had no own policy in force at the opening), None (no policy at all). Select
        ``policy_version__policy`` with the incident."""
        if self.policy_version is None:
            return None
        if self.policy_version.policy.client_id is not None:
            return PolicySource.OWN
        return PolicySource.TIER

    def get_policy_source_display(self) -> str:
        return PolicySource(self.policy_source).label if self.policy_source else ""


#: The status an event leaves the incident in, for events recorded before their ``to_value``
#: held it (resolutions and closings used to store only where they came from).
STATUS_AFTER = {
    IncidentEventKind.RESOLVED: IncidentStatus.RESOLVED,
    IncidentEventKind.CLOSED: IncidentStatus.CLOSED,
}


class IncidentEvent(TimelineEntry):
    """One entry of an incident's timeline. Events are appended in time order and never
    edited; the clocks are measured from them."""

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=32, choices=IncidentEventKind.choices)
    seq = models.PositiveIntegerField(_("sequence"))
    #: The department the incident is in after the event: set on the opening and on
    #: reassignments (empty: no department), the source of the department holds (``holds``).
    department = models.ForeignKey(
        "directory.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incident_events",
    )
    note = models.TextField(_("note"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("incident event")
        verbose_name_plural = _("incident events")
        ordering = ["incident", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "seq"], name="incident_event_seq_unique")
        ]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.kind} @ {self.at:%Y-%m-%d %H:%M}"

    def value_label(self, value: str) -> str:
        """A status or priority by its label (assignments are stored as text)."""
        if not value:
            return ""
        if self.kind == IncidentEventKind.PRIORITY_CHANGED and value in Priority.values:
            return str(Priority(value).label)
        if self.kind != IncidentEventKind.REASSIGNED and value in IncidentStatus.values:
            return str(IncidentStatus(value).label)
        return value

    @property
    def to_display(self) -> str:
        """The status the event left the incident in: events recorded before their
        ``to_value`` held it (resolutions and closings used to store only where they came
        from) show the status they lead to."""
        return self.value_label(self.to_value or STATUS_AFTER.get(self.kind, ""))


class IncidentClock(models.Model):
    """One of an incident's two clocks, as last measured (``measured_at``). Between two
    measurements a running clock moves on its own; ``next_alert_at`` says when it next crosses a
    warning threshold or its target, so the alert job knows when to look again."""

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="clocks"
    )
    kind = models.CharField(_("clock"), max_length=16, choices=ClockKind.choices)
    state = models.CharField(_("state"), max_length=16, choices=ClockState.choices)
    target_seconds = models.PositiveIntegerField(_("target, s"), null=True, blank=True)
    elapsed_seconds = models.PositiveIntegerField(_("elapsed, s"), default=0)
    paused_seconds = models.PositiveIntegerField(_("paused, s"), default=0)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached at"), null=True, blank=True)
    warn_at = models.JSONField(_("warning times"), default=list, blank=True)
    #: The highest threshold already notified (percent; 100 = the breach).
    alerted_percent = models.PositiveSmallIntegerField(
        _("alerted at, %"), default=0, validators=[MaxValueValidator(100)]
    )
    next_alert_at = models.DateTimeField(_("next alert at"), null=True, blank=True)
    measured_at = models.DateTimeField(_("measured at"))

    objects = IncidentClockQuerySet.as_manager()

    class Meta:
        verbose_name = _("incident clock")
        verbose_name_plural = _("incident clocks")
        ordering = ["incident", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "kind"], name="incident_clock_unique")
        ]
        indexes = [models.Index(fields=["next_alert_at"], name="incident_clock_next_alert")]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.kind} {self.state}"


class IncidentHold(models.Model):
    """A spell during which one department (or none) held an incident: from the opening or a
    reassignment to it until the next reassignment or the resolution (a reopening starts a new
    one). ``working_seconds`` is the resolution clock's running working time inside the spell,
    ``paused_seconds`` its paused working time; an open spell (``ended_at`` empty) was measured
    up to ``measured_at``. Written by ``holds.store_holds`` alone."""

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="holds"
    )
    seq = models.PositiveIntegerField(_("sequence"))
    department = models.ForeignKey(
        "directory.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incident_holds",
    )
    started_at = models.DateTimeField(_("held from"))
    ended_at = models.DateTimeField(_("held until"), null=True, blank=True)
    working_seconds = models.PositiveIntegerField(_("held working time, s"), default=0)
    paused_seconds = models.PositiveIntegerField(_("paused while held, s"), default=0)
    measured_at = models.DateTimeField(_("measured at"))

    objects = IncidentHoldQuerySet.as_manager()

    class Meta:
        verbose_name = _("department hold")
        verbose_name_plural = _("department holds")
        ordering = ["incident", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "seq"], name="incident_hold_seq_unique")
        ]
        indexes = [models.Index(fields=["department", "incident"], name="incident_hold_department")]

    def __str__(self) -> str:
        return f"{self.incident_id} #{self.seq} {self.department_id or '-'}"


class OLATarget(TimeStampedModel):
    """An internal target (OLA) of one department for incidents of one priority: the working
    time the department may hold such an incident, summed over its holds of it. Optional; the
    department-time report gives its compliance."""

    department = models.ForeignKey(
        "directory.Department",
        verbose_name=_("department"),
        on_delete=models.CASCADE,
        related_name="ola_targets",
    )
    priority = models.CharField(_("priority"), max_length=4, choices=Priority.choices)
    target_seconds = models.PositiveIntegerField(
        _("target, working seconds"),
        validators=[
            MinValueValidator(MIN_OLA_SECONDS),
            MaxValueValidator(ranges.MAX_TARGET_SECONDS),
        ],
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = OLATargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("OLA target")
        verbose_name_plural = _("OLA targets")
        ordering = ["department__name", "priority"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "priority"], name="ola_target_department_priority_unique"
            ),
            models.CheckConstraint(
                condition=Q(target_seconds__gte=MIN_OLA_SECONDS)
                & Q(target_seconds__lte=ranges.MAX_TARGET_SECONDS),
                name="ola_target_seconds_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department} · {self.get_priority_display()}"

    def get_absolute_url(self) -> str:
        return reverse("sla:ola_list")


class IncidentImport(models.Model):
    """One import of a helpdesk's incidents (``sla.imports``): who started it from which file,
    how far it got and what came of it (``outcome``: the reconciliation as JSON, its lists of
    rejects and SLA-flag disagreements capped at ``sla.imports.writer.MAX_LISTED`` entries)."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="incident_imports",
        verbose_name=_("imported by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    preset = models.CharField(_("format"), max_length=32)
    source_system = models.CharField(_("source system"), max_length=64, blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    upload = models.FileField(_("file"), upload_to="imports/incidents/%Y/%m/", blank=True)
    options = models.JSONField(_("options"), default=dict, blank=True)
    is_dry_run = models.BooleanField(_("dry run"), default=False)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=IncidentImportStatus.choices,
        default=IncidentImportStatus.QUEUED,
    )
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    incidents_total = models.PositiveIntegerField(_("incidents in the file"), default=0)
    incidents_done = models.PositiveIntegerField(_("incidents processed"), default=0)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    outcome = models.JSONField(_("outcome"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    objects = IncidentImportQuerySet.as_manager()

    class Meta:
        verbose_name = _("incident import")
        verbose_name_plural = _("incident imports")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=IncidentImportStatus.values),
                name="incident_import_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(incidents_done__lte=models.F("incidents_total")),
                name="incident_import_done_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.preset})"

    def get_absolute_url(self) -> str:
        return reverse("sla:import_detail", args=[self.pk])


class IncidentSource(TimeStampedModel):
    """A helpdesk that sends its incidents live to ``POST /api/v1/inbound/incidents/<id>/``
    (``sla.imports.inbound``; docs/imports.md, "Live: inbound webhooks"). Its deliveries are
    read with its preset and mapping — the same as a file import's — and written by the same
    writer. Only the SHA-256 digest of its token is stored; the token is shown once."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    preset = models.CharField(_("format"), max_length=32, choices=IncidentSourcePreset.choices)
    source_system = models.CharField(
        _("source system"),
        max_length=64,
        help_text=_(
            "The system the incidents' ids belong to: an incident is one per source system and "
            "id, whether it came in a file or live."
        ),
    )
    mapping = models.TextField(
        _("mapping"),
        blank=True,
        help_text=_("The mapping file's text (TOML), as for a file import; empty: the preset's."),
    )
    client = models.ForeignKey(
        "directory.Client",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incident_sources",
        verbose_name=_("client"),
        help_text=_("Every incident goes to this client, whatever the source says."),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        help_text=_("Of times the source writes without an offset (e.g. Europe/Berlin)."),
    )
    token_digest = models.CharField(_("token digest"), max_length=64, unique=True)
    token_prefix = models.CharField(_("token prefix"), max_length=16)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="incident_sources",
        verbose_name=_("created by"),
    )

    objects = IncidentSourceQuerySet.as_manager()

    class Meta:
        verbose_name = _("live incident source")
        verbose_name_plural = _("live incident sources")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(preset__in=IncidentSourcePreset.values),
                name="incident_source_preset_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("sla:source_detail", args=[self.pk])


class InboundDelivery(models.Model):
    """One row a live source delivered: kept as received, with what came of it. ``event_id`` is
    unique per source (a repeat is answered "duplicate" and not stored again); ``sequence``
    orders the deliveries of one incident (``external_id``)."""

    source = models.ForeignKey(
        IncidentSource,
        on_delete=models.PROTECT,  # the record of what a source sent: deactivate, never delete
        related_name="deliveries",
        verbose_name=_("source"),
    )
    event_id = models.CharField(_("event id"), max_length=255)
    external_id = models.CharField(_("incident id"), max_length=200)
    sequence = models.BigIntegerField(_("sequence"))
    payload = models.JSONField(_("payload"))
    received_at = models.DateTimeField(_("received at"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=InboundDeliveryStatus.choices,
        default=InboundDeliveryStatus.HELD,
    )
    reason = models.TextField(_("reason"), blank=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    objects = InboundDeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("inbound delivery")
        verbose_name_plural = _("inbound deliveries")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "event_id"], name="inbound_delivery_event_once"
            ),
            models.CheckConstraint(
                condition=Q(status__in=InboundDeliveryStatus.values),
                name="inbound_delivery_status_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["source", "external_id", "sequence"], name="inbound_delivery_incident"
            ),
            models.Index(fields=["status", "received_at"], name="inbound_delivery_held"),
        ]

    def __str__(self) -> str:
        return f"{self.external_id} · {self.event_id}"


class MonthlyReport(TimeStampedModel):
    """A client's monthly SLA report (``sla.monthly``): the figures of one month frozen when it
    was generated (``content``), reviewed by the TAM as a draft, then approved and sent to the
    client's decision-makers. What was approved is what is sent, also when sent again."""

    client = models.ForeignKey(
        "directory.Client",
        verbose_name=_("client"),
        on_delete=models.PROTECT,
        related_name="monthly_reports",
    )
    #: The first day of the month reported on (the client's local dates).
    month = models.DateField(_("month"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=MonthlyReportStatus.choices,
        default=MonthlyReportStatus.DRAFT,
    )
    generated_at = models.DateTimeField(_("generated at"))
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("generated by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    send_count = models.PositiveIntegerField(_("times sent"), default=0)
    #: The addresses of the last sending: ``[{"contact": pk, "name": ..., "email": ...}]``.
    recipients = models.JSONField(_("recipients"), default=list, blank=True)
    #: The frozen figures (``sla.monthly.build_content``).
    content = models.JSONField(_("content"), default=dict)

    objects = MonthlyReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        ordering = ["-month", "client__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "month"], name="monthly_report_one_per_month"
            ),
            models.CheckConstraint(
                condition=Q(status__in=MonthlyReportStatus.values),
                name="monthly_report_status_valid",
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="monthly_report_first_day"),
            models.CheckConstraint(
                condition=Q(status=MonthlyReportStatus.DRAFT)
                | (Q(approved_at__isnull=False) & Q(sent_at__isnull=False)),
                name="monthly_report_sent_is_approved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client} — {self.month:%Y-%m}"

    def get_absolute_url(self) -> str:
        return reverse("sla:monthly_report_detail", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.status == MonthlyReportStatus.DRAFT
