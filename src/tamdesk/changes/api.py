"""The REST API of the changes domain under ``/api/v1/`` (routes in ``tamdesk.config.api_urls``).

- ``/changes/`` — change requests; created in draft, their words, plans, people and dates
  patched; never deleted (``POST /changes/{id}/transition/`` to ``cancelled``).
  ``GET /changes/{id}/schedule/`` gives the schedule as last computed.
- ``/change-tasks/`` — department tasks; actions ``start``, ``complete``, ``block``,
  ``unblock``, ``cancel``. The task's department (engineers and lead) may do the first four.
- ``/task-dependencies/`` — created and deleted, never edited; a cycle is refused with 400
  `dependency_cycle` naming the tasks around it, nothing stored.
- ``/change-templates/`` — playbooks, read-only here; ``POST /change-templates/{id}/instantiate/``
  adds their tasks to an existing change or to a new one.

Writes go through ``tamdesk.changes.services``; their refusals are 400 (409 `tasks_open`) with
the service's code.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from tamdesk.changes import services, status_updates
from tamdesk.changes.choices import TASK_TRANSITIONS
from tamdesk.changes.filters import ChangeFilter, DepartmentTaskFilter, TaskDependencyFilter
from tamdesk.changes.models import (
    ChangeRequest,
    ChangeTemplate,
    DepartmentTask,
    TaskDependency,
)
from tamdesk.changes.scheduling import committed_deadline
from tamdesk.changes.serializers import (
    BlockSerializer,
    ChangeCreateSerializer,
    ChangeDetailSerializer,
    ChangeSerializer,
    ChangeTemplateSerializer,
    ChangeUpdateSerializer,
    DepartmentTaskSerializer,
    DependencySerializer,
    InstantiateSerializer,
    ReasonSerializer,
    ScheduleSerializer,
    StatusUpdateResultSerializer,
    StatusUpdateSerializer,
    TaskCreateSerializer,
    TaskStartSerializer,
    TaskUpdateSerializer,
    TransitionSerializer,
)
from tamdesk.core.api import AuditedViewSetMixin, RulesPermission
from tamdesk.core.scoping import ScopedViewSetMixin
from tamdesk.core.viewsets import ApiSchema, RulesViewSet, error_response


class ActionRulesPermission(RulesPermission):
    """``RulesPermission`` with the verb of each ``@action`` named by the viewset
    (``action_verbs``): ``work`` for a task's start, ``change`` for a change's transition."""

    def _perm(self, request, view) -> str:
        verb = getattr(view, "action_verbs", {}).get(getattr(view, "action", None))
        if verb is None:
            return super()._perm(request, view)
        meta = view.get_queryset().model._meta
        return f"{meta.app_label}.{verb}_{meta.model_name}"


class ChangesViewSet(RulesViewSet):
    permission_classes = [ActionRulesPermission]
    action_verbs: dict[str, str] = {}

    def create_permission(self) -> str:
        """Tasks and dependencies are added by who edits their change, known only once the input
        is read: before, a caller must at least read them (no role: 403 before validation)."""
        return self.permission_name("view")


def _require(user, perm: str, obj) -> None:
    if not user.has_perm(perm, obj):
        raise exceptions.PermissionDenied


# --- changes -------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        description=_(
            "Changes, newest first. `department`: with a task of the department; `at_risk`: "
            "open and at risk or late; `q`: in the title."
        )
    ),
    retrieve=extend_schema(responses=ChangeDetailSerializer),
    create=extend_schema(
        request=ChangeCreateSerializer,
        responses={
            201: ChangeDetailSerializer,
            400: error_response(
                _("Invalid input (`invalid`, `invalid_contact`, `invalid_component`).")
            ),
        },
    ),
    partial_update=extend_schema(
        request=ChangeUpdateSerializer,
        responses={
            200: ChangeDetailSerializer,
            400: error_response(_("Invalid input (`invalid`, `change_closed`, ...).")),
        },
    ),
)
class ChangeRequestViewSet(ChangesViewSet):
    """Change requests. Everyone with a role reads the ones they may see (another is a 404);
    administrators, service managers and
    TAMs create them; administrators, service managers and the client's TAM edit them. They
    are never deleted: cancel them."""

    queryset = ChangeRequest.objects.select_related("client", "owner").prefetch_related(
        "affected_components"
    )
    serializer_class = ChangeSerializer
    filterset_class = ChangeFilter
    search_fields = ["title"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    action_verbs = {"transition": "change", "schedule": "view", "status_update": "change"}

    def create_permission(self) -> str:
        return self.permission_name("add")

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "retrieve":
            return queryset.prefetch_related("tasks")
        return queryset

    def get_serializer_class(self):
        return ChangeDetailSerializer if self.action == "retrieve" else ChangeSerializer

    def _represent(self, change: ChangeRequest, status_code: int = 200) -> Response:
        change = self.queryset.prefetch_related("tasks").get(pk=change.pk)
        context = self.get_serializer_context()
        return Response(ChangeDetailSerializer(change, context=context).data, status=status_code)

    def create(self, request, *args, **kwargs) -> Response:
        serializer = ChangeCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _require(request.user, "changes.add_changerequest", serializer.validated_data["client"])
        change = services.create_change(**serializer.validated_data, by=request.user)
        return self._represent(change, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs) -> Response:
        change = self.get_object()
        serializer = ChangeUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        change = services.update_change(change, **serializer.validated_data, by=request.user)
        return self._represent(change)

    @extend_schema(
        summary=_("Change the status"),
        description=_(
            "Along draft → planned → in progress → done, on hold (with a reason) and cancelled "
            "(which cancels the open tasks). Refused with `illegal_transition`, "
            "`reason_required`, or 409 `tasks_open` (done while a task is open)."
        ),
        request=TransitionSerializer,
        responses={
            200: ChangeDetailSerializer,
            400: error_response(_("`invalid`, `illegal_transition`, `reason_required`.")),
            409: error_response(_("`tasks_open`: some tasks are open.")),
        },
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def transition(self, request, pk=None) -> Response:
        change = self.get_object()
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        change = services.transition_change(change, **serializer.validated_data, by=request.user)
        return self._represent(change)

    @extend_schema(
        summary=_("The schedule"),
        description=_(
            "Each task's earliest and latest start and finish, slack and critical flag, and the "
            "change's forecast and status against the committed date — as stored by the last "
            "recomputation (`scheduled_at`); every edit of a task, dependency or date "
            "recomputes."
        ),
        responses={200: ScheduleSerializer},
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def schedule(self, request, pk=None) -> Response:
        change = self.get_object()
        tasks = DepartmentTask.objects.filter(change=change).order_by("position", "pk")
        data = {
            "scheduled_at": change.scheduled_at,
            "committed_on": change.committed_on,
            "committed_deadline_at": committed_deadline(change),
            "forecast_finish_at": change.forecast_finish_at,
            "schedule_status": change.schedule_status,
            "tasks": [
                {
                    "id": task.pk,
                    "title": task.title,
                    "department": task.department_id,
                    "status": task.status,
                    "earliest_start_at": task.planned_start_at,
                    "earliest_finish_at": task.planned_finish_at,
                    "latest_start_at": task.late_start_at,
                    "latest_finish_at": task.late_finish_at,
                    "slack_seconds": task.slack_seconds,
                    "is_critical": task.is_critical,
                }
                for task in tasks
            ],
        }
        return Response(ScheduleSerializer(data).data)

    @extend_schema(
        summary=_("Send the client's contacts a status update"),
        description=_(
            "E-mails the active contacts of the change's client that have an address: the "
            "task-level timeline to technical contacts, a summary to the others, each with the "
            "note; records the sending in the activity timeline. Refused, with nothing written, "
            "for a draft (`change_draft`), a cancelled change (`change_cancelled`) and when no "
            "contact has an e-mail address (`no_recipients`)."
        ),
        request=StatusUpdateSerializer,
        responses={
            200: StatusUpdateResultSerializer,
            400: error_response(
                _("`invalid`, `no_recipients`, `change_draft`, `change_cancelled`.")
            ),
        },
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="status-update",
        filter_backends=[],
        pagination_class=None,
    )
    def status_update(self, request, pk=None) -> Response:
        change = self.get_object()
        serializer = StatusUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = status_updates.send_status_update(
            change, note=serializer.validated_data["note"], by=request.user
        )
        data = {
            "recipients": [
                {
                    "contact": r.contact.pk,
                    "name": r.contact.name,
                    "email": r.contact.email,
                    "kind": r.contact.kind,
                    "message": r.message,
                }
                for r in result.recipients
            ],
            "activity": result.activity.pk,
        }
        return Response(StatusUpdateResultSerializer(data).data)


# --- tasks ---------------------------------------------------------------------------------


def _task_action(summary: str, description: str, request=None):
    return extend_schema(
        summary=summary,
        description=description,
        request=request,
        responses={
            200: DepartmentTaskSerializer,
            400: error_response(
                _("`invalid`, `illegal_transition`, `task_blocked`, `reason_required`, ...")
            ),
        },
    )


@extend_schema_view(
    create=extend_schema(
        request=TaskCreateSerializer,
        responses={
            201: DepartmentTaskSerializer,
            400: error_response(_("`invalid`, `invalid_assignee`, `change_closed`.")),
        },
    ),
    partial_update=extend_schema(
        request=TaskUpdateSerializer,
        responses={
            200: DepartmentTaskSerializer,
            400: error_response(_("`invalid`, `invalid_assignee`, `change_closed`.")),
        },
    ),
)
class DepartmentTaskViewSet(ChangesViewSet):
    """Department tasks. Everyone with a role reads those of the changes they may see; who
    edits the change adds, edits and cancels them; the task's department (engineers and lead)
    also starts, completes, blocks and unblocks them. Never deleted: cancel them."""

    queryset = DepartmentTask.objects.select_related("change", "department__lead", "assignee")
    serializer_class = DepartmentTaskSerializer
    filterset_class = DepartmentTaskFilter
    search_fields = ["title"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    # The actions of ``TASK_TRANSITIONS``, each with the verb of its permission.
    action_verbs = {action: allowed.verb for action, allowed in TASK_TRANSITIONS.items()}

    def rows_to_lock(self, obj: DepartmentTask) -> list:
        # The change before its task, as the services lock them.
        return [ChangeRequest(pk=obj.change_id), obj]

    def _represent(self, task: DepartmentTask, status_code: int = 200) -> Response:
        task = self.queryset.get(pk=task.pk)
        return Response(DepartmentTaskSerializer(task).data, status=status_code)

    def create(self, request, *args, **kwargs) -> Response:
        serializer = TaskCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        change = data.pop("change")
        _require(request.user, "changes.add_departmenttask", change)
        task = services.add_task(change, **data, by=request.user)
        return self._represent(task, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs) -> Response:
        task = self.get_object()
        serializer = TaskUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        task = services.update_task(task, **serializer.validated_data, by=request.user)
        return self._represent(task)

    @_task_action(
        _("Start"),
        _(
            "Refused with `predecessors_open` while a predecessor is open, unless who edits "
            "the change gives `override_reason` (recorded)."
        ),
        TaskStartSerializer,
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def start(self, request, pk=None) -> Response:
        task = self.get_object()
        serializer = TaskStartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        task = services.start_task(task, **serializer.validated_data, by=request.user)
        return self._represent(task)

    @_task_action(_("Complete"), _("Finish a task in progress; its successors may become ready."))
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def complete(self, request, pk=None) -> Response:
        task = services.complete_task(self.get_object(), by=request.user)
        return self._represent(task)

    @_task_action(_("Block"), _("Flag an open task as blocked, with the reason."), BlockSerializer)
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def block(self, request, pk=None) -> Response:
        task = self.get_object()
        serializer = BlockSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        task = services.block_task(task, **serializer.validated_data, by=request.user)
        return self._represent(task)

    @_task_action(_("Unblock"), _("Clear the blocked flag."), ReasonSerializer)
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def unblock(self, request, pk=None) -> Response:
        task = self.get_object()
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        task = services.unblock_task(task, **serializer.validated_data, by=request.user)
        return self._represent(task)

    @_task_action(
        _("Cancel"),
        _("Cancel an open task; it no longer holds its successors back."),
        ReasonSerializer,
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def cancel(self, request, pk=None) -> Response:
        task = self.get_object()
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        task = services.cancel_task(task, **serializer.validated_data, by=request.user)
        return self._represent(task)


# --- dependencies --------------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(
        responses={
            201: DependencySerializer,
            400: error_response(
                _(
                    "`invalid`, `dependency_cycle` (naming the tasks around it), "
                    "`dependency_exists`, `self_dependency`, `different_changes`."
                )
            ),
        },
    ),
)
class TaskDependencyViewSet(ChangesViewSet):
    """Dependencies between the tasks of a change: created and deleted by who edits the
    change, never edited."""

    queryset = TaskDependency.objects.select_related("predecessor", "successor__change")
    serializer_class = DependencySerializer
    filterset_class = TaskDependencyFilter
    http_method_names = ["get", "post", "delete", "head", "options"]

    def check_object_permissions(self, request, obj) -> None:
        # The rules decide on the successor's change.
        super().check_object_permissions(request, obj.successor)

    def create(self, request, *args, **kwargs) -> Response:
        serializer = DependencySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        _require(request.user, "changes.add_taskdependency", data["successor"])
        _require(request.user, "changes.add_taskdependency", data["predecessor"])
        dependency = services.add_dependency(**data, by=request.user)
        return Response(DependencySerializer(dependency).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: TaskDependency) -> None:
        services.remove_dependency(instance, by=self.request.user)


# --- playbooks -----------------------------------------------------------------------------


class ChangeTemplateViewSet(ScopedViewSetMixin, AuditedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Playbooks with their tasks and dependencies; read by everyone with a role."""

    authentication_classes = RulesViewSet.authentication_classes
    permission_classes = [ActionRulesPermission]
    filter_backends = RulesViewSet.filter_backends
    schema = ApiSchema()
    queryset = ChangeTemplate.objects.prefetch_related("tasks", "dependencies")
    serializer_class = ChangeTemplateSerializer
    filterset_fields = ["is_active", "change_type"]
    search_fields = ["name", "code"]
    action_verbs = {"instantiate": "view"}

    @extend_schema(
        summary=_("Apply to a change"),
        description=_(
            "Add the playbook's tasks and dependencies to `change` (who edits it), or to a new "
            "change of `client` with the given fields (who creates changes). Refused with "
            "`template_inactive`, `unknown_department`, `change_closed`; nothing is stored."
        ),
        request=InstantiateSerializer,
        responses={
            201: ChangeDetailSerializer,
            400: error_response(
                _("`invalid`, `template_inactive`, `unknown_department`, `change_closed`.")
            ),
        },
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def instantiate(self, request, pk=None) -> Response:
        template = self.get_object()
        serializer = InstantiateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        change = data.pop("change")
        if change is not None:
            _require(request.user, "changes.change_changerequest", change)
            data.pop("client")
        else:
            _require(request.user, "changes.add_changerequest", data["client"])
        change = services.instantiate_template(template, change=change, **data, by=request.user)
        change = ChangeRequestViewSet.queryset.prefetch_related("tasks").get(pk=change.pk)
        context = self.get_serializer_context()
        return Response(
            ChangeDetailSerializer(change, context=context).data, status=status.HTTP_201_CREATED
        )
