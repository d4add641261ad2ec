"""Concurrent edits: row locks, record versions and the refusal of a stale edit.

Two people (or a person and an integration) editing the same record at the same time must not
silently undo each other's changes. So every write path

1. locks the rows it changes (``lock``: ``SELECT … FOR UPDATE``) for the rest of its
   transaction, and re-reads them under the lock;
2. saves only the fields it changes (``save(update_fields=[…])``), never the whole row as it
   was read before the lock;
3. compares the version the edit started from with the record as it is now, and refuses a
   stale edit: the API with 412 ``precondition_failed`` when ``If-Match`` names an older
   ``ETag`` (``version_of``), the HTML forms with the list of fields someone else changed
   (``core.forms.VersionedFormMixin``).

A version is a hash of the stored values (``stored_values``), not a counter: no migration is
needed, and a write that changes nothing leaves the version as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from tamdesk.core.exceptions import DomainError


def lock(*rows: models.Model) -> None:
    """Lock ``rows`` (``SELECT … FOR UPDATE`` by primary key, in the order given) until the end
    of the current transaction. Callers lock in a fixed order (a user before their engineer
    profile, a change before its tasks) so that two writers never wait on each other. SQLite
    has no row locks; there a write transaction starts with the database lock
    (``transaction_mode = IMMEDIATE``), which serialises writers as well."""
    for row in rows:
        manager = type(row)._base_manager
        list(manager.select_for_update().filter(pk=row.pk).values_list("pk", flat=True))


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return value


def stored_values(instance: models.Model, *, exclude: Iterable[str] = ()) -> dict[str, Any]:
    """The values of the row's editable columns, by column name (automatic timestamps such as
    ``updated_at`` are not editable, so a save that changes nothing keeps the version)."""
    skipped = set(exclude)
    return {
        field.attname: _plain(field.value_from_object(instance))
        for field in instance._meta.concrete_fields
        if field.editable and not field.primary_key and field.name not in skipped
    }


def version_of(values: Mapping[str, Any]) -> str:
    """A short, stable hash of ``values`` (JSON-able, or made so with ``str``)."""
    text = json.dumps(values, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def update_fields_of(instance: models.Model, names: Iterable[str]) -> list[str]:
    """The ``update_fields`` of a save that writes the fields ``names``: those that are columns
    of the model (many-to-many fields are saved apart), plus its automatic ``auto_now`` stamp
    when anything is written (Django leaves it out of a save with ``update_fields``)."""
    columns = {
        field.name: field for field in instance._meta.concrete_fields if not field.primary_key
    }
    fields = sorted({name for name in names if name in columns})
    if fields:
        fields += [
            name
            for name, field in columns.items()
            if getattr(field, "auto_now", False) and name not in fields
        ]
    return fields


@dataclass(frozen=True)
class FieldChange:
    """One field that someone else changed: its label, and its value before and after."""

    label: str
    old: str
    new: str


class StaleEdit(DomainError):
    """The record changed after the edit started (an HTML form or an API call with an older
    version); nothing was written. ``changes`` lists what changed, when known; ``current`` is
    the version to start again from."""

    code = "stale_edit"
    status = 409

    def __init__(self, changes: list[FieldChange], *, current: str = ""):
        super().__init__(
            str(
                _(
                    "Someone else changed this record after you opened it; nothing was saved. "
                    "Check their changes, then save again to apply yours."
                )
            )
        )
        self.changes = changes
        self.current = current
