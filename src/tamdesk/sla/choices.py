from django.db import models
from django.utils.translation import gettext_lazy as _


class Priority(models.TextChoices):
    P1 = "p1", _("P1 — critical")
    P2 = "p2", _("P2 — high")
    P3 = "p3", _("P3 — medium")
    P4 = "p4", _("P4 — low")


class IncidentStatus(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_CLIENT = "waiting_client", _("Waiting for the client")
    WAITING_THIRD_PARTY = "waiting_third_party", _("Waiting for a third party")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


#: Statuses an incident is put in with a status change (resolved and closed have their events).
WORKING_STATUSES = (
    IncidentStatus.NEW,
    IncidentStatus.IN_PROGRESS,
    IncidentStatus.WAITING_CLIENT,
    IncidentStatus.WAITING_THIRD_PARTY,
)
#: The statuses a policy may choose to pause a clock in.
PAUSABLE_STATUSES = (IncidentStatus.WAITING_CLIENT, IncidentStatus.WAITING_THIRD_PARTY)


class IncidentEventKind(models.TextChoices):
    OPENED = "opened", _("Opened")
    FIRST_RESPONSE = "first_response", _("First response")
    STATUS_CHANGED = "status_changed", _("Status changed")
    REASSIGNED = "reassigned", _("Reassigned")
    PRIORITY_CHANGED = "priority_changed", _("Priority changed")
    RESOLVED = "resolved", _("Resolved")
    REOPENED = "reopened", _("Reopened")
    CLOSED = "closed", _("Closed")
    COMMENT = "comment", _("Comment")


class ClockKind(models.TextChoices):
    REACTION = "reaction", _("Reaction")
    RESOLUTION = "resolution", _("Resolution")


class ClockState(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")
    BREACHED = "breached", _("Breached")
    NO_TARGET = "no_target", _("No SLA")


class PolicySource(models.TextChoices):
    """Why a policy measures an incident (docs/domains/sla.md, "Which policy measures an
    incident")."""

    OWN = "own", _("the client's own policy")
    TIER = "tier", _("the policy of the client's tier")


class IncidentImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class IncidentSourcePreset(models.TextChoices):
    """The presets a live source speaks (docs/imports.md, "Live: inbound webhooks")."""

    SERVICENOW = "servicenow", _("ServiceNow")
    JIRA = "jira", _("Jira Service Management")
    GENERIC = "generic", _("Generic (with a mapping)")


class InboundDeliveryStatus(models.TextChoices):
    HELD = "held", _("Held")
    APPLIED = "applied", _("Applied")
    REJECTED = "rejected", _("Rejected")


class MonthlyReportStatus(models.TextChoices):
    """A monthly client report: a draft the TAM reviews, then sent (approving is sending)."""

    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
