"""Departments: the engineering groups that own client components and hold engineers."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from tamdesk.core import ui
from tamdesk.directory import services
from tamdesk.directory.filters import DepartmentFilter
from tamdesk.directory.forms import DepartmentForm
from tamdesk.directory.models import Client, Component, Department, Engineer
from tamdesk.directory.permissions import department_fields_editable_by
from tamdesk.directory.views.common import count_of


class DepartmentViews:
    model = Department
    route = "directory:department"


class DepartmentList(DepartmentViews, ui.ObjectListView):
    title = _("Departments")
    filterset_class = DepartmentFilter
    table_template = "directory/partials/_department_table.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("lead__user")
            .annotate(
                engineer_count=count_of(Engineer.objects.all(), "department"),
                component_count=count_of(Component.objects.all(), "department"),
            )
        )


class DepartmentDetail(DepartmentViews, ui.ObjectDetailView):
    template_name = "directory/department_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("lead__user", "calendar")

    def get_extra_context(self, obj):
        return {
            "engineers": obj.engineers.select_related("user"),
            "clients": Client.objects.visible_to(self.request.user)
            .filter(components__department=obj)
            .annotate(component_count=Count("components"))
            .order_by("name"),
        }


class DepartmentCreate(DepartmentViews, ui.ObjectCreateView):
    title = _("New department")
    form_class = DepartmentForm


class DepartmentUpdate(DepartmentViews, ui.ObjectUpdateView):
    """Administrators edit every field; a department's lead the fields
    ``permissions.department_fields_editable_by`` gives her (the others are not on her form, so
    a posted value for them is ignored)."""

    form_class = DepartmentForm

    def save(self, form):
        # Read under the edit's row lock: the form's instance already holds the posted values.
        before = Department.objects.values_list("calendar_id", flat=True).get(pk=form.instance.pk)
        department = form.save()
        services.department_edited(department, calendar_id_before=before)
        return department

    def make_form(self, obj=None, **kwargs):
        form = super().make_form(obj, **kwargs)
        editable = department_fields_editable_by(self.request.user, obj)
        for name in list(form.fields):
            if name not in editable:
                del form.fields[name]
        return form


class DepartmentDelete(DepartmentViews, ui.ObjectDeleteView):
    def perform_delete(self, obj):
        services.delete_department(obj, by=self.request.user)
