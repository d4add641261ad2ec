"""The rules of an SLA policy version's terms — their one home, pure (no ORM).

``services.add_policy_version`` refuses terms that break them (``check_terms``, an ``SLAError``
with code ``invalid`` naming the field); the policy form and the API's serializers call the same
refusal functions on their own fields, so that a page and the API show the service's message
where the value was typed. Parsing (``H:MM``, "50, 75", JSON types) and the supported ranges
stay with each entry point."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.utils.translation import gettext as _

from tamdesk.sla.choices import PAUSABLE_STATUSES, IncidentStatus, Priority
from tamdesk.sla.exceptions import SLAError

#: The shortest target, in working seconds.
MIN_TARGET_SECONDS = 60


def no_target_refusal(targets: Mapping) -> str | None:
    if not targets:
        return _("Give a target for at least one priority.")
    return None


def priority_refusal(priority: str) -> str | None:
    if priority not in Priority.values:
        return _("%(priority)s is not a priority.") % {"priority": priority}
    return None


def target_refusal(seconds: int) -> str | None:
    """A reaction or resolution target, in working seconds."""
    if seconds < MIN_TARGET_SECONDS:
        return _("Targets are at least one minute.")
    return None


def threshold_refusal(percent: int) -> str | None:
    if not 1 <= int(percent) <= 99:
        return _("Warning thresholds are percentages between 1 and 99.")
    return None


def pause_refusal(status: str) -> str | None:
    """A status a policy lists to pause a clock in."""
    if status in PAUSABLE_STATUSES:
        return None
    label = IncidentStatus(status).label if status in IncidentStatus.values else status
    return _("%(status)s cannot pause a clock.") % {"status": label}


def check_terms(
    *,
    targets: Mapping[str, tuple[int, int]],
    warning_thresholds: Iterable[int],
    reaction_pause_statuses: Iterable[str],
    resolution_pause_statuses: Iterable[str],
) -> None:
    """Refuse terms that break a rule (the first one found), naming the service's field."""

    def refuse(message: str | None, field: str) -> None:
        if message is not None:
            raise SLAError(message, field=field, code="invalid")

    refuse(no_target_refusal(targets), "targets")
    for priority, (reaction, resolution) in targets.items():
        refuse(priority_refusal(priority), "targets")
        refuse(target_refusal(reaction) or target_refusal(resolution), "targets")
    for percent in warning_thresholds:
        refuse(threshold_refusal(percent), "warning_thresholds")
    for field, statuses in (
        ("reaction_pause_statuses", reaction_pause_statuses),
        ("resolution_pause_statuses", resolution_pause_statuses),
    ):
        for status in statuses:
            refuse(pause_refusal(status), field)
