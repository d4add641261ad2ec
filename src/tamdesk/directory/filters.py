"""FilterSets shared by the HTML list pages and the API lists.

Free-text search is the ``q`` filter here (the pages use it; the API also offers DRF's
``search``), ordering is the ``ordering`` filter with the fields each list allows."""

from __future__ import annotations

import django_filters
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from tamdesk.core.filters import text_search as _search
from tamdesk.core.roles import Role
from tamdesk.directory.choices import (
    AccountRole,
    ClientStatus,
    ClientTier,
    CompetencyField,
    ComponentKind,
    ContactKind,
)
from tamdesk.directory.models import (
    AccountTeamAssignment,
    Client,
    Component,
    Contact,
    Department,
    Engineer,
)


def visible_clients(request):
    """A filter's choice of clients: those the user reads (``ClientQuerySet.visible_to``)."""
    return Client.objects.visible_to(getattr(request, "user", None))


class DepartmentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method=_search(["code", "name", "description"])
    )
    is_active = django_filters.BooleanFilter(label=_("Active"))
    ordering = django_filters.OrderingFilter(
        fields=(("code", "code"), ("name", "name"), ("created_at", "created_at")),
        field_labels={"code": _("Code"), "name": _("Name"), "created_at": _("Created")},
    )

    class Meta:
        model = Department
        fields = ["q", "is_active"]


class EngineerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method=_search(["user__username", "user__first_name", "user__last_name", "position"]),
    )
    department = django_filters.ModelChoiceFilter(
        label=_("Department"), queryset=Department.objects.all()
    )
    competency = django_filters.ChoiceFilter(
        label=_("Competency"),
        choices=CompetencyField.choices,
        field_name="competencies__field",
        distinct=True,
    )
    ordering = django_filters.OrderingFilter(
        fields=(
            ("user__last_name", "name"),
            ("department__name", "department"),
            ("position", "position"),
        ),
        field_labels={"name": _("Name"), "department": _("Department"), "position": _("Position")},
    )

    class Meta:
        model = Engineer
        fields = ["q", "department", "competency"]


class ClientFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method=_search(["name", "code", "notes"]))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ClientStatus.choices)
    tier = django_filters.ChoiceFilter(label=_("Tier"), choices=ClientTier.choices)
    department = django_filters.ModelChoiceFilter(
        label=_("Department"),
        queryset=Department.objects.all(),
        field_name="components__department",
        distinct=True,
    )
    ordering = django_filters.OrderingFilter(
        fields=(
            ("name", "name"),
            ("code", "code"),
            ("status", "status"),
            ("tier", "tier"),
            ("created_at", "created_at"),
        ),
        field_labels={
            "name": _("Name"),
            "code": _("Code"),
            "status": _("Status"),
            "tier": _("Tier"),
            "created_at": _("Created"),
        },
    )

    class Meta:
        model = Client
        fields = ["q", "status", "tier", "department"]


class ContactFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method=_search(["name", "email", "phone", "messenger", "client__name"])
    )
    client = django_filters.ModelChoiceFilter(label=_("Client"), queryset=visible_clients)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ContactKind.choices)
    is_active = django_filters.BooleanFilter(label=_("Active"))
    ordering = django_filters.OrderingFilter(
        fields=(("name", "name"), ("client__name", "client"), ("kind", "kind")),
        field_labels={"name": _("Name"), "client": _("Client"), "kind": _("Kind")},
    )

    class Meta:
        model = Contact
        fields = ["q", "client", "kind", "is_active"]


class AccountTeamAssignmentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method=_search(["client__name", "user__username", "user__first_name", "user__last_name"]),
    )
    client = django_filters.ModelChoiceFilter(label=_("Client"), queryset=visible_clients)
    role = django_filters.ChoiceFilter(label=_("Role"), choices=AccountRole.choices)
    current = django_filters.BooleanFilter(label=_("Current"), method="filter_current")
    ordering = django_filters.OrderingFilter(
        fields=(("client__name", "client"), ("role", "role"), ("start_on", "start_on")),
        field_labels={"client": _("Client"), "role": _("Role"), "start_on": _("Start date")},
    )

    class Meta:
        model = AccountTeamAssignment
        fields = ["q", "client", "role", "user", "current"]

    def filter_current(self, queryset, name, value):
        if value is None:
            return queryset
        current = queryset.current()
        return current if value else queryset.exclude(pk__in=current.values("pk"))


class ComponentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method=_search(["name", "description", "identifiers", "client__name"])
    )
    client = django_filters.ModelChoiceFilter(label=_("Client"), queryset=visible_clients)
    department = django_filters.ModelChoiceFilter(
        label=_("Department"), queryset=Department.objects.all()
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ComponentKind.choices)
    ordering = django_filters.OrderingFilter(
        fields=(
            ("name", "name"),
            ("client__name", "client"),
            ("department__name", "department"),
            ("kind", "kind"),
        ),
        field_labels={
            "name": _("Name"),
            "client": _("Client"),
            "department": _("Department"),
            "kind": _("Kind"),
        },
    )

    class Meta:
        model = Component
        fields = ["q", "client", "department", "kind"]


class UserFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method=_search(["username", "first_name", "last_name", "email"])
    )
    role = django_filters.ChoiceFilter(
        label=_("Role"), choices=Role.choices, field_name="groups__name", distinct=True
    )
    is_active = django_filters.BooleanFilter(label=_("Active"))
    ordering = django_filters.OrderingFilter(
        fields=(("username", "username"), ("last_name", "name"), ("last_login", "last_login")),
        field_labels={"username": _("User name"), "name": _("Name"), "last_login": _("Last login")},
    )

    class Meta:
        model = get_user_model()
        fields = ["q", "role", "is_active"]
