"""One reader per preset: ``read(source, *, mapping, source_system) -> ReadResult``, pure (no
database). ``PRESETS`` gives each preset's built-in mapping, which a mapping file and the
``--client``/``--time-zone`` options change (``mapping_for``). docs/imports.md says what each
reads and how."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import IO

from tamdesk.sla.imports import mapping as mappings
from tamdesk.sla.imports.readers import bpi2013, generic, jira, servicenow
from tamdesk.sla.imports.records import ReadResult

Reader = Callable[..., ReadResult]

READERS: dict[str, Reader] = {
    "servicenow": servicenow.read,
    "servicenow-flat": servicenow.read_flat,
    "jira": jira.read,
    "bpi2013": bpi2013.read,
    "generic": generic.read,
}
PRESETS: dict[str, mappings.Mapping] = {
    "servicenow": servicenow.MAPPING,
    "servicenow-flat": servicenow.FLAT_MAPPING,
    "jira": jira.MAPPING,
    "bpi2013": bpi2013.MAPPING,
    "generic": generic.MAPPING,
}


def mapping_for(
    preset: str,
    *,
    mapping_file: str | Path | None = None,
    client: str = "",
    time_zone: str = "",
) -> mappings.Mapping:
    """The mapping an import runs with: the preset's, changed by the file's keys, then by
    ``--client`` and ``--time-zone``."""
    mapping = PRESETS[preset]
    if mapping_file is not None:
        mapping = mappings.load(mapping_file, base=mapping)
    return mapping.replace(client=client, time_zone=time_zone)


def read(
    preset: str, source: str | Path | IO, *, mapping: mappings.Mapping, source_system: str
) -> ReadResult:
    return READERS[preset](source, mapping=mapping, source_system=source_system)
