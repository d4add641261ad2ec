"""Forms of the SLA pages. Working durations are written ``H:MM`` (hours may pass 24: a target
is working time), date-times in the viewer's time zone; the views pass the cleaned data to the
services, which have the last word (their refusals come back as field errors)."""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tamdesk.calendars.models import Calendar
from tamdesk.core import ranges
from tamdesk.core.forms import PersonChoiceField, VersionedFormMixin, VersionedModelForm
from tamdesk.directory.choices import ClientTier
from tamdesk.directory.models import Client, Department, assignable_people
from tamdesk.sla import terms, timeline
from tamdesk.sla.choices import (
    PAUSABLE_STATUSES,
    WORKING_STATUSES,
    IncidentEventKind,
    IncidentStatus,
    Priority,
)
from tamdesk.sla.imports import inbound
from tamdesk.sla.imports.mapping import MappingError
from tamdesk.sla.models import (
    DEFAULT_PAUSE_STATUSES,
    DEFAULT_THRESHOLDS,
    Incident,
    IncidentSource,
    OLATarget,
    SLAPolicy,
)
from tamdesk.sla.services import NewEvent

User = get_user_model()
#: A live source's mapping text, at most (a mapping file is a few hundred lines at most).
MAX_MAPPING_CHARS = 20_000
DURATION = re.compile(r"^\s*(\d{1,5}):([0-5]\d)\s*$")


class DateTimeLocalField(ranges.InstantFormField):
    """A date and time picked in the browser (``<input type="datetime-local">``), read in the
    current (the viewer's) time zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class WorkingDurationField(forms.CharField):
    """Working time as ``H:MM`` ↔ seconds (``4:00`` → 14400; ``40:00`` is five 8-hour days)."""

    default_error_messages = {"invalid": _("Enter the time as H:MM, e.g. 4:00 or 0:30.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"placeholder": "H:MM", "inputmode": "numeric", "maxlength": 8}),
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, int):
            return f"{value // 3600}:{value % 3600 // 60:02d}"
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        match = DURATION.match(value)
        if not match:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        seconds = int(match[1]) * 3600 + int(match[2]) * 60
        if seconds > ranges.MAX_TARGET_SECONDS:
            raise ValidationError(
                _("Enter at most %(hours)d:00.") % {"hours": ranges.MAX_TARGET_HOURS},
                code="out_of_range",
            )
        return seconds


class PauseStatusesField(forms.MultipleChoiceField):
    """Statuses that pause a clock: offered are the pausable ones; another incident status is
    refused with the rule's message (``terms.pause_refusal``)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", _status_choices(PAUSABLE_STATUSES))
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        kwargs.setdefault("required", False)
        kwargs.setdefault("initial", DEFAULT_PAUSE_STATUSES)
        super().__init__(**kwargs)

    def valid_value(self, value) -> bool:
        return value in IncidentStatus.values

    def validate(self, value) -> None:
        super().validate(value)
        for status in value:
            refusal = terms.pause_refusal(status)
            if refusal:
                raise ValidationError(refusal, code="invalid")


class ThresholdsField(forms.CharField):
    """Warning thresholds as ``50, 75`` → ``[50, 75]``."""

    def to_python(self, value):
        value = super().to_python(value)
        if isinstance(value, (list, tuple)):
            return sorted({int(v) for v in value})
        percents = set()
        for part in re.split(r"[,;\s]+", value or ""):
            if not part:
                continue
            try:
                percent = int(part.rstrip("%"))
            except ValueError:
                raise ValidationError(
                    _("Give whole percentages separated by commas, e.g. 50, 75."), code="invalid"
                ) from None
            refusal = terms.threshold_refusal(percent)
            if refusal:
                raise ValidationError(refusal, code="invalid")
            percents.add(percent)
        return sorted(percents)

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return ", ".join(str(v) for v in value)
        return value


def _status_choices(statuses) -> list[tuple[str, str]]:
    return [(IncidentStatus(s).value, IncidentStatus(s).label) for s in statuses]


# --- incidents -----------------------------------------------------------------------------


class IncidentOpenForm(forms.Form):
    """Open an incident (``services.open_incident``); ``opened_at`` may be in the past. Whoever
    may open incidents opens one for any client (the write rule, as in the API), so the client
    choice is not limited to the clients one reads (``scoping.restrict_choices``); having opened
    it, one reads the incident."""

    choices_beyond_reading = ("client",)

    client = forms.ModelChoiceField(label=_("Client"), queryset=Client.objects.all())
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=_status_choices(WORKING_STATUSES),
        initial=IncidentStatus.NEW,
    )
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.filter(is_active=True), required=False
    )
    assignee = PersonChoiceField(label=_("Assignee"), queryset=User.objects.none(), required=False)
    source_system = forms.CharField(
        label=_("Source system"),
        max_length=64,
        initial="tamdesk",
        help_text=_("Where the incident comes from, e.g. zabbix or the client's service desk."),
    )
    external_id = forms.CharField(
        label=_("External id"),
        max_length=128,
        required=False,
        help_text=_("Its id in the source system; the same id cannot be imported twice."),
    )
    opened_at = DateTimeLocalField(
        label=_("Opened at"), required=False, help_text=_("Empty: now. In your time zone.")
    )

    fieldsets = [
        (None, ["client", "title", "description"]),
        (None, ["priority", "status"], {"columns": 2}),
        (_("Assignment"), ["department", "assignee"], {"columns": 2}),
        (_("Origin"), ["source_system", "external_id", "opened_at"], {"columns": 3}),
    ]

    def __init__(self, *args, instance=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance = instance
        self.fields["assignee"].queryset = assignable_people()

    def service_arguments(self, *, now) -> dict:
        data = dict(self.cleaned_data)
        data["opened_at"] = data["opened_at"] or now
        data["external_id"] = data["external_id"].strip()
        data["source_system"] = data["source_system"].strip()
        return data


class IncidentEditForm(VersionedModelForm):
    """What may be edited of an incident: its words. Everything else is a timeline event."""

    class Meta:
        model = Incident
        fields = ["title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}


#: The fields each kind of event asks for, beside ``at`` and ``note``.
EVENT_FIELDS = {
    IncidentEventKind.FIRST_RESPONSE: [],
    IncidentEventKind.STATUS_CHANGED: ["status"],
    IncidentEventKind.REASSIGNED: ["department", "assignee"],
    IncidentEventKind.PRIORITY_CHANGED: ["priority"],
    IncidentEventKind.RESOLVED: [],
    IncidentEventKind.REOPENED: ["status"],
    IncidentEventKind.CLOSED: [],
    IncidentEventKind.COMMENT: [],
}


#: The order the event form offers the kinds in: what moves the incident on comes first.
EVENT_KIND_ORDER = [
    IncidentEventKind.FIRST_RESPONSE,
    IncidentEventKind.STATUS_CHANGED,
    IncidentEventKind.REOPENED,
    IncidentEventKind.CLOSED,
    IncidentEventKind.REASSIGNED,
    IncidentEventKind.PRIORITY_CHANGED,
    IncidentEventKind.RESOLVED,
    IncidentEventKind.COMMENT,
]


def event_kinds_for(incident: Incident) -> list[str]:
    """The kinds of event the incident takes as it is now: those the timeline rules allow
    (``timeline.kinds_allowed``), in ``EVENT_KIND_ORDER``."""
    allowed = timeline.kinds_allowed(
        incident.status, responded=incident.first_response_at is not None
    )
    return [kind for kind in EVENT_KIND_ORDER if kind in allowed]


class IncidentEventForm(forms.Form):
    """One event appended to an incident's timeline (``services.append_events``). The fields
    follow the kind of event; changing the kind swaps the form (htmx)."""

    kind = forms.ChoiceField(label=_("Event"))
    status = forms.ChoiceField(label=_("Status"))
    priority = forms.ChoiceField(label=_("Priority"))
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.filter(is_active=True), required=False
    )
    assignee = PersonChoiceField(label=_("Assignee"), queryset=User.objects.none(), required=False)
    at = DateTimeLocalField(
        label=_("At"), required=False, help_text=_("Empty: now. In your time zone.")
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, incident: Incident, kind: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.incident = incident
        kinds = event_kinds_for(incident)
        self.fields["kind"].choices = [(k, IncidentEventKind(k).label) for k in kinds]
        wanted = kind or (self.data.get("kind") if self.is_bound else None)
        self.kind = wanted if wanted in kinds else kinds[0]
        self.fields["kind"].initial = self.kind
        self.fields["kind"].widget.attrs.update(
            {
                "hx-get": reverse("sla:incident_event_create", args=[incident.pk]),
                "hx-trigger": "change",
                "hx-target": "#event-form",
                "hx-swap": "outerHTML",
                "hx-include": "closest form",
            }
        )
        if self.kind == IncidentEventKind.REOPENED:
            self.fields["status"].choices = _status_choices(
                [s for s in WORKING_STATUSES if s != IncidentStatus.NEW]
            )
            self.fields["status"].initial = IncidentStatus.IN_PROGRESS
        else:
            self.fields["status"].choices = _status_choices(
                [s for s in WORKING_STATUSES if s != incident.status]
            )
        self.fields["priority"].choices = [
            (value, label) for value, label in Priority.choices if value != incident.priority
        ]
        self.fields["assignee"].queryset = assignable_people()
        if self.kind == IncidentEventKind.REASSIGNED:
            self.fields["department"].initial = incident.department_id
            self.fields["assignee"].initial = incident.assignee_id
        for name in ("status", "priority", "department", "assignee"):
            if name not in EVENT_FIELDS[self.kind]:
                del self.fields[name]

    def clean(self):
        data = super().clean()
        if self.kind == IncidentEventKind.REASSIGNED and not (
            data.get("department") or data.get("assignee")
        ):
            raise ValidationError(_("Choose a department, a person, or both."))
        return data

    def new_event(self, *, now) -> NewEvent:
        data = self.cleaned_data
        to_value = ""
        if self.kind in (IncidentEventKind.STATUS_CHANGED, IncidentEventKind.REOPENED):
            to_value = data["status"]
        elif self.kind == IncidentEventKind.PRIORITY_CHANGED:
            to_value = data["priority"]
        return NewEvent(
            kind=self.kind,
            at=data.get("at") or now,
            to_value=to_value,
            note=data.get("note", ""),
            department=data.get("department"),
            assignee=data.get("assignee"),
        )

    def field_for(self, service_field: str | None) -> str | None:
        """The form field for a timeline refusal's field (``events[0].at`` → ``at``)."""
        if not service_field:
            return None
        name = service_field.rsplit(".", 1)[-1]
        if name == "to_value":
            name = "priority" if self.kind == IncidentEventKind.PRIORITY_CHANGED else "status"
        return name if name in self.fields else None


# --- policies ------------------------------------------------------------------------------


def _target_field(priority: str, clock: str) -> str:
    return f"{clock}_{priority}"


class PolicyTermsForm(VersionedFormMixin, forms.Form):
    """The terms of a policy version (``services.add_policy_version``): from when, measured in
    which calendar, the targets per priority, warning thresholds and pausing statuses. A new
    version starts from the terms in force; if someone adds a version meanwhile, saving is
    refused with their changes (the start, filled in with now, is not compared)."""

    version_exclude = ("valid_from",)

    valid_from = DateTimeLocalField(
        label=_("Valid from"),
        help_text=_("In your time zone. The previous version ends here."),
    )
    calendar = forms.ModelChoiceField(
        label=_("Calendar"),
        queryset=Calendar.objects.all(),
        required=False,
        empty_label=_("24×7 (no calendar)"),
        help_text=_("The working time the targets are measured in."),
    )
    warning_thresholds = ThresholdsField(
        label=_("Warning thresholds, %"),
        required=False,
        initial=DEFAULT_THRESHOLDS,
        help_text=_("Percentages of a target at which people are warned, e.g. 50, 75."),
    )
    reaction_pause_statuses = PauseStatusesField(label=_("Statuses that pause the reaction clock"))
    resolution_pause_statuses = PauseStatusesField(
        label=_("Statuses that pause the resolution clock")
    )
    note = forms.CharField(
        label=_("What changed"),
        max_length=300,
        required=False,
        help_text=_("A line for the history, e.g. the contract amendment."),
    )

    terms_fields = ["valid_from", "calendar"]
    tail_fields = [
        "warning_thresholds",
        "reaction_pause_statuses",
        "resolution_pause_statuses",
        "note",
    ]

    def __init__(self, *args, instance: SLAPolicy | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance = instance
        for priority, label in Priority.choices:
            for clock, clock_label in (
                ("reaction", _("Reaction")),
                ("resolution", _("Resolution")),
            ):
                self.fields[_target_field(priority, clock)] = WorkingDurationField(
                    label=f"{label} — {clock_label}"
                )
        self.fieldsets = [(_("Terms"), self.terms_fields, {"columns": 2})]

    def initial_from(self, version) -> None:
        """Start from the terms of ``version`` (the one in force), to change what differs."""
        if version is None:
            return
        self.initial.update(
            {
                "calendar": version.calendar_id,
                "warning_thresholds": version.warning_thresholds,
                "reaction_pause_statuses": version.reaction_pause_statuses,
                "resolution_pause_statuses": version.resolution_pause_statuses,
            }
        )
        for target in version.targets.all():
            self.initial[_target_field(target.priority, "reaction")] = target.reaction_seconds
            self.initial[_target_field(target.priority, "resolution")] = target.resolution_seconds

    @property
    def target_rows(self) -> list[dict]:
        return [
            {
                "priority": priority,
                "label": label,
                "reaction": self[_target_field(priority, "reaction")],
                "resolution": self[_target_field(priority, "resolution")],
            }
            for priority, label in Priority.choices
        ]

    @property
    def tail(self) -> list[forms.BoundField]:
        return [self[name] for name in self.tail_fields]

    def clean(self):
        data = super().clean()
        targets = {}
        for priority, _label in Priority.choices:
            names = [_target_field(priority, clock) for clock in ("reaction", "resolution")]
            if any(name in self.errors for name in names):
                continue
            reaction, resolution = (data.get(name) for name in names)
            if reaction is None and resolution is None:
                continue
            for name, value in zip(names, (reaction, resolution), strict=True):
                if value is None:
                    self.add_error(name, _("Give both targets of the priority, or neither."))
                elif refusal := terms.target_refusal(value):
                    self.add_error(name, refusal)
            targets[priority] = (reaction, resolution)
        if not self.errors and (refusal := terms.no_target_refusal(targets)):
            raise ValidationError(refusal)
        data["targets"] = targets
        return data

    def terms(self) -> dict:
        data = self.cleaned_data
        return {
            "valid_from": data["valid_from"],
            "calendar": data["calendar"],
            "targets": data["targets"],
            "warning_thresholds": data["warning_thresholds"],
            "reaction_pause_statuses": data["reaction_pause_statuses"],
            "resolution_pause_statuses": data["resolution_pause_statuses"],
            "note": data["note"],
        }


class PolicyCreateForm(PolicyTermsForm):
    """A policy for one client or for a client tier, with the terms of its first version
    (``services.create_policy``)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    client = forms.ModelChoiceField(
        label=_("Client"),
        queryset=Client.objects.filter(sla_policy__isnull=True),
        required=False,
        help_text=_("The client the policy is for…"),
    )
    tier = forms.ChoiceField(
        label=_("Tier"),
        choices=[("", "---------"), *ClientTier.choices],
        required=False,
        help_text=_("…or the tier whose clients without a policy of their own it applies to."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fieldsets = [
            (None, ["name"]),
            (None, ["client", "tier"], {"columns": 2}),
            (None, ["description"]),
            *self.fieldsets,
        ]

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if SLAPolicy.objects.filter(name=name).exists():
            raise ValidationError(_("A policy with this name exists."))
        return name

    def clean(self):
        data = super().clean()
        if "client" in data and "tier" in data and (data["client"] is None) == (not data["tier"]):
            self.add_error("client", _("Choose a client or a tier (one of them)."))
        return data

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "client": data["client"],
            "tier": data["tier"],
            "description": data["description"],
            **self.terms(),
        }


class PolicyEditForm(VersionedModelForm):
    """A policy's name and description; its terms change with a new version."""

    class Meta:
        model = SLAPolicy
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class IncidentSourceForm(VersionedModelForm):
    """A live incident source: its preset, mapping (checked as the deliveries will be read), the
    fixed client and time zone. The token is made by the service, never edited here."""

    mapping = forms.CharField(
        label=_("Mapping"),
        required=False,
        max_length=MAX_MAPPING_CHARS,
        widget=forms.Textarea(attrs={"rows": 10, "class": "font-monospace"}),
        help_text=_(
            "The mapping file's text (TOML), as for a file import; empty: the preset's. A live "
            'source reads one row per update (shape = "event").'
        ),
    )

    class Meta:
        model = IncidentSource
        fields = ["name", "preset", "source_system", "client", "time_zone", "mapping", "is_active"]

    fieldsets = [
        (None, ["name", "preset"], {"columns": 2}),
        (None, ["source_system", "client", "time_zone"], {"columns": 3}),
        (None, ["mapping"]),
        (None, ["is_active"]),
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source_system"].required = False
        self.fields["source_system"].help_text = _(
            "The system the incidents' ids belong to (empty: the format's name): an incident is "
            "one per source system and id, whether it came in a file or live."
        )

    def clean(self):
        data = super().clean()
        preset = data.get("preset")
        if preset and not data.get("source_system"):
            data["source_system"] = inbound.default_source_system(preset)
            self.instance.source_system = data["source_system"]
        if preset and not self.has_error("client") and not self.has_error("time_zone"):
            client = data.get("client")
            try:
                inbound.live_mapping(
                    preset,
                    data.get("mapping", ""),
                    client=client.name if client is not None else "",
                    time_zone=data.get("time_zone", ""),
                )
            except MappingError as error:
                field = error.field if error.field in ("client", "time_zone") else "mapping"
                where = f"{error.field}: " if field == "mapping" and error.field else ""
                self.add_error(field, where + error.message)
        return data


class IncidentImportForm(forms.Form):
    """The "New import" page: the export, its format and the options of
    ``sla.imports.uploads.upload`` (which checks them all; the choices here are only those the
    user may make)."""

    file = forms.FileField(
        label=_("Export file"),
        help_text=_("CSV (may be gzip-compressed); the generic format also JSON lines or XLSX."),
    )
    preset = forms.ChoiceField(label=_("Format"), choices=[])
    mapping = forms.FileField(
        label=_("Mapping file"),
        required=False,
        help_text=_("TOML or JSON, as docs/imports.md describes; changes the format's mapping."),
    )
    client = forms.ModelChoiceField(
        Client.objects.none(),
        label=_("Client"),
        required=False,
        empty_label=_("As the file says"),
        help_text=_("Every incident goes to this client, whatever the file says."),
    )
    time_zone = forms.CharField(
        label=_("Time zone"),
        required=False,
        max_length=64,
        help_text=_("Of the times the file writes without an offset, e.g. Europe/Moscow."),
    )
    unknown_clients = forms.ChoiceField(label=_("Unknown clients"), required=False, choices=[])
    client_fallback = forms.ModelChoiceField(
        Client.objects.none(),
        label=_("Map unknown clients to"),
        required=False,
    )
    unknown_groups = forms.ChoiceField(label=_("Unknown groups"), required=False, choices=[])
    group_fallback = forms.ModelChoiceField(
        Department.objects.all(),
        label=_("Map unknown groups to"),
        required=False,
        help_text=_("None: an unknown group leaves the incident without a department."),
    )
    dry_run = forms.BooleanField(
        label=_("Dry run"),
        required=False,
        help_text=_("Read and check everything, write nothing, report what would change."),
    )

    def __init__(self, *args, user, **kwargs):
        from tamdesk.sla.imports import runs, uploads

        super().__init__(*args, **kwargs)
        self.fields["preset"].choices = [(name, name) for name in runs.PRESETS]
        clients = uploads.importable_clients(user)
        self.fields["client"].queryset = clients
        self.fields["client_fallback"].queryset = clients
        labels = {
            "reject": _("Reject the incident"),
            "create": _("Create it"),
            "map": _("Map to the one below"),
        }
        default = [("", _("As the mapping says"))]
        self.fields["unknown_clients"].choices = default + [
            (name, labels[name]) for name in uploads.policy_choices(user)
        ]
        self.fields["unknown_groups"].choices = default + list(labels.items())

    def clean_time_zone(self) -> str:
        from tamdesk.sla.imports import uploads

        try:
            return uploads.check_time_zone(self.cleaned_data["time_zone"])
        except uploads.UploadError as error:
            raise ValidationError(error.message) from None

    def upload_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "file": data["file"],
            "preset": data["preset"],
            "mapping_file": data.get("mapping") or None,
            "client": data.get("client"),
            "time_zone": data.get("time_zone", ""),
            "client_policy": data.get("unknown_clients", ""),
            "group_policy": data.get("unknown_groups", ""),
            "client_fallback": data.get("client_fallback"),
            "group_fallback": data.get("group_fallback"),
            "dry_run": data.get("dry_run", False),
        }


class OLATargetForm(VersionedModelForm):
    """A department's internal target for one priority, written ``H:MM`` of working time."""

    target_seconds = WorkingDurationField(
        label=_("Target, working time"),
        required=True,
        help_text=_("H:MM of working time the department may hold such an incident in all."),
    )

    class Meta:
        model = OLATarget
        fields = ["department", "priority", "target_seconds", "note"]

    def clean_target_seconds(self):
        seconds = self.cleaned_data["target_seconds"]
        refusal = terms.target_refusal(seconds)
        if refusal:
            raise ValidationError(refusal, code="out_of_range")
        return seconds
