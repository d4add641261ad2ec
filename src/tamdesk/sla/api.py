"""The REST API of the SLA domain under ``/api/v1/`` (routes in ``tamdesk.config.api_urls``).

- ``/sla-policies/`` — policies with their versions and targets; created with the terms of their
  first version; ``POST /sla-policies/{id}/versions/`` adds a version (a change of terms never
  rewrites history); deleting a policy that measures incidents is refused (409 `policy_in_use`).
- ``/incidents/`` — incidents with both clocks; opened with an optional list of later events
  (imports); their words (title, description) may be patched, everything else changes with an
  event; incidents are never deleted.
- ``/incidents/{id}/events/`` — the timeline: read it, append one event or several.

Writes go through ``tamdesk.sla.services``; a refused timeline is a 400 `impossible_timeline`
naming the event (`events[1].at`), nothing stored.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from tamdesk.calendars.models import Calendar
from tamdesk.core import ranges
from tamdesk.core.viewsets import RulesViewSet, UpdateFieldsModelSerializer, error_response
from tamdesk.directory.choices import ClientTier
from tamdesk.directory.models import Client, Department
from tamdesk.sla import clocks, holds, services, terms
from tamdesk.sla.choices import (
    PAUSABLE_STATUSES,
    WORKING_STATUSES,
    ClockKind,
    ClockState,
    IncidentEventKind,
    IncidentStatus,
    PolicySource,
    Priority,
)
from tamdesk.sla.filters import IncidentFilter, SLAPolicyFilter
from tamdesk.sla.models import (
    DEFAULT_PAUSE_STATUSES,
    DEFAULT_THRESHOLDS,
    Incident,
    IncidentClock,
    IncidentEvent,
    SLAPolicy,
    SLAPolicyVersion,
)
from tamdesk.sla.services import NewEvent

User = get_user_model()
TIMESTAMPS = ["created_at", "updated_at"]
PAUSABLE_CHOICES = [(s.value, s.label) for s in PAUSABLE_STATUSES]
WORKING_CHOICES = [(s.value, s.label) for s in WORKING_STATUSES]
APPENDABLE_KINDS = [(k.value, k.label) for k in IncidentEventKind if k != IncidentEventKind.OPENED]


def _people():
    return User.objects.filter(is_active=True)


# --- policies ------------------------------------------------------------------------------


class _RuleField:
    """A field that refuses a value breaking a rule of the terms with the rule's own message
    (``tamdesk.sla.terms``), before the generic checks (whose bounds the schema still shows)."""

    refusal = staticmethod(lambda value: None)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        message = self.refusal(value)
        if message:
            raise serializers.ValidationError(message)
        return value


class TargetSecondsField(_RuleField, serializers.IntegerField):
    refusal = staticmethod(terms.target_refusal)


class ThresholdField(_RuleField, serializers.IntegerField):
    refusal = staticmethod(terms.threshold_refusal)


class PauseStatusField(_RuleField, serializers.ChoiceField):
    refusal = staticmethod(terms.pause_refusal)

    def __init__(self, **kwargs):
        super().__init__(choices=PAUSABLE_CHOICES, **kwargs)

    def to_internal_value(self, data):
        if data in IncidentStatus.values:  # a status, but not a pausing one: the rule says why
            message = self.refusal(data)
            if message:
                raise serializers.ValidationError(message)
        return super().to_internal_value(data)


class TargetSerializer(serializers.Serializer):
    priority = serializers.ChoiceField(choices=Priority.choices)
    reaction_seconds = TargetSecondsField(
        min_value=terms.MIN_TARGET_SECONDS,
        max_value=ranges.MAX_TARGET_SECONDS,
        help_text=_("Reaction target in working seconds (at least 60)."),
    )
    resolution_seconds = TargetSecondsField(
        min_value=terms.MIN_TARGET_SECONDS,
        max_value=ranges.MAX_TARGET_SECONDS,
        help_text=_("Resolution target in working seconds (at least 60)."),
    )


class PolicyVersionSerializer(ranges.ModelSerializer):
    targets = TargetSerializer(many=True, read_only=True)
    warning_thresholds = serializers.ListField(child=serializers.IntegerField(), read_only=True)
    reaction_pause_statuses = serializers.ListField(
        child=serializers.ChoiceField(choices=PAUSABLE_CHOICES), read_only=True
    )
    resolution_pause_statuses = serializers.ListField(
        child=serializers.ChoiceField(choices=PAUSABLE_CHOICES), read_only=True
    )
    is_in_force = serializers.SerializerMethodField(
        help_text=_("Whether the version is in force now.")
    )

    class Meta:
        model = SLAPolicyVersion
        fields = ["id", "number", "valid_from", "valid_until", "is_in_force", "calendar"]
        fields += ["targets", "warning_thresholds", "reaction_pause_statuses"]
        fields += ["resolution_pause_statuses", "note", "created_at", "created_by"]
        read_only_fields = fields

    def get_is_in_force(self, version: SLAPolicyVersion) -> bool:
        now = self.context.get("now") or timezone.now()
        return version.valid_from <= now and (
            version.valid_until is None or now < version.valid_until
        )


class PolicyTermsSerializer(serializers.Serializer):
    """The terms of a version (``services.add_policy_version``)."""

    valid_from = ranges.InstantField(
        help_text=_(
            "When the version comes into force; the previous version ends here. It cannot start "
            "before the current version (`version_not_after_latest`) nor before an incident the "
            "current version measures (`version_rewrites_history`)."
        )
    )
    calendar = serializers.PrimaryKeyRelatedField(
        queryset=Calendar.objects.all(),
        allow_null=True,
        required=False,
        help_text=_("The working calendar the targets are measured in; null: 24×7."),
    )
    targets = TargetSerializer(many=True, help_text=_("One entry per priority with a target."))
    warning_thresholds = serializers.ListField(
        child=ThresholdField(min_value=1, max_value=99),
        default=list(DEFAULT_THRESHOLDS),
        help_text=_("Percentages of a target at which people are warned (default 50, 75)."),
    )
    reaction_pause_statuses = serializers.ListField(
        child=PauseStatusField(),
        default=list(DEFAULT_PAUSE_STATUSES),
        help_text=_("Statuses that pause the reaction clock (default: waiting for the client)."),
    )
    resolution_pause_statuses = serializers.ListField(
        child=PauseStatusField(),
        default=list(DEFAULT_PAUSE_STATUSES),
        help_text=_("Statuses that pause the resolution clock (default: waiting for the client)."),
    )
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    def validate_targets(self, value: list[dict]) -> dict[str, tuple[int, int]]:
        priorities = [item["priority"] for item in value]
        if refusal := terms.no_target_refusal(priorities):
            raise serializers.ValidationError(refusal)
        if len(priorities) != len(set(priorities)):
            raise serializers.ValidationError(_("Each priority may be listed only once."))
        return {
            item["priority"]: (item["reaction_seconds"], item["resolution_seconds"])
            for item in value
        }

    def terms(self) -> dict:
        data = dict(self.validated_data)
        data.setdefault("calendar", None)
        return data


class SLAPolicySerializer(ranges.ModelSerializer):
    """A policy for one client (``client``) or for a tier (``tier``), exactly one of them; its
    versions, newest first. Created with ``first_version``: the terms of its first version."""

    versions = PolicyVersionSerializer(many=True, read_only=True)
    first_version = PolicyTermsSerializer(
        write_only=True, help_text=_("The terms of the first version (on create).")
    )
    client = serializers.PrimaryKeyRelatedField(
        queryset=Client.objects.all(),
        allow_null=True,
        required=False,
        help_text=_(
            "The client the policy is for; refused with `client_has_policy` if it has one."
        ),
    )
    tier = serializers.ChoiceField(
        choices=ClientTier.choices,
        allow_blank=True,
        required=False,
        default="",
        help_text=_("Or the tier whose clients without a policy of their own it applies to."),
    )

    class Meta:
        model = SLAPolicy
        fields = ["id", "name", "client", "tier", "description", "versions", "first_version"]
        fields += TIMESTAMPS
        read_only_fields = TIMESTAMPS
        # One policy per client or tier is the service's rule (`client_has_policy`,
        # `tier_has_policy`).
        validators = []


class SLAPolicyUpdateSerializer(UpdateFieldsModelSerializer):
    """A policy's words; its terms change with a new version, its client or tier never."""

    class Meta:
        model = SLAPolicy
        fields = ["name", "description"]


@extend_schema_view(
    partial_update=extend_schema(
        request=SLAPolicyUpdateSerializer,
        description=_("The name and description; terms change with a new version."),
    ),
    destroy=extend_schema(
        description=_("Refused with 409 `policy_in_use` while the policy measures incidents.")
    ),
)
class SLAPolicyViewSet(RulesViewSet):
    """SLA policies and their versions. Everyone with a role reads the tier policies and those
    of the clients they may see (another is a 404); administrators and service managers manage
    them."""

    queryset = SLAPolicy.objects.select_related("client").prefetch_related(
        "versions__targets", "versions__calendar"
    )
    serializer_class = SLAPolicySerializer
    filterset_class = SLAPolicyFilter
    search_fields = ["name", "description", "client__name"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_serializer_class(self):
        if self.action == "partial_update":
            return SLAPolicyUpdateSerializer
        return SLAPolicySerializer

    def _represent(self, policy: SLAPolicy, status_code: int = 200) -> Response:
        policy = self.get_queryset().get(pk=policy.pk)
        return Response(
            SLAPolicySerializer(policy, context=self.get_serializer_context()).data,
            status=status_code,
        )

    def create(self, request, *args, **kwargs) -> Response:
        serializer = SLAPolicySerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        terms = dict(data.pop("first_version"))
        terms.setdefault("calendar", None)
        policy = services.create_policy(
            name=data["name"],
            client=data.get("client"),
            tier=data.get("tier", ""),
            description=data.get("description", ""),
            **terms,
            by=request.user,
        )
        return self._represent(policy, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs) -> Response:
        policy = self.get_object()
        serializer = SLAPolicyUpdateSerializer(policy, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return self._represent(policy)

    def perform_destroy(self, instance: SLAPolicy) -> None:
        services.delete_policy(instance, by=self.request.user)

    @extend_schema(
        operation_id="sla_policies_versions_create",
        summary=_("Add a version"),
        description=_(
            "New terms from `valid_from` on: the version in force ends there; incidents opened "
            "before keep theirs. Refused with `version_not_after_latest` or "
            "`version_rewrites_history`."
        ),
        request=PolicyTermsSerializer,
        responses={
            201: PolicyVersionSerializer,
            400: error_response(
                _(
                    "Invalid input (`invalid`, `version_not_after_latest`, "
                    "`version_rewrites_history`, `calendar_has_no_working_time`)."
                )
            ),
        },
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def versions(self, request, pk=None) -> Response:
        policy = self.get_object()
        if not request.user.has_perm("sla.change_slapolicy", policy):
            raise exceptions.PermissionDenied
        serializer = PolicyTermsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = services.add_policy_version(policy, **serializer.terms(), by=request.user)
        version = SLAPolicyVersion.objects.prefetch_related("targets").get(pk=version.pk)
        return Response(PolicyVersionSerializer(version).data, status=status.HTTP_201_CREATED)


# --- incidents: clocks ---------------------------------------------------------------------


class WarnAtSerializer(serializers.Serializer):
    percent = serializers.IntegerField()
    at = ranges.InstantField(
        allow_null=True, help_text=_("When the threshold is (was) reached; null while paused.")
    )


class ClockSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=ClockState.choices)
    target_seconds = serializers.IntegerField(
        allow_null=True, help_text=_("The target of the current priority, working seconds.")
    )
    elapsed_seconds = serializers.IntegerField(help_text=_("Working seconds consumed."))
    paused_seconds = serializers.IntegerField(help_text=_("Working seconds spent paused."))
    remaining_seconds = serializers.IntegerField(
        allow_null=True, help_text=_("Target minus elapsed; negative once breached.")
    )
    due_at = ranges.InstantField(
        allow_null=True,
        help_text=_("When the target runs out if the clock keeps running (null while paused)."),
    )
    breached_at = ranges.InstantField(allow_null=True)
    warn_at = WarnAtSerializer(many=True)
    measured_at = ranges.InstantField(help_text=_("When these values were measured."))


class IncidentClocksSerializer(serializers.Serializer):
    reaction = ClockSerializer()
    resolution = ClockSerializer()


def _remaining(target: int | None, elapsed: int) -> int | None:
    return None if target is None else target - elapsed


def stored_clock(clock: IncidentClock | None) -> dict:
    if clock is None:
        return {
            "state": ClockState.NO_TARGET,
            "target_seconds": None,
            "elapsed_seconds": 0,
            "paused_seconds": 0,
            "remaining_seconds": None,
            "due_at": None,
            "breached_at": None,
            "warn_at": [],
            "measured_at": None,
        }
    return {
        "state": clock.state,
        "target_seconds": clock.target_seconds,
        "elapsed_seconds": clock.elapsed_seconds,
        "paused_seconds": clock.paused_seconds,
        "remaining_seconds": _remaining(clock.target_seconds, clock.elapsed_seconds),
        "due_at": clock.due_at,
        "breached_at": clock.breached_at,
        "warn_at": clock.warn_at,
        "measured_at": clock.measured_at,
    }


def live_clock(measured: clocks.Measured, *, now: dt.datetime) -> dict:
    return {
        "state": measured.state,
        "target_seconds": measured.target,
        "elapsed_seconds": measured.elapsed,
        "paused_seconds": measured.paused,
        "remaining_seconds": _remaining(measured.target, measured.elapsed),
        "due_at": measured.due_at,
        "breached_at": measured.breached_at,
        "warn_at": [{"percent": percent, "at": at} for percent, at in measured.warn_at],
        "measured_at": now,
    }


# --- incidents -----------------------------------------------------------------------------


class IncidentHoldSerializer(serializers.Serializer):
    """One department's hold of the incident (``sla.holds``)."""

    department = serializers.IntegerField(
        source="department_id", allow_null=True, help_text=_("null: no department.")
    )
    started_at = ranges.InstantField()
    ended_at = ranges.InstantField(allow_null=True, help_text=_("null: it holds it still."))
    working_seconds = serializers.IntegerField(
        help_text=_("Working seconds of the resolution clock running while held.")
    )
    paused_seconds = serializers.IntegerField(
        help_text=_("Working seconds of the resolution clock paused while held.")
    )


class IncidentSerializer(ranges.ModelSerializer):
    """An incident with both clocks and its department holds. ``clocks`` and ``holds`` are
    measured at the moment of the response on a single incident (retrieve, create) and are the
    values last stored (``measured_at``) in lists; a stored running clock moves on until it is
    measured again."""

    clocks = serializers.SerializerMethodField()
    holds = serializers.SerializerMethodField()
    policy = serializers.PrimaryKeyRelatedField(
        source="policy_version.policy",
        read_only=True,
        allow_null=True,
        help_text=_("The SLA policy that measures the incident; null: none was in force."),
    )
    policy_version_number = serializers.IntegerField(
        source="policy_version.number",
        read_only=True,
        allow_null=True,
        help_text=_("The number of that policy's version in force when the incident opened."),
    )
    policy_source = serializers.ChoiceField(
        choices=PolicySource.choices,
        read_only=True,
        allow_null=True,
        help_text=_(
            "Why that policy: `own` — the client's own policy; `tier` — the policy of the "
            "client's tier, because the client had no policy of its own in force when the "
            "incident opened; null — no policy."
        ),
    )

    class Meta:
        model = Incident
        fields = ["id", "client", "title", "description", "priority", "status", "department"]
        fields += ["assignee", "source_system", "external_id", "policy", "policy_version"]
        fields += ["policy_version_number", "policy_source", "opened_at"]
        fields += ["first_response_at", "resolved_at", "closed_at", "clocks", "holds"]
        fields += TIMESTAMPS
        read_only_fields = fields

    @extend_schema_field(IncidentHoldSerializer(many=True))
    def get_holds(self, incident: Incident) -> list:
        live = self.context.get("live_holds", {}).get(incident.pk)
        found = live if live is not None else list(incident.holds.all())
        return IncidentHoldSerializer(found, many=True).data

    @extend_schema_field(IncidentClocksSerializer)
    def get_clocks(self, incident: Incident) -> dict:
        live = self.context.get("live_clocks", {}).get(incident.pk)
        if live is not None:
            data = live
        else:
            stored = {clock.kind: clock for clock in incident.clocks.all()}
            data = {kind.value: stored_clock(stored.get(kind.value)) for kind in ClockKind}
        return IncidentClocksSerializer(data).data


class EventInputSerializer(serializers.Serializer):
    """One event to append. ``to_value``: the new status (`status_changed`; `reopened`,
    default in_progress) or priority (`priority_changed`). A `reassigned` event sets both
    ``department`` and ``assignee`` (one omitted is cleared)."""

    kind = serializers.ChoiceField(choices=APPENDABLE_KINDS)
    at = ranges.InstantField(
        required=False, help_text=_("When it happened; omitted: now. Events are in time order.")
    )
    to_value = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True, default=None
    )
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=_people(), required=False, allow_null=True, default=None
    )

    def new_event(self, data: dict, *, now: dt.datetime) -> NewEvent:
        return NewEvent(
            kind=data["kind"],
            at=data.get("at") or now,
            to_value=data.get("to_value", ""),
            note=data.get("note", ""),
            department=data.get("department"),
            assignee=data.get("assignee"),
        )


class IncidentCreateSerializer(serializers.Serializer):
    """Open an incident; ``events`` (optional) follow the opening, for imports of incidents
    with a history. A duplicate (``source_system``, ``external_id``) is refused with 409
    `duplicate_incident`; an impossible timeline with 400 `impossible_timeline` naming the event
    (`events[1].at`). Nothing is stored when refused."""

    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.all())
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    priority = serializers.ChoiceField(choices=Priority.choices)
    status = serializers.ChoiceField(
        choices=WORKING_CHOICES, default=IncidentStatus.NEW.value, help_text=_("At the opening.")
    )
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True, default=None
    )
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=_people(), required=False, allow_null=True, default=None
    )
    source_system = serializers.CharField(max_length=64, default="tamdesk")
    external_id = serializers.CharField(
        max_length=128, required=False, allow_blank=True, default=""
    )
    opened_at = ranges.InstantField(required=False, help_text=_("Omitted: now."))
    events = EventInputSerializer(many=True, required=False)


class IncidentUpdateSerializer(UpdateFieldsModelSerializer):
    """The words of an incident. Status, priority, assignment and times change with an event
    (``POST /incidents/{id}/events/``)."""

    class Meta:
        model = Incident
        fields = ["title", "description"]

    def validate(self, attrs: dict) -> dict:
        others = sorted(set(getattr(self, "initial_data", {}) or {}) - set(self.fields))
        if others:
            message = _("Changes with an event: POST /api/v1/incidents/{id}/events/.")
            raise serializers.ValidationError({key: [message] for key in others})
        return attrs


class IncidentEventSerializer(ranges.ModelSerializer):
    class Meta:
        model = IncidentEvent
        fields = ["seq", "kind", "at", "by", "from_value", "to_value", "note", "recorded_at"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        description=_(
            "Incidents, newest first, with the filters of the incident page. The clocks are the "
            "values last stored (see `measured_at`); retrieve one incident for clocks measured "
            "now."
        )
    ),
    retrieve=extend_schema(description=_("One incident, its clocks measured now.")),
    create=extend_schema(
        request=IncidentCreateSerializer,
        responses={
            201: IncidentSerializer,
            400: error_response(
                _("Invalid input (`invalid`, `impossible_timeline`, `invalid_assignee`).")
            ),
            409: error_response(_("`duplicate_incident`: the external id is known.")),
        },
    ),
    partial_update=extend_schema(request=IncidentUpdateSerializer),
)
class IncidentViewSet(RulesViewSet):
    """Incidents and their clocks. Everyone with a role reads the ones they may see (another is
    a 404); administrators, service
    managers, TAMs, department leads and engineers open them and record their events. They are
    never deleted."""

    queryset = Incident.objects.select_related(
        "client", "department", "assignee", "policy_version__policy"
    )
    serializer_class = IncidentSerializer
    filterset_class = IncidentFilter
    search_fields = ["title", "external_id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":
            return queryset.prefetch_related("clocks", "holds")
        return clocks.prefetched(queryset).prefetch_related("holds")

    def _represent(self, incident: Incident, status_code: int = 200) -> Response:
        incident = clocks.prefetched(self.queryset).get(pk=incident.pk)
        now = timezone.now()
        live = {kind: None for kind in ClockKind}
        for measured in clocks.measure([incident], now=now):
            live[measured.kind] = live_clock(measured, now=now)
        context = {
            **self.get_serializer_context(),
            "live_clocks": {incident.pk: live},
            "live_holds": {incident.pk: holds.measure_holds([incident], now=now)},
        }
        return Response(IncidentSerializer(incident, context=context).data, status=status_code)

    def retrieve(self, request, *args, **kwargs) -> Response:
        return self._represent(self.get_object())

    def create(self, request, *args, **kwargs) -> Response:
        serializer = IncidentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        now = timezone.now()
        events = [
            EventInputSerializer().new_event(item, now=now) for item in data.pop("events", [])
        ]
        data["opened_at"] = data.get("opened_at") or now
        incident = services.open_incident(**data, events=events, by=request.user, now=now)
        return self._represent(incident, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs) -> Response:
        incident = self.get_object()
        serializer = IncidentUpdateSerializer(incident, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return self._represent(incident)

    @extend_schema(
        methods=["GET"],
        operation_id="incidents_events_list",
        summary=_("The timeline"),
        responses={200: IncidentEventSerializer(many=True)},
    )
    @extend_schema(
        methods=["POST"],
        operation_id="incidents_events_create",
        summary=_("Append events"),
        description=_(
            "Append one event (an object) or several (a list) after the last one, then "
            "re-measure the clocks. An impossible timeline is refused with 400 "
            "`impossible_timeline` naming the event (`events[0].at`); nothing is stored. The "
            "response lists the events appended."
        ),
        request=EventInputSerializer(many=True),
        responses={
            201: IncidentEventSerializer(many=True),
            400: error_response(
                _("Invalid input (`invalid`, `impossible_timeline`, `invalid_assignee`).")
            ),
        },
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def events(self, request, pk=None) -> Response:
        incident = self.get_object()
        if request.method == "GET":
            timeline = incident.events.select_related("by").order_by("seq")
            return Response(IncidentEventSerializer(timeline, many=True).data)
        if not request.user.has_perm("sla.change_incident", incident):
            raise exceptions.PermissionDenied
        many = isinstance(request.data, list)
        serializer = EventInputSerializer(data=request.data, many=many)
        serializer.is_valid(raise_exception=True)
        items = serializer.validated_data if many else [serializer.validated_data]
        now = timezone.now()
        events = [EventInputSerializer().new_event(item, now=now) for item in items]
        before = incident.events.count()
        services.append_events(incident, events, by=request.user, now=now)
        appended = incident.events.filter(seq__gt=before).select_related("by").order_by("seq")
        return Response(
            IncidentEventSerializer(appended, many=True).data, status=status.HTTP_201_CREATED
        )
