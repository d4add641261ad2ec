"""Template filters of the SLA pages: working durations as ``h:mm``."""

from __future__ import annotations

from django import template

register = template.Library()
MINUS = "\u2212"


@register.filter
def hhmm(seconds) -> str:
    """``5400`` → ``1:30``; negative (overdue) starts with a minus sign; hours may pass 24
    (a target is working time)."""
    if seconds is None or seconds == "":
        return "—"
    seconds = int(seconds)
    sign = MINUS if seconds < 0 else ""
    minutes = abs(seconds) // 60
    return f"{sign}{minutes // 60}:{minutes % 60:02d}"


@register.filter
def person(user) -> str:
    """A user by their full name, else their user name; "" for nobody."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()
