"""What the SLA pages share: the viewer's time zone, and the clocks measured live for display.

The pages never show a clock as stored: they measure the incidents on the page at render time
(``clocks.measure``, one vectorised call for the whole page) and show the state, the working time
left and the due time in the viewer's time zone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tamdesk.directory.time_zones import user_time_zone
from tamdesk.sla import clocks
from tamdesk.sla.choices import ClockKind, ClockState
from tamdesk.sla.models import Incident

#: Bootstrap classes per tone of a clock badge.
TONE_CLASSES = {
    "running": "text-bg-success",
    "warning": "text-bg-warning",
    "breached": "text-bg-danger",
    "paused": "text-bg-secondary",
    "met": "text-bg-primary",
    "no_target": "bg-body-secondary text-body-secondary",
}
TONE_LABELS = {
    "running": ClockState.RUNNING.label,
    "warning": _("Running, warned"),
    "breached": ClockState.BREACHED.label,
    "paused": ClockState.PAUSED.label,
    "met": ClockState.MET.label,
    "no_target": ClockState.NO_TARGET.label,
}


def viewer_time_zone(user) -> str:
    """The zone the viewer reads times in (``directory.time_zones.user_time_zone``)."""
    return user_time_zone(user)


class ViewerTimeZoneMixin:
    """Show times and read the forms' date-times in the viewer's time zone (the response is
    rendered inside it)."""

    def dispatch(self, request, *args, **kwargs):
        with timezone.override(viewer_time_zone(request.user)):
            response = super().dispatch(request, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
        return response


@dataclass(frozen=True)
class Warning:
    percent: int
    at: dt.datetime | None
    reached: bool


@dataclass(frozen=True)
class ClockView:
    """One clock as measured now, ready to show."""

    kind: str
    label: str
    state: str
    tone: str  # a key of TONE_CLASSES: the state, or "warning" past the first threshold
    target: int | None
    elapsed: int
    paused: int
    remaining: int | None  # working seconds; negative once breached
    due_at: dt.datetime | None
    due_beyond: bool
    breached_at: dt.datetime | None
    warnings: list[Warning]
    #: Measured in a policy version's calendar (without a version there is nothing to measure).
    is_measured: bool = True

    @property
    def badge_class(self) -> str:
        return TONE_CLASSES[self.tone]

    @property
    def tone_label(self) -> str:
        return TONE_LABELS[self.tone]

    @property
    def has_target(self) -> bool:
        return self.target is not None


def clock_view(measured: clocks.Measured, *, now: dt.datetime) -> ClockView:
    warnings = [
        Warning(percent=percent, at=at, reached=at is not None and at <= now)
        for percent, at in measured.warn_at
    ]
    tone = measured.state
    if measured.state == ClockState.RUNNING and warnings and warnings[0].reached:
        tone = "warning"
    remaining = measured.target - measured.elapsed if measured.target is not None else None
    return ClockView(
        kind=measured.kind,
        label=ClockKind(measured.kind).label,
        state=measured.state,
        tone=tone,
        target=measured.target,
        elapsed=measured.elapsed,
        paused=measured.paused,
        remaining=remaining,
        due_at=measured.due_at,
        due_beyond=measured.due_beyond,
        breached_at=measured.breached_at,
        warnings=warnings,
        is_measured=measured.incident.policy_version_id is not None,
    )


def live_clocks(incidents: Sequence[Incident], *, now: dt.datetime) -> dict[int, list[ClockView]]:
    """Both clocks of every incident (prefetched with ``clocks.prefetched``), measured at
    ``now`` in one call: ``{incident id: [reaction, resolution]}``."""
    found: dict[int, list[ClockView]] = {incident.pk: [] for incident in incidents}
    if not incidents:
        return found
    for measured in clocks.measure(incidents, now=now):
        found[measured.incident.pk].append(clock_view(measured, now=now))
    return found


@dataclass(frozen=True)
class Row:
    """An incident of a list with its live clocks."""

    incident: Incident
    reaction: ClockView
    resolution: ClockView


def live_rows(incidents: Sequence[Incident], *, now: dt.datetime) -> list[Row]:
    incidents = list(incidents)
    measured = live_clocks(incidents, now=now)
    return [Row(incident, *measured[incident.pk]) for incident in incidents]
