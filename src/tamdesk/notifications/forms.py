"""Forms of the notification pages: a person's preferences and the webhook subscriptions."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tamdesk.core.forms import VersionedModelForm
from tamdesk.notifications import destinations
from tamdesk.notifications.catalog import EVENT_TYPES, PERSONAL_CHANNELS, event_type_choices
from tamdesk.notifications.models import WebhookSubscription


def preference_field_name(code: str, channel: str) -> str:
    return f"pref:{code}:{channel}"


@dataclass(frozen=True)
class PreferenceRow:
    """One row of the preferences matrix: an event type and a checkbox per channel."""

    code: str
    label: str
    urgent: bool
    fields: list[forms.BoundField]


class PreferencesForm(forms.Form):
    """The language of e-mails and, per configurable event type, one checkbox per personal
    channel (in-app, e-mail); ``current`` holds what the person receives now."""

    language = forms.ChoiceField(label=_("Language of e-mails"), choices=settings.LANGUAGES)

    def __init__(self, *args, current: dict[str, set[str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.event_types = sorted(
            (kind for kind in EVENT_TYPES.values() if kind.configurable),
            key=lambda kind: str(kind.label),
        )
        for kind in self.event_types:
            for channel in PERSONAL_CHANNELS:
                self.fields[preference_field_name(kind.code, channel)] = forms.BooleanField(
                    label=f"{kind.label}: {channel.label}",
                    required=False,
                    initial=channel in current.get(kind.code, set()),
                )

    def rows(self) -> list[PreferenceRow]:
        return [
            PreferenceRow(
                code=kind.code,
                label=str(kind.label),
                urgent=kind.urgent,
                fields=[
                    self[preference_field_name(kind.code, channel)] for channel in PERSONAL_CHANNELS
                ],
            )
            for kind in self.event_types
        ]

    def choices(self) -> dict[tuple[str, str], bool]:
        """The matrix as ``services.set_preferences`` takes it."""
        return {
            (kind.code, channel): self.cleaned_data[preference_field_name(kind.code, channel)]
            for kind in self.event_types
            for channel in PERSONAL_CHANNELS
        }


class WebhookSubscriptionForm(VersionedModelForm):
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Where the events are posted: an http:// or https:// address."),
    )
    event_types = forms.MultipleChoiceField(
        label=_("Event types"),
        choices=event_type_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The events it receives; none selected means all of them."),
    )

    class Meta:
        model = WebhookSubscription
        fields = ["name", "url", "event_types", "format", "is_active"]

    fieldsets = [
        (None, ["name", "url"], {"columns": 2}),
        (None, ["event_types"]),
        (None, ["format", "is_active"], {"columns": 2}),
    ]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        try:
            destinations.check_url(url)
        except destinations.DestinationForbidden as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from exc
        return url
