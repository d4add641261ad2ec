"""Smoke test of bench/incident_import.py: the generated ServiceNow event log reads without a
reject, has the shapes it promises, and imports the same through the batch and the per-incident
paths. No timing asserted."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from tamdesk.sla.imports import readers, writer
from tamdesk.sla.imports.resolve import Resolver
from tests.bench.conftest import bench_module
from tests.sla.imports.test_writer_batch import history, stored

NOW = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def bench():
    with bench_module("incident_import") as module:
        yield module


def read(bench, n: int, *, system: str):
    out = io.StringIO()
    rows = bench.generate(out, n, seed=3, now=NOW)
    mapping = readers.mapping_for("servicenow", time_zone="Europe/Berlin", client=bench.CLIENT)
    result = readers.READERS["servicenow"](
        io.BytesIO(out.getvalue().encode()), mapping=mapping, source_system=system
    )
    return rows, result


def test_the_log_has_about_six_rows_an_incident_and_reads_without_a_reject(bench):
    rows, result = read(bench, 400, system="servicenow")
    assert result.rows == rows and not result.rejects and len(result.incidents) == 400
    assert 6 <= rows / 400 < 6.5
    kinds = [e.kind for i in result.incidents for e in i.events]
    assert {"reassigned", "priority_changed", "reopened", "closed"} <= set(kinds)
    assert all(i.events[-1].kind == "closed" for i in result.incidents)


@pytest.mark.django_db
def test_the_log_imports_the_same_in_chunks_and_incident_by_incident(bench, django_user_model):
    bench._setup_directory()
    by = django_user_model.objects.get(username="bench")
    outcomes = {}
    for system, chunk_size in (("one", 0), ("chunks", 7)):
        _rows, result = read(bench, 40, system=system)
        outcomes[system] = writer.write(
            result, resolver=Resolver(by=by), by=by, now=NOW, chunk_size=chunk_size
        )
    one, chunks = outcomes["one"], outcomes["chunks"]
    assert (one.created, one.rejected, one.events) == (chunks.created, 0, chunks.events)
    assert one.created == 40 and one.reassignments > 0
    assert stored("one") == stored("chunks")
    assert history("one") == history("chunks")
