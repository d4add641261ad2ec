"""IANA time zones: the choices offered by the forms and the validator of every time-zone field
(calendars, and the directory's engineers and clients)."""

from __future__ import annotations

import zoneinfo
from functools import cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The zone of a calendar, a client or an engineer when none is given.
DEFAULT_TIME_ZONE = "Europe/Moscow"


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})
