"""Form pieces shared by the domains' forms and filters."""

from __future__ import annotations

from django import forms
from django.core import signing
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from tamdesk.core.concurrency import FieldChange, StaleEdit, update_fields_of


class PersonLabelMixin:
    """Users shown by their full name, with the user name to tell namesakes apart."""

    def label_from_instance(self, obj) -> str:
        full_name = obj.get_full_name()
        return f"{full_name} ({obj.get_username()})" if full_name else obj.get_username()


class PersonChoiceField(PersonLabelMixin, forms.ModelChoiceField):
    """A choice of one user, labelled by name."""


# --- versioned edit forms ------------------------------------------------------------------------

VERSION_FIELD = "_version"
_VERSION_SALT = "tamdesk.core.forms.version"
_SHOWN_LENGTH = 80


def _normalised(field: forms.Field, value) -> str | list[str]:
    """A field's value as the form shows it, comparable across requests."""
    value = field.prepare_value(value)
    if isinstance(value, (list, tuple, set)):
        return sorted("" if item is None else str(item) for item in value)
    if isinstance(field, forms.BooleanField):
        return "1" if value else ""
    return "" if value is None else str(value)


def _shown(field: forms.Field | None, value) -> str:
    """A stored value in words: the label of a choice, yes/no, "—" for nothing; long text cut."""
    if value in ("", [], None):
        return "—"
    if isinstance(field, forms.BooleanField):
        return str(_("yes")) if value else str(_("no"))
    labels = {}
    if field is not None and hasattr(field, "choices"):
        labels = {str(getattr(key, "value", key)): str(label) for key, label in field.choices}
    values = value if isinstance(value, list) else [value]
    text = ", ".join(labels.get(item, item) for item in values)
    return text if len(text) <= _SHOWN_LENGTH else text[: _SHOWN_LENGTH - 1] + "…"


class VersionedFormMixin:
    """An edit form that carries the version of the record it started from.

    The version is the set of values the form showed (its initial values), signed and held in
    the hidden ``_version`` input (``{{ form.version_input }}``, rendered by
    ``components/form_page.html``). On save the view re-reads the record under a row lock,
    builds the form anew for it, and ``check_version`` compares: if a value differs, someone
    else changed the record meanwhile and the save is refused (``StaleEdit``) with the list of
    their changes; ``refuse_stale`` shows it above the form, keeps what the user typed and
    carries the current version, so that saving again applies the user's values knowingly.
    A post without ``_version`` (a script) is not checked. ``version_exclude`` names fields
    whose initial value is not the record's (a "from now on" date filled in with now).
    """

    version_exclude: tuple[str, ...] = ()

    def version_values(self) -> dict[str, str | list[str]]:
        """The values the form shows for the record, by field name."""
        return {
            name: _normalised(field, self[name].initial)
            for name, field in self.fields.items()
            if name not in self.version_exclude
        }

    def version_token(self) -> str:
        return signing.dumps(self.version_values(), salt=_VERSION_SALT, compress=True)

    @property
    def is_editing(self) -> bool:
        instance = getattr(self, "instance", None)
        return instance is not None and instance.pk is not None

    @property
    def version_input(self) -> str:
        """The hidden input with the version: the submitted one on a re-shown form, else the
        record's as the form shows it. Nothing when the form creates a record."""
        if not self.is_editing:
            return ""
        token = self.data.get(VERSION_FIELD) if self.is_bound else None
        return format_html(
            '<input type="hidden" name="{}" value="{}">',
            VERSION_FIELD,
            token or self.version_token(),
        )

    def submitted_version(self) -> dict | None:
        """The values the form started from (None: no version was submitted)."""
        token = self.data.get(VERSION_FIELD) if self.is_bound else None
        if not token:
            return None
        try:
            return signing.loads(token, salt=_VERSION_SALT)
        except signing.BadSignature:
            return {}  # unreadable: treated as stale, every field shown as changed

    def check_version(self, current: VersionedFormMixin) -> None:
        """Raise ``StaleEdit`` unless the submitted version matches ``current``: the same form
        built for the record as it is now (read under the row lock)."""
        started = self.submitted_version()
        if started is None:
            return
        now = current.version_values()
        changed = [name for name in now if started.get(name, now[name]) != now[name]]
        if not started:
            changed = list(now)
        if changed:
            raise StaleEdit(
                [
                    FieldChange(
                        label=str(current.fields[name].label or name),
                        old=_shown(current.fields[name], started.get(name)),
                        new=_shown(current.fields[name], now[name]),
                    )
                    for name in changed
                ],
                current=current.version_token(),
            )

    def refuse_stale(self, stale: StaleEdit) -> None:
        """Show the refusal and the changes above the form; keep the user's input; carry the
        current version so that saving again applies the user's values."""
        self.add_error(
            None,
            [
                stale.message,
                *(
                    _("%(field)s: “%(old)s” → “%(new)s”")
                    % {"field": change.label, "old": change.old, "new": change.new}
                    for change in stale.changes
                ),
            ],
        )
        data = self.data.copy()
        data[VERSION_FIELD] = stale.current
        self.data = data


class VersionedModelForm(VersionedFormMixin, forms.ModelForm):
    """A ModelForm that edits with a version and, when saving an existing record, writes only
    the fields the user changed (``update_fields``): a column it does not show, or one it shows
    but the user left alone, is never written back as it was read."""

    def save(self, commit: bool = True):
        if not commit or self.instance._state.adding:
            return super().save(commit)
        fields = update_fields_of(self.instance, self.changed_data)
        if fields:
            self.instance.save(update_fields=fields)
        self._save_m2m()
        return self.instance
