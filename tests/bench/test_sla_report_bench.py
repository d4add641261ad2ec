"""Smoke test of bench/sla_report.py at a tiny size: the demo organisation and a few generated
incidents load, the report and the naive ORM aggregation agree group by group, every page
answers, the markdown lists the figures. No timing asserted. One test: loading the demo
organisation is most of its time."""

from __future__ import annotations

import pytest

from tamdesk.sla import bulk
from tests.bench.conftest import bench_module

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def bench():
    with bench_module("sla_report") as module:
        yield module


def test_a_tiny_run(bench, monkeypatch):
    monkeypatch.setattr(bulk, "CHUNK", 20)

    loaded = bench.load(90)
    assert (loaded["created"], loaded["plan"].count) == (90, 90)

    people = bench.users()
    reports = bench.time_reports(loaded["plan"], people, repeats=1)
    assert {(r["who"], r["group_by"]) for r in reports} == {
        (who, group)
        for who in ("service_manager", "tam")
        for group in ("month", "client,priority,month")
    }
    for row in reports:
        assert row["disagreements"] == 0, row
        assert row["groups"] > 0 and row["incidents"] > 0
    assert {r["incidents"] for r in reports if r["who"] == "service_manager"} == {90}

    pages = bench.time_pages(people, repeats=1)
    assert len(pages) == 8
    assert all(0 < page["queries"] <= 40 for page in pages), pages

    figures = {
        "incidents": 102,
        "events": 600,
        **{k: v for k, v in loaded.items() if k != "plan"},
        "reports": reports,
        "pages": pages,
        "max_rss_mib": 100.0,
    }
    args = type("Args", (), {"count": 90})
    text = bench.report_text({"SQLite": figures}, args, "0.1 0.1 0.1")
    assert "## SQLite: 102 incidents, 600 events" in text
    assert "| service_manager | month | 90 | 12 |" in text
    assert "| tam | incident list (`/sla/incidents/`) |" in text
