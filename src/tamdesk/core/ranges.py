"""The range of dates, times and durations tamdesk supports — one rule, checked at every edge.

Every date, instant, working duration and count a person or an integration can send is checked
here, by the serializers of the API, the forms of the pages and the filters of both, so that the
engines (working calendars, the SLA clocks, the change scheduler) and the drawings may assume it.
What lies outside is refused with a field error (API: 400 ``invalid``, the message under the
field's name; pages: the message on the field). See docs/supported-ranges.md.

- **Dates and instants**: 1970-01-01 to 2200-12-31 (instants in UTC). An instant sent to the API
  must carry its UTC offset (``2025-06-10T09:00:00+03:00``): a time without one, or a bare date,
  is refused rather than read as UTC. Pages read a date-time in the viewer's time zone.
- **Years** (query parameters, the import of public holidays): 1970 to 2200.
- **Working hours**: a task's estimate and remaining work 0 to 10,000 h; a dependency's lag
  -2,000 to 2,000 h; an SLA target at most 10,000 h (and at least a minute).
- **Query durations** (``breaching_within``): 0 to 10,000 h.
- **Review intervals** (``core.models.EvergreenMixin``: documents, risks, actions): 1 to 3,650
  days.

Besides the edges, the services map an engine's range error to a ``DomainError`` (400
``out_of_supported_range``), so a value already stored outside the range never becomes a 500.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from tamdesk.core.exceptions import DomainError

FIRST_DATE = dt.date(1970, 1, 1)
LAST_DATE = dt.date(2200, 12, 31)
FIRST_YEAR = FIRST_DATE.year
LAST_YEAR = LAST_DATE.year
#: Instants lie in [FIRST_INSTANT, END_INSTANT) (UTC).
FIRST_INSTANT = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
END_INSTANT = dt.datetime(2201, 1, 1, tzinfo=dt.UTC)

#: A task's estimate and remaining work, working hours.
MAX_TASK_HOURS = Decimal("10000")
#: A dependency's lag (negative: a lead), working hours.
MAX_LAG_HOURS = Decimal("2000")
#: An SLA target, working hours (and seconds).
MAX_TARGET_HOURS = 10_000
MAX_TARGET_SECONDS = MAX_TARGET_HOURS * 3600
#: A duration in a query parameter (``breaching_within``), hours.
MAX_QUERY_HOURS = 10_000
#: A review interval (``core.models.EvergreenMixin``), calendar days.
MIN_REVIEW_DAYS = 1
MAX_REVIEW_DAYS = 3650
#: Department tasks in one change request (cancelled ones included): bounds the schedule, the
#: Gantt chart and the dependency graph whatever is stored.
MAX_TASKS_PER_CHANGE = 200
#: The largest record id (``BigAutoField``): an id given as a number is refused above it.
MAX_ID = 2**63 - 1

BOUNDS = {"first": FIRST_DATE.isoformat(), "last": LAST_DATE.isoformat()}
YEAR_BOUNDS = {"first": FIRST_YEAR, "last": LAST_YEAR}


def _formatted(message: str, params: dict):
    """``gettext(message) % params``, translated when shown (in the language of the request)."""
    return lazy(lambda: gettext(message) % params, str)()


# The messages, formatted with the bounds (DRF formats with str.format, Django with %: neither
# gets placeholders to fill).
DATE_MESSAGE = _formatted(gettext_noop("Enter a date between %(first)s and %(last)s."), BOUNDS)
INSTANT_MESSAGE = _formatted(
    gettext_noop("Enter a time between %(first)s and %(last)s (UTC)."), BOUNDS
)
YEAR_MESSAGE = _formatted(gettext_noop("Enter a year between %(first)d and %(last)d."), YEAR_BOUNDS)
REVIEW_INTERVAL_MESSAGE = _formatted(
    gettext_noop("A review interval is from %(first)d to %(last)d days."),
    {"first": MIN_REVIEW_DAYS, "last": MAX_REVIEW_DAYS},
)
NAIVE_MESSAGE = _("Give the time with its UTC offset, e.g. 2025-06-10T09:00:00+03:00.")


class OutOfSupportedRange(DomainError):
    """A computation would leave the supported range (an engine's range error, on data stored
    before the edges were checked or pushed there by long estimates and lags)."""

    code = "out_of_supported_range"


def is_supported_date(value: dt.date) -> bool:
    return FIRST_DATE <= value <= LAST_DATE


def is_supported_instant(value: dt.datetime) -> bool:
    return timezone.is_aware(value) and FIRST_INSTANT <= value < END_INSTANT


# --- Django validators (forms, filters) ----------------------------------------------------


def validate_date(value: dt.date) -> None:
    if value is not None and not is_supported_date(value):
        raise ValidationError(DATE_MESSAGE, code="out_of_range")


def validate_instant(value: dt.datetime) -> None:
    if value is not None and not is_supported_instant(value):
        raise ValidationError(INSTANT_MESSAGE, code="out_of_range")


def validate_review_interval(value: int) -> None:
    """A model validator: forms (through the model's ``full_clean``) and model serializers get
    it from the field."""
    if value is not None and not MIN_REVIEW_DAYS <= value <= MAX_REVIEW_DAYS:
        raise ValidationError(REVIEW_INTERVAL_MESSAGE, code="out_of_range")


class DayFormField(forms.DateField):
    """A date of a form, in the supported range."""

    default_validators = [validate_date]


class InstantFormField(forms.DateTimeField):
    """A date-time of a form (read in the viewer's time zone), in the supported range."""

    default_validators = [validate_instant]

    def to_python(self, value):
        try:
            return super().to_python(value)
        except OverflowError:  # a year at the edge of what Python counts, shifted by a zone
            raise ValidationError(INSTANT_MESSAGE, code="out_of_range") from None


def year_form_field(**kwargs) -> forms.IntegerField:
    """A year in the supported range."""
    kwargs.setdefault("error_messages", {})
    for code in ("min_value", "max_value"):
        kwargs["error_messages"].setdefault(code, YEAR_MESSAGE)
    return forms.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR, **kwargs)


def hours_form_field(*, lowest: Decimal, highest: Decimal, **kwargs) -> forms.DecimalField:
    """Working hours with two decimals in ``[lowest, highest]``."""
    return forms.DecimalField(
        min_value=lowest, max_value=highest, max_digits=7, decimal_places=2, **kwargs
    )


# --- django-filter filters -----------------------------------------------------------------


class DayFilter(django_filters.DateFilter):
    """A date query parameter in the supported range."""

    field_class = DayFormField


class YearFilter(django_filters.NumberFilter):
    """A year query parameter in the supported range (a whole number)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", FIRST_YEAR)
        kwargs.setdefault("max_value", LAST_YEAR)
        kwargs.setdefault("error_messages", {"min_value": YEAR_MESSAGE, "max_value": YEAR_MESSAGE})
        super().__init__(*args, **kwargs)


class HoursFilter(django_filters.NumberFilter):
    """A duration in hours as a query parameter, ``0`` to ``MAX_QUERY_HOURS``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_QUERY_HOURS)
        super().__init__(*args, **kwargs)


# --- DRF serializer fields -----------------------------------------------------------------


class InstantField(serializers.DateTimeField):
    """An instant of the API: ISO 8601 with its UTC offset, in the supported range. A time
    without an offset or a bare date is refused (an integration's local time is never read as
    UTC)."""

    default_error_messages = {"naive": NAIVE_MESSAGE, "out_of_range": INSTANT_MESSAGE}

    def to_internal_value(self, value):
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None
            if parsed is not None and timezone.is_naive(parsed):
                self.fail("naive")
        elif isinstance(value, dt.date) and (
            not isinstance(value, dt.datetime) or timezone.is_naive(value)
        ):
            self.fail("naive")
        instant = super().to_internal_value(value)
        if not is_supported_instant(instant):
            self.fail("out_of_range")
        return instant


class DayField(serializers.DateField):
    """A date of the API (``YYYY-MM-DD``) in the supported range."""

    default_error_messages = {"out_of_range": DATE_MESSAGE}

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        if not is_supported_date(day):
            self.fail("out_of_range")
        return day


def hours_serializer_field(*, lowest: Decimal, highest: Decimal, **kwargs):
    """Working hours with two decimals in ``[lowest, highest]``."""
    return serializers.DecimalField(
        max_digits=7, decimal_places=2, min_value=lowest, max_value=highest, **kwargs
    )


def year_serializer_field(**kwargs) -> serializers.IntegerField:
    """A year in the supported range."""
    messages = {"min_value": YEAR_MESSAGE, "max_value": YEAR_MESSAGE}
    return serializers.IntegerField(
        min_value=FIRST_YEAR, max_value=LAST_YEAR, error_messages=messages, **kwargs
    )


class ModelSerializer(serializers.ModelSerializer):
    """The base of the domains' model serializers: model dates and date-times become the
    range-checked fields above."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        **{
            model_field: DayField
            for model_field, field in serializers.ModelSerializer.serializer_field_mapping.items()
            if field is serializers.DateField
        },
        **{
            model_field: InstantField
            for model_field, field in serializers.ModelSerializer.serializer_field_mapping.items()
            if field is serializers.DateTimeField
        },
    }
