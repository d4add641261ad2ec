"""Editing a change (``services.update_change``) and a task (``services.update_task``).

Who edits the change (``changes.change_changerequest``) edits it and its tasks
(``changes.change_departmenttask``): checked before the form is shown and again in the
transaction that saves it (403 otherwise). A refusal of the service (a closed change, an
assignee from another department, a contact of another client) is shown on the field it names,
or above the form, and nothing is written; so is a stale save (someone else changed the record
after the form was opened, ``ui.VersionedEditMixin``), with their changes listed."""

from __future__ import annotations

import abc
import copy

from django.http import HttpResponse
from django.utils.translation import gettext as _

from tamdesk.changes import services
from tamdesk.changes.forms import ChangeEditForm, TaskEditForm
from tamdesk.changes.models import ChangeRequest, DepartmentTask
from tamdesk.changes.views.changes import ChangeViews
from tamdesk.changes.views.common import change_url
from tamdesk.core import ui

FORM_TEMPLATE = "components/form_page.html"


class EditView(ui.VersionedEditMixin, ui.ModelView):
    """GET shows the form, POST saves it with ``save``; the permission is checked on both and
    again in the saving transaction, where a stale save is refused. Subclasses give the form
    (``form_class``, a versioned form), the save, the page to go back to and the page's
    context."""

    template_name = FORM_TEMPLATE
    form_class: type

    @abc.abstractmethod
    def make_form(self, obj, data):
        """The bound form (``data``) or the empty one (``None``) for ``obj``."""

    @abc.abstractmethod
    def save(self, obj, form):
        """The service call that saves the valid ``form``; returns the saved record."""

    @abc.abstractmethod
    def back_url(self, obj) -> str:
        """Where saving and cancelling lead."""

    def page_context(self, obj) -> dict:
        return {}

    def current_form(self, obj):
        return self.make_form(obj, None)

    def handle(self) -> HttpResponse:
        obj = self.get_object()
        self.check("change", obj)
        data = self.request.POST if self.request.method == "POST" else None
        form = self.make_form(obj, data)

        def save():
            self.check("change", obj)
            self.check_version(form, obj)
            return self.save(obj, form)

        if data is not None:
            response = ui.run_service(
                self.request,
                form,
                save,
                success_message=lambda saved: _("Saved “%(object)s”.") % {"object": saved},
                redirect_to=self.back_url(obj),
            )
            if response:
                return response
        context = {
            **self.page_context(obj),
            "title": _("Edit “%(object)s”") % {"object": obj},
            "object": obj,
            "form": form,
            "cancel_url": self.back_url(obj),
            "next": "",
        }
        return self.render(context)

    def get(self, request, *args, **kwargs) -> HttpResponse:
        return self.handle()

    def post(self, request, *args, **kwargs) -> HttpResponse:
        return self.handle()


class ChangeUpdate(ChangeViews, EditView):
    """``/changes/<pk>/edit/``: the change's words, plans, people and dates."""

    form_class = ChangeEditForm

    def make_form(self, change, data):
        # The form's own copy: validation must not alter the change the page shows.
        return self.form_class(data, instance=copy.copy(change), user=self.request.user)

    def save(self, change, form):
        return services.update_change(change, by=self.request.user, **form.service_fields())

    def back_url(self, change) -> str:
        return change_url(change)

    def page_context(self, change) -> dict:
        return {**self.base_context(), "subtitle": change.client.name}


class TaskUpdate(EditView):
    """``/changes/tasks/<pk>/edit/``: the task's words, department, assignee and estimates."""

    model = DepartmentTask
    form_class = TaskEditForm

    def get_queryset(self):
        return super().get_queryset().select_related("change__client", "department", "assignee")

    def make_form(self, task, data):
        return self.form_class(data, instance=task)

    def rows_to_lock(self, task):
        # The change before its task, as the services lock them.
        return [ChangeRequest(pk=task.change_id), task]

    def save(self, task, form):
        return services.update_task(task, by=self.request.user, **form.cleaned_data)

    def back_url(self, task) -> str:
        return change_url(task.change) + f"#task-{task.pk}"

    def page_context(self, task) -> dict:
        return {"subtitle": str(task.change)}
