"""The REST API of the directory under ``/api/v1/`` (routes in ``tamdesk.config.api_urls``).

Serializers validate and represent; viewsets check permissions through the rules predicates and
call ``tamdesk.directory.services`` for every write that carries a business rule. Errors use the
one shape of ``tamdesk.core.api.exception_handler``, documented as the ``Error`` component.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, serializers

from tamdesk.core import ranges
from tamdesk.core.roles import Role
from tamdesk.core.viewsets import (  # noqa: F401  (ApiSchema and ErrorSerializer were here)
    ApiSchema,
    ErrorSerializer,
    RulesViewSet,
    UpdateFieldsModelSerializer,
    error_response,
)
from tamdesk.directory import services
from tamdesk.directory.filters import (
    AccountTeamAssignmentFilter,
    ClientFilter,
    ComponentFilter,
    ContactFilter,
    DepartmentFilter,
    EngineerFilter,
)
from tamdesk.directory.models import (
    AccountTeamAssignment,
    Client,
    Competency,
    Component,
    Contact,
    Department,
    Engineer,
)
from tamdesk.directory.permissions import department_fields_editable_by

User = get_user_model()


# --- the shared viewset --------------------------------------------------------------------------


class DirectoryViewSet(RulesViewSet):
    """CRUD guarded by ``directory.<verb>_<model>`` rules.

    ``parent_field`` names the client a record belongs to: adding such a record (or moving it to
    another client) is checked against that client once the input is valid.
    """

    parent_field: str | None = None
    parent_denied_messages = {
        "add": _("You may not add this record to this client."),
        "change": _("You may not move this record to this client."),
    }

    def create_permission(self) -> str:
        # Records of a client are checked against it in perform_create; up front, the user
        # must at least be someone who reads the directory.
        return self.permission_name("view" if self.parent_field else "add")

    def check_parent_permission(self, verb: str, parent) -> None:
        if not self.request.user.has_perm(self.permission_name(verb), parent):
            raise exceptions.PermissionDenied(self.parent_denied_messages[verb])

    def perform_create(self, serializer) -> None:
        with transaction.atomic():
            if self.parent_field:
                self.check_parent_permission("add", serializer.validated_data[self.parent_field])
            serializer.save()

    def perform_update(self, serializer) -> None:
        with transaction.atomic():
            parent = serializer.validated_data.get(self.parent_field) if self.parent_field else None
            if parent is not None and parent != getattr(serializer.instance, self.parent_field):
                self.check_parent_permission("change", parent)
            serializer.save()


# --- serializers ---------------------------------------------------------------------------------


TIMESTAMPS = ["created_at", "updated_at"]


class DepartmentSerializer(UpdateFieldsModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "code", "name", "description", "lead", "queue_email", "calendar"]
        fields += ["is_active", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS


class CompetencySerializer(ranges.ModelSerializer):
    class Meta:
        model = Competency
        fields = ["field", "level"]

    def validate(self, attrs: dict) -> dict:
        # A partial update of the engineer makes its nested items partial too: require them.
        missing = {name: [_("This field is required.")] for name in self.Meta.fields}
        for name in attrs:
            missing.pop(name, None)
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


class RoleListField(serializers.ListField):
    """The engineer's roles (the role groups of the user), written as a list of role names."""

    child = serializers.ChoiceField(choices=Role.choices)

    def __init__(self, **kwargs):
        super().__init__(source="*", **kwargs)

    def to_representation(self, engineer) -> list[str]:
        names = {group.name for group in engineer.user.groups.all()}
        return [role.value for role in Role if role.value in names]

    def to_internal_value(self, data) -> dict:
        return {"roles": list(dict.fromkeys(super().to_internal_value(data)))}


class EngineerSerializer(UpdateFieldsModelSerializer):
    """An engineer with the account fields of their user flattened in."""

    username = serializers.CharField(
        source="user.username", max_length=150, validators=[UnicodeUsernameValidator()]
    )
    first_name = serializers.CharField(
        source="user.first_name", max_length=150, required=False, allow_blank=True
    )
    last_name = serializers.CharField(
        source="user.last_name", max_length=150, required=False, allow_blank=True
    )
    email = serializers.EmailField(source="user.email", required=False, allow_blank=True)
    is_active = serializers.BooleanField(
        source="user.is_active",
        required=False,
        help_text=_("Whether the account may log in; new accounts are active unless false."),
    )
    roles = RoleListField(
        required=False,
        help_text=_("Role names. Omitted: Engineer for a new account, unchanged on update."),
    )
    competencies = CompetencySerializer(many=True, required=False)

    class Meta:
        model = Engineer
        fields = ["id", "user", "username", "first_name", "last_name", "email", "is_active"]
        fields += ["department", "position", "time_zone", "roles", "competencies"]
        fields += TIMESTAMPS
        read_only_fields = ["user", *TIMESTAMPS]
        extra_kwargs = {
            "user": {"help_text": _("The user account; account-team assignments refer to it.")}
        }

    def validate_username(self, value: str) -> str:
        if self.instance is not None and value != self.instance.user.username:
            raise serializers.ValidationError(_("The user name cannot be changed."))
        return value

    def validate_competencies(self, value: list[dict]) -> list[dict]:
        fields = [item["field"] for item in value]
        if len(fields) != len(set(fields)):
            raise serializers.ValidationError(_("Each field may be listed only once."))
        return value


class ClientSerializer(UpdateFieldsModelSerializer):
    class Meta:
        model = Client
        fields = ["id", "name", "code", "status", "tier", "time_zone", "notes", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS


def _taken(model, *, client, exclude_pk, **lookup) -> bool:
    return model.objects.filter(client=client, **lookup).exclude(pk=exclude_pk).exists()


class ContactSerializer(UpdateFieldsModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", "client", "name", "email", "phone", "messenger", "kind", "notes"]
        fields += ["is_active", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS
        # The per-client e-mail rule is the model's (``Contact.check_email``), called in
        # validate() to report it on the field.
        validators = []

    def validate(self, attrs: dict) -> dict:
        Contact(
            pk=getattr(self.instance, "pk", None),
            client=attrs.get("client", getattr(self.instance, "client", None)),
            email=attrs.get("email", getattr(self.instance, "email", "")),
        ).check_email()
        return attrs


class ComponentSerializer(UpdateFieldsModelSerializer):
    class Meta:
        model = Component
        fields = ["id", "client", "kind", "department", "name", "description", "identifiers"]
        fields += ["url", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS
        # The per-client name rule is checked in validate() to report it on the field.
        validators = []

    def validate(self, attrs: dict) -> dict:
        client = attrs.get("client", getattr(self.instance, "client", None))
        name = attrs.get("name", getattr(self.instance, "name", ""))
        pk = getattr(self.instance, "pk", None)
        if _taken(Component, client=client, exclude_pk=pk, name=name):
            raise serializers.ValidationError(
                {"name": _("The client already has a component with this name.")}
            )
        return attrs


class AccountTeamAssignmentSerializer(UpdateFieldsModelSerializer):
    """Creating an assignment ends the previous holder's (see ``assign_account_role``)."""

    is_current = serializers.BooleanField(read_only=True)

    class Meta:
        model = AccountTeamAssignment
        fields = ["id", "client", "role", "user", "start_on", "end_on", "is_current"]
        fields += TIMESTAMPS
        read_only_fields = ["end_on", *TIMESTAMPS]
        # One open assignment per role is the service's rule (it ends the previous one).
        validators = []
        extra_kwargs = {"user": {"queryset": User.objects.filter(is_active=True)}}


class AccountTeamAssignmentUpdateSerializer(AccountTeamAssignmentSerializer):
    """After creation only the end date changes; history is kept, not rewritten."""

    class Meta(AccountTeamAssignmentSerializer.Meta):
        read_only_fields = ["client", "role", "user", "start_on", *TIMESTAMPS]
        extra_kwargs = {"end_on": {"required": True, "allow_null": False}}


# --- viewsets ------------------------------------------------------------------------------------


class DepartmentViewSet(DirectoryViewSet):
    """Departments of the engineering organisation. Administrators create, change and delete
    them; a department's lead changes its `name`, `description` and `queue_email` (a change to
    another field is 403 `permission_denied` naming it, and nothing is saved). A department
    that still has engineers or components cannot be deleted (409 `department_in_use`)."""

    queryset = Department.objects.all()
    serializer_class = DepartmentSerializer
    filterset_class = DepartmentFilter
    search_fields = ["code", "name", "description"]

    def perform_update(self, serializer: DepartmentSerializer) -> None:
        department = serializer.instance
        editable = department_fields_editable_by(self.request.user, department)
        refused = sorted(
            name
            for name, value in serializer.validated_data.items()
            if name not in editable and value != getattr(department, name)
        )
        if refused:
            raise exceptions.PermissionDenied(
                _("You may not change these fields of the department: %(fields)s.")
                % {"fields": ", ".join(refused)}
            )
        calendar_id_before = department.calendar_id
        super().perform_update(serializer)
        services.department_edited(serializer.instance, calendar_id_before=calendar_id_before)

    def perform_destroy(self, instance: Department) -> None:
        services.delete_department(instance, by=self.request.user)


ACCOUNT_FIELDS = ["username", "first_name", "last_name", "email", "is_active"]
PROFILE_FIELDS = ["department", "position", "time_zone", "roles"]


def _engineer_input(data: dict) -> dict:
    """Service keyword arguments for the values present in the validated data."""
    account = data.get("user", {})
    values = {key: account[key] for key in ACCOUNT_FIELDS if key in account}
    values.update({key: data[key] for key in PROFILE_FIELDS if key in data})
    if "competencies" in data:
        values["competencies"] = {item["field"]: item["level"] for item in data["competencies"]}
    return values


def _engineer_current(engineer: Engineer) -> dict:
    """The engineer's values as ``update_engineer`` arguments (roles and competencies kept)."""
    user = engineer.user
    return {
        "department": engineer.department,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "position": engineer.position,
        "time_zone": engineer.time_zone,
        "is_active": user.is_active,
    }


class EngineerViewSet(DirectoryViewSet):
    """Engineers with their user account, roles and competencies. Only administrators change
    them; an engineer who is or was on an account team is deactivated rather than deleted."""

    queryset = Engineer.objects.select_related("user", "department").prefetch_related(
        "user__groups", "competencies"
    )
    serializer_class = EngineerSerializer
    filterset_class = EngineerFilter
    search_fields = [
        "user__username",
        "user__first_name",
        "user__last_name",
        "user__email",
        "position",
    ]

    def rows_to_lock(self, obj: Engineer) -> list:
        # The profile, then its account (as deleting an engineer does).
        return [obj, obj.user]

    def version_values(self, obj: Engineer) -> dict:
        """The profile, and the account, roles and competencies the representation shows."""
        user = obj.user
        return {
            **super().version_values(obj),
            **{f"user.{name}": getattr(user, name) for name in ACCOUNT_FIELDS},
            "roles": sorted(group.name for group in user.groups.all()),
            "competencies": sorted((c.field, c.level) for c in obj.competencies.all()),
        }

    def perform_create(self, serializer: EngineerSerializer) -> None:
        values = _engineer_input(serializer.validated_data)
        is_active = values.pop("is_active", True)
        with transaction.atomic():
            engineer = services.create_engineer(**values, by=self.request.user)
            if not is_active:
                current = {**_engineer_current(engineer), "is_active": False}
                services.update_engineer(engineer, **current, by=self.request.user)
        serializer.instance = self.get_queryset().get(pk=engineer.pk)

    def perform_update(self, serializer: EngineerSerializer) -> None:
        engineer = serializer.instance
        values = _engineer_input(serializer.validated_data)
        values.pop("username", None)  # validated as unchanged
        services.update_engineer(
            engineer, **{**_engineer_current(engineer), **values}, by=self.request.user
        )
        serializer.instance = self.get_queryset().get(pk=engineer.pk)

    def perform_destroy(self, instance: Engineer) -> None:
        services.delete_engineer(instance, by=self.request.user)


class ClientViewSet(DirectoryViewSet):
    """Clients. A TAM edits their own clients. A client with contacts, components or an
    account-team history cannot be deleted (409 `client_in_use`); set its status to "former"."""

    queryset = Client.objects.all()
    serializer_class = ClientSerializer
    filterset_class = ClientFilter
    search_fields = ["name", "code", "notes"]

    def perform_destroy(self, instance: Client) -> None:
        services.delete_client(instance, by=self.request.user)


class ContactViewSet(DirectoryViewSet):
    """A client's people. Service managers and the client's TAM edit them."""

    queryset = Contact.objects.select_related("client")
    serializer_class = ContactSerializer
    filterset_class = ContactFilter
    search_fields = ["name", "email", "phone", "messenger", "client__name"]
    parent_field = "client"


@extend_schema_view(
    # The answer is the whole assignment, whose end date may still be open (null).
    update=extend_schema(responses=AccountTeamAssignmentSerializer),
    partial_update=extend_schema(responses=AccountTeamAssignmentSerializer),
)
class AccountTeamAssignmentViewSet(DirectoryViewSet):
    """Who holds which role on a client's account team, and when. Creating an assignment ends the
    previous holder's; afterwards only the end date can be set."""

    queryset = AccountTeamAssignment.objects.select_related("client", "user")
    serializer_class = AccountTeamAssignmentSerializer
    filterset_class = AccountTeamAssignmentFilter
    search_fields = ["client__name", "user__username", "user__first_name", "user__last_name"]
    parent_field = "client"

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return AccountTeamAssignmentUpdateSerializer
        return AccountTeamAssignmentSerializer

    def perform_create(self, serializer: AccountTeamAssignmentSerializer) -> None:
        data = serializer.validated_data
        with transaction.atomic():
            self.check_parent_permission("add", data["client"])
            serializer.instance = services.assign_account_role(
                client=data["client"],
                role=data["role"],
                user=data["user"],
                start_on=data.get("start_on") or timezone.localdate(),
                by=self.request.user,
            )

    def perform_update(self, serializer: AccountTeamAssignmentUpdateSerializer) -> None:
        assignment = serializer.instance
        if "end_on" in serializer.validated_data:
            services.end_account_role(
                assignment, end_on=serializer.validated_data["end_on"], by=self.request.user
            )
        serializer.instance = self.get_queryset().get(pk=assignment.pk)


class ComponentViewSet(DirectoryViewSet):
    """The client's landscape. The client's TAM and architect edit it."""

    queryset = Component.objects.select_related("client", "department")
    serializer_class = ComponentSerializer
    filterset_class = ComponentFilter
    search_fields = ["name", "description", "identifiers", "client__name"]
    parent_field = "client"
