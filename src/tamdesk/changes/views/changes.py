"""Change pages: the list, opening a change (blank or from a playbook), the change page, its
status transitions and comments. Writes go through ``tamdesk.changes.services``; a refusal is
shown on the form field it names (or as a message) and nothing is written."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tamdesk.changes import services
from tamdesk.changes.choices import (
    CHANGE_STATUSES_NEEDING_REASON,
    CHANGE_TRANSITIONS,
    ChangeStatus,
)
from tamdesk.changes.filters import ChangeFilter
from tamdesk.changes.forms import (
    ChangeForm,
    CommentForm,
    DependencyForm,
    PlaybookForm,
    TaskForm,
    TransitionForm,
)
from tamdesk.changes.models import ChangeRequest
from tamdesk.changes.views.common import change_url, work_context
from tamdesk.core import ui


class ChangeViews:
    model = ChangeRequest
    route = "changes:change"

    def get_queryset(self):
        return super().get_queryset().select_related("client", "owner", "requesting_contact")


class ChangeList(ChangeViews, ui.ObjectListView):
    """Filters of ``ChangeFilter`` (``at_risk``: open changes at risk or late); an htmx request
    gets the table only. Links to the board with the same filters."""

    title = gettext_lazy("Changes")
    filterset_class = ChangeFilter
    template_name = "changes/change_list.html"
    table_template = "changes/partials/_change_table.html"

    def get(self, request, *args, **kwargs) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        response.context_data["playbook_url"] = self.url("create_from_playbook")
        response.context_data["board_url"] = board_url(request)
        return response


def board_url(request) -> str:
    """The board with the list's filters (the board's columns are the statuses)."""
    params = request.GET.copy()
    for name in ("status", "schedule_status", "ordering", "page"):
        params.pop(name, None)
    encoded = params.urlencode()
    url = reverse("changes:board")
    return f"{url}?{encoded}" if encoded else url


class ChangeFormView(ChangeViews, ui.ModelView):
    """Open a change: the add permission is checked before the form is shown and again in the
    transaction that saves it. Each subclass defines ``save(form) -> ChangeRequest``, the
    service call that opens the change."""

    template_name = "components/form_page.html"
    form_class = ChangeForm

    def initial(self) -> dict:
        return {name: self.request.GET[name] for name in ("client",) if name in self.request.GET}

    def handle(self) -> HttpResponse:
        self.check("add")
        data = self.request.POST if self.request.method == "POST" else None
        form = self.form_class(data, user=self.request.user, initial=self.initial())

        def save() -> ChangeRequest:
            self.check("add", form.cleaned_data["client"])
            return self.save(form)

        if data is not None:
            response = ui.run_service(
                self.request,
                form,
                save,
                success_message=lambda change: _("Saved “%(object)s”.") % {"object": change},
                redirect_to=change_url,
            )
            if response:
                return response
        context = {
            **self.base_context(),
            "form": form,
            "cancel_url": ui.safe_next(self.request, self.url("list")),
            "next": "",
        }
        return self.render(context)

    def get(self, request, *args, **kwargs) -> HttpResponse:
        return self.handle()

    def post(self, request, *args, **kwargs) -> HttpResponse:
        return self.handle()


class ChangeCreate(ChangeFormView):
    title = gettext_lazy("New change")

    def save(self, form):
        return services.create_change(**form.cleaned_data, by=self.request.user)


class ChangeCreateFromPlaybook(ChangeFormView):
    """Pick a playbook and a client: a new change with the playbook's tasks and dependencies."""

    title = gettext_lazy("New change from a playbook")
    form_class = PlaybookForm

    def initial(self) -> dict:
        return {n: self.request.GET[n] for n in ("client", "template") if n in self.request.GET}

    def save(self, form):
        data = form.cleaned_data
        return services.instantiate_template(
            data["template"],
            client=data["client"],
            title=data["title"],
            committed_on=data["committed_on"],
            by=self.request.user,
        )


def transitions_of(change: ChangeRequest) -> list[dict]:
    """The statuses ``CHANGE_TRANSITIONS`` lets the change move to, in the order of
    ``ChangeStatus``."""
    allowed = CHANGE_TRANSITIONS.get(change.status, frozenset())
    return [
        {
            "to": status.value,
            "label": status.label,
            "needs_reason": status in CHANGE_STATUSES_NEEDING_REASON,
            "is_danger": status == ChangeStatus.CANCELLED,
        }
        for status in ChangeStatus
        if status in allowed
    ]


class ChangeDetail(ChangeViews, ui.ModelView):
    """Header with the allowed transitions, plans, the task table and the Gantt chart, the forms
    to add a task and a dependency, the activity timeline and the comments."""

    template_name = "changes/change_detail.html"

    def page(self, change, status: int = 200, **forms) -> HttpResponse:
        user = self.request.user
        can_edit = user.has_perm("changes.change_changerequest", change)
        context = {
            **self.base_context(),
            "title": str(change),
            "object": change,
            **work_context(change, user),
            "can_edit": can_edit,
            "transitions": transitions_of(change) if can_edit else [],
            "activity": change.activity.select_related("by", "task").order_by("at", "pk"),
            "comments": change.comments.select_related("author", "task").order_by(
                "created_at", "pk"
            ),
        }
        if "task_form" not in forms and user.has_perm("changes.add_departmenttask", change):
            forms["task_form"] = TaskForm()
        if "dependency_form" not in forms and context["can_edit_dependencies"]:
            forms["dependency_form"] = DependencyForm(change=change, tasks=context["tasks"])
        if "comment_form" not in forms and user.has_perm("changes.add_comment", change):
            forms["comment_form"] = CommentForm()
        context.update(forms)
        return self.render(context, status=status)

    def get(self, request, *args, **kwargs) -> HttpResponse:
        change = self.get_object()
        self.check("view", change)
        return self.page(change)


class ChangeTransition(ChangeDetail):
    """POST: move the change to another status (``services.transition_change``)."""

    def get(self, request, *args, **kwargs) -> HttpResponse:
        return redirect(change_url(self.get_object()))

    def post(self, request, *args, **kwargs) -> HttpResponse:
        change = self.get_object()
        self.check("change", change)
        form = TransitionForm(request.POST)
        if form.is_valid():
            ui.run_action(
                request,
                lambda: services.transition_change(
                    change,
                    to=form.cleaned_data["to"],
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                ),
                success_message=lambda moved: (
                    _("The change is %(status)s.") % {"status": moved.get_status_display()}
                ),
            )
        return redirect(change_url(change))


class CommentCreate(ChangeDetail):
    """POST: add a comment to the change."""

    def get(self, request, *args, **kwargs) -> HttpResponse:
        return redirect(change_url(self.get_object()))

    def post(self, request, *args, **kwargs) -> HttpResponse:
        change = self.get_object()
        self.check("view", change)
        if not request.user.has_perm("changes.add_comment", change):
            raise PermissionDenied
        form = CommentForm(request.POST)
        response = ui.run_service(
            request,
            form,
            lambda: services.add_comment(
                change=change, body=form.cleaned_data["body"], by=request.user
            ),
            redirect_to=change_url(change) + "#comments",
        )
        return response or self.page(change, comment_form=form)
