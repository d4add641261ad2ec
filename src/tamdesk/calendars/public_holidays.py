"""Public holidays from the `holidays` package, as calendar exceptions to create.

Each public holiday (including moved days off) is a closed day. Countries that move days off
onto weekends — Russia's production calendar — also have *weekend working days* (the package's
``weekend_workdays``); each is an extra working day with the calendar's usual hours.

Russia's **pre-holiday days** are one hour shorter (Labour Code art. 95); the package does not
list them, so they are derived here from its holidays and moved days (:func:`pre_holiday_days`).
No ORM here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from functools import cache

import holidays
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from tamdesk.calendars.choices import CalendarExceptionKind

NAME_MAX_LENGTH = 200


#: Countries whose working day before a public holiday is one hour shorter (Russia: Labour Code
#: art. 95). The import shortens them by default for these countries.
SHORTENED_EVE_COUNTRIES = frozenset({"RU"})
SHORTENED_BY_MINUTES = 60


@dataclass(frozen=True)
class PublicDay:
    date: dt.date
    kind: CalendarExceptionKind
    name: str
    #: One hour shorter than the hours it would work (the weekday's, or Monday's for an extra
    #: working day); the import computes the hours from the calendar.
    is_shortened: bool = False
    #: The name in each UI language the package has it in (``{"en": …, "ru": …}``).
    names: tuple[tuple[str, str], ...] = ()


def has_shortened_eves(country: str) -> bool:
    return country in SHORTENED_EVE_COUNTRIES


def pre_holiday_days(country: str, years: range) -> set[dt.date]:
    """Russia's shortened pre-holiday days in ``years`` (Labour Code art. 95: the working day
    right before a non-working public holiday is one hour shorter), on the five-day week of the
    production calendar:

    - a weekday that works and whose next day is a public holiday (art. 112: 1–8 January,
      23 February, 8 March, 1 and 9 May, 12 June, 4 November) — also when that holiday falls on
      a weekend (Friday 7 March 2025); a moved day off is not a holiday (Wednesday 7 May 2025,
      before the day off moved to 8 May, is a full day);
    - a weekend working day (a Saturday whose day off was moved to a weekday) takes the place of
      that weekday: it is shortened when that weekday would have been (Saturday 2 November 2024
      works for Tuesday 30 April, the eve of 1 May; Saturday 28 December 2024 works for Monday
      30 December, a full day).

    Empty for other countries."""
    if not has_shortened_eves(country):
        return set()
    span = range(years.start - 1, years.stop + 1)  # 31 December needs 1 January; moves cross years
    table = holidays.country_holidays(country, years=span, observed=False)
    moved_to = {}  # a moved day off → the weekend day whose day off it is
    for year, entries in (getattr(table, "special_public_holidays", None) or {}).items():
        if entries and not isinstance(entries[0], tuple):
            entries = (entries,)  # one entry given alone
        for entry in entries:
            if len(entry) >= 4:  # (month, day, from month, from day[, from year])
                from_year = entry[4] if len(entry) == 5 else year
                moved_to[dt.date(year, entry[0], entry[1])] = dt.date(from_year, entry[2], entry[3])
    holidays_proper = {day for day in table if day not in moved_to}
    weekend_workdays = set(getattr(table, "weekend_workdays", ()) or ())
    day_off_of = {weekend: weekday for weekday, weekend in moved_to.items()}

    def is_eve(day: dt.date) -> bool:
        return day + dt.timedelta(days=1) in holidays_proper

    found = set()
    day, last = dt.date(years.start, 1, 1), dt.date(years.stop - 1, 12, 31)
    while day <= last:
        if day.weekday() < 5 and day not in table:
            if is_eve(day):
                found.add(day)
        elif day in weekend_workdays:
            weekday = day_off_of.get(day)
            if weekday is not None and weekday.weekday() < 5 and is_eve(weekday):
                found.add(day)
        day += dt.timedelta(days=1)
    return found


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
    country: str, years: range, *, language: str | None = None, shorten_eves: bool = True
) -> dict[dt.date, PublicDay]:
    """:func:`public_days_in` with each day's name in every UI language (``settings.LANGUAGES``)
    that the package has for the country, so each viewer reads them in their own language."""
    days = public_days_in(country, years, language=language, shorten_eves=shorten_eves)
    names: dict[dt.date, list[tuple[str, str]]] = {day: [] for day in days}
    for code, _label in settings.LANGUAGES:
        found = holiday_language(country, code)
        if not found or found.split("_")[0].lower() != code:
            continue
        for day, entry in public_days_in(
            country, years, language=code, shorten_eves=shorten_eves
        ).items():
            if day in names:
                names[day].append((code, entry.name))
    return {day: dataclasses.replace(entry, names=tuple(names[day])) for day, entry in days.items()}


def public_days_in(
    country: str, years: range, *, language: str | None = None, shorten_eves: bool = True
) -> dict[dt.date, PublicDay]:
    """The public holidays (closed) and weekend working days of ``country`` in ``years``; with
    ``shorten_eves``, also the pre-holiday days of the countries that shorten them (special
    hours, or a shortened weekend working day)."""
    language = holiday_language(country, language)
    table = holidays.country_holidays(country, years=years, language=language)
    days = {
        day: PublicDay(day, CalendarExceptionKind.CLOSED, name[:NAME_MAX_LENGTH])
        for day, name in sorted(table.items())
        if day.year in years
    }
    eves = pre_holiday_days(country, years) if shorten_eves else set()
    # Our own labels in the same language as the package's names.
    with translation.override((language or "en").split("_")[0]):
        working_name = _("Working day (moved day off)")
        short_working_name = _("Working day (moved day off), one hour shorter before a holiday")
        eve_name = _("Pre-holiday day, one hour shorter")
    for day in sorted(getattr(table, "weekend_workdays", ()) or ()):
        if day.year in years and day not in days:
            shortened = day in eves
            name = short_working_name if shortened else working_name
            days[day] = PublicDay(day, CalendarExceptionKind.WORKING_DAY, name, shortened)
    for day in sorted(eves - set(days)):
        days[day] = PublicDay(day, CalendarExceptionKind.SPECIAL_HOURS, eve_name, True)
    return dict(sorted(days.items()))
