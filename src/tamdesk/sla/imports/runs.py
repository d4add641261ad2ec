"""An import as a recorded run (``IncidentImport``): read the stored file with the preset's
reader, write it (``writer.write``), keep the progress and the outcome on the row. The job
``sla.import_incidents`` and the command ``tamdesk import-incidents`` both call ``run_import``.

A run is resumable: a failed or killed one is run again from the start of the file and the
writer's idempotency skips what was committed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from tamdesk.sla.choices import IncidentImportStatus
from tamdesk.sla.imports import writer
from tamdesk.sla.imports.records import ReadResult
from tamdesk.sla.imports.resolve import Resolver
from tamdesk.sla.models import IncidentImport

#: The formats ``--preset`` takes (their readers are ``sla.imports.readers.READERS``).
PRESETS = ("servicenow", "servicenow-flat", "jira", "bpi2013", "generic")
#: The row's progress counters are saved every so many incidents.
PROGRESS_EVERY = 200

#: A reader: ``read(path, *, time_zone, mapping, client) -> ReadResult``.
Reader = Callable[..., ReadResult]


def source_system_of(preset: str, options: dict) -> str:
    """The source the incidents' external ids belong to: ``--source-system``, else the preset's
    (both ServiceNow shapes are one source, so a flat export and an event log of the same
    instance are the same incidents)."""
    return options.get("source_system") or {"servicenow-flat": "servicenow"}.get(preset, preset)


def mapping_of(row: IncidentImport):
    """The mapping the import runs with: the preset's, changed by the mapping file and by
    ``--client``/``--time-zone`` (``readers.mapping_for``)."""
    from tamdesk.sla.imports import readers

    options = row.options
    return readers.mapping_for(
        row.preset,
        mapping_file=options.get("mapping") or None,
        client=options.get("client", ""),
        time_zone=options.get("time_zone") or "",
    )


def reader_for(preset: str, source_system: str = "") -> Reader:
    """The reader of ``preset`` (``sla.imports.readers.READERS``), imported when first needed,
    called as ``read(path, *, time_zone, mapping, client)``."""
    from tamdesk.sla.imports import readers

    def read(path, *, time_zone=None, mapping=None, client="") -> ReadResult:
        resolved = readers.mapping_for(
            preset, mapping_file=mapping or None, client=client or "", time_zone=time_zone or ""
        )
        system = source_system or source_system_of(preset, {})
        return readers.READERS[preset](path, mapping=resolved, source_system=system)

    return read


def start_import(
    *,
    by,
    preset: str,
    file_name: str,
    options: dict | None = None,
    dry_run: bool = False,
    upload=None,
) -> IncidentImport:
    """Record an import to run (status queued). ``options``: ``path`` (a file on this host, for
    the command), ``time_zone``, ``mapping``, ``client``, and the resolver's ``client_policy``,
    ``group_policy``, ``clients``, ``groups``, ``client_fallback``, ``group_fallback``, and the
    writer's ``chunk_size`` (``writer.chunk_size_for``)."""
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}")
    row = IncidentImport(
        created_by=by,
        preset=preset,
        file_name=file_name[:255],
        options=options or {},
        is_dry_run=dry_run,
    )
    if upload is not None:
        row.upload = upload
    row.save()
    return row


def resolver_for(row: IncidentImport, mapping=None) -> Resolver:
    """The names the writer resolves: the mapping file's groups and its policies for unknown
    clients and groups, which the command's options override."""
    options = row.options
    unknown_clients = mapping.unknown_clients if mapping is not None else None
    unknown_groups = mapping.unknown_groups if mapping is not None else None
    return Resolver(
        by=row.created_by,
        client_policy=options.get("client_policy")
        or (unknown_clients.action if unknown_clients else "reject"),
        group_policy=options.get("group_policy")
        or (unknown_groups.action if unknown_groups else "reject"),
        clients=options.get("clients", {}),
        groups={**(mapping.groups if mapping is not None else {}), **options.get("groups", {})},
        client=options.get("client", ""),
        client_fallback=options.get("client_fallback")
        or (unknown_clients.to if unknown_clients else ""),
        group_fallback=options.get("group_fallback")
        or (unknown_groups.to if unknown_groups else ""),
    )


def path_of(row: IncidentImport) -> Path:
    """The file an import reads: a path on this host (the command), else its upload."""
    if row.options.get("path"):
        return Path(row.options["path"])
    return Path(row.upload.path)


_path_of = path_of


def run_import(
    import_id: int,
    *,
    read: Reader | None = None,
    now: dt.datetime | None = None,
    progress_every: int = PROGRESS_EVERY,
) -> IncidentImport:
    """Run the import ``import_id`` (again, when it failed or was killed); a done one is left
    alone. Raises what the reader or writer raised after marking the row failed."""
    row = IncidentImport.objects.select_related("created_by").get(pk=import_id)
    if row.status == IncidentImportStatus.DONE:
        return row
    _save(row, status=IncidentImportStatus.RUNNING, started_at=timezone.now(), error="")
    mapping = None
    try:
        if read is None:
            mapping = mapping_of(row)
            read = reader_for(row.preset, source_system_of(row.preset, row.options))
        result = read(
            _path_of(row),
            time_zone=row.options.get("time_zone") or None,
            mapping=row.options.get("mapping") or None,
            client=row.options.get("client", ""),
        )
        systems = sorted({i.source_system for i in result.incidents})
        _save(
            row,
            source_system=", ".join(systems)[:64],
            rows_read=result.rows,
            incidents_total=len(result.incidents),
            incidents_done=0,
        )

        def progress(done: int, outcome: writer.ImportOutcome) -> None:
            IncidentImport.objects.filter(pk=row.pk).update(incidents_done=done)

        outcome = writer.write(
            result,
            resolver=resolver_for(row, mapping),
            by=row.created_by,
            dry_run=row.is_dry_run,
            now=now,
            progress=progress,
            progress_every=progress_every,
            chunk_size=row.options.get("chunk_size"),
        )
    except Exception as exc:
        _save(
            row,
            status=IncidentImportStatus.FAILED,
            finished_at=timezone.now(),
            error=f"{type(exc).__name__}: {exc}"[:4000],
        )
        raise
    _save(
        row,
        status=IncidentImportStatus.DONE,
        finished_at=timezone.now(),
        incidents_done=len(result.incidents),
        outcome=outcome.as_json(),
    )
    return row


def _save(row: IncidentImport, **values) -> None:
    """Save only what changed, in its own transaction: the progress shows while the import
    runs, and survives its failure."""
    for name, value in values.items():
        setattr(row, name, value)
    with transaction.atomic():
        row.save(update_fields=list(values))


def outcome_of(row: IncidentImport) -> writer.ImportOutcome:
    return writer.ImportOutcome.from_json(row.outcome)
