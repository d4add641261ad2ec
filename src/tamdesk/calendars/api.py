"""The REST API of the calendars under ``/api/v1/`` (routes in ``tamdesk.config.api_urls``).

- ``/calendars/`` — CRUD; ``weekly_hours`` (a list of ``{weekday, start, end}`` with times as
  ``HH:MM``, ``24:00`` the end of the day) is written as a whole, ``exceptions`` are read here
  and written through ``/calendar-exceptions/``. ``POST /calendars/{id}/import-holidays/``
  imports public holidays.
- ``/calendar-exceptions/`` — CRUD of the dates on which the weekly hours do not apply.

Writes go through ``tamdesk.calendars.services``; errors have the one shape of
``tamdesk.core.api.exception_handler``.
"""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from tamdesk.calendars import services
from tamdesk.calendars.choices import Weekday
from tamdesk.calendars.filters import CalendarExceptionFilter, CalendarFilter
from tamdesk.calendars.intervals import check_intervals, format_minute, parse_clock
from tamdesk.calendars.models import Calendar, CalendarException, check_exception_hours
from tamdesk.core import ranges
from tamdesk.core.viewsets import RulesViewSet, UpdateFieldsModelSerializer, error_response

TIMESTAMPS = ["created_at", "updated_at"]
CLOCK = r"([01]?\d|2[0-3]):[0-5]\d"


@extend_schema_field({"type": "string", "pattern": f"^{CLOCK}$", "example": "09:00"})
class ClockField(serializers.Field):
    """A time of day as ``HH:MM`` ↔ minutes from midnight."""

    default_error_messages = {"invalid": _("Enter a time as HH:MM.")}
    is_end = False

    def to_representation(self, value: int) -> str:
        return format_minute(value)

    def to_internal_value(self, data) -> int:
        if not isinstance(data, str):
            self.fail("invalid")
        try:
            return parse_clock(data, is_end=self.is_end)
        except ValidationError as error:
            raise serializers.ValidationError(error.messages) from None


@extend_schema_field({"type": "string", "pattern": f"^{CLOCK}$|^24:00$", "example": "18:00"})
class EndClockField(ClockField):
    """The end of an interval: ``24:00`` is the end of the day."""

    is_end = True


def _require(attrs: dict, fields: dict[str, str]) -> dict:
    """Every part of an interval, also in a partial update (which does not require them)."""
    missing = {
        name: [_("This field is required.")] for name, key in fields.items() if key not in attrs
    }
    if missing:
        raise serializers.ValidationError(missing)
    return attrs


class IntervalSerializer(serializers.Serializer):
    """``{"start": "09:00", "end": "13:00"}``, stored as a ``[540, 780]`` pair."""

    start = ClockField()
    end = EndClockField()

    def to_representation(self, instance) -> dict:
        start, end = instance
        return {"start": format_minute(start), "end": format_minute(end)}

    def validate(self, attrs: dict) -> dict:
        return _require(attrs, {"start": "start", "end": "end"})


class WeeklyIntervalSerializer(serializers.Serializer):
    weekday = serializers.ChoiceField(
        choices=Weekday.choices, help_text=_("0 = Monday … 6 = Sunday.")
    )
    start = ClockField(source="start_minute")
    end = EndClockField(source="end_minute")

    def validate(self, attrs: dict) -> dict:
        return _require(attrs, {"weekday": "weekday", "start": "start_minute", "end": "end_minute"})


def _checked(intervals: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    try:
        return check_intervals(intervals)
    except ValidationError as error:
        raise serializers.ValidationError(error.messages) from None


# --- exceptions ----------------------------------------------------------------------------------


class CalendarExceptionSerializer(UpdateFieldsModelSerializer):
    """``intervals``: the hours of a special day or an extra working day (none for a closed
    day; an extra working day without them works the Monday hours). ``source`` is ``imported``
    for public holidays until someone edits them."""

    intervals = IntervalSerializer(many=True, required=False)

    class Meta:
        model = CalendarException
        fields = ["id", "calendar", "date", "kind", "name", "name_translations", "intervals"]
        fields += ["source", *TIMESTAMPS]
        read_only_fields = ["source", "name_translations", *TIMESTAMPS]
        # One exception per date is the service's rule (400 `exception_date_taken` on `date`).
        validators = []

    def validate_calendar(self, value: Calendar) -> Calendar:
        if self.instance is not None and value != self.instance.calendar:
            raise serializers.ValidationError(_("An exception cannot move to another calendar."))
        return value

    def validate(self, attrs: dict) -> dict:
        instance = self.instance
        kind = attrs.get("kind", getattr(instance, "kind", None))
        if "intervals" in attrs:
            intervals = [(item["start"], item["end"]) for item in attrs["intervals"]]
        else:
            intervals = list(getattr(instance, "interval_tuples", ()))
        try:
            attrs["intervals"] = [list(i) for i in check_exception_hours(kind, intervals)]
        except ValidationError as error:
            raise serializers.ValidationError({"intervals": error.messages}) from None
        return attrs


class CalendarExceptionViewSet(RulesViewSet):
    """Dates on which a calendar's weekly hours do not apply: closed days, extra working days,
    special hours. Administrators and service managers edit them."""

    queryset = CalendarException.objects.select_related("calendar")
    serializer_class = CalendarExceptionSerializer
    filterset_class = CalendarExceptionFilter
    search_fields = ["name", "calendar__name"]

    def rows_to_lock(self, obj: CalendarException) -> list:
        # The calendar before its exception, as the services lock them.
        return [obj.calendar, obj]

    def _arguments(self, serializer) -> dict:
        data, instance = serializer.validated_data, serializer.instance
        return {
            field: data.get(field, getattr(instance, field, default))
            for field, default in (("date", None), ("kind", None), ("name", ""))
        } | {"intervals": data["intervals"]}

    def perform_create(self, serializer) -> None:
        serializer.instance = services.add_exception(
            calendar=serializer.validated_data["calendar"],
            **self._arguments(serializer),
            by=self.request.user,
        )

    def perform_update(self, serializer) -> None:
        serializer.instance = services.update_exception(
            serializer.instance, **self._arguments(serializer), by=self.request.user
        )

    def perform_destroy(self, instance: CalendarException) -> None:
        services.delete_exception(instance, by=self.request.user)


# --- calendars -----------------------------------------------------------------------------------


class CalendarSerializer(UpdateFieldsModelSerializer):
    """A calendar with its weekly hours (written as a whole: the list replaces the hours; a
    weekday not listed is not a working day) and, read-only, its exceptions."""

    weekly_hours = WeeklyIntervalSerializer(many=True, source="working_intervals", required=False)
    exceptions = CalendarExceptionSerializer(many=True, read_only=True)

    class Meta:
        model = Calendar
        fields = ["id", "name", "time_zone", "description", "is_always_open", "weekly_hours"]
        fields += ["exceptions", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS

    def validate_weekly_hours(self, value: list[dict]) -> dict[int, tuple]:
        by_day: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for item in value:
            by_day[int(item["weekday"])].append((item["start_minute"], item["end_minute"]))
        errors, weekly = [], {}
        for day in sorted(by_day):
            try:
                weekly[day] = _checked(by_day[day])
            except serializers.ValidationError as error:
                errors += [f"{Weekday(day).label}: {message}" for message in error.detail]
        if errors:
            raise serializers.ValidationError(errors)
        return weekly


class ImportHolidaysSerializer(serializers.Serializer):
    country = serializers.CharField(
        max_length=8, default="RU", help_text=_("ISO 3166 code, e.g. RU (the default).")
    )
    year_from = ranges.year_serializer_field()
    year_to = ranges.year_serializer_field(
        help_text=_("The last year imported; at most %(count)d years at once.")
        % {"count": services.MAX_IMPORT_YEARS},
    )
    shorten_pre_holidays = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_(
            "Make each pre-holiday day one hour shorter (Russia: Labour Code art. 95). Omitted "
            "or null: on for Russia. Never on a 24×7 calendar; a date entered by hand is kept."
        ),
    )


class HolidayImportReportSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text=_("New exceptions."))
    updated = serializers.IntegerField(help_text=_("Imported before, changed in the source."))
    unchanged = serializers.IntegerField(help_text=_("Imported before, as they are."))
    skipped = serializers.IntegerField(help_text=_("Dates with an exception entered by hand."))


class CalendarViewSet(RulesViewSet):
    """Working calendars. Administrators and service managers edit them; a calendar that a
    department uses cannot be deleted (409 `calendar_in_use`)."""

    queryset = Calendar.objects.prefetch_related("working_intervals", "exceptions")
    serializer_class = CalendarSerializer
    filterset_class = CalendarFilter
    search_fields = ["name", "description", "time_zone"]

    def version_values(self, obj: Calendar) -> dict:
        """The calendar and its weekly hours (its exceptions are records of their own)."""
        hours = obj.working_intervals.all()
        return {
            **super().version_values(obj),
            "weekly_hours": sorted((i.weekday, i.start_minute, i.end_minute) for i in hours),
        }

    def perform_create(self, serializer: CalendarSerializer) -> None:
        data = dict(serializer.validated_data)
        weekly = data.pop("working_intervals", {})
        calendar = services.create_calendar(**data, weekly=weekly, by=self.request.user)
        serializer.instance = self.get_queryset().get(pk=calendar.pk)

    def perform_update(self, serializer: CalendarSerializer) -> None:
        weekly = serializer.validated_data.pop("working_intervals", None)
        with transaction.atomic():
            calendar = serializer.save()
            if weekly is not None:
                services.set_weekly_hours(calendar, weekly=weekly, by=self.request.user)
            services.finish_calendar_edit(calendar, field="is_always_open")
        serializer.instance = self.get_queryset().get(pk=calendar.pk)

    def perform_destroy(self, instance: Calendar) -> None:
        services.delete_calendar(instance, by=self.request.user)

    @extend_schema(
        operation_id="calendars_import_holidays",
        summary=_("Import public holidays"),
        description=_(
            "Public holidays of the country become closed days, its weekend working days "
            "(Russia's working Saturdays) extra working days. Dates with an exception entered "
            "by hand are kept; running it again changes nothing. Refused with `invalid_country` "
            "or `invalid_years`."
        ),
        request=ImportHolidaysSerializer,
        responses={
            200: HolidayImportReportSerializer,
            400: error_response(
                _("Invalid input (`invalid`, `invalid_country`, `invalid_years`).")
            ),
        },
    )
    @action(detail=True, methods=["post"], url_path="import-holidays")
    def import_holidays(self, request, pk=None):
        calendar = self.get_object()
        if not request.user.has_perm("calendars.change_calendar", calendar):
            raise exceptions.PermissionDenied
        serializer = ImportHolidaysSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = services.import_public_holidays(
            calendar, **serializer.validated_data, by=request.user
        )
        return Response(HolidayImportReportSerializer(report).data)
