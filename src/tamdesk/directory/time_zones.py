"""Whose clock a time is shown on: one rule for every page, e-mail and notification.

Every time is shown in the zone of the person reading it — the viewer of a page, the recipient
of a message — and the zone is named beside it. A person's zone is their engineer profile's;
people without one (administrators, service managers, the programme lead) read the instance's
``TAMDESK_TIME_ZONE``. A client's contacts read their client's zone; a department's queue its
calendar's."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone


def user_time_zone(user) -> str:
    """The zone ``user`` reads times in: their engineer profile's, else the instance's."""
    if user is None or not getattr(user, "is_authenticated", False):
        return settings.TIME_ZONE
    engineer = getattr(user, "engineer", None)  # the reverse one-to-one is cached on the user
    return (engineer.time_zone if engineer is not None else "") or settings.TIME_ZONE


def contact_time_zone(contact) -> str:
    return contact.client.time_zone or settings.TIME_ZONE


def department_time_zone(department) -> str:
    calendar = department.calendar if department.calendar_id else None
    return calendar.time_zone if calendar is not None else settings.TIME_ZONE


class ViewerTimeZoneMiddleware:
    """Renders every response in the viewer's zone (``user_time_zone``): dates shown, and
    date-times typed into forms, are the viewer's local time. After the authentication
    middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with timezone.override(user_time_zone(getattr(request, "user", None))):
            return self.get_response(request)
