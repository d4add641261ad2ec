"""The work of a change: task actions (start, complete, block, unblock, cancel) answered with
the re-rendered task table and Gantt chart to htmx, adding a task, adding and removing a
dependency. A refusal of the service is shown and nothing is written."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tamdesk.changes import services
from tamdesk.changes.choices import TASK_TRANSITIONS
from tamdesk.changes.forms import DependencyForm, TaskActionForm, TaskForm
from tamdesk.changes.models import DepartmentTask, TaskDependency
from tamdesk.changes.views.changes import ChangeDetail
from tamdesk.changes.views.common import WORK_TEMPLATE, change_url, work_context
from tamdesk.core import ui

#: action of ``TASK_TRANSITIONS`` → its service call
TASK_ACTIONS = {
    "start": lambda task, by, reason: services.start_task(task, by=by, override_reason=reason),
    "complete": lambda task, by, reason: services.complete_task(task, by=by),
    "block": lambda task, by, reason: services.block_task(task, reason=reason, by=by),
    "unblock": lambda task, by, reason: services.unblock_task(task, reason=reason, by=by),
    "cancel": lambda task, by, reason: services.cancel_task(task, reason=reason, by=by),
}
DONE_MESSAGES = {
    "start": gettext_lazy("Started “%(task)s”."),
    "complete": gettext_lazy("Completed “%(task)s”."),
    "block": gettext_lazy("Blocked “%(task)s”."),
    "unblock": gettext_lazy("Unblocked “%(task)s”."),
    "cancel": gettext_lazy("Cancelled “%(task)s”."),
}


class TaskAction(ChangeDetail):
    """POST ``/changes/tasks/<pk>/<action>/``. With htmx the answer is the task table and the
    Gantt chart (with the refusal, if any); without, a redirect to the change page."""

    def get(self, request, *args, **kwargs) -> HttpResponse:
        task = get_object_or_404(DepartmentTask.objects.visible_to(request.user), pk=kwargs["pk"])
        return redirect(change_url(task.change))

    def post(self, request, *args, **kwargs) -> HttpResponse:
        task = get_object_or_404(
            DepartmentTask.objects.visible_to(request.user).select_related(
                "change", "department__lead"
            ),
            pk=kwargs["pk"],
        )
        if kwargs["action"] not in TASK_ACTIONS:
            raise Http404
        call = TASK_ACTIONS[kwargs["action"]]
        permission = f"changes.{TASK_TRANSITIONS[kwargs['action']].verb}_departmenttask"
        if not request.user.has_perm(permission, task):
            raise PermissionDenied
        form = TaskActionForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        fragment = ui.wants_fragment(request)
        error = ui.run_action(
            request,
            lambda: call(task, request.user, reason),
            success_message=str(DONE_MESSAGES[kwargs["action"]]) % {"task": task.title},
            flash=not fragment,
        )
        change = self.get_queryset().get(pk=task.change_id)
        if fragment:
            context = {**work_context(change, request.user, error=error), "request": request}
            return TemplateResponse(request, WORK_TEMPLATE, context, status=200)
        return redirect(change_url(change) + "#tasks")


class TaskCreate(ChangeDetail):
    """POST: add a department task to the change (``services.add_task``)."""

    def get(self, request, *args, **kwargs) -> HttpResponse:
        return redirect(change_url(self.get_object()))

    def post(self, request, *args, **kwargs) -> HttpResponse:
        change = self.get_object()
        if not request.user.has_perm("changes.add_departmenttask", change):
            raise PermissionDenied
        form = TaskForm(request.POST)
        response = ui.run_service(
            request,
            form,
            lambda: services.add_task(change, **form.cleaned_data, by=request.user),
            success_message=lambda task: _("Added “%(task)s”.") % {"task": task.title},
            redirect_to=change_url(change) + "#tasks",
        )
        return response or self.page(change, task_form=form)


class DependencyCreate(ChangeDetail):
    """POST: make a task wait for another (``services.add_dependency``); a cycle is shown as
    the form's error naming the tasks around it."""

    def get(self, request, *args, **kwargs) -> HttpResponse:
        return redirect(change_url(self.get_object()))

    def post(self, request, *args, **kwargs) -> HttpResponse:
        change = self.get_object()
        if not request.user.has_perm("changes.add_taskdependency", change):
            raise PermissionDenied
        form = DependencyForm(request.POST, change=change)
        response = ui.run_service(
            request,
            form,
            lambda: services.add_dependency(**form.cleaned_data, by=request.user),
            success_message=_("Dependency added."),
            redirect_to=change_url(change) + "#dependencies",
        )
        return response or self.page(change, dependency_form=form)


class DependencyDelete(ChangeDetail):
    """POST: remove a dependency (``services.remove_dependency``)."""

    def get(self, request, *args, **kwargs) -> HttpResponse:
        link = get_object_or_404(
            TaskDependency.objects.visible_to(request.user).select_related("successor"),
            pk=kwargs["pk"],
        )
        return redirect(change_url(link.successor.change))

    def post(self, request, *args, **kwargs) -> HttpResponse:
        link = get_object_or_404(
            TaskDependency.objects.visible_to(request.user).select_related("successor__change"),
            pk=kwargs["pk"],
        )
        change = link.successor.change
        if not request.user.has_perm("changes.delete_taskdependency", change):
            raise PermissionDenied
        ui.run_action(
            request,
            lambda: services.remove_dependency(link, by=request.user),
            success_message=_("Dependency removed."),
        )
        return redirect(change_url(change) + "#dependencies")
