"""Editing a change (``services.update_change``) and a task (``services.update_task``).

Who edits the change (``changes.change_changerequest``) edits it and its tasks
(``changes.change_departmenttask``): checked before the form is shown and again in the
transaction that saves it (403 otherwise). A refusal of the service (a closed change, an
assignee from another department, a contact of another client) is shown on the field it names,
or above the form, and nothing is written."""

from __future__ import annotations

import copy

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _

from tamdesk.changes import services
from tamdesk.changes.forms import ChangeEditForm, TaskEditForm
from tamdesk.changes.models import DepartmentTask
from tamdesk.changes.views.changes import ChangeViews
from tamdesk.changes.views.common import change_url
from tamdesk.core import ui
from tamdesk.core.exceptions import DomainError

FORM_TEMPLATE = "components/form_page.html"


class ChangeUpdate(ChangeViews, ui.ModelView):
    """``/changes/<pk>/edit/``: the change's words, plans, people and dates."""

    template_name = FORM_TEMPLATE

    def handle(self) -> HttpResponse:
        change = self.get_object()
        self.check("change", change)
        data = self.request.POST if self.request.method == "POST" else None
        # The form's own copy: validation must not alter the change the page shows.
        form = ChangeEditForm(data, instance=copy.copy(change))
        if data is not None and form.is_valid():
            try:
                with transaction.atomic():
                    self.check("change", change)
                    saved = services.update_change(
                        change, by=self.request.user, **form.service_fields()
                    )
            except DomainError as error:
                ui.add_domain_error(form, error)
            else:
                messages.success(self.request, _("Saved “%(object)s”.") % {"object": saved})
                return redirect(change_url(saved))
        context = {
            **self.base_context(),
            "title": _("Edit “%(object)s”") % {"object": change},
            "subtitle": change.client.name,
            "object": change,
            "form": form,
            "cancel_url": change_url(change),
            "next": "",
        }
        return self.render(context)

    def get(self, request, *args, **kwargs) -> HttpResponse:
        return self.handle()

    def post(self, request, *args, **kwargs) -> HttpResponse:
        return self.handle()


class TaskUpdate(ui.ModelView):
    """``/changes/tasks/<pk>/edit/``: the task's words, department, assignee and estimates."""

    model = DepartmentTask
    template_name = FORM_TEMPLATE

    def get_object(self) -> DepartmentTask:
        return get_object_or_404(
            DepartmentTask.objects.select_related("change__client", "department", "assignee"),
            pk=self.kwargs["pk"],
        )

    def handle(self) -> HttpResponse:
        task = self.get_object()
        self.check("change", task)
        data = self.request.POST if self.request.method == "POST" else None
        form = TaskEditForm(data, initial=TaskEditForm.initial_of(task))
        if data is not None and form.is_valid():
            try:
                with transaction.atomic():
                    self.check("change", task)
                    saved = services.update_task(task, by=self.request.user, **form.cleaned_data)
            except DomainError as error:
                ui.add_domain_error(form, error)
            else:
                messages.success(self.request, _("Saved “%(object)s”.") % {"object": saved})
                return redirect(change_url(task.change) + f"#task-{task.pk}")
        context = {
            "title": _("Edit “%(object)s”") % {"object": task},
            "subtitle": str(task.change),
            "object": task,
            "form": form,
            "cancel_url": change_url(task.change) + f"#task-{task.pk}",
            "next": "",
        }
        return self.render(context)

    def get(self, request, *args, **kwargs) -> HttpResponse:
        return self.handle()

    def post(self, request, *args, **kwargs) -> HttpResponse:
        return self.handle()
