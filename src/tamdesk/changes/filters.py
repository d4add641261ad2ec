"""FilterSets of the changes pages (``q`` is the free-text search, ``ordering`` the sort)."""

from __future__ import annotations

import django_filters
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from tamdesk.changes.choices import ChangeStatus, ScheduleStatus
from tamdesk.changes.forms import PersonChoiceField
from tamdesk.changes.models import ChangeRequest
from tamdesk.core.filters import text_search
from tamdesk.directory.models import Client, Department

User = get_user_model()


class PersonChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = PersonChoiceField


def change_owners():
    return (
        User.objects.filter(owned_changes__isnull=False)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


class ChangeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method=text_search(["title", "description", "client__name"])
    )
    client = django_filters.ModelChoiceFilter(label=_("Client"), queryset=Client.objects.all())
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ChangeStatus.choices)
    schedule_status = django_filters.ChoiceFilter(
        label=_("Schedule"), choices=ScheduleStatus.choices
    )
    owner = PersonChoiceFilter(label=_("Owner"), queryset=change_owners())
    department = django_filters.ModelChoiceFilter(
        label=_("Department"), queryset=Department.objects.all(), method="filter_department"
    )
    ordering = django_filters.OrderingFilter(
        fields=(
            ("title", "title"),
            ("client__name", "client"),
            ("status", "status"),
            ("priority", "priority"),
            ("committed_on", "committed_on"),
            ("forecast_finish_at", "forecast_finish_at"),
            ("created_at", "created_at"),
        ),
    )

    class Meta:
        model = ChangeRequest
        fields = ["client", "status", "schedule_status", "owner"]

    def filter_department(self, queryset, name, value):
        """Changes with a task of the department."""
        if not value:
            return queryset
        return queryset.filter(tasks__department=value).distinct()
