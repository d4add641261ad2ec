"""Departments: the engineering groups that own client components and hold engineers."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from tamdesk.core import ui
from tamdesk.directory import services
from tamdesk.directory.filters import DepartmentFilter
from tamdesk.directory.forms import DepartmentForm
from tamdesk.directory.models import Client, Component, Department, Engineer
from tamdesk.directory.views.common import count_of


class DepartmentViews:
    model = Department
    route = "directory:department"


class DepartmentList(DepartmentViews, ui.ObjectListView):
    title = _("Departments")
    filterset_class = DepartmentFilter
    table_template = "directory/partials/_department_table.html"

    def get_queryset(self):
        return Department.objects.select_related("lead__user").annotate(
            engineer_count=count_of(Engineer.objects.all(), "department"),
            component_count=count_of(Component.objects.all(), "department"),
        )


class DepartmentDetail(DepartmentViews, ui.ObjectDetailView):
    template_name = "directory/department_detail.html"

    def get_queryset(self):
        return Department.objects.select_related("lead__user", "calendar")

    def get_extra_context(self, obj):
        return {
            "engineers": obj.engineers.select_related("user"),
            "clients": Client.objects.filter(components__department=obj)
            .annotate(component_count=Count("components"))
            .order_by("name"),
        }


class DepartmentCreate(DepartmentViews, ui.ObjectCreateView):
    title = _("New department")
    form_class = DepartmentForm


class DepartmentUpdate(DepartmentViews, ui.ObjectUpdateView):
    form_class = DepartmentForm


class DepartmentDelete(DepartmentViews, ui.ObjectDeleteView):
    def perform_delete(self, obj):
        services.delete_department(obj, by=self.request.user)
