"""Forms of the directory pages. ModelForms for plain records; plain forms for the records a
service writes (engineers, account-team assignments) — the view passes their cleaned data on."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tamdesk.core import ranges
from tamdesk.core.forms import VersionedFormMixin, VersionedModelForm
from tamdesk.core.roles import Role
from tamdesk.directory.choices import AccountRole, CompetencyField, CompetencyLevel
from tamdesk.directory.models import (
    AccountTeamAssignment,
    Client,
    Component,
    Contact,
    Department,
    Engineer,
    time_zone_choices,
    validate_time_zone,
)

User = get_user_model()
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def time_zone_field(model) -> forms.ChoiceField:
    """A select of the IANA time zones, starting at the model's default zone."""
    return forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        validators=[validate_time_zone],
        initial=model._meta.get_field("time_zone").default,
    )


class PersonChoiceField(forms.ModelChoiceField):
    """Users shown by their full name, with the user name to tell namesakes apart."""

    def label_from_instance(self, obj) -> str:
        full_name = obj.get_full_name()
        return f"{full_name} ({obj.get_username()})" if full_name else obj.get_username()


class DepartmentForm(VersionedModelForm):
    class Meta:
        model = Department
        fields = ["code", "name", "description", "lead", "queue_email", "calendar", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    fieldsets = [
        (None, ["code", "name"], {"columns": 2}),
        (None, ["description"]),
        (None, ["lead", "queue_email"], {"columns": 2}),
        (None, ["calendar", "is_active"]),
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = Engineer.objects.select_related("user")


class ClientForm(VersionedModelForm):
    time_zone = time_zone_field(Client)

    class Meta:
        model = Client
        fields = ["name", "code", "status", "tier", "time_zone", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}

    fieldsets = [
        (None, ["name", "code"], {"columns": 2}),
        (None, ["status", "tier", "time_zone"], {"columns": 3}),
        (None, ["notes"]),
    ]


class ContactForm(VersionedModelForm):
    class Meta:
        model = Contact
        fields = ["client", "name", "kind", "email", "phone", "messenger", "notes", "is_active"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    fieldsets = [
        (None, ["client", "kind"], {"columns": 2}),
        (None, ["name"]),
        (None, ["email", "phone", "messenger"], {"columns": 3}),
        (None, ["notes", "is_active"]),
    ]

    # One e-mail address per client: ``Contact.check_email``, called by the model's clean.


class ComponentForm(VersionedModelForm):
    url = forms.URLField(label=_("Link"), required=False, max_length=200, assume_scheme="https")

    class Meta:
        model = Component
        fields = ["client", "kind", "department", "name", "description", "identifiers", "url"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "identifiers": forms.Textarea(attrs={"rows": 3}),
        }

    fieldsets = [
        (None, ["client", "name"], {"columns": 2}),
        (None, ["kind", "department"], {"columns": 2}),
        (None, ["description", "identifiers", "url"]),
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # New components go to active departments; an existing one keeps its department.
        self.fields["department"].queryset = Department.objects.filter(
            Q(is_active=True) | Q(pk=self.instance.department_id)
        )


class AssignmentForm(forms.Form):
    """Put a person in a role on a client's account team (``services.assign_account_role``)."""

    client = forms.ModelChoiceField(label=_("Client"), queryset=Client.objects.all())
    role = forms.ChoiceField(label=_("Role"), choices=AccountRole.choices)
    user = PersonChoiceField(
        label=_("Person"),
        queryset=User.objects.filter(is_active=True).order_by(
            "last_name", "first_name", "username"
        ),
    )
    start_on = ranges.DayFormField(
        label=_("Start date"),
        widget=DATE_WIDGET,
        initial=timezone.localdate,
        help_text=_("The current holder of the role, if any, ends the day before."),
    )

    fieldsets = [(None, ["client", "role"], {"columns": 2}), (None, ["user", "start_on"])]

    def __init__(self, *args, instance=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance = instance


class AssignmentEndForm(VersionedFormMixin, forms.Form):
    """End an assignment on a date (``services.end_account_role``); the history is kept."""

    end_on = ranges.DayFormField(label=_("End date"), widget=DATE_WIDGET)

    def __init__(self, *args, instance: AccountTeamAssignment, **kwargs):
        kwargs.setdefault("initial", {"end_on": instance.end_on or timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.instance = instance


COMPETENCY_PREFIX = "competency_"


NO_PASSWORD_HELP = _("Leave empty: the account cannot log in until a password is set.")


class AccountFieldsForm(forms.Form):
    """The fields of a user account, shared by the engineer and the user-account forms; the
    user name and password are asked only when creating (subclasses drop them on edit)."""

    username = forms.CharField(
        label=_("User name"), max_length=150, validators=[UnicodeUsernameValidator()]
    )
    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=NO_PASSWORD_HELP,
    )
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    is_active = forms.BooleanField(label=_("Active account"), required=False)
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    def clean_password(self) -> str:
        password = self.cleaned_data.get("password", "")
        if password:
            user = getattr(self, "instance", None)
            if not isinstance(user, User):
                user = User(username=self.data.get("username", ""))
            password_validation.validate_password(password, user)
        return password


class EngineerForm(VersionedFormMixin, AccountFieldsForm):
    """An engineer's account, profile, roles and competencies (``services.create_engineer`` /
    ``update_engineer``). The user name and password are only asked when creating."""

    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.all())
    position = forms.CharField(label=_("Position"), max_length=200, required=False)
    time_zone = time_zone_field(Engineer)

    def __init__(self, *args, instance: Engineer | None = None, **kwargs):
        self.instance = instance
        if instance is not None:
            kwargs.setdefault("initial", self._initial_from(instance))
        else:
            kwargs.setdefault("initial", {"roles": [Role.ENGINEER.value]})
        super().__init__(*args, **kwargs)
        for value, label in CompetencyField.choices:
            self.fields[f"{COMPETENCY_PREFIX}{value}"] = forms.TypedChoiceField(
                label=label,
                choices=[("", "—"), *CompetencyLevel.choices],
                coerce=int,
                required=False,
                empty_value=None,
            )
        if instance is not None:
            del self.fields["username"], self.fields["password"]
        else:
            del self.fields["is_active"]
        self.fieldsets = [
            (_("Account"), ["username", "password", "first_name", "last_name"], {"columns": 2}),
            (None, ["email", "is_active"], {"columns": 2}),
            (_("Profile"), ["department", "position", "time_zone"], {"columns": 3}),
            (None, ["roles"]),
            (
                _("Competencies"),
                [f"{COMPETENCY_PREFIX}{value}" for value in CompetencyField.values],
                {"columns": 3, "help": _("Their own field and adjacent fields, with a level.")},
            ),
        ]

    @staticmethod
    def _initial_from(engineer: Engineer) -> dict:
        user = engineer.user
        initial = {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "is_active": user.is_active,
            "department": engineer.department_id,
            "position": engineer.position,
            "time_zone": engineer.time_zone,
            "roles": list(user.groups.values_list("name", flat=True)),
        }
        for competency in engineer.competencies.all():
            initial[f"{COMPETENCY_PREFIX}{competency.field}"] = competency.level
        return initial

    def service_arguments(self) -> dict:
        """The cleaned data as keyword arguments of ``create_engineer``/``update_engineer``."""
        data = dict(self.cleaned_data)
        competencies = {}
        for value in CompetencyField.values:
            level = data.pop(f"{COMPETENCY_PREFIX}{value}", None)
            if level:
                competencies[value] = level
        data["competencies"] = competencies
        if "password" in data:
            data["password"] = data["password"] or None
        return data


class UserForm(VersionedFormMixin, AccountFieldsForm):
    """A person's account and roles (``services.create_user`` / ``update_user``), for people
    who are not engineers too: service managers, programme leads."""

    def __init__(self, *args, instance=None, **kwargs):
        self.instance = instance
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "first_name": instance.first_name,
                    "last_name": instance.last_name,
                    "email": instance.email,
                    "is_active": instance.is_active,
                    "roles": list(instance.groups.values_list("name", flat=True)),
                },
            )
        super().__init__(*args, **kwargs)
        if instance is not None:
            del self.fields["username"]
            self.fields["password"].help_text = _("Leave empty to keep the current password.")
        else:
            del self.fields["is_active"]
            self.fields["password"].help_text = NO_PASSWORD_HELP
        self.fieldsets = [
            (_("Account"), ["username", "password", "first_name", "last_name"], {"columns": 2}),
            (None, ["email", "is_active"], {"columns": 2}),
            (None, ["roles"]),
        ]

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["password"] = data.get("password") or None
        return data
