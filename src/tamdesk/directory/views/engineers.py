"""Engineers: the engineering profile of a user, with roles and competencies."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tamdesk.core import ui
from tamdesk.core.roles import Role
from tamdesk.directory import services
from tamdesk.directory.filters import EngineerFilter
from tamdesk.directory.forms import EngineerForm
from tamdesk.directory.models import AccountTeamAssignment, Engineer


class EngineerViews:
    model = Engineer
    route = "directory:engineer"

    def get_queryset(self):
        return super().get_queryset().select_related("user", "department")


class EngineerList(EngineerViews, ui.ObjectListView):
    title = _("Engineers")
    filterset_class = EngineerFilter
    table_template = "directory/partials/_engineer_table.html"

    def get_queryset(self):
        return super().get_queryset().prefetch_related("competencies")


class EngineerDetail(EngineerViews, ui.ObjectDetailView):
    template_name = "directory/engineer_detail.html"

    def get_extra_context(self, obj):
        group_names = set(obj.user.groups.values_list("name", flat=True))
        return {
            "roles": [role.label for role in Role if role.value in group_names],
            "competencies": obj.competencies.all(),
            "assignments": AccountTeamAssignment.objects.visible_to(self.request.user)
            .current()
            .filter(user=obj.user)
            .select_related("client"),
            "led_departments": obj.led_departments.all(),
            # The name, e-mail and active flag live on the user account.
            "history_related": [
                obj.competencies.all(),
                type(obj.user)._default_manager.filter(pk=obj.user_id),
            ],
        }


class EngineerCreate(EngineerViews, ui.ObjectCreateView):
    title = _("New engineer")
    form_class = EngineerForm

    def save(self, form):
        return services.create_engineer(**form.service_arguments(), by=self.request.user)


class EngineerUpdate(EngineerViews, ui.ObjectUpdateView):
    form_class = EngineerForm

    def rows_to_lock(self, obj):
        # The profile, then its account (as deleting an engineer does).
        return [obj, obj.user]

    def save(self, form):
        return services.update_engineer(
            form.instance, **form.service_arguments(), by=self.request.user
        )


class EngineerDelete(EngineerViews, ui.ObjectDeleteView):
    def perform_delete(self, obj):
        services.delete_engineer(obj, by=self.request.user)
