"""Account teams: who is a client's TAM, backup TAM, service manager and architect, and since
when. A change of holder ends the previous assignment, so the history is kept."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tamdesk.core import ui
from tamdesk.directory import services
from tamdesk.directory.filters import AccountTeamAssignmentFilter
from tamdesk.directory.forms import AssignmentEndForm, AssignmentForm
from tamdesk.directory.models import AccountTeamAssignment


class AssignmentViews:
    model = AccountTeamAssignment
    route = "directory:assignment"

    def get_queryset(self):
        return super().get_queryset().select_related("client", "user")


class AssignmentList(AssignmentViews, ui.ObjectListView):
    title = _("Account teams")
    filterset_class = AccountTeamAssignmentFilter
    table_template = "directory/partials/_assignment_table.html"


class AssignmentDetail(AssignmentViews, ui.ObjectDetailView):
    template_name = "directory/assignment_detail.html"


class AssignmentCreate(AssignmentViews, ui.ObjectCreateView):
    title = _("New account-team assignment")
    form_class = AssignmentForm
    parent_field = "client"
    prefill_fields = ("role", "user")

    def record_to_check(self, form):
        return form.cleaned_data["client"]

    def save(self, form):
        return services.assign_account_role(**form.cleaned_data, by=self.request.user)


class AssignmentUpdate(AssignmentViews, ui.ObjectUpdateView):
    """Editing an assignment means ending it on a date."""

    title = _("End the assignment")
    form_class = AssignmentEndForm
    template_name = "directory/assignment_end_form.html"

    def save(self, form):
        services.end_account_role(
            form.instance, end_on=form.cleaned_data["end_on"], by=self.request.user
        )
        form.instance.refresh_from_db()
        return form.instance


class AssignmentDelete(AssignmentViews, ui.ObjectDeleteView):
    pass
