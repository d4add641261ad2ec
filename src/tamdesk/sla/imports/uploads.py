"""Imports started from an uploaded file — the "New import" page and ``POST
/api/v1/incident-imports/`` (docs/imports.md, "From the UI" and "From the API").

``upload`` checks everything before the import is recorded: the size (``IMPORT_MAX_BYTES``), the
file's type for the preset, the preset, the time zone, the mapping file, the client and the
policies for unknown names (the user's reach: a TAM imports into their clients only and creates
none), and that the head of the file reads (``preview.read``). A refusal is an ``UploadError``
naming the field at fault and nothing is kept — neither a row nor a stored file.

An import uploaded from the page waits for its start (``is_awaiting_start``): its preview shows,
then ``start`` enqueues it or ``cancel`` deletes it with its files. One uploaded through the API
is enqueued at once. ``resume`` enqueues a failed import again (``runs.run_import`` resumes).
"""

from __future__ import annotations

import json
import tomllib
import zoneinfo
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tamdesk.core.exceptions import DomainError
from tamdesk.core.jobs import enqueue_on_commit
from tamdesk.directory.models import Client, Department
from tamdesk.sla import permissions
from tamdesk.sla.choices import IncidentImportStatus
from tamdesk.sla.imports import mapping as mappings
from tamdesk.sla.imports import preview, readers, runs
from tamdesk.sla.imports.readers.source import SourceError
from tamdesk.sla.imports.resolve import POLICIES
from tamdesk.sla.models import IncidentImport

#: The file names each preset takes (a CSV may be gzip-compressed).
CSV_SUFFIXES = (".csv", ".csv.gz", ".txt")
GENERIC_SUFFIXES = (*CSV_SUFFIXES, ".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz", ".xlsx")
MAPPING_SUFFIXES = (".toml", ".json")
#: A mapping file is small: larger is refused.
MAPPING_MAX_BYTES = 1024 * 1024
#: The option an import waiting for its start carries.
AWAITING_START = "awaiting_start"


class UploadError(DomainError):
    """The upload is refused; ``field`` names the form or request field at fault."""

    code = "invalid_upload"


class UploadTooLarge(UploadError):
    code = "upload_too_large"
    status = 413


def max_bytes() -> int:
    return settings.IMPORT_MAX_BYTES


def too_large() -> UploadTooLarge:
    return UploadTooLarge(
        _("The file is larger than %(limit)s bytes.") % {"limit": f"{max_bytes():,}"},
        field="file",
    )


def importable_clients(user):
    """The clients ``user`` may import into (``permissions.imports_into``)."""
    if permissions.imports_into_any_client(user):
        return Client.objects.all()
    if not permissions.imports_incidents(user):
        return Client.objects.none()
    from tamdesk.directory.querysets import account_team_client_ids

    return Client.objects.filter(pk__in=account_team_client_ids(user))


def policy_choices(user) -> tuple[str, ...]:
    """The policies for unknown clients ``user`` may choose: creating clients is for those who
    import into every client."""
    if permissions.imports_into_any_client(user):
        return POLICIES
    return tuple(p for p in POLICIES if p != "create")


def is_awaiting_start(row: IncidentImport) -> bool:
    return row.status == IncidentImportStatus.QUEUED and bool(row.options.get(AWAITING_START))


def _suffix_ok(name: str, suffixes: tuple[str, ...]) -> bool:
    return name.lower().endswith(suffixes)


def _check_mapping(name: str, data: bytes, preset: str) -> mappings.Mapping:
    if not _suffix_ok(name, MAPPING_SUFFIXES):
        raise UploadError(
            _("A mapping file is TOML (.toml) or JSON (.json)."),
            field="mapping",
            code="invalid_mapping",
        )
    if len(data) > MAPPING_MAX_BYTES:
        raise UploadError(
            _("A mapping file is at most %(limit)s bytes.") % {"limit": f"{MAPPING_MAX_BYTES:,}"},
            field="mapping",
            code="invalid_mapping",
        )
    try:
        text = data.decode("utf-8")
        parsed = tomllib.loads(text) if name.lower().endswith(".toml") else json.loads(text)
        return mappings.from_dict(parsed, base=readers.PRESETS[preset])
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        message = _("The mapping file cannot be read: %(error)s") % {"error": exc}
    except mappings.MappingError as exc:
        message = f"{exc.field}: {exc.message}" if exc.field else exc.message
    raise UploadError(message, field="mapping", code="invalid_mapping")


def check_time_zone(value: str) -> str:
    value = (value or "").strip()
    if value:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise UploadError(
                _("%(zone)s is not a time zone.") % {"zone": value},
                field="time_zone",
                code="invalid_time_zone",
            ) from None
    return value


def _check_policies(by, client_policy: str, group_policy: str, client_fallback, group_fallback):
    if client_policy and client_policy not in policy_choices(by):
        raise UploadError(
            _("Only administrators and service managers may create clients in an import."),
            field="unknown_clients",
            code="invalid_policy",
        )
    if client_policy == "map" and client_fallback is None:
        raise UploadError(
            _("Choose the client unknown clients go to."),
            field="client_fallback",
            code="invalid_policy",
        )
    if group_policy and group_policy not in POLICIES:
        raise UploadError(_("Not a policy."), field="unknown_groups", code="invalid_policy")


def upload(
    *,
    by,
    file,
    preset: str,
    mapping_file=None,
    client: Client | None = None,
    time_zone: str = "",
    client_policy: str = "",
    group_policy: str = "",
    client_fallback: Client | None = None,
    group_fallback: Department | None = None,
    dry_run: bool = False,
    awaiting_start: bool = True,
) -> IncidentImport:
    """Record an import of the uploaded ``file`` (a Django ``UploadedFile``) after checking it
    (see the module's docstring); enqueue it unless it is ``awaiting_start``."""
    if not permissions.imports_incidents(by):
        raise PermissionDenied
    if preset not in runs.PRESETS:
        raise UploadError(
            _("%(preset)s is not a format (%(choices)s).")
            % {"preset": preset, "choices": ", ".join(runs.PRESETS)},
            field="preset",
            code="invalid_preset",
        )
    if file.size > max_bytes():
        raise too_large()
    suffixes = GENERIC_SUFFIXES if preset == "generic" else CSV_SUFFIXES
    if not _suffix_ok(file.name, suffixes):
        raise UploadError(
            _("This format takes files named %(suffixes)s.") % {"suffixes": ", ".join(suffixes)},
            field="file",
            code="unsupported_file_type",
        )
    time_zone = check_time_zone(time_zone)
    mapping_data = b""
    if mapping_file is not None:
        mapping_data = mapping_file.read(MAPPING_MAX_BYTES + 1)
        _check_mapping(mapping_file.name, mapping_data, preset)
    for chosen, name in ((client, "client"), (client_fallback, "client_fallback")):
        if chosen is not None and not permissions.imports_into(by, chosen):
            raise UploadError(
                _("%(client)s is not your client.") % {"client": chosen.name},
                field=name,
                code="not_your_client",
            )
    _check_policies(by, client_policy, group_policy, client_fallback, group_fallback)
    options = {
        "time_zone": time_zone,
        "client": (client.code or client.name) if client is not None else "",
        "client_policy": client_policy,
        "group_policy": group_policy,
        "client_fallback": (client_fallback.code or client_fallback.name)
        if client_fallback
        else "",
        "group_fallback": (group_fallback.code or group_fallback.name) if group_fallback else "",
    }
    if awaiting_start:
        options[AWAITING_START] = True
    stored: list[str] = []
    try:
        with transaction.atomic():
            row = runs.start_import(
                by=by,
                preset=preset,
                file_name=Path(file.name).name,
                options=options,
                dry_run=dry_run,
                upload=file,
            )
            stored.append(row.upload.name)
            if mapping_file is not None:
                folder = f"imports/incidents/mappings/{timezone.now():%Y/%m}"
                name = default_storage.save(
                    f"{folder}/{Path(mapping_file.name).name}", ContentFile(mapping_data)
                )
                stored.append(name)
                row.options = {**row.options, "mapping": default_storage.path(name)}
                row.save(update_fields=["options"])
            check_readable(row)
            if not awaiting_start:
                _enqueue(row)
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise
    return row


def check_readable(row: IncidentImport) -> None:
    """Read the head of the stored file as the import will: an unreadable file, a column the
    preset needs missing, a mapping the reader refuses is an ``UploadError``."""
    try:
        mapping = runs.mapping_of(row)
        preview.read(
            runs.path_of(row),
            preset=row.preset,
            mapping=mapping,
            source_system=runs.source_system_of(row.preset, row.options),
        )
    except mappings.MappingError as exc:
        field = "time_zone" if exc.field == "time_zone" else "mapping"
        message = f"{exc.field}: {exc.message}" if exc.field and field == "mapping" else exc.message
        raise UploadError(message, field=field, code="invalid_mapping") from None
    except SourceError as exc:
        raise UploadError(exc.message, field="file", code="unreadable_file") from None


def preview_of(row: IncidentImport) -> preview.Preview:
    """The preview of a stored import (bounded: its head only)."""
    mapping = runs.mapping_of(row)
    return preview.build(
        runs.path_of(row),
        preset=row.preset,
        mapping=mapping,
        source_system=runs.source_system_of(row.preset, row.options),
        resolver=runs.resolver_for(row, mapping),
        by=row.created_by,
    )


def _enqueue(row: IncidentImport) -> None:
    from tamdesk.sla import tasks

    enqueue_on_commit(lambda pk=row.pk: tasks.import_incidents(pk), what=f"import {row.pk}")


def _locked(row: IncidentImport) -> IncidentImport:
    return IncidentImport.objects.select_for_update().get(pk=row.pk)


@transaction.atomic
def start(row: IncidentImport, *, by) -> IncidentImport:
    """Start an import waiting for its start: it is enqueued."""
    row = _locked(row)
    if not is_awaiting_start(row):
        raise DomainError(_("This import has already started."), code="already_started")
    row.options = {k: v for k, v in row.options.items() if k != AWAITING_START}
    row.save(update_fields=["options"])
    _enqueue(row)
    return row


@transaction.atomic
def resume(row: IncidentImport, *, by) -> IncidentImport:
    """Enqueue a failed import again: it resumes (``runs.run_import``)."""
    row = _locked(row)
    if row.status != IncidentImportStatus.FAILED:
        raise DomainError(_("Only a failed import is resumed."), code="not_failed")
    row.status = IncidentImportStatus.QUEUED
    row.save(update_fields=["status"])
    _enqueue(row)
    return row


@transaction.atomic
def cancel(row: IncidentImport, *, by) -> None:
    """Drop an import waiting for its start, with its stored files."""
    row = _locked(row)
    if not is_awaiting_start(row):
        raise DomainError(_("This import has already started."), code="already_started")
    names = [row.upload.name] if row.upload else []
    mapping_path = row.options.get("mapping", "")
    row.delete()

    def delete_files() -> None:
        for name in names:
            default_storage.delete(name)
        if mapping_path:
            Path(mapping_path).unlink(missing_ok=True)

    transaction.on_commit(delete_files)
