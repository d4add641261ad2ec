"""Template filters of the calendar pages."""

from __future__ import annotations

from django import template

from tamdesk.calendars.models import Calendar
from tamdesk.calendars.month import WeeklyRow, weekly_rows

register = template.Library()


@register.filter
def weekly_summary(calendar: Calendar) -> list[WeeklyRow]:
    """The working weekdays, consecutive ones with equal hours grouped: ``Monday – Friday
    09:00–18:00``; a 24×7 calendar ``Monday – Sunday 24 h, around the clock`` (uses the
    prefetched intervals)."""
    return [row for row in weekly_rows(calendar.weekly_intervals(), group=True) if row.hours]
