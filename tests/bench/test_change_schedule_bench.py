"""Smoke test of bench/change_schedule.py at a tiny size: the generated network is a DAG of the
asked size, `schedule` runs on it, and the networkx reference (when installed, the `bench`
extra) gives identical dates. No timing asserted."""

from __future__ import annotations

import numpy as np
import pytest

from tamdesk.changes.engine import CANCELLED, find_cycle, schedule
from tests.bench.conftest import bench_module


@pytest.fixture(scope="module")
def bench():
    with bench_module("change_schedule") as module:
        yield module


@pytest.fixture(scope="module")
def network(bench):
    return bench.generate(200, 800, layers=10, seed=7)


@pytest.fixture(scope="module")
def cc(bench):
    return bench.compile_all(bench.calendars())


def test_the_workload_is_a_dag_of_the_asked_size(bench, network):
    assert len(network) == 200
    assert 700 <= network.pred.size <= 800
    assert len(bench.calendars()) == 16
    assert find_cycle(len(network), network.pred, network.succ) is None
    assert set(np.unique(network.kind)) == {0, 1}
    assert (network.lag < 0).any() and (network.lag > 0).any()
    assert (network.state == CANCELLED).sum() < 20


def test_schedule_on_the_workload(cc, network):
    result = schedule(cc, network)
    active = network.state != CANCELLED
    assert (result.early_finish[active] >= result.early_start[active]).all()
    assert result.critical.any()


def test_the_networkx_reference_gives_identical_results(bench, cc, network):
    if bench.networkx_version() is None:
        pytest.skip("networkx is not installed (pip install -e '.[bench]')")
    expected = bench.reference_schedule(cc, network)
    result = schedule(cc, network)
    assert bench.differences(result, expected) == dict.fromkeys(expected, 0)


def test_the_report_runs(bench):
    row = bench.run(100, 300, 1, with_reference=False)
    assert row["schedule"] > 0
    assert "| 100 |" in bench.report(row)
