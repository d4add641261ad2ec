"""FilterSets shared by the SLA pages and the API lists (``q`` is the free-text search,
``ordering`` the sort).

The clock filters (``clock_state``, ``breaching_within``) and the due-time sorts read the clocks
as last stored: the alert job re-measures a clock the minute it crosses a threshold or breaches,
so they are at most that far behind the live values the pages show."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import fields as filter_fields

from tamdesk.core import ranges
from tamdesk.core.filters import text_search
from tamdesk.core.forms import PersonLabelMixin
from tamdesk.directory.choices import ClientTier
from tamdesk.directory.filters import visible_clients
from tamdesk.directory.models import Department, assignable_people
from tamdesk.sla.choices import (
    ClockKind,
    ClockState,
    IncidentImportStatus,
    IncidentSourcePreset,
    IncidentStatus,
    MonthlyReportStatus,
    Priority,
)
from tamdesk.sla.imports.runs import PRESETS
from tamdesk.sla.models import (
    Incident,
    IncidentClock,
    IncidentImport,
    IncidentSource,
    MonthlyReport,
    OLATarget,
    SLAPolicy,
)

User = get_user_model()
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
#: The clock states one may filter by (``no_target`` is the absence of a clock, not a state
#: anyone looks for).
FILTER_CLOCK_STATES = [
    (state.value, state.label)
    for state in (ClockState.RUNNING, ClockState.PAUSED, ClockState.BREACHED, ClockState.MET)
]


class PersonChoiceField(PersonLabelMixin, filter_fields.ModelChoiceField):
    """Users shown by their full name (django-filter's choice field: it knows "empty")."""


class PersonChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = PersonChoiceField


def _due(kind: str):
    return Subquery(
        IncidentClock.objects.filter(incident=OuterRef("pk"), kind=kind).values("due_at")[:1]
    )


class IncidentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method=text_search(["title", "external_id"]))
    client = django_filters.ModelChoiceFilter(label=_("Client"), queryset=visible_clients)
    priority = django_filters.ChoiceFilter(label=_("Priority"), choices=Priority.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=IncidentStatus.choices)
    department = django_filters.ModelChoiceFilter(
        label=_("Department"), queryset=Department.objects.all()
    )
    assignee = PersonChoiceFilter(label=_("Assignee"), queryset=assignable_people())
    clock_state = django_filters.ChoiceFilter(
        label=_("A clock is"),
        choices=FILTER_CLOCK_STATES,
        method="filter_clock_state",
    )
    breaching_within = ranges.HoursFilter(
        label=_("Breaching within, h"), method="filter_breaching_within"
    )
    is_open = django_filters.BooleanFilter(label=_("Open"), method="filter_is_open")
    opened_from = ranges.DayFilter(
        label=_("Opened from"),
        field_name="opened_at",
        lookup_expr="date__gte",
        widget=DATE_WIDGET,
    )
    opened_to = ranges.DayFilter(
        label=_("Opened to"), field_name="opened_at", lookup_expr="date__lte", widget=DATE_WIDGET
    )
    ordering = django_filters.OrderingFilter(
        fields=(
            ("opened_at", "opened_at"),
            ("priority", "priority"),
            ("status", "status"),
            ("client__name", "client"),
            ("title", "title"),
            ("reaction_due_at", "reaction_due_at"),
            ("resolution_due_at", "resolution_due_at"),
        ),
        field_labels={
            "opened_at": _("Opened"),
            "priority": _("Priority"),
            "status": _("Status"),
            "client": _("Client"),
            "title": _("Title"),
            "reaction_due_at": _("Reaction due"),
            "resolution_due_at": _("Resolution due"),
        },
    )

    class Meta:
        model = Incident
        fields = [
            "q",
            "client",
            "priority",
            "status",
            "department",
            "assignee",
            "clock_state",
            "breaching_within",
            "is_open",
            "opened_from",
            "opened_to",
        ]

    def filter_queryset(self, queryset):
        # The due times the list sorts by, as stored with the clocks.
        queryset = queryset.annotate(
            reaction_due_at=_due(ClockKind.REACTION), resolution_due_at=_due(ClockKind.RESOLUTION)
        )
        return super().filter_queryset(queryset)

    def filter_clock_state(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            Exists(IncidentClock.objects.filter(incident=OuterRef("pk"), state=value))
        )

    def filter_breaching_within(self, queryset, name, value):
        if value is None:
            return queryset
        horizon = timezone.now() + dt.timedelta(hours=float(value))
        return queryset.filter(
            Exists(
                IncidentClock.objects.filter(
                    incident=OuterRef("pk"), state=ClockState.RUNNING, due_at__lte=horizon
                )
            )
        )

    def filter_is_open(self, queryset, name, value):
        if value is None:
            return queryset
        if value:
            return queryset.open()
        return queryset.filter(status__in=[IncidentStatus.RESOLVED, IncidentStatus.CLOSED])


class SLAPolicyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method=text_search(["name", "description", "client__name"])
    )
    client = django_filters.ModelChoiceFilter(label=_("Client"), queryset=visible_clients)
    tier = django_filters.ChoiceFilter(label=_("Tier"), choices=ClientTier.choices)
    ordering = django_filters.OrderingFilter(
        fields=(("name", "name"), ("client__name", "client"), ("tier", "tier")),
        field_labels={"name": _("Name"), "client": _("Client"), "tier": _("Tier")},
    )

    class Meta:
        model = SLAPolicy
        fields = ["q", "client", "tier"]


class IncidentSourceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method=text_search(["name", "source_system"]))
    preset = django_filters.ChoiceFilter(label=_("Format"), choices=IncidentSourcePreset.choices)
    is_active = django_filters.BooleanFilter(label=_("Active"))
    ordering = django_filters.OrderingFilter(
        fields=(("name", "name"), ("created_at", "created_at")),
        field_labels={"name": _("Name"), "created_at": _("Created")},
    )

    class Meta:
        model = IncidentSource
        fields = ["q", "preset", "is_active"]


class IncidentImportFilter(django_filters.FilterSet):
    """The imports page: by file name, status and format; the newest first."""

    q = django_filters.CharFilter(label=_("Search"), method=text_search(["file_name"]))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=IncidentImportStatus.choices)
    preset = django_filters.ChoiceFilter(
        label=_("Format"), choices=[(name, name) for name in PRESETS]
    )
    ordering = django_filters.OrderingFilter(
        fields=(("created_at", "created"), ("file_name", "file")),
        field_labels={"created": _("Started"), "file": _("File")},
    )

    class Meta:
        model = IncidentImport
        fields = ["q", "status", "preset"]


class OLATargetFilter(django_filters.FilterSet):
    department = django_filters.ModelChoiceFilter(
        label=_("Department"), queryset=Department.objects.all()
    )
    priority = django_filters.ChoiceFilter(label=_("Priority"), choices=Priority.choices)
    ordering = django_filters.OrderingFilter(
        fields=(
            ("department__name", "department"),
            ("priority", "priority"),
            ("target_seconds", "target"),
        ),
        field_labels={
            "department": _("Department"),
            "priority": _("Priority"),
            "target": _("Target"),
        },
    )

    class Meta:
        model = OLATarget
        fields = ["department", "priority"]


class MonthlyReportFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method=text_search(["client__name"]))
    client = django_filters.ModelChoiceFilter(label=_("Client"), queryset=visible_clients)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=MonthlyReportStatus.choices)
    ordering = django_filters.OrderingFilter(
        fields=(("month", "month"), ("client__name", "client")),
        field_labels={"month": _("Month"), "client": _("Client")},
    )

    class Meta:
        model = MonthlyReport
        fields = ["q", "client", "status"]
