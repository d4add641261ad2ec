"""From an incident's events to its clocks' segments — pure (no ORM).

Rules (docs/domains/sla.md):

- Both clocks start at the opening.
- The **reaction** clock stops for good at the first response; a resolution (or a closing)
  before any response stops it too — resolving answers the client.
- The **resolution** clock stops at the resolution (or a closing) and runs again from a
  reopening; the time in between counts neither as work nor as a pause.
- While the incident is in a status that the policy version lists for a clock, that clock is
  paused: the time is recorded as a pause segment and not counted.
- A **priority change** does not cut the clocks: the targets of the new priority apply, measured
  from the opening, with every pause kept. (An incident raised to P1 after 3 hours is therefore
  measured against P1's target for all of those 3 hours.)
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Messages are translated (translation is not I/O; the module stays free of the ORM).
from django.utils.translation import gettext as _

OPEN_END = None  # a segment still running


@dataclass(frozen=True)
class Event:
    kind: str
    at: int  # UTC epoch seconds
    to_value: str = ""


@dataclass
class ClockSegments:
    running: list[tuple[int, int | None]] = field(default_factory=list)
    pauses: list[tuple[int, int | None]] = field(default_factory=list)
    stopped: bool = False


@dataclass
class Timeline:
    reaction: ClockSegments
    resolution: ClockSegments
    status: str
    priority: str


class _Clock:
    def __init__(self, pause_statuses: frozenset[str]) -> None:
        self.pause_statuses = pause_statuses
        self.out = ClockSegments()
        self.mode = "idle"  # idle (not started or between resolution and reopening) / run / pause
        self.since = 0

    def _close(self, at: int) -> None:
        if self.mode == "run":
            self.out.running.append((self.since, at))
        elif self.mode == "pause":
            self.out.pauses.append((self.since, at))

    def enter(self, at: int, status: str) -> None:
        """Follow the incident into ``status`` at ``at`` (the clock is not stopped)."""
        mode = "pause" if status in self.pause_statuses else "run"
        if mode != self.mode:
            self._close(at)
            self.mode, self.since = mode, at

    def halt(self, at: int, *, for_good: bool) -> None:
        self._close(at)
        self.mode, self.since = "idle", at
        self.out.stopped = for_good

    def finish(self) -> ClockSegments:
        if self.mode == "run":
            self.out.running.append((self.since, OPEN_END))
        elif self.mode == "pause":
            self.out.pauses.append((self.since, OPEN_END))
        return self.out


def build(
    events: list[Event],
    *,
    priority: str,
    reaction_pauses: frozenset[str],
    resolution_pauses: frozenset[str],
) -> Timeline:
    """Replay ``events`` (in order, the first one ``opened``) into both clocks' segments."""
    if not events or events[0].kind != "opened":
        raise ValueError("a timeline starts with its opening")
    reaction = _Clock(reaction_pauses)
    resolution = _Clock(resolution_pauses)
    status = events[0].to_value or "new"
    reaction.enter(events[0].at, status)
    resolution.enter(events[0].at, status)
    responded = False
    for event in events[1:]:
        at = event.at
        if event.kind == "first_response":
            if not responded:
                responded = True
                reaction.halt(at, for_good=True)
        elif event.kind == "status_changed":
            status = event.to_value
            if not responded:
                reaction.enter(at, status)
            if resolution.mode != "idle":
                resolution.enter(at, status)
        elif event.kind in ("resolved", "closed"):
            if not responded:
                responded = True
                reaction.halt(at, for_good=True)
            if resolution.mode != "idle":
                resolution.halt(at, for_good=True)
            status = event.kind
        elif event.kind == "reopened":
            status = event.to_value or "in_progress"
            resolution.out.stopped = False
            resolution.enter(at, status)
        elif event.kind == "priority_changed":
            priority = event.to_value
    return Timeline(
        reaction=reaction.finish(),
        resolution=resolution.finish(),
        status=status,
        priority=priority,
    )


class TimelineError(ValueError):
    """An impossible timeline; ``index`` is the offending event's position."""

    def __init__(self, message: str, *, index: int, field: str = "kind") -> None:
        super().__init__(message)
        self.message = message
        self.index = index
        self.field = field


WORKING_STATUSES = frozenset({"new", "in_progress", "waiting_client", "waiting_third_party"})
PRIORITIES = frozenset({"p1", "p2", "p3", "p4"})
# How far ahead of the server's clock an event may be dated (clocks of other systems drift).
FUTURE_SKEW_SECONDS = 300


def check(events: list[Event], *, now: int, priority: str) -> None:
    """Refuse an impossible timeline: not starting with the opening, out of time order, dated in
    the future, or an event that the incident's state at that point does not allow."""
    status, responded, current_priority, last = None, False, priority, None
    for index, event in enumerate(events):
        if last is not None and event.at < last:
            raise TimelineError(
                _("Events must be in time order: this one is earlier than the one before."),
                index=index,
                field="at",
            )
        if event.at > now + FUTURE_SKEW_SECONDS:
            raise TimelineError(_("An event cannot be in the future."), index=index, field="at")
        last = event.at
        kind = event.kind
        if index == 0:
            if kind != "opened":
                raise TimelineError(_("A timeline starts with the opening."), index=index)
            status = event.to_value or "new"
            if status not in WORKING_STATUSES:
                raise TimelineError(
                    _("An incident cannot open as %(status)s.") % {"status": status},
                    index=index,
                    field="to_value",
                )
            continue
        if kind == "opened":
            raise TimelineError(_("An incident is opened once."), index=index)
        if status == "closed" and kind != "comment":
            raise TimelineError(_("A closed incident takes comments only."), index=index)
        if kind == "first_response":
            if responded:
                raise TimelineError(_("The first response is already recorded."), index=index)
            if status == "resolved":
                raise TimelineError(
                    _("The incident is resolved: its response is already counted."), index=index
                )
            responded = True
        elif kind == "status_changed":
            if status == "resolved":
                raise TimelineError(
                    _("A resolved incident is reopened, not given another status."), index=index
                )
            if event.to_value not in WORKING_STATUSES:
                raise TimelineError(
                    _(
                        "%(status)s is not a status to change to (resolving and closing have "
                        "their own events)."
                    )
                    % {"status": event.to_value or '""'},
                    index=index,
                    field="to_value",
                )
            if event.to_value == status:
                raise TimelineError(
                    _("The incident is already %(status)s.") % {"status": status},
                    index=index,
                    field="to_value",
                )
            status = event.to_value
        elif kind == "priority_changed":
            if event.to_value not in PRIORITIES:
                raise TimelineError(
                    _("%(priority)s is not a priority.") % {"priority": event.to_value or '""'},
                    index=index,
                    field="to_value",
                )
            if event.to_value == current_priority:
                raise TimelineError(
                    _("The priority is already %(priority)s.") % {"priority": current_priority},
                    index=index,
                    field="to_value",
                )
            current_priority = event.to_value
        elif kind == "resolved":
            if status == "resolved":
                raise TimelineError(_("The incident is already resolved."), index=index)
            responded = True
            status = "resolved"
        elif kind == "reopened":
            if status != "resolved":
                raise TimelineError(_("Only a resolved incident can be reopened."), index=index)
            target = event.to_value or "in_progress"
            if target not in WORKING_STATUSES:
                raise TimelineError(
                    _("An incident cannot reopen as %(status)s.") % {"status": target},
                    index=index,
                    field="to_value",
                )
            status = target
        elif kind == "closed":
            if status != "resolved":
                raise TimelineError(_("Only a resolved incident can be closed."), index=index)
            status = "closed"
        elif kind not in ("reassigned", "comment"):
            raise TimelineError(_("Unknown event %(kind)s.") % {"kind": kind}, index=index)
