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

from tamdesk.sla.choices import WORKING_STATUSES, IncidentEventKind, IncidentStatus, Priority

Kind = IncidentEventKind
Status = IncidentStatus

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
    if not events or events[0].kind != Kind.OPENED:
        raise ValueError("a timeline starts with its opening")
    reaction = _Clock(reaction_pauses)
    resolution = _Clock(resolution_pauses)
    status = events[0].to_value or Status.NEW
    reaction.enter(events[0].at, status)
    resolution.enter(events[0].at, status)
    responded = False
    for event in events[1:]:
        at = event.at
        if event.kind == Kind.FIRST_RESPONSE:
            if not responded:
                responded = True
                reaction.halt(at, for_good=True)
        elif event.kind == Kind.STATUS_CHANGED:
            status = event.to_value
            if not responded:
                reaction.enter(at, status)
            if resolution.mode != "idle":
                resolution.enter(at, status)
        elif event.kind in (Kind.RESOLVED, Kind.CLOSED):
            if not responded:
                responded = True
                reaction.halt(at, for_good=True)
            if resolution.mode != "idle":
                resolution.halt(at, for_good=True)
            status = event.kind
        elif event.kind == Kind.REOPENED:
            status = event.to_value or Status.IN_PROGRESS
            resolution.out.stopped = False
            resolution.enter(at, status)
        elif event.kind == Kind.PRIORITY_CHANGED:
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


PRIORITIES = frozenset(Priority.values)
# How far ahead of the server's clock an event may be dated (clocks of other systems drift).
FUTURE_SKEW_SECONDS = 300


def kind_refusal(kind: str, *, status: str, responded: bool) -> str | None:
    """Why an incident in ``status`` (with its first response recorded or not) takes no event
    of ``kind``; None when it takes one. The one home of which events each state allows:
    ``check`` refuses with it, the incident page offers what it allows (``kinds_allowed``)."""
    if kind == Kind.OPENED:
        return _("An incident is opened once.")
    if status == Status.CLOSED and kind != Kind.COMMENT:
        return _("A closed incident takes comments only.")
    if kind == Kind.FIRST_RESPONSE:
        if responded:
            return _("The first response is already recorded.")
        if status == Status.RESOLVED:
            return _("The incident is resolved: its response is already counted.")
    elif kind == Kind.STATUS_CHANGED:
        if status == Status.RESOLVED:
            return _("A resolved incident is reopened, not given another status.")
    elif kind == Kind.RESOLVED:
        if status == Status.RESOLVED:
            return _("The incident is already resolved.")
    elif kind == Kind.REOPENED:
        if status != Status.RESOLVED:
            return _("Only a resolved incident can be reopened.")
    elif kind == Kind.CLOSED:
        if status != Status.RESOLVED:
            return _("Only a resolved incident can be closed.")
    elif kind not in (Kind.REASSIGNED, Kind.COMMENT, Kind.PRIORITY_CHANGED):
        return _("Unknown event %(kind)s.") % {"kind": kind}
    return None


def kinds_allowed(status: str, *, responded: bool) -> list[str]:
    """The kinds of event an incident in ``status`` takes (``kind_refusal``), in the order of
    ``IncidentEventKind``."""
    return [
        kind
        for kind in Kind.values
        if kind_refusal(kind, status=status, responded=responded) is None
    ]


def _value_refusal(event: Event, *, status: str, priority: str) -> str | None:
    """Why the value an event carries (a status, a priority) is refused; None if it is not."""
    if event.kind == Kind.STATUS_CHANGED:
        if event.to_value not in WORKING_STATUSES:
            return _(
                "%(status)s is not a status to change to (resolving and closing have "
                "their own events)."
            ) % {"status": event.to_value or '""'}
        if event.to_value == status:
            return _("The incident is already %(status)s.") % {"status": status}
    elif event.kind == Kind.PRIORITY_CHANGED:
        if event.to_value not in PRIORITIES:
            return _("%(priority)s is not a priority.") % {"priority": event.to_value or '""'}
        if event.to_value == priority:
            return _("The priority is already %(priority)s.") % {"priority": priority}
    elif event.kind == Kind.REOPENED:
        target = event.to_value or Status.IN_PROGRESS
        if target not in WORKING_STATUSES:
            return _("An incident cannot reopen as %(status)s.") % {"status": target}
    return None


def check(events: list[Event], *, now: int, priority: str) -> None:
    """Refuse an impossible timeline: not starting with the opening, out of time order, dated in
    the future, or an event that the incident's state at that point does not allow
    (``kind_refusal``) or with a value it does not take."""
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
            if kind != Kind.OPENED:
                raise TimelineError(_("A timeline starts with the opening."), index=index)
            status = event.to_value or Status.NEW
            if status not in WORKING_STATUSES:
                raise TimelineError(
                    _("An incident cannot open as %(status)s.") % {"status": status},
                    index=index,
                    field="to_value",
                )
            continue
        refusal = kind_refusal(kind, status=status, responded=responded)
        if refusal is not None:
            raise TimelineError(refusal, index=index)
        refusal = _value_refusal(event, status=status, priority=current_priority)
        if refusal is not None:
            raise TimelineError(refusal, index=index, field="to_value")
        if kind == Kind.FIRST_RESPONSE:
            responded = True
        elif kind == Kind.STATUS_CHANGED:
            status = event.to_value
        elif kind == Kind.PRIORITY_CHANGED:
            current_priority = event.to_value
        elif kind == Kind.RESOLVED:
            responded = True
            status = Status.RESOLVED
        elif kind == Kind.REOPENED:
            status = event.to_value or Status.IN_PROGRESS
        elif kind == Kind.CLOSED:
            status = Status.CLOSED
