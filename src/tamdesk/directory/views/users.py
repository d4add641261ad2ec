"""User accounts: administrators create people who are not engineers (service managers,
programme leads), set roles and passwords, and deactivate accounts (never delete them)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from tamdesk.core import ui
from tamdesk.core.roles import Role
from tamdesk.directory import services
from tamdesk.directory.filters import UserFilter
from tamdesk.directory.forms import UserForm
from tamdesk.directory.models import AccountTeamAssignment
from tamdesk.directory.querysets import UserQuerySet

User = get_user_model()


class UserViews:
    model = User
    route = "directory:user"

    def all_rows(self):
        return UserQuerySet(model=User)

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("engineer__department")
            .prefetch_related("groups")
            .order_by("username")
        )


class UserList(UserViews, ui.ObjectListView):
    title = _("User accounts")
    filterset_class = UserFilter
    table_template = "directory/partials/_user_table.html"


class UserDetail(UserViews, ui.ObjectDetailView):
    template_name = "directory/user_detail.html"
    deletable = False  # accounts are deactivated, so that history keeps its people

    def get_extra_context(self, obj):
        names = {group.name for group in obj.groups.all()}
        return {
            "account": obj,
            "roles": [role.label for role in Role if role.value in names],
            "assignments": AccountTeamAssignment.objects.current()
            .filter(user=obj)
            .select_related("client"),
        }


class UserCreate(UserViews, ui.ObjectCreateView):
    title = _("New user account")
    form_class = UserForm

    def save(self, form):
        return services.create_user(**form.service_arguments(), by=self.request.user)


class UserUpdate(UserViews, ui.ObjectUpdateView):
    form_class = UserForm

    def save(self, form):
        return services.update_user(form.instance, **form.service_arguments(), by=self.request.user)
