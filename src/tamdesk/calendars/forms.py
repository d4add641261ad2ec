"""Forms of the calendar pages. Times are written ``HH:MM`` (``24:00`` ends the day), a day's
hours ``09:00-13:00, 14:00-18:00``; the views pass the cleaned data to the services."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tamdesk.calendars.choices import CalendarExceptionKind, Weekday
from tamdesk.calendars.intervals import format_intervals, parse_intervals
from tamdesk.calendars.models import Calendar, CalendarException, check_exception_hours
from tamdesk.calendars.public_holidays import holiday_countries
from tamdesk.calendars.services import MAX_IMPORT_YEARS, weekday_field
from tamdesk.calendars.time_zones import time_zone_choices, validate_time_zone
from tamdesk.core import ranges
from tamdesk.core.forms import VersionedFormMixin, VersionedModelForm

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
HOURS_HELP = _("Like 09:00-13:00, 14:00-18:00; empty: not a working day.")
ZONE_HELP = _("Local time of the calendar's time zone.")
DEFAULT_WEEKLY = {day: ((540, 1080),) for day in range(5)}  # Monday to Friday, 09:00-18:00


class HoursField(forms.CharField):
    """A day's working hours as text → a sorted tuple of ``(start, end)`` minute pairs."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 500)
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "off"}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return format_intervals(tuple(value))
        return value

    def to_python(self, value):
        return parse_intervals(super().to_python(value))


class WeeklyHoursMixin:
    """One hours field per weekday (``monday`` … ``sunday``) and the weekly hours they give."""

    def add_weekday_fields(self, weekly) -> None:
        for day in Weekday:
            self.fields[weekday_field(day)] = HoursField(
                label=day.label, initial=weekly.get(day, ())
            )

    @property
    def weekday_names(self) -> list[str]:
        return [weekday_field(day) for day in Weekday]

    def weekly_hours(self) -> dict[int, tuple]:
        return {
            day.value: self.cleaned_data[weekday_field(day)]
            for day in Weekday
            if self.cleaned_data.get(weekday_field(day))
        }


class CalendarForm(WeeklyHoursMixin, VersionedModelForm):
    """A calendar's name, time zone and 24×7 flag; when creating, its weekly hours too
    (``services.create_calendar``)."""

    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        validators=[validate_time_zone],
        initial=Calendar._meta.get_field("time_zone").default,
    )

    class Meta:
        model = Calendar
        fields = ["name", "time_zone", "description", "is_always_open"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fieldsets = [
            (None, ["name", "time_zone"], {"columns": 2}),
            (None, ["description", "is_always_open"]),
        ]
        if self.instance.pk is None:
            self.add_weekday_fields(DEFAULT_WEEKLY)
            self.fieldsets.append(
                (
                    _("Weekly hours"),
                    self.weekday_names,
                    {"columns": 2, "help": f"{HOURS_HELP} {ZONE_HELP}"},
                )
            )

    def service_arguments(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["weekly"] = self.weekly_hours()
        return data


class WeeklyHoursForm(VersionedFormMixin, WeeklyHoursMixin, forms.Form):
    """All seven weekdays at once (``services.set_weekly_hours``)."""

    def __init__(self, *args, instance: Calendar, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance = instance
        weekly = dict(enumerate(instance.weekly_hours()))
        self.add_weekday_fields(weekly)
        help_text = f"{HOURS_HELP} " + _("Local time of the calendar's time zone (%(zone)s).") % {
            "zone": instance.time_zone
        }
        if instance.is_always_open:
            help_text += " " + str(_("The calendar is 24×7: these hours apply once it is not."))
        self.fieldsets = [
            (_("Weekly hours"), self.weekday_names, {"help": help_text, "columns": 2})
        ]


class CalendarExceptionForm(VersionedFormMixin, forms.Form):
    """A date on which the weekly hours do not apply (``services.add_exception`` /
    ``update_exception``). The calendar is chosen when adding only."""

    calendar = forms.ModelChoiceField(label=_("Calendar"), queryset=Calendar.objects.all())
    date = ranges.DayFormField(label=_("Date"), widget=DATE_WIDGET)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=CalendarExceptionKind.choices, initial=CalendarExceptionKind.CLOSED
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        required=False,
        help_text=_("E.g. New Year, a working Saturday, the shortened day before a holiday."),
    )
    intervals = HoursField(
        label=_("Working hours"),
        help_text=_(
            "Like 10:00-16:00. None for a closed day; an extra working day without hours works "
            "the Monday hours."
        ),
    )

    def __init__(self, *args, instance: CalendarException | None = None, **kwargs):
        self.instance = instance
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "date": instance.date,
                    "kind": instance.kind,
                    "name": instance.name,
                    "intervals": instance.interval_tuples,
                },
            )
        super().__init__(*args, **kwargs)
        if instance is not None:
            del self.fields["calendar"]
        self.fieldsets = [
            (None, ["calendar"]),
            (None, ["date", "kind"], {"columns": 2}),
            (None, ["name", "intervals"]),
        ]

    def clean(self):
        cleaned = super().clean()
        kind, intervals = cleaned.get("kind"), cleaned.get("intervals")
        if kind and intervals is not None:
            try:
                check_exception_hours(kind, intervals)
            except ValidationError as error:
                self.add_error("intervals", error)
        return cleaned

    def service_arguments(self) -> dict:
        return {
            "date": self.cleaned_data["date"],
            "kind": self.cleaned_data["kind"],
            "name": self.cleaned_data["name"],
            "intervals": self.cleaned_data["intervals"],
        }


class ImportHolidaysForm(forms.Form):
    """Public holidays of a country for a span of years (``services.import_public_holidays``);
    the service checks the country and the years."""

    country = forms.ChoiceField(label=_("Country"), initial="RU")
    year_from = ranges.year_form_field(label=_("From year"))
    year_to = ranges.year_form_field(label=_("To year"))
    shorten_pre_holidays = forms.BooleanField(
        label=_("Shorten pre-holiday days by one hour"),
        required=False,
        initial=True,
        help_text=_(
            "Russia: the working day before a public holiday is one hour shorter (Labour Code "
            "art. 95). Other countries and 24×7 calendars are not shortened; a date entered by "
            "hand is kept."
        ),
    )

    fieldsets = [
        (None, ["country"]),
        (None, ["year_from", "year_to"], {"columns": 2}),
        (None, ["shorten_pre_holidays"]),
    ]

    def __init__(self, *args, instance: Calendar, **kwargs):
        year = timezone.localdate().year
        kwargs.setdefault("initial", {"country": "RU", "year_from": year, "year_to": year + 1})
        super().__init__(*args, **kwargs)
        self.instance = instance
        # Filled in per form, in the request's language (a class attribute would be English).
        self.fields["year_to"].help_text = _("At most %(count)d years at once.") % {
            "count": MAX_IMPORT_YEARS
        }
        self.fields["country"].choices = [
            (code, f"{name} ({code})") for code, name in holiday_countries()
        ]
