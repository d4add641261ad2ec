from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Weekday(models.IntegerChoices):
    """Monday first, as ``datetime.date.weekday()`` counts."""

    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class CalendarExceptionKind(models.TextChoices):
    CLOSED = "closed", _("Closed (holiday, day off)")
    WORKING_DAY = "working_day", _("Extra working day")
    SPECIAL_HOURS = "special_hours", _("Special hours")


class CalendarExceptionSource(models.TextChoices):
    MANUAL = "manual", _("Entered by hand")
    IMPORTED = "imported", _("Imported public holidays")
