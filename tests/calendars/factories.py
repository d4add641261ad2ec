from __future__ import annotations

import datetime as dt

import factory

from tamdesk.calendars.choices import CalendarExceptionKind, CalendarExceptionSource
from tamdesk.calendars.models import Calendar, CalendarException, WorkingInterval

# Monday to Friday 09:00-13:00 and 14:00-18:00.
OFFICE_DAY = ((9 * 60, 13 * 60), (14 * 60, 18 * 60))
OFFICE_WEEK = {day: OFFICE_DAY for day in range(5)}


class CalendarFactory(factory.django.DjangoModelFactory):
    """A Moscow office calendar; ``weekly={weekday: intervals}`` (default: ``OFFICE_WEEK``)."""

    class Meta:
        model = Calendar
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Calendar {n}")
    time_zone = "Europe/Moscow"

    @factory.post_generation
    def weekly(self, create, extracted, **kwargs):
        if not create:
            return
        weekly = OFFICE_WEEK if extracted is None else extracted
        WorkingInterval.objects.bulk_create(
            WorkingInterval(calendar=self, weekday=day, start_minute=start, end_minute=end)
            for day, intervals in weekly.items()
            for start, end in intervals
        )


class WorkingIntervalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingInterval

    calendar = factory.SubFactory(CalendarFactory, weekly={})
    weekday = 0
    start_minute = 9 * 60
    end_minute = 18 * 60


class CalendarExceptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CalendarException

    calendar = factory.SubFactory(CalendarFactory)
    date = dt.date(2025, 12, 31)
    kind = CalendarExceptionKind.CLOSED
    name = "Day off"
    intervals = factory.LazyFunction(list)
    source = CalendarExceptionSource.MANUAL
