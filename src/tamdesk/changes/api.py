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

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from tamdesk.changes import services
from tamdesk.changes.choices import (
    OPEN_TASK_STATUSES,
    ChangeStatus,
    ScheduleStatus,
    TaskStatus,
)
from tamdesk.changes.models import (
    ChangeRequest,
    ChangeTemplate,
    DepartmentTask,
    TaskDependency,
    TemplateDependency,
    TemplateTask,
)
from tamdesk.changes.scheduling import committed_deadline
from tamdesk.core.api import AuditedViewSetMixin, RulesPermission
from tamdesk.core.filters import text_search
from tamdesk.core.viewsets import ApiSchema, RulesViewSet, error_response
from tamdesk.directory.models import Client, Component, Contact, Department

User = get_user_model()
TIMESTAMPS = ["created_at", "updated_at"]


def _people():
    return User.objects.filter(is_active=True)


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


# --- filters -------------------------------------------------------------------------------


class ChangeApiFilter(django_filters.FilterSet):
    """``department``: changes with a task of the department; ``at_risk``: open changes at risk
    or late; ``q``: the title."""

    client = django_filters.ModelChoiceFilter(queryset=Client.objects.all())
    status = django_filters.MultipleChoiceFilter(choices=ChangeStatus.choices)
    schedule_status = django_filters.MultipleChoiceFilter(choices=ScheduleStatus.choices)
    owner = django_filters.ModelChoiceFilter(queryset=_people())
    department = django_filters.ModelChoiceFilter(
        queryset=Department.objects.all(),
        field_name="tasks__department",
        distinct=True,
        label=_("Department (has a task of)"),
    )
    at_risk = django_filters.BooleanFilter(method="filter_at_risk", label=_("At risk or late"))
    q = django_filters.CharFilter(method=text_search(["title"]), label=_("Search"))

    class Meta:
        model = ChangeRequest
        fields = ["client", "status", "schedule_status", "owner"]

    def filter_at_risk(self, queryset, name, value):
        if value is None:
            return queryset
        risky = ChangeRequest.objects.at_risk().values("pk")
        return queryset.filter(pk__in=risky) if value else queryset.exclude(pk__in=risky)


class DepartmentTaskApiFilter(django_filters.FilterSet):
    """``ready``: ready and not blocked; ``critical``: open and on the critical path."""

    change = django_filters.ModelChoiceFilter(queryset=ChangeRequest.objects.all())
    department = django_filters.ModelChoiceFilter(queryset=Department.objects.all())
    status = django_filters.MultipleChoiceFilter(choices=TaskStatus.choices)
    assignee = django_filters.ModelChoiceFilter(queryset=_people())
    ready = django_filters.BooleanFilter(method="filter_ready", label=_("Ready to start"))
    critical = django_filters.BooleanFilter(method="filter_critical", label=_("Critical"))

    class Meta:
        model = DepartmentTask
        fields = ["change", "department", "status", "assignee"]

    def filter_ready(self, queryset, name, value):
        if value is None:
            return queryset
        ready = Q(status=TaskStatus.READY, is_blocked=False)
        return queryset.filter(ready) if value else queryset.exclude(ready)

    def filter_critical(self, queryset, name, value):
        if value is None:
            return queryset
        critical = Q(is_critical=True, status__in=OPEN_TASK_STATUSES)
        return queryset.filter(critical) if value else queryset.exclude(critical)


class TaskDependencyApiFilter(django_filters.FilterSet):
    change = django_filters.ModelChoiceFilter(
        queryset=ChangeRequest.objects.all(), field_name="successor__change"
    )

    class Meta:
        model = TaskDependency
        fields = ["change"]


# --- serializers ---------------------------------------------------------------------------


class DepartmentTaskSerializer(serializers.ModelSerializer):
    """A task; the ``planned_*``, ``late_*``, ``slack_seconds`` and ``is_critical`` fields are the
    scheduler's, the ``actual_*`` ones are set by start and complete."""

    class Meta:
        model = DepartmentTask
        fields = ["id", "change", "department", "assignee", "title", "description"]
        fields += ["estimate_hours", "remaining_hours", "status", "is_blocked", "blocked_reason"]
        fields += ["planned_start_at", "planned_finish_at", "late_start_at", "late_finish_at"]
        fields += ["slack_seconds", "is_critical", "actual_start_at", "actual_finish_at"]
        fields += ["started_override_reason", "position", *TIMESTAMPS]
        read_only_fields = fields


class TaskCreateSerializer(serializers.Serializer):
    change = serializers.PrimaryKeyRelatedField(queryset=ChangeRequest.objects.all())
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all())
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=_people(),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("An engineer of the department (`invalid_assignee` otherwise)."),
    )
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    estimate_hours = serializers.DecimalField(max_digits=7, decimal_places=2, min_value=0)


def _refuse_others(serializer: serializers.Serializer, message) -> None:
    others = sorted(set(getattr(serializer, "initial_data", {}) or {}) - set(serializer.fields))
    if others:
        raise serializers.ValidationError({key: [message] for key in others})


class TaskUpdateSerializer(serializers.Serializer):
    """The words, department, assignee and estimates of a task; its status changes with an
    action (``start``, ``complete``, ``block``, ``unblock``, ``cancel``)."""

    title = serializers.CharField(max_length=300, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False
    )
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=_people(), required=False, allow_null=True
    )
    estimate_hours = serializers.DecimalField(
        max_digits=7, decimal_places=2, min_value=0, required=False
    )
    remaining_hours = serializers.DecimalField(
        max_digits=7, decimal_places=2, min_value=0, required=False, allow_null=True
    )

    def validate(self, attrs: dict) -> dict:
        _refuse_others(self, _("Not editable here; the status changes with an action."))
        return attrs


class TaskStartSerializer(serializers.Serializer):
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_(
            "Start before the predecessors are done (only who edits the change); without it "
            "such a start is refused with `predecessors_open`."
        ),
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class BlockSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text=_("Why the task is blocked."))


class DependencySerializer(serializers.ModelSerializer):
    """``successor`` waits for ``predecessor``'s finish (``fs``) or start (``ss``) plus
    ``lag_hours`` of working time (negative: a lead)."""

    lag_hours = serializers.DecimalField(max_digits=7, decimal_places=2, required=False)

    class Meta:
        model = TaskDependency
        fields = ["id", "predecessor", "successor", "kind", "lag_hours", *TIMESTAMPS]
        read_only_fields = ["id", *TIMESTAMPS]
        # The pair is unique by the service's rule (`dependency_exists`).
        validators = []


class ChangeSerializer(serializers.ModelSerializer):
    """A change with the scheduler's forecast and status against the committed date."""

    class Meta:
        model = ChangeRequest
        fields = ["id", "client", "title", "description", "requesting_contact", "owner"]
        fields += ["type", "priority", "affected_components", "implementation_plan"]
        fields += ["rollback_plan", "test_plan", "risk_notes", "requested_on", "committed_on"]
        fields += ["committed_at", "planned_start_at", "forecast_finish_at", "schedule_status"]
        fields += ["scheduled_at", "status", "hold_reason", *TIMESTAMPS]
        read_only_fields = fields


class ChangeDetailSerializer(ChangeSerializer):
    """A change with its tasks and dependencies."""

    tasks = DepartmentTaskSerializer(many=True, read_only=True)
    dependencies = serializers.SerializerMethodField()

    class Meta(ChangeSerializer.Meta):
        fields = [*ChangeSerializer.Meta.fields, "tasks", "dependencies"]
        read_only_fields = fields

    @extend_schema_field(DependencySerializer(many=True))
    def get_dependencies(self, change: ChangeRequest) -> list[dict]:
        links = TaskDependency.objects.filter(successor__change=change).order_by("pk")
        return DependencySerializer(links, many=True).data


class ChangeWriteSerializer(serializers.Serializer):
    """The fields of a new change, and of ``instantiate`` into a new change."""

    title = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True)
    requesting_contact = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("A contact of the client (`invalid_contact` otherwise)."),
    )
    owner = serializers.PrimaryKeyRelatedField(
        queryset=_people(), required=False, help_text=_("The TAM; omitted: the caller.")
    )
    type = serializers.ChoiceField(choices=ChangeRequest._meta.get_field("type").choices)
    priority = serializers.ChoiceField(choices=ChangeRequest._meta.get_field("priority").choices)
    affected_components = serializers.PrimaryKeyRelatedField(
        queryset=Component.objects.all(),
        many=True,
        required=False,
        help_text=_("Components of the client (`invalid_component` otherwise)."),
    )
    implementation_plan = serializers.CharField(required=False, allow_blank=True)
    rollback_plan = serializers.CharField(required=False, allow_blank=True)
    test_plan = serializers.CharField(required=False, allow_blank=True)
    risk_notes = serializers.CharField(required=False, allow_blank=True)
    requested_on = serializers.DateField(required=False, allow_null=True)
    committed_on = serializers.DateField(
        required=False, allow_null=True, help_text=_("The date promised to the client.")
    )
    planned_start_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text=_("Where the schedule starts; null: now.")
    )


class ChangeCreateSerializer(ChangeWriteSerializer):
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.all())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("type", "priority"):
            self.fields[name].required = False


class ChangeUpdateSerializer(ChangeWriteSerializer):
    """The words, plans, people and dates of a change; its status changes with
    ``POST /changes/{id}/transition/``, its client never."""

    def __init__(self, *args, **kwargs):
        kwargs["partial"] = True
        super().__init__(*args, **kwargs)

    def validate(self, attrs: dict) -> dict:
        _refuse_others(self, _("Not editable; the status changes with a transition."))
        return attrs


class TransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=ChangeStatus.choices)
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Required for `on_hold` (`reason_required`); recorded in the timeline."),
    )


class TaskScheduleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    department = serializers.IntegerField()
    status = serializers.ChoiceField(choices=TaskStatus.choices)
    earliest_start_at = serializers.DateTimeField(allow_null=True)
    earliest_finish_at = serializers.DateTimeField(
        allow_null=True, help_text=_("The task's forecast finish.")
    )
    latest_start_at = serializers.DateTimeField(
        allow_null=True, help_text=_("Against the committed date; null without one.")
    )
    latest_finish_at = serializers.DateTimeField(allow_null=True)
    slack_seconds = serializers.IntegerField(
        allow_null=True, help_text=_("Working seconds the task may slip; null without late dates.")
    )
    is_critical = serializers.BooleanField()


class ScheduleSerializer(serializers.Serializer):
    scheduled_at = serializers.DateTimeField(
        allow_null=True, help_text=_("When the schedule was computed (after the last edit).")
    )
    committed_on = serializers.DateField(allow_null=True)
    committed_deadline_at = serializers.DateTimeField(
        allow_null=True, help_text=_("The end of the committed date.")
    )
    forecast_finish_at = serializers.DateTimeField(allow_null=True)
    schedule_status = serializers.ChoiceField(choices=ScheduleStatus.choices)
    tasks = TaskScheduleSerializer(many=True)


class TemplateTaskSerializer(serializers.ModelSerializer):
    class Meta:
        model = TemplateTask
        fields = ["id", "key", "department_code", "title", "description", "estimate_hours"]
        fields += ["position"]
        read_only_fields = fields


class TemplateDependencySerializer(serializers.ModelSerializer):
    class Meta:
        model = TemplateDependency
        fields = ["id", "predecessor", "successor", "kind", "lag_hours"]
        read_only_fields = fields


class ChangeTemplateSerializer(serializers.ModelSerializer):
    tasks = TemplateTaskSerializer(many=True, read_only=True)
    dependencies = TemplateDependencySerializer(many=True, read_only=True)

    class Meta:
        model = ChangeTemplate
        fields = ["id", "code", "name", "description", "change_type", "is_active", "tasks"]
        fields += ["dependencies", *TIMESTAMPS]
        read_only_fields = fields


class InstantiateSerializer(ChangeWriteSerializer):
    """Either ``change`` (an existing change) or ``client`` and the fields of a new change
    (``title`` defaults to the playbook's name, ``type`` to its change type)."""

    change = serializers.PrimaryKeyRelatedField(
        queryset=ChangeRequest.objects.all(), required=False, allow_null=True, default=None
    )
    client = serializers.PrimaryKeyRelatedField(
        queryset=Client.objects.all(), required=False, allow_null=True, default=None
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("title", "type", "priority"):
            self.fields[name].required = False

    def validate(self, attrs: dict) -> dict:
        if attrs.get("change") is not None:
            others = sorted(
                set(attrs) - {"change", "client"}
                | ({"client"} & {key for key, value in attrs.items() if value is not None})
            )
            if others:
                message = _("Give either an existing change or the fields of a new one.")
                raise serializers.ValidationError({key: [message] for key in others})
        elif attrs.get("client") is None:
            raise serializers.ValidationError(
                {"client": [_("Give the client of the new change, or an existing change.")]}
            )
        return attrs


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
    """Change requests. Everyone with a role reads them; administrators, service managers and
    TAMs create them; administrators, service managers and the client's TAM edit them. They
    are never deleted: cancel them."""

    queryset = ChangeRequest.objects.select_related("client", "owner").prefetch_related(
        "affected_components"
    )
    serializer_class = ChangeSerializer
    filterset_class = ChangeApiFilter
    search_fields = ["title"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    action_verbs = {"transition": "change", "schedule": "view"}

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
    """Department tasks. Everyone with a role reads them; who edits the change adds, edits and
    cancels them; the task's department (engineers and lead) also starts, completes, blocks and
    unblocks them. Never deleted: cancel them."""

    queryset = DepartmentTask.objects.select_related("change", "department__lead", "assignee")
    serializer_class = DepartmentTaskSerializer
    filterset_class = DepartmentTaskApiFilter
    search_fields = ["title"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    action_verbs = {
        "start": "work",
        "complete": "work",
        "block": "work",
        "unblock": "work",
        "cancel": "change",
    }

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
    filterset_class = TaskDependencyApiFilter
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


class ChangeTemplateViewSet(AuditedViewSetMixin, viewsets.ReadOnlyModelViewSet):
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
