"""Serializers of the changes API (``tamdesk.changes.api``): what each endpoint reads and
answers."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tamdesk.changes import status_updates
from tamdesk.changes.choices import (
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
from tamdesk.core import ranges
from tamdesk.directory.choices import ContactKind
from tamdesk.directory.models import Client, Component, Contact, Department

User = get_user_model()
TIMESTAMPS = ["created_at", "updated_at"]


def _people():
    return User.objects.filter(is_active=True)


class DepartmentTaskSerializer(ranges.ModelSerializer):
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
    estimate_hours = ranges.hours_serializer_field(lowest=0, highest=ranges.MAX_TASK_HOURS)


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
    estimate_hours = ranges.hours_serializer_field(
        lowest=0, highest=ranges.MAX_TASK_HOURS, required=False
    )
    remaining_hours = ranges.hours_serializer_field(
        lowest=0, highest=ranges.MAX_TASK_HOURS, required=False, allow_null=True
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


class DependencySerializer(ranges.ModelSerializer):
    """``successor`` waits for ``predecessor``'s finish (``fs``) or start (``ss``) plus
    ``lag_hours`` of working time (negative: a lead)."""

    lag_hours = ranges.hours_serializer_field(
        lowest=-ranges.MAX_LAG_HOURS, highest=ranges.MAX_LAG_HOURS, required=False
    )

    class Meta:
        model = TaskDependency
        fields = ["id", "predecessor", "successor", "kind", "lag_hours", *TIMESTAMPS]
        read_only_fields = ["id", *TIMESTAMPS]
        # The pair is unique by the service's rule (`dependency_exists`).
        validators = []


class ChangeSerializer(ranges.ModelSerializer):
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
    requested_on = ranges.DayField(required=False, allow_null=True)
    committed_on = ranges.DayField(
        required=False, allow_null=True, help_text=_("The date promised to the client.")
    )
    planned_start_at = ranges.InstantField(
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
    earliest_start_at = ranges.InstantField(allow_null=True)
    earliest_finish_at = ranges.InstantField(
        allow_null=True, help_text=_("The task's forecast finish.")
    )
    latest_start_at = ranges.InstantField(
        allow_null=True, help_text=_("Against the committed date; null without one.")
    )
    latest_finish_at = ranges.InstantField(allow_null=True)
    slack_seconds = serializers.IntegerField(
        allow_null=True, help_text=_("Working seconds the task may slip; null without late dates.")
    )
    is_critical = serializers.BooleanField()


class ScheduleSerializer(serializers.Serializer):
    scheduled_at = ranges.InstantField(
        allow_null=True, help_text=_("When the schedule was computed (after the last edit).")
    )
    committed_on = ranges.DayField(allow_null=True)
    committed_deadline_at = ranges.InstantField(
        allow_null=True, help_text=_("The end of the committed date.")
    )
    forecast_finish_at = ranges.InstantField(allow_null=True)
    schedule_status = serializers.ChoiceField(choices=ScheduleStatus.choices)
    tasks = TaskScheduleSerializer(many=True)


class StatusUpdateSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=2000,
        help_text=_("The sender's note, in both messages; recorded in the timeline."),
    )


class StatusUpdateRecipientSerializer(serializers.Serializer):
    contact = serializers.IntegerField(help_text=_("The contact's id."))
    name = serializers.CharField()
    email = serializers.EmailField()
    kind = serializers.ChoiceField(choices=ContactKind.choices)
    message = serializers.ChoiceField(
        choices=[(status_updates.TIMELINE, _("Timeline")), (status_updates.SUMMARY, _("Summary"))],
        help_text=_("`timeline` (technical contacts) or `summary` (the others)."),
    )


class StatusUpdateResultSerializer(serializers.Serializer):
    recipients = StatusUpdateRecipientSerializer(many=True)
    activity = serializers.IntegerField(help_text=_("The activity entry recording the sending."))


class TemplateTaskSerializer(ranges.ModelSerializer):
    class Meta:
        model = TemplateTask
        fields = ["id", "key", "department_code", "title", "description", "estimate_hours"]
        fields += ["position"]
        read_only_fields = fields


class TemplateDependencySerializer(ranges.ModelSerializer):
    class Meta:
        model = TemplateDependency
        fields = ["id", "predecessor", "successor", "kind", "lag_hours"]
        read_only_fields = fields


class ChangeTemplateSerializer(ranges.ModelSerializer):
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
