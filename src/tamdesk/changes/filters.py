"""FilterSets of changes, tasks and dependencies, shared by the pages and the API lists (``q``
is the free-text search, ``ordering`` the sort).

Filters that may repeat in the API (``?status=draft&status=planned``) show as one select on the
pages (``OneOrMoreSelect``)."""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tamdesk.changes.choices import OPEN_TASK_STATUSES, ChangeStatus, ScheduleStatus, TaskStatus
from tamdesk.changes.forms import PersonChoiceField
from tamdesk.changes.models import ChangeRequest, DepartmentTask, TaskDependency
from tamdesk.core.filters import text_search
from tamdesk.directory.filters import visible_clients
from tamdesk.directory.models import Department

User = get_user_model()


class OneOrMoreSelect(forms.Select):
    """A single select on the page whose parameter may still be repeated in a query string
    (the API's ``?status=a&status=b``); the empty choice ("Any") selects nothing."""

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        return [value for value in values if value not in (None, "")]


class PersonChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = PersonChoiceField


def people():
    """Active users, and the owners of changes (who may have left since)."""
    return (
        User.objects.filter(Q(is_active=True) | Q(owned_changes__isnull=False))
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def assignable_people():
    return User.objects.filter(is_active=True).order_by("last_name", "first_name", "username")


class ChangeFilter(django_filters.FilterSet):
    """The change list, the board and ``/api/v1/changes/``. ``department``: changes with a task
    of the department; ``at_risk``: open changes at risk or late (``at_risk=false``: the
    others)."""

    q = django_filters.CharFilter(
        label=_("Search"), method=text_search(["title", "description", "client__name"])
    )
    client = django_filters.ModelChoiceFilter(label=_("Client"), queryset=visible_clients)
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=ChangeStatus.choices, widget=OneOrMoreSelect
    )
    schedule_status = django_filters.MultipleChoiceFilter(
        label=_("Schedule"), choices=ScheduleStatus.choices, widget=OneOrMoreSelect
    )
    owner = PersonChoiceFilter(label=_("Owner"), queryset=people())
    department = django_filters.ModelChoiceFilter(
        label=_("Department"),
        queryset=Department.objects.all(),
        field_name="tasks__department",
        distinct=True,
    )
    at_risk = django_filters.BooleanFilter(label=_("At risk or late"), method="filter_at_risk")
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
        fields = ["q", "client", "status", "schedule_status", "owner", "department", "at_risk"]

    def filter_at_risk(self, queryset, name, value):
        if value is None:
            return queryset
        risky = ChangeRequest.objects.at_risk().values("pk")
        return queryset.filter(pk__in=risky) if value else queryset.exclude(pk__in=risky)


def visible_changes(request):
    """A filter's choice of changes: those the user reads (``ChangeRequestQuerySet``)."""
    return ChangeRequest.objects.visible_to(getattr(request, "user", None))


class DepartmentTaskFilter(django_filters.FilterSet):
    """``/api/v1/change-tasks/``. ``ready``: ready and not blocked; ``critical``: open and on the
    critical path."""

    change = django_filters.ModelChoiceFilter(label=_("Change"), queryset=visible_changes)
    department = django_filters.ModelChoiceFilter(
        label=_("Department"), queryset=Department.objects.all()
    )
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=TaskStatus.choices, widget=OneOrMoreSelect
    )
    assignee = PersonChoiceFilter(label=_("Assignee"), queryset=assignable_people())
    ready = django_filters.BooleanFilter(label=_("Ready to start"), method="filter_ready")
    critical = django_filters.BooleanFilter(label=_("Critical"), method="filter_critical")

    class Meta:
        model = DepartmentTask
        fields = ["change", "department", "status", "assignee", "ready", "critical"]

    def filter_ready(self, queryset, name, value):
        if value is None:
            return queryset
        ready = Q(status=TaskStatus.READY, is_blocked=False)
        return queryset.filter(ready) if value else queryset.exclude(ready)

    def filter_critical(self, queryset, name, value):
        if value is None:
            return queryset
        critical = Q(is_critical=True, status__in=OPEN_TASK_STATUSES)
        return queryset.filter(critical) if value else queryset.exclude(critical)


class TaskDependencyFilter(django_filters.FilterSet):
    """``/api/v1/task-dependencies/``: the dependencies of a change."""

    change = django_filters.ModelChoiceFilter(
        label=_("Change"), queryset=visible_changes, field_name="successor__change"
    )

    class Meta:
        model = TaskDependency
        fields = ["change"]
