"""Template filters of the changes pages: slack as ``h:mm``, people by name, badge classes."""

from __future__ import annotations

from django import template

from tamdesk.core.templatetags.tamdesk_ui import hhmm, person

register = template.Library()
SCHEDULE_BADGES = {
    "on_track": "text-bg-success",
    "at_risk": "text-bg-warning",
    "late": "text-bg-danger",
}
STATUS_BADGES = {
    "draft": "text-bg-light border",
    "planned": "text-bg-info",
    "in_progress": "text-bg-primary",
    "on_hold": "text-bg-warning",
    "done": "text-bg-success",
    "cancelled": "text-bg-secondary",
    "pending": "text-bg-light border",
    "ready": "text-bg-info",
}


# The shared duration and person filters, loadable with this library too.
register.filter("hhmm", hhmm)
register.filter("person", person)


@register.filter
def schedule_badge(value: str) -> str:
    return SCHEDULE_BADGES.get(value, "text-bg-light border")


@register.filter
def status_badge(value: str) -> str:
    return STATUS_BADGES.get(value, "text-bg-light border")
