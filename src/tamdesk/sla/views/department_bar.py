"""The incident page's "time per department": the resolution clock's working time each
department held the incident (``sla.holds``, measured now), as one horizontal stacked bar drawn
here in SVG (no script; coordinates are plain strings, never the locale's number format) and the
same figures as a table. A department past its OLA target for the incident's priority shows the
part over the target hatched; a breached incident names the department that held it when the
target ran out and the one that used the most of it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tamdesk.directory.models import Department
from tamdesk.sla import holds
from tamdesk.sla.models import Incident, OLATarget

#: The bar's drawing width (SVG user units; it is scaled to the page's width).
WIDTH = 1000
HEIGHT = 28
#: Colours of the departments in turn (Bootstrap's palette); "no department" is grey.
PALETTE = ("#0d6efd", "#198754", "#6f42c1", "#fd7e14", "#20c997", "#d63384", "#0dcaf0", "#ffc107")
NO_DEPARTMENT = "#adb5bd"


@dataclass(frozen=True)
class Segment:
    share: holds.DepartmentTime
    colour: str
    x: str
    width: str
    over_x: str  # where the part over the OLA target starts ("" when within)
    over_width: str
    percent: float  # of the held working time, for the table


def _number(value: float) -> str:
    return f"{value:.2f}"


def department_bar(incident: Incident, *, now: dt.datetime, breached_at=None) -> dict | None:
    """What the template draws; None when the incident has no holds."""
    measured = holds.measure_holds([incident], now=now)
    if not measured:
        return None
    ids = {h.department_id for h in measured if h.department_id is not None}
    names = dict(Department.objects.filter(pk__in=ids).values_list("pk", "name"))
    targets = dict(
        OLATarget.objects.filter(department_id__in=ids, priority=incident.priority).values_list(
            "department_id", "target_seconds"
        )
    )
    shares = holds.per_department(measured, targets, names)
    total = sum(share.working_seconds for share in shares)
    segments, x, colours = [], 0.0, iter(PALETTE * (len(shares) // len(PALETTE) + 1))
    for share in shares:
        width = WIDTH * share.working_seconds / total if total else 0.0
        over_x = over_width = ""
        if share.is_over_target and total:
            within = WIDTH * share.target_seconds / total
            over_x, over_width = _number(x + within), _number(width - within)
        colour = NO_DEPARTMENT if share.department_id is None else next(colours)
        segments.append(
            Segment(
                share=share,
                colour=colour,
                x=_number(x),
                width=_number(width),
                over_x=over_x,
                over_width=over_width,
                percent=round(100 * share.working_seconds / total, 1) if total else 0.0,
            )
        )
        x += width
    return {
        "segments": segments,
        "total_seconds": total,
        "width": str(WIDTH),
        "height": str(HEIGHT),
        "largest": max(shares, key=lambda s: s.working_seconds) if total else None,
        "holding_at_breach": _holding_at(measured, breached_at, names),
        "has_targets": bool(targets),
    }


def _holding_at(measured, at, names) -> dict | None:
    """The department that held the incident at ``at`` (the breach): {"name": ...}."""
    if at is None:
        return None
    for hold in measured:
        if hold.started_at <= at and (hold.ended_at is None or at < hold.ended_at):
            return {"department_id": hold.department_id, "name": names.get(hold.department_id, "")}
    return None
