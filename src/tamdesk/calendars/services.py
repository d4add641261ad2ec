"""Everything that changes calendars beyond a plain insert or update.

Weekly hours are replaced as a whole (only the intervals that change are written, so the change
history shows what changed); exceptions are added and edited one date at a time; public holidays
are imported from the `holidays` package without touching what was entered by hand.

Every service that changes a calendar's working time publishes ``working_time_changed``
(``core.events``) in its transaction, so that the domains above (changes re-schedules) react
after the commit without this domain knowing them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tamdesk.calendars.choices import CalendarExceptionKind, CalendarExceptionSource, Weekday
from tamdesk.calendars.engine import Interval
from tamdesk.calendars.exceptions import (
    CalendarHasNoWorkingTime,
    CalendarInUse,
    ExceptionDateTaken,
    InvalidCalendarException,
    InvalidCountry,
    InvalidWorkingHours,
    InvalidYears,
)
from tamdesk.calendars.intervals import check_intervals, shorten
from tamdesk.calendars.models import (
    Calendar,
    CalendarException,
    WorkingInterval,
    check_exception_hours,
)
from tamdesk.calendars.public_holidays import (
    SHORTENED_BY_MINUTES,
    PublicDay,
    has_shortened_eves,
    is_supported_country,
    public_days,
)
from tamdesk.calendars.time_zones import DEFAULT_TIME_ZONE
from tamdesk.core import events, ranges

WeeklyHours = Mapping[int, Iterable[Interval]]  # weekday (0 = Monday) → intervals

FIRST_IMPORT_YEAR = ranges.FIRST_YEAR
LAST_IMPORT_YEAR = 2100
MAX_IMPORT_YEARS = 10
USERS_NAMED = 10  # records named in a "calendar in use" message, per kind


def weekday_field(weekday: int) -> str:
    """The name under which a weekday's hours are reported: ``monday`` … ``sunday``."""
    return Weekday(weekday).name.lower()


def publish_working_time_changed(calendar: Calendar) -> None:
    """Tell the domains above that ``calendar``'s working time changed (after the commit)."""
    events.publish(
        events.WorkingTimeChanged(changed_at=timezone.now(), calendar_ids=(calendar.pk,))
    )


# --- calendars and weekly hours ------------------------------------------------------------------


@transaction.atomic
def create_calendar(
    *,
    name: str,
    time_zone: str = DEFAULT_TIME_ZONE,
    description: str = "",
    is_always_open: bool = False,
    weekly: WeeklyHours | None = None,
    by,
) -> Calendar:
    """Create a calendar with its weekly hours (a weekday left out of ``weekly`` is off)."""
    checked = _check_weekly(weekly or {})
    calendar = Calendar.objects.create(
        name=name, time_zone=time_zone, description=description, is_always_open=is_always_open
    )
    _write_weekly(calendar, checked)
    return calendar


@transaction.atomic
def set_weekly_hours(calendar: Calendar, *, weekly: WeeklyHours, by) -> Calendar:
    """Replace the calendar's weekly hours: ``weekly`` gives every working weekday's intervals;
    a weekday left out has none. Overlapping or malformed intervals are refused
    (``invalid_working_hours`` on the weekday)."""
    checked = _check_weekly(weekly)
    calendar = Calendar.objects.select_for_update().get(pk=calendar.pk)
    _write_weekly(calendar, checked)
    refuse_idle_calendar_in_use(calendar)
    refresh_shortened_days(calendar)
    publish_working_time_changed(calendar)
    return calendar


def finish_calendar_edit(calendar: Calendar, *, field: str = "is_always_open") -> None:
    """After a calendar's own fields were saved (time zone, 24×7, name), inside the saving
    transaction: refuse leaving a calendar in use without working time (on ``field``), keep the
    shortened pre-holiday days in step and publish ``working_time_changed``."""
    refuse_idle_calendar_in_use(calendar, field=field)
    refresh_shortened_days(calendar)
    publish_working_time_changed(calendar)


def refresh_shortened_days(calendar: Calendar) -> int:
    """Keep the imported pre-holiday days in step with the calendar after its weekly hours or
    its 24×7 switch changed: each is its weekday's hours (a working Saturday: Monday's) less an
    hour again; a weekday the calendar no longer works drops its shortened day, and a 24×7
    calendar has none (a working Saturday keeps working, whole). Exceptions entered by hand are
    left alone. Returns the number of exceptions changed."""
    calendar = Calendar.objects.prefetch_related("working_intervals").get(pk=calendar.pk)
    weekly = calendar.weekly_hours()
    imported = calendar.exceptions.filter(source=CalendarExceptionSource.IMPORTED)
    changed = 0
    for row in imported.filter(kind=CalendarExceptionKind.SPECIAL_HOURS):
        entry = PublicDay(row.date, row.kind, row.name, is_shortened=True)
        hours = None if calendar.is_always_open else _imported_hours(entry, weekly)
        if hours is None:
            row.delete()
            changed += 1
        elif hours != row.intervals:
            row.intervals = hours
            row.save(update_fields=["intervals", "updated_at"])
            changed += 1
    for row in imported.filter(kind=CalendarExceptionKind.WORKING_DAY):
        if not row.intervals:  # works the Monday hours: not a shortened one
            continue
        entry = PublicDay(row.date, row.kind, row.name, is_shortened=True)
        hours = [] if calendar.is_always_open else _imported_hours(entry, weekly)
        if hours != row.intervals:
            row.intervals = hours
            row.save(update_fields=["intervals", "updated_at"])
            changed += 1
    return changed


def refuse_idle_calendar_in_use(calendar: Calendar, *, field: str = "weekly_hours") -> None:
    """A calendar that something works by (a department, an SLA policy version) keeps some
    working time: without weekly hours and not 24×7, its SLA clocks would never come due and its
    notifications would wait forever. Call it inside the transaction that changed the calendar,
    after the change: refusing rolls the change back (``calendar_has_no_working_time``)."""
    calendar = Calendar.objects.prefetch_related("working_intervals").get(pk=calendar.pk)
    if calendar.has_working_time():
        return
    users = _users_of(calendar)
    if users:
        raise CalendarHasNoWorkingTime(
            _(
                "The calendar is in use (%(users)s) and would have no working time at all. "
                "Keep some weekly hours, or make it 24×7."
            )
            % {"users": "; ".join(users)},
            field=field,
        )


def _check_weekly(weekly: WeeklyHours) -> dict[int, tuple[Interval, ...]]:
    checked = {}
    for weekday, intervals in weekly.items():
        if weekday not in Weekday.values:
            raise InvalidWorkingHours(
                _("%(value)s is not a weekday (0 = Monday … 6 = Sunday).") % {"value": weekday},
                field="weekly_hours",
            )
        try:
            checked[weekday] = check_intervals(intervals)
        except ValidationError as error:
            raise InvalidWorkingHours(
                f"{Weekday(weekday).label}: {' '.join(error.messages)}",
                field=weekday_field(weekday),
            ) from None
    return checked


def _write_weekly(calendar: Calendar, weekly: dict[int, tuple[Interval, ...]]) -> None:
    """Delete the intervals that are no longer wanted and create the new ones, row by row (so
    that the change history records each)."""
    wanted = {(day, start, end) for day, intervals in weekly.items() for start, end in intervals}
    existing = {
        (row.weekday, row.start_minute, row.end_minute): row
        for row in calendar.working_intervals.all()
    }
    for key, row in existing.items():
        if key not in wanted:
            row.delete()
    for day, start, end in sorted(wanted - set(existing)):
        WorkingInterval.objects.create(
            calendar=calendar, weekday=day, start_minute=start, end_minute=end
        )


@transaction.atomic
def delete_calendar(calendar: Calendar, *, by) -> None:
    """Delete a calendar that nothing uses any more (``calendar_in_use`` otherwise, naming the
    departments — and later SLA policies — that use it)."""
    calendar = Calendar.objects.select_for_update().get(pk=calendar.pk)
    users = _users_of(calendar)
    if users:
        raise CalendarInUse(
            _("The calendar is in use (%(users)s). Give them another calendar first.")
            % {"users": "; ".join(users)}
        )
    calendar.delete()


def _users_of(calendar: Calendar) -> list[str]:
    """``"departments: Network group, Duty engineers"`` per kind of record using the calendar."""
    users = []
    for kind, records in calendar.users(limit=USERS_NAMED + 1):
        names = ", ".join(str(record) for record in records[:USERS_NAMED])
        if len(records) > USERS_NAMED:
            names += ", …"
        users.append(f"{kind}: {names}")
    return users


# --- exceptions ----------------------------------------------------------------------------------


def _check_exception(kind: str, intervals: Iterable[Iterable[int]]) -> list[list[int]]:
    if kind not in CalendarExceptionKind.values:
        raise InvalidCalendarException(
            _("“%(value)s” is not a kind of exception.") % {"value": kind}, field="kind"
        )
    try:
        checked = check_exception_hours(kind, list(intervals or []))
    except ValidationError as error:
        raise InvalidCalendarException(" ".join(error.messages), field="intervals") from None
    return [list(interval) for interval in checked]


def _refuse_taken_date(calendar: Calendar, date: dt.date, exclude_pk: int | None = None) -> None:
    if calendar.exceptions.filter(date=date).exclude(pk=exclude_pk).exists():
        raise ExceptionDateTaken(
            _("The calendar already has an exception on %(date)s; edit that one.")
            % {"date": date.isoformat()},
            field="date",
        )


@transaction.atomic
def add_exception(
    *,
    calendar: Calendar,
    date: dt.date,
    kind: CalendarExceptionKind | str,
    name: str = "",
    intervals: Iterable[Iterable[int]] = (),
    by,
) -> CalendarException:
    """Add an exception entered by hand: a closed day, an extra working day (its own hours, or
    the Monday hours when none are given) or special hours. One exception per date."""
    checked = _check_exception(kind, intervals)
    calendar = Calendar.objects.select_for_update().get(pk=calendar.pk)
    _refuse_taken_date(calendar, date)
    exception = CalendarException.objects.create(
        calendar=calendar,
        date=date,
        kind=kind,
        name=name,
        intervals=checked,
        source=CalendarExceptionSource.MANUAL,
    )
    publish_working_time_changed(calendar)
    return exception


@transaction.atomic
def update_exception(
    exception: CalendarException,
    *,
    date: dt.date,
    kind: CalendarExceptionKind | str,
    name: str = "",
    intervals: Iterable[Iterable[int]] = (),
    by,
) -> CalendarException:
    """Change an exception. An imported one becomes a manual one: a later import of public
    holidays leaves it as edited."""
    checked = _check_exception(kind, intervals)
    Calendar.objects.select_for_update().get(pk=exception.calendar_id)
    exception = CalendarException.objects.select_related("calendar").get(pk=exception.pk)
    _refuse_taken_date(exception.calendar, date, exclude_pk=exception.pk)
    if name != exception.name:  # a name typed by hand is shown as typed, in every language
        exception.name_translations = {}
    exception.date, exception.kind, exception.name = date, kind, name
    exception.intervals = checked
    exception.source = CalendarExceptionSource.MANUAL
    exception.save(update_fields=["date", "kind", "name", "intervals", "source", "updated_at"])
    publish_working_time_changed(exception.calendar)
    return exception


@transaction.atomic
def delete_exception(exception: CalendarException, *, by) -> None:
    """Delete an exception: the weekly hours apply on its date again."""
    calendar = Calendar.objects.select_for_update().get(pk=exception.calendar_id)
    CalendarException.objects.filter(pk=exception.pk).delete()
    publish_working_time_changed(calendar)


# --- public holidays -----------------------------------------------------------------------------


@dataclass(frozen=True)
class HolidayImportReport:
    created: int = 0  # new exceptions
    updated: int = 0  # imported before, changed since in the source
    unchanged: int = 0  # imported before, as they are
    skipped: int = 0  # the date has an exception entered by hand, left as it is


@transaction.atomic
def import_public_holidays(
    calendar: Calendar,
    *,
    country: str = "RU",
    year_from: int,
    year_to: int,
    by,
    language: str | None = None,
    shorten_pre_holidays: bool | None = None,
) -> HolidayImportReport:
    """Import the public holidays of ``country`` for ``year_from``..``year_to`` (at most
    ``MAX_IMPORT_YEARS``) as closed days, and its weekend working days (Russia's working
    Saturdays) as extra working days with the Monday hours.

    With ``shorten_pre_holidays`` (default: on for the countries that shorten them — Russia,
    Labour Code art. 95), each pre-holiday day gets special hours one hour shorter than its
    weekday's hours (a shortened working Saturday: the Monday hours less an hour). Not for a 24×7
    calendar, nor on a weekday the calendar does not work.

    Dates with an exception entered by hand are skipped; running it again changes nothing.
    Names are in ``language`` (default: the active UI language) when the package has it.
    """
    country = (country or "").strip().upper()
    if not is_supported_country(country):
        raise InvalidCountry(
            _("“%(value)s” is not a country code with known public holidays.") % {"value": country},
            field="country",
        )
    _check_years(year_from, year_to)
    calendar = Calendar.objects.select_for_update().get(pk=calendar.pk)
    if shorten_pre_holidays is None:
        shorten_pre_holidays = has_shortened_eves(country)
    public = public_days(
        country,
        range(year_from, year_to + 1),
        language=language,
        shorten_eves=shorten_pre_holidays and not calendar.is_always_open,
    )
    weekly = calendar.weekly_hours()
    wanted = {
        day: (entry, hours)
        for day, entry in public.items()
        if (hours := _imported_hours(entry, weekly)) is not None
    }
    existing = {row.date: row for row in calendar.exceptions.filter(date__in=list(wanted))}
    created = updated = unchanged = skipped = 0
    for day, (entry, hours) in wanted.items():
        row = existing.get(day)
        names = dict(entry.names)
        if row is None:
            CalendarException.objects.create(
                calendar=calendar,
                date=day,
                kind=entry.kind,
                name=entry.name,
                name_translations=names,
                intervals=hours,
                source=CalendarExceptionSource.IMPORTED,
            )
            created += 1
        elif row.source == CalendarExceptionSource.MANUAL:
            skipped += 1
        elif (row.kind, row.name, row.intervals, row.name_translations) == (
            entry.kind,
            entry.name,
            hours,
            names,
        ):
            unchanged += 1
        else:
            row.kind, row.name, row.intervals = entry.kind, entry.name, hours
            row.name_translations = names
            row.save()
            updated += 1
    if created or updated:
        publish_working_time_changed(calendar)
    return HolidayImportReport(
        created=created, updated=updated, unchanged=unchanged, skipped=skipped
    )


def _imported_hours(entry: PublicDay, weekly) -> list[list[int]] | None:
    """The hours an imported exception stores: none (a closed day; an extra working day works
    the Monday hours), or for a shortened day its usual hours less an hour — None when the
    calendar does not work that day, so there is nothing to shorten."""
    if not entry.is_shortened:
        return []
    is_extra = entry.kind == CalendarExceptionKind.WORKING_DAY
    usual = weekly[Weekday.MONDAY] if is_extra else weekly[entry.date.weekday()]
    short = shorten(usual, SHORTENED_BY_MINUTES)
    if short == tuple(sorted(usual)):  # not a working day, or no more than an hour of work
        return [] if is_extra else None
    return [list(interval) for interval in short]


def _check_years(year_from: int, year_to: int) -> None:
    for field, year in (("year_from", year_from), ("year_to", year_to)):
        if not FIRST_IMPORT_YEAR <= year <= LAST_IMPORT_YEAR:
            raise InvalidYears(
                _("Choose a year between %(first)d and %(last)d.")
                % {"first": FIRST_IMPORT_YEAR, "last": LAST_IMPORT_YEAR},
                field=field,
            )
    if year_to < year_from:
        raise InvalidYears(_("The last year is before the first."), field="year_to")
    if year_to - year_from + 1 > MAX_IMPORT_YEARS:
        raise InvalidYears(
            _("Import at most %(count)d years at once.") % {"count": MAX_IMPORT_YEARS},
            field="year_to",
        )
