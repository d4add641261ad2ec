"""FilterSets shared by the HTML list pages and the API lists (``q`` is the free-text search,
``ordering`` the sort)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from tamdesk.calendars.choices import CalendarExceptionKind, CalendarExceptionSource
from tamdesk.calendars.models import Calendar, CalendarException
from tamdesk.core import ranges
from tamdesk.core.filters import text_search


class CalendarFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method=text_search(["name", "description", "time_zone"])
    )
    is_always_open = django_filters.BooleanFilter(label=_("24×7"))
    ordering = django_filters.OrderingFilter(
        fields=(("name", "name"), ("time_zone", "time_zone"), ("created_at", "created_at")),
        field_labels={"name": _("Name"), "time_zone": _("Time zone"), "created_at": _("Created")},
    )

    class Meta:
        model = Calendar
        fields = ["q", "is_always_open"]


class CalendarExceptionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method=text_search(["name", "calendar__name"]))
    calendar = django_filters.ModelChoiceFilter(
        label=_("Calendar"), queryset=Calendar.objects.all()
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=CalendarExceptionKind.choices)
    source = django_filters.ChoiceFilter(label=_("Source"), choices=CalendarExceptionSource.choices)
    year = ranges.YearFilter(label=_("Year"), field_name="date", lookup_expr="year")
    date_from = ranges.DayFilter(label=_("From"), field_name="date", lookup_expr="gte")
    date_to = ranges.DayFilter(label=_("To"), field_name="date", lookup_expr="lte")
    ordering = django_filters.OrderingFilter(
        fields=(("date", "date"), ("calendar__name", "calendar"), ("kind", "kind")),
        field_labels={"date": _("Date"), "calendar": _("Calendar"), "kind": _("Kind")},
    )

    class Meta:
        model = CalendarException
        fields = ["q", "calendar", "kind", "source", "year", "date_from", "date_to"]
