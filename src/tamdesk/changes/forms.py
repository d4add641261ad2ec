"""Forms of the changes pages. They validate input; the views hand the cleaned values to
``tamdesk.changes.services`` and show a ``DomainError`` on the field it names."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from tamdesk.changes.choices import DependencyKind
from tamdesk.changes.models import HOURS, ChangeRequest, ChangeTemplate, DepartmentTask
from tamdesk.core.forms import PersonChoiceField
from tamdesk.directory.models import Client, Department

User = get_user_model()
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
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

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients_for(user)


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
    committed_on = forms.DateField(label=_("Committed date"), required=False, widget=DATE_WIDGET)

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
    estimate_hours = forms.DecimalField(label=_("Estimate, working hours"), min_value=0, **HOURS)
    assignee = PersonChoiceField(
        label=_("Assignee"),
        queryset=User.objects.filter(is_active=True, engineer__isnull=False).order_by(
            "last_name", "first_name", "username"
        ),
        required=False,
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea({"rows": 2})
    )


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
    lag_hours = forms.DecimalField(label=_("Lag, working hours"), initial=0, **HOURS)

    def __init__(self, *args, change: ChangeRequest, tasks=None, **kwargs):
        super().__init__(*args, **kwargs)
        queryset = DepartmentTask.objects.filter(change=change).order_by("position", "pk")
        for name in ("predecessor", "successor"):
            self.fields[name].queryset = queryset
            if tasks is not None:  # the page's tasks: no query per option list
                self.fields[name].choices = [("", "---------")] + [(t.pk, t.title) for t in tasks]


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea({"rows": 3}))
