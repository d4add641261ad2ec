"""The supported range (``tamdesk.core.ranges``): its fields and filters, and walks over every
serializer, form and FilterSet of the project so that no new one can skip it."""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
from decimal import Decimal

import django_filters
import pytest
from django import forms
from django.utils import timezone
from rest_framework import serializers

import tamdesk
from tamdesk.core import ranges
from tamdesk.core.models import JobRun
from tamdesk.core.viewsets import UpdateFieldsModelSerializer

UTC = dt.UTC


# --- the API fields --------------------------------------------------------------------------


def _instant(value):
    field = ranges.InstantField()
    field.bind("at", None)
    return field.run_validation(value)


def _refusal(run, value) -> tuple[str, str]:
    with pytest.raises(serializers.ValidationError) as caught:
        run(value)
    error = caught.value.detail[0]
    return error.code, str(error)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-06-10T09:00:00+03:00", dt.datetime(2025, 6, 10, 6, tzinfo=UTC)),
        ("2025-06-10T06:00:00Z", dt.datetime(2025, 6, 10, 6, tzinfo=UTC)),
        ("1970-01-01T00:00:00Z", dt.datetime(1970, 1, 1, tzinfo=UTC)),
        ("2200-12-31T23:59:59Z", dt.datetime(2200, 12, 31, 23, 59, 59, tzinfo=UTC)),
    ],
)
def test_an_instant_with_its_offset_in_the_range_is_read(value, expected):
    assert _instant(value) == expected


@pytest.mark.parametrize(
    "value", ["2025-06-10T09:00:00", "2025-06-10T09:00", "2025-06-10", dt.datetime(2025, 6, 10)]
)
def test_an_instant_without_an_offset_or_a_bare_date_is_refused(value):
    code, message = _refusal(_instant, value)

    assert code == "naive"
    assert message == "Give the time with its UTC offset, e.g. 2025-06-10T09:00:00+03:00."


@pytest.mark.parametrize(
    "value",
    [
        "1969-12-31T23:59:59Z",
        "1900-01-01T00:00:00+00:00",
        "0002-01-01T00:00:00Z",
        "2201-01-01T00:00:00Z",
        "2200-12-31T23:00:00-05:00",  # 2201-01-01 04:00 UTC
    ],
)
def test_an_instant_outside_the_range_is_refused(value):
    code, message = _refusal(_instant, value)

    assert code == "out_of_range"
    assert message == "Enter a time between 1970-01-01 and 2200-12-31 (UTC)."


@pytest.mark.parametrize(
    "value", ["9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+03:00", "not a time", 5]
)
def test_an_instant_python_cannot_even_shift_is_refused(value):
    with pytest.raises(serializers.ValidationError):
        _instant(value)


def _day(value):
    field = ranges.DayField()
    field.bind("on", None)
    return field.run_validation(value)


@pytest.mark.parametrize("value", ["0001-01-01", "1901-05-01", "1969-12-31", "2201-01-01"])
def test_a_date_outside_the_range_is_refused(value):
    code, message = _refusal(_day, value)

    assert code == "out_of_range"
    assert message == "Enter a date between 1970-01-01 and 2200-12-31."


def test_a_date_in_the_range_is_read():
    assert _day("1970-01-01") == dt.date(1970, 1, 1)
    assert _day("2200-12-31") == dt.date(2200, 12, 31)


# --- the form fields and filters --------------------------------------------------------------


def test_a_form_date_outside_the_range_is_a_field_error():
    field = ranges.DayFormField()

    with pytest.raises(forms.ValidationError) as caught:
        field.clean("1901-01-01")

    assert caught.value.messages == ["Enter a date between 1970-01-01 and 2200-12-31."]
    assert field.clean("2026-01-01") == dt.date(2026, 1, 1)


@pytest.mark.parametrize("value", ["0001-01-01T00:00", "1969-12-31T23:00", "9999-12-31T23:59"])
def test_a_form_time_outside_the_range_is_a_field_error(value, settings):
    field = ranges.InstantFormField()

    with timezone.override("Europe/Moscow"), pytest.raises(forms.ValidationError) as caught:
        field.clean(value)

    assert caught.value.messages == ["Enter a time between 1970-01-01 and 2200-12-31 (UTC)."]


def test_a_form_time_is_read_in_the_viewers_zone():
    with timezone.override("Europe/Moscow"):
        value = ranges.InstantFormField().clean("2025-06-10T09:00")

    assert value == dt.datetime(2025, 6, 10, 6, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "valid"),
    [("1970", True), ("2200", True), ("0", False), ("-1", False), ("10000", False), ("1e3", False)],
)
def test_a_year_filter_takes_the_supported_years(value, valid):
    class Years(django_filters.FilterSet):
        year = ranges.YearFilter()

    form = Years({"year": value}, queryset=JobRun.objects.none()).form

    assert form.is_valid() is valid
    if not valid:
        assert form.errors["year"]


@pytest.mark.parametrize(
    ("value", "valid"),
    [("0", True), ("10000", True), ("1e8", False), ("-1", False), ("NaN", False)],
)
def test_an_hours_filter_is_bounded(value, valid):
    class Within(django_filters.FilterSet):
        within = ranges.HoursFilter(method=lambda qs, name, value: qs)

    assert Within({"within": value}, queryset=JobRun.objects.none()).form.is_valid() is valid


# --- walks: nothing escapes the range -------------------------------------------------------


def _import_all() -> None:
    for module in pkgutil.walk_packages(tamdesk.__path__, "tamdesk."):
        name = module.name
        if ".migrations" in name or ".management" in name or name.endswith(".asgi"):
            continue
        if name.rsplit(".", 1)[-1] in {"api", "serializers", "forms", "filters", "jobs_api"}:
            importlib.import_module(name)
    importlib.import_module("tamdesk.config.api_urls")


def _subclasses(base) -> list[type]:
    found, todo = [], [base]
    while todo:
        for cls in todo.pop().__subclasses__():
            todo.append(cls)
            if cls.__module__.startswith("tamdesk."):
                found.append(cls)
    return found


def _serializer_fields(serializer, path: str, writable: bool = True):
    """``(where, field, writable)`` for every field, nested ones included."""
    for name, field in serializer.fields.items():
        where = f"{path}.{name}"
        field_writable = writable and not field.read_only
        yield where, field, field_writable
        child = getattr(field, "child", None)
        if isinstance(field, serializers.BaseSerializer) and child is not None:
            yield from _serializer_fields(child, where, field_writable)
        elif isinstance(field, serializers.Serializer):
            yield from _serializer_fields(field, where, field_writable)
        elif child is not None:
            yield f"{where}[]", child, field_writable


@pytest.mark.django_db
def test_every_serializer_date_and_time_is_range_checked():
    _import_all()
    classes = [
        cls
        for cls in _subclasses(serializers.BaseSerializer)
        if not issubclass(cls, serializers.ListSerializer)
        and cls not in (ranges.ModelSerializer, UpdateFieldsModelSerializer)
    ]
    assert len(classes) > 40  # the walk found the domains' serializers
    escaped = []
    for cls in classes:
        for where, field, _writable in _serializer_fields(cls(), cls.__qualname__):
            if isinstance(field, serializers.DateTimeField) and not isinstance(
                field, ranges.InstantField
            ):
                escaped.append(where)
            if isinstance(field, serializers.DateField) and not isinstance(field, ranges.DayField):
                escaped.append(where)
    assert escaped == []


def _form_fields(form_class):
    yield from form_class.base_fields.items()


def _check_form_field(where: str, field, escaped: list[str]) -> None:
    if isinstance(field, forms.DateTimeField):
        if not isinstance(field, ranges.InstantFormField):
            escaped.append(where)
    elif isinstance(field, forms.DateField):
        if not isinstance(field, ranges.DayFormField):
            escaped.append(where)
    elif isinstance(field, (forms.IntegerField, forms.DecimalField, forms.FloatField)):
        if field.min_value is None or field.max_value is None:
            escaped.append(where)
    elif isinstance(field, forms.DurationField):
        escaped.append(where)  # no duration field has a range yet: give it one


def test_every_form_date_time_and_number_is_range_checked():
    _import_all()
    classes = [cls for cls in _subclasses(forms.BaseForm) if cls.__module__.endswith(".forms")]
    assert len(classes) > 20
    escaped: list[str] = []
    for cls in classes:
        for name, field in _form_fields(cls):
            _check_form_field(f"{cls.__qualname__}.{name}", field, escaped)
    assert escaped == []


def test_every_filter_date_year_and_number_is_range_checked():
    _import_all()
    classes = _subclasses(django_filters.FilterSet)
    assert len(classes) > 10
    escaped: list[str] = []
    for cls in classes:
        for name, filter_ in cls.base_filters.items():
            field = filter_.field  # the form field the query parameter is read with
            _check_form_field(f"{cls.__qualname__}.{name}", field, escaped)
    assert escaped == []


#: Serializers that only describe responses (never read a request): their numbers need no range.
RESPONSE_ONLY = {
    "ErrorSerializer",
    "HolidayImportReportSerializer",
    "MarkedSerializer",
    "WarnAtSerializer",
    "ClockSerializer",
    "IncidentClocksSerializer",
    "TaskScheduleSerializer",
    "ScheduleSerializer",
    "StatusUpdateRecipientSerializer",
    "StatusUpdateResultSerializer",
    "ObtainedTokenSerializer",
    # the SLA report's response (its query is PeriodQuerySerializer / ReportQuerySerializer)
    "ClientRefSerializer",
    "PriorityRefSerializer",
    "DepartmentRefSerializer",
    "ClockFiguresSerializer",
    "ReportTotalsSerializer",
    "ReportRowSerializer",
    "ReportSerializer",
    "ViolationSerializer",
    # the report's time per department and the incident's holds
    "OLAFiguresSerializer",
    "DepartmentTotalsSerializer",
    "DepartmentRowSerializer",
    "DepartmentReportSerializer",
    "IncidentHoldSerializer",
}


@pytest.mark.django_db
def test_every_number_a_request_can_hold_is_bounded():
    _import_all()
    escaped = []
    for cls in _subclasses(serializers.Serializer):
        if cls.__name__ in RESPONSE_ONLY or cls in (
            ranges.ModelSerializer,
            UpdateFieldsModelSerializer,
        ):
            continue
        for where, field, writable in _serializer_fields(cls(), cls.__qualname__):
            numeric = (
                serializers.IntegerField,
                serializers.DecimalField,
                serializers.FloatField,
                serializers.DurationField,
            )
            bounded = getattr(field, "min_value", None) is not None and (
                getattr(field, "max_value", None) is not None
            )
            if isinstance(field, numeric) and writable and not bounded:
                escaped.append(where)
    assert escaped == []


def test_the_ranges_are_what_the_docs_say():
    assert (dt.date(1970, 1, 1), dt.date(2200, 12, 31)) == (ranges.FIRST_DATE, ranges.LAST_DATE)
    assert Decimal("10000") == ranges.MAX_TASK_HOURS
    assert Decimal("2000") == ranges.MAX_LAG_HOURS
    assert ranges.MAX_TARGET_SECONDS == 10_000 * 3600
    assert ranges.MAX_QUERY_HOURS == 10_000
