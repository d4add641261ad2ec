"""Working calendars: when a department (later an SLA policy) works, in its own time zone.

A calendar has weekly hours — working intervals per weekday — and exceptions on single dates
(public holidays, moved days off, working Saturdays, shortened days). ``Calendar.to_spec()``
turns it into the engine's ``CalendarSpec``, on which all working-time arithmetic is done.
"""

from __future__ import annotations

import dataclasses

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from tamdesk.calendars.choices import CalendarExceptionKind, CalendarExceptionSource, Weekday
from tamdesk.calendars.engine import MINUTES_PER_DAY, CalendarSpec, Interval
from tamdesk.calendars.intervals import (
    check_intervals,
    format_interval,
    format_intervals,
    validate_interval_list,
)
from tamdesk.calendars.time_zones import DEFAULT_TIME_ZONE, validate_time_zone
from tamdesk.core.models import TimeStampedModel
from tamdesk.core.scoping import ReferenceQuerySet, restrict


class Calendar(TimeStampedModel):
    name = models.CharField(_("name"), max_length=200, unique=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=DEFAULT_TIME_ZONE, validators=[validate_time_zone]
    )
    description = models.TextField(_("description"), blank=True)
    is_always_open = models.BooleanField(
        _("24×7"),
        default=False,
        help_text=_(
            "Working round the clock every day; the weekly hours are ignored, exceptions "
            "(a closed day, special hours) still apply."
        ),
    )

    # Reference data: every role reads every calendar (``tamdesk.core.scoping``).
    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("calendar")
        verbose_name_plural = _("calendars")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("calendars:calendar_detail", args=[self.pk])

    def users(
        self, limit: int | None = None, *, viewer=None
    ) -> list[tuple[str, list[models.Model]]]:
        """The records that work by this calendar and protect it from deletion, by kind:
        ``[("departments", [...])]``. Found through the relations pointing here, so that the
        calendars do not import the domains above them (directory, later sla). With a
        ``viewer``, only the records they read (``visible_to``: a client's SLA policy is its
        readers')."""
        found = []
        for relation in self._meta.related_objects:
            if relation.on_delete is not models.PROTECT:
                continue
            records = getattr(self, relation.get_accessor_name()).all()
            if viewer is not None:
                records = restrict(records, viewer)
            records = list(records[:limit] if limit is not None else records)
            if records:
                found.append((str(relation.related_model._meta.verbose_name_plural), records))
        return found

    def has_working_time(self) -> bool:
        """Whether the calendar works at some time of an ordinary week: 24×7, or some weekly
        hours. Without, time measured in it never passes (exceptions aside)."""
        if self.is_always_open:
            return True
        return any(True for _interval in self.working_intervals.all())

    def weekly_hours(self) -> tuple[tuple[Interval, ...], ...]:
        """The stored weekly hours as seven interval tuples, Monday first."""
        weekly: list[list[Interval]] = [[] for _day in Weekday]
        for interval in self.working_intervals.all():
            weekly[interval.weekday].append(interval.interval)
        return tuple(tuple(sorted(day)) for day in weekly)

    def weekly_intervals(self) -> tuple[tuple[Interval, ...], ...]:
        """The weekly hours in force: the stored ones, or every day whole for a 24×7 calendar."""
        if self.is_always_open:
            return (((0, MINUTES_PER_DAY),),) * 7
        return self.weekly_hours()

    def to_spec(self) -> CalendarSpec:
        """The calendar as the engine sees it: weekly hours and every exception.

        A 24×7 calendar is open all day every day, but its exceptions still apply. An extra
        working day without its own hours works the calendar's Monday hours. Prefetch
        ``working_intervals`` and ``exceptions`` when building specs for many calendars.
        """
        weekly = self.weekly_intervals()
        exceptions = {
            exception.date: exception.effective_intervals(weekly)
            for exception in self.exceptions.all()
        }
        if self.is_always_open:
            return dataclasses.replace(
                CalendarSpec.always_open(self.time_zone), exceptions=exceptions
            )
        return CalendarSpec(time_zone=self.time_zone, weekly=weekly, exceptions=exceptions)


class WorkingInterval(models.Model):
    """One working interval of a weekday, in minutes from local midnight: [start, end)."""

    calendar = models.ForeignKey(
        Calendar,
        verbose_name=_("calendar"),
        on_delete=models.CASCADE,
        related_name="working_intervals",
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start_minute = models.PositiveSmallIntegerField(_("start (minute of the day)"))
    end_minute = models.PositiveSmallIntegerField(_("end (minute of the day)"))

    class Meta:
        ordering = ["calendar", "weekday", "start_minute"]
        verbose_name = _("working interval")
        verbose_name_plural = _("working intervals")
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6), name="working_interval_weekday_range"
            ),
            models.CheckConstraint(
                condition=Q(start_minute__gte=0)
                & Q(start_minute__lt=models.F("end_minute"))
                & Q(end_minute__lte=MINUTES_PER_DAY),
                name="working_interval_start_before_end_within_day",
            ),
            models.UniqueConstraint(
                fields=["calendar", "weekday", "start_minute"],
                name="working_interval_unique_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {format_interval(self.interval)}"

    @property
    def interval(self) -> Interval:
        return (self.start_minute, self.end_minute)

    def get_additional_data(self) -> dict:
        """Stored with each change-history entry, so the calendar's page finds deleted ones."""
        return {"calendar_id": self.calendar_id}


class CalendarException(TimeStampedModel):
    """A date on which the weekly hours do not apply."""

    calendar = models.ForeignKey(
        Calendar, verbose_name=_("calendar"), on_delete=models.CASCADE, related_name="exceptions"
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=16, choices=CalendarExceptionKind.choices)
    name = models.CharField(_("name"), max_length=200, blank=True)
    intervals = models.JSONField(
        _("working hours"),
        default=list,
        blank=True,
        validators=[validate_interval_list],
        help_text=_("[start, end] pairs in minutes from midnight."),
    )
    source = models.CharField(
        _("source"),
        max_length=16,
        choices=CalendarExceptionSource.choices,
        default=CalendarExceptionSource.MANUAL,
    )
    name_translations = models.JSONField(
        _("name in each language"),
        default=dict,
        blank=True,
        help_text=_(
            "An imported holiday's name by language code (en, ru), shown in the viewer's "
            "language; empty for exceptions entered by hand."
        ),
    )

    # Reference data: every role reads every calendar (``tamdesk.core.scoping``).
    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["calendar", "date"]
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        constraints = [
            models.UniqueConstraint(
                fields=["calendar", "date"], name="calendar_exception_unique_date"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=CalendarExceptionKind.values),
                name="calendar_exception_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(source__in=CalendarExceptionSource.values),
                name="calendar_exception_source_valid",
            ),
        ]

    def __str__(self) -> str:
        label = self.name or self.get_kind_display()
        return f"{self.date.isoformat()} {label}"

    def get_absolute_url(self) -> str:
        return f"{self.calendar.get_absolute_url()}?month={self.date:%Y-%m}#exceptions"

    def get_additional_data(self) -> dict:
        return {"calendar_id": self.calendar_id}

    @property
    def display_name(self) -> str:
        """The name in the active language when the import gave it, else as stored."""
        language = (translation.get_language() or "").split("-")[0]
        return self.name_translations.get(language) or self.name

    @property
    def interval_tuples(self) -> tuple[Interval, ...]:
        return tuple((start, end) for start, end in self.intervals)

    @property
    def hours_text(self) -> str:
        """``09:00-13:00, 14:00-18:00`` — what the forms show and parse."""
        return format_intervals(self.interval_tuples)

    def effective_intervals(self, weekly: tuple[tuple[Interval, ...], ...]) -> tuple[Interval, ...]:
        """The working intervals of the date: none when closed, its own hours, or — for an
        extra working day without hours — the calendar's Monday hours."""
        if self.kind == CalendarExceptionKind.CLOSED:
            return ()
        if self.kind == CalendarExceptionKind.WORKING_DAY and not self.intervals:
            return weekly[Weekday.MONDAY]
        return self.interval_tuples

    def clean(self) -> None:
        super().clean()
        try:
            check_intervals(self.intervals or [])
        except ValidationError:
            return  # malformed hours are reported by the field's validator
        try:
            checked = check_exception_hours(self.kind, self.intervals)
        except ValidationError as error:
            raise ValidationError({"intervals": error.error_list}) from None
        self.intervals = [list(interval) for interval in checked]


def check_exception_hours(kind: str, intervals) -> tuple[Interval, ...]:
    """The rule of an exception's hours, by kind: a closed day has none, special hours need
    some, an extra working day may have its own (else it works the Monday hours)."""
    checked = check_intervals(intervals or [])
    if kind == CalendarExceptionKind.CLOSED and checked:
        raise ValidationError(_("A closed day has no working hours."), code="hours_not_allowed")
    if kind == CalendarExceptionKind.SPECIAL_HOURS and not checked:
        raise ValidationError(
            _("Give the working hours of the day, like 09:00-17:00."), code="hours_required"
        )
    return checked
