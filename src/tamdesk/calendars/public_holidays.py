"""Public holidays from the `holidays` package, as calendar exceptions to create.

Each public holiday (including moved days off) is a closed day. Countries that move days off
onto weekends — Russia's production calendar — also have *weekend working days* (the package's
``weekend_workdays``); each is an extra working day with the calendar's usual hours. No ORM here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache

import holidays
from django.utils import translation
from django.utils.translation import gettext as _

from tamdesk.calendars.choices import CalendarExceptionKind

NAME_MAX_LENGTH = 200


@dataclass(frozen=True)
class PublicDay:
    date: dt.date
    kind: CalendarExceptionKind
    name: str


@cache
def holiday_countries() -> tuple[tuple[str, str], ...]:
    """``(ISO code, English name)`` of every country the package knows, by name."""
    countries = {
        entry[1]: re.sub(r"(?<=[a-z])(?=[A-Z])", " ", entry[0])
        for entry in holidays.registry.COUNTRIES.values()
    }
    return tuple(sorted(countries.items(), key=lambda item: item[1]))


def is_supported_country(code: str) -> bool:
    return code in dict(holiday_countries())


def holiday_language(country: str, language: str | None = None) -> str | None:
    """The language of the holiday names: the UI's language (``language`` or the active one)
    when the package has the names in it, else English, else the country's own."""
    table = holidays.country_holidays(country, years=[])
    supported = tuple(getattr(table, "supported_languages", ()) or ())
    wanted = (language or translation.get_language() or "en").replace("-", "_")
    base = wanted.split("_")[0].lower()
    for candidate in (wanted, base, "en_US", "en_GB", "en"):
        if candidate in supported:
            return candidate
    for code in supported:
        if code.split("_")[0].lower() == base:
            return code
    return getattr(table, "default_language", None)


def public_days(
    country: str, years: range, *, language: str | None = None
) -> dict[dt.date, PublicDay]:
    """The public holidays (closed) and weekend working days of ``country`` in ``years``."""
    language = holiday_language(country, language)
    table = holidays.country_holidays(country, years=years, language=language)
    days = {
        day: PublicDay(day, CalendarExceptionKind.CLOSED, name[:NAME_MAX_LENGTH])
        for day, name in sorted(table.items())
        if day.year in years
    }
    # Our own label in the same language as the package's names.
    with translation.override((language or "en").split("_")[0]):
        working_name = _("Working day (moved day off)")
    for day in sorted(getattr(table, "weekend_workdays", ()) or ()):
        if day.year in years and day not in days:
            days[day] = PublicDay(day, CalendarExceptionKind.WORKING_DAY, working_name)
    return days
