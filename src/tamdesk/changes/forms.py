"""Forms of the changes pages. They validate input; the views hand the cleaned values to
``tamdesk.changes.services`` and show a ``DomainError`` on the field it names."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from tamdesk.changes.choices import DependencyKind
from tamdesk.changes.models import ChangeRequest, ChangeTemplate, DepartmentTask
from tamdesk.core import ranges
from tamdesk.core.forms import PersonChoiceField, VersionedFormMixin, VersionedModelForm
from tamdesk.directory.models import Client, Component, Contact, Department, assignable_people

User = get_user_model()
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
CHANGE_FIELDS = [
    "client",
    "title",
    "owner",
    "type",
    "priority",
    "description",
    "requested_on",
    "committed_on",
    "implementation_plan",
    "rollback_plan",
    "test_plan",
    "risk_notes",
]


def clients_for(user):
    """The clients a user may open a change for: all of them for administrators and service
    managers, the ones they manage for a TAM."""
    if user.has_perm("changes.change_changerequest", None):
        return Client.objects.all()
    if not user.has_perm("changes.add_changerequest", None):
        return Client.objects.none()
    return Client.objects.managed_by(user).distinct()


def owners():
    return User.objects.filter(is_active=True).order_by("last_name", "first_name", "username")


class ChangeForm(forms.ModelForm):
    """Open a change (``services.create_change``)."""

    owner = PersonChoiceField(
        label=_("Owner (TAM)"),
        queryset=owners(),
        required=False,
        help_text=_("You, when empty."),
    )

    class Meta:
        model = ChangeRequest
        fields = CHANGE_FIELDS
        widgets = {"requested_on": DATE_WIDGET, "committed_on": DATE_WIDGET}
        field_classes = {"requested_on": ranges.DayFormField, "committed_on": ranges.DayFormField}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients_for(user)


#: The fields of the change's edit page: ``services.CHANGE_FIELDS`` and the affected components.
CHANGE_EDIT_FIELDS = [
    "title",
    "type",
    "priority",
    "owner",
    "requesting_contact",
    "requested_on",
    "committed_on",
    "planned_start_at",
    "description",
    "affected_components",
    "implementation_plan",
    "rollback_plan",
    "test_plan",
    "risk_notes",
]


class ChangeEditForm(VersionedModelForm):
    """Edit a change (``services.update_change``). The client is not editable; the requesting
    contact and the affected components are the client's, of those ``user`` reads."""

    owner = PersonChoiceField(label=_("Owner (TAM)"), queryset=owners())
    fieldsets = [
        (_("Change"), ["title", "type", "priority", "owner", "requesting_contact"], {"columns": 2}),
        (_("Dates"), ["requested_on", "committed_on", "planned_start_at"], {"columns": 3}),
        (_("Scope"), ["description", "affected_components"]),
        (
            _("Plans"),
            ["implementation_plan", "rollback_plan", "test_plan", "risk_notes"],
            {"columns": 2},
        ),
    ]

    class Meta:
        model = ChangeRequest
        fields = CHANGE_EDIT_FIELDS
        widgets = {
            "requested_on": DATE_WIDGET,
            "committed_on": DATE_WIDGET,
            "planned_start_at": DATETIME_WIDGET,
            "description": forms.Textarea({"rows": 3}),
            "implementation_plan": forms.Textarea({"rows": 4}),
            "rollback_plan": forms.Textarea({"rows": 4}),
            "test_plan": forms.Textarea({"rows": 4}),
            "risk_notes": forms.Textarea({"rows": 4}),
        }
        field_classes = {
            "requested_on": ranges.DayFormField,
            "committed_on": ranges.DayFormField,
            "planned_start_at": ranges.InstantFormField,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        client_id = self.instance.client_id
        self.fields["requesting_contact"].queryset = Contact.objects.visible_to(user).filter(
            client_id=client_id
        )
        self.fields["affected_components"].queryset = Component.objects.visible_to(user).filter(
            client_id=client_id
        )

    def service_fields(self) -> dict:
        """The keyword arguments of ``services.update_change``."""
        return {name: self.cleaned_data[name] for name in CHANGE_EDIT_FIELDS}


class PlaybookForm(forms.Form):
    """Open a change from a playbook (``services.instantiate_template``)."""

    template = forms.ModelChoiceField(
        label=_("Playbook"), queryset=ChangeTemplate.objects.filter(is_active=True)
    )
    client = forms.ModelChoiceField(label=_("Client"), queryset=Client.objects.none())
    title = forms.CharField(
        label=_("Title"),
        max_length=300,
        required=False,
        help_text=_("The playbook's name, when empty."),
    )
    committed_on = ranges.DayFormField(
        label=_("Committed date"), required=False, widget=DATE_WIDGET
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients_for(user)


class TransitionForm(forms.Form):
    to = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea({"rows": 2}))


class TaskForm(forms.Form):
    """Add a department task to a change (``services.add_task``)."""

    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.all())
    title = forms.CharField(label=_("Title"), max_length=300)
    estimate_hours = ranges.hours_form_field(
        label=_("Estimate, working hours"), lowest=0, highest=ranges.MAX_TASK_HOURS
    )
    assignee = PersonChoiceField(
        label=_("Assignee"),
        queryset=assignable_people(),
        required=False,
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea({"rows": 2})
    )


class TaskEditForm(VersionedFormMixin, forms.Form):
    """Edit a task (``services.update_task``): the assignee must be an engineer of the task's
    department, which the service checks (shown on the field)."""

    title = forms.CharField(label=_("Title"), max_length=300)
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.all())
    assignee = PersonChoiceField(
        label=_("Assignee"),
        queryset=assignable_people(),
        required=False,
    )
    estimate_hours = ranges.hours_form_field(
        label=_("Estimate, working hours"), lowest=0, highest=ranges.MAX_TASK_HOURS
    )
    remaining_hours = ranges.hours_form_field(
        label=_("Remaining, working hours"),
        lowest=0,
        highest=ranges.MAX_TASK_HOURS,
        required=False,
        help_text=_("What is left of a task in progress; empty means the estimate."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea({"rows": 3})
    )

    def __init__(self, *args, instance: DepartmentTask, **kwargs):
        kwargs.setdefault("initial", self.initial_of(instance))
        super().__init__(*args, **kwargs)
        self.instance = instance

    @classmethod
    def initial_of(cls, task: DepartmentTask) -> dict:
        return {
            "title": task.title,
            "department": task.department_id,
            "assignee": task.assignee_id,
            "estimate_hours": task.estimate_hours,
            "remaining_hours": task.remaining_hours,
            "description": task.description,
        }


class TaskActionForm(forms.Form):
    """The reason of a task action: required to block; the override reason to start a task
    before its predecessors."""

    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)


class DependencyForm(forms.Form):
    """Make a task of the change wait for another (``services.add_dependency``)."""

    predecessor = forms.ModelChoiceField(label=_("Predecessor"), queryset=DepartmentTask.objects)
    successor = forms.ModelChoiceField(label=_("Successor"), queryset=DepartmentTask.objects)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=DependencyKind.choices, initial=DependencyKind.FINISH_TO_START
    )
    lag_hours = ranges.hours_form_field(
        label=_("Lag, working hours"),
        lowest=-ranges.MAX_LAG_HOURS,
        highest=ranges.MAX_LAG_HOURS,
        initial=0,
    )

    def __init__(self, *args, change: ChangeRequest, tasks=None, **kwargs):
        super().__init__(*args, **kwargs)
        queryset = DepartmentTask.objects.filter(change=change).order_by("position", "pk")
        for name in ("predecessor", "successor"):
            self.fields[name].queryset = queryset
            if tasks is not None:  # the page's tasks: no query per option list
                self.fields[name].choices = [("", "---------")] + [(t.pk, t.title) for t in tasks]


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea({"rows": 3}))


class StatusUpdateForm(forms.Form):
    """The sender's note of a status update to the client's contacts
    (``status_updates.send_status_update``)."""

    note = forms.CharField(
        label=_("Note to the client"),
        required=False,
        max_length=2000,
        widget=forms.Textarea({"rows": 4}),
        help_text=_("Optional; both messages carry it, and the activity timeline records it."),
    )
