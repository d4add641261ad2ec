"""Change history of a record, read from django-auditlog and prepared for display: when, who
(the actor, or "system" when nobody was logged in), what was done and each field before → after.
Used by the ``change_history`` template tag on every record page."""

from __future__ import annotations

from dataclasses import dataclass, field

from auditlog.models import LogEntry
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

HISTORY_LIMIT = 50
IGNORED_FIELDS = {"id", "created_at", "updated_at"}
EMPTY = "—"

ACTIONS = {
    LogEntry.Action.CREATE: gettext_lazy("Created"),
    LogEntry.Action.UPDATE: gettext_lazy("Changed"),
    LogEntry.Action.DELETE: gettext_lazy("Deleted"),
    LogEntry.Action.ACCESS: gettext_lazy("Viewed"),
}


@dataclass
class FieldChange:
    label: str
    before: str
    after: str


@dataclass
class HistoryEntry:
    timestamp: object
    actor: str
    is_system: bool
    action: str
    action_code: int
    other_record: str  # the name of a related record the entry is about ("" for the record itself)
    changes: list[FieldChange] = field(default_factory=list)


def entries_for(
    obj: models.Model, related: models.QuerySet | list[models.QuerySet] | None = None
) -> models.QuerySet:
    """Log entries of ``obj`` (and of the records in ``related``: one queryset or a list of
    them, a queryset of log entries standing for itself), newest first."""
    entries = LogEntry.objects.get_for_object(obj)
    if related is not None:
        condition = Q(pk__in=entries.values("pk"))
        for queryset in related if isinstance(related, list) else [related]:
            if queryset.model is LogEntry:  # entries found otherwise (e.g. of deleted records)
                condition |= Q(pk__in=queryset.values("pk"))
            else:
                condition |= Q(pk__in=LogEntry.objects.get_for_objects(queryset).values("pk"))
        entries = LogEntry.objects.filter(condition)
    return entries.select_related("actor", "content_type").order_by("-timestamp", "-pk")


def history(
    obj: models.Model,
    related: models.QuerySet | list[models.QuerySet] | None = None,
    limit: int = HISTORY_LIMIT,
) -> list[HistoryEntry]:
    """The last ``limit`` changes of ``obj`` ready to display."""
    resolver = _ValueResolver()
    rows = []
    for entry in entries_for(obj, related)[:limit]:
        model = entry.content_type.model_class()
        rows.append(
            HistoryEntry(
                timestamp=entry.timestamp,
                actor=_actor_label(entry),
                is_system=entry.actor_id is None,
                action=ACTIONS.get(entry.action, str(entry.action)),
                action_code=entry.action,
                other_record=_other_record(entry, obj),
                changes=_changes(entry, model, resolver),
            )
        )
    return rows


def _other_record(entry: LogEntry, obj: models.Model) -> str:
    is_same = entry.content_type.model_class() is type(obj) and entry.object_pk == str(obj.pk)
    return "" if is_same else entry.object_repr


def _actor_label(entry: LogEntry) -> str:
    if entry.actor is not None:
        return entry.actor.get_full_name() or entry.actor.get_username()
    return entry.actor_email or _("system")


def _changes(entry: LogEntry, model, resolver: _ValueResolver) -> list[FieldChange]:
    """Field changes in the model's field order; reverse relations (which auditlog lists, empty,
    on creation), the primary key and the timestamps are left out."""
    order = {f.name: i for i, f in enumerate(model._meta.concrete_fields)} if model else {}
    changes = []
    for name, values in sorted(
        (entry.changes_dict or {}).items(), key=lambda item: order.get(item[0], len(order))
    ):
        if name in IGNORED_FIELDS or not isinstance(values, (list, tuple)) or len(values) != 2:
            continue
        try:
            model_field = model._meta.get_field(name) if model else None
        except FieldDoesNotExist:
            model_field = None
        if model_field is not None and not model_field.concrete:
            continue
        label = capfirst(model_field.verbose_name) if model_field else name.replace("_", " ")
        before, after = (resolver.display(model_field, value) for value in values)
        changes.append(FieldChange(label=label, before=before, after=after))
    return changes


class _ValueResolver:
    """Turns the stored string values back into what the user saw: choice labels, the name of a
    related record, localized dates, yes/no."""

    def __init__(self) -> None:
        self._related: dict[tuple[type, str], str] = {}

    def display(self, model_field, value) -> str:
        if value is None or value in ("None", ""):
            return EMPTY
        value = str(value)
        if model_field is None:
            return value
        if model_field.choices:
            choices = {str(key): label for key, label in model_field.flatchoices}
            return str(choices.get(value, value))
        if model_field.many_to_one or model_field.one_to_one:
            return self._related_label(model_field.related_model, value)
        return _scalar(model_field, value)

    def _related_label(self, related_model, value: str) -> str:
        key = (related_model, value)
        if key not in self._related:
            try:
                record = related_model._default_manager.filter(pk=value).first()
            except (ValueError, TypeError):
                record = None
            self._related[key] = str(record) if record is not None else _("deleted (#%s)") % value
        return self._related[key]


def _scalar(model_field, value: str) -> str:
    if isinstance(model_field, models.BooleanField):
        return str(_("yes") if value == "True" else _("no"))
    if isinstance(model_field, models.DateTimeField):
        parsed = parse_datetime(value)
        if parsed is None:
            return value
        return formats.localize(timezone.localtime(parsed) if timezone.is_aware(parsed) else parsed)
    if isinstance(model_field, models.DateField):
        parsed = parse_date(value)
        return formats.date_format(parsed, "SHORT_DATE_FORMAT") if parsed else value
    return value
