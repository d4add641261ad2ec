"""Smoke test of bench/sla_clock.py: the workload generator and `measure` at a tiny size, and the
agreement with the peer libraries that are installed (the `bench` extra). No timing asserted."""

from __future__ import annotations

import numpy as np
import pytest

from tamdesk.sla.engine import BEYOND, NO_INSTANT, OPEN, measure
from tests.bench.conftest import bench_module


@pytest.fixture(scope="module")
def bench():
    with bench_module("sla_clock") as module:
        yield module


@pytest.fixture(scope="module")
def workload(bench):
    return bench.generate(1_000, seed=7)


def test_the_workload_has_two_clocks_per_incident_and_about_one_pause_each(bench, workload):
    clocks = bench.to_clocks(workload)
    n = len(workload)
    assert len(clocks) == 2 * n
    assert clocks.thresholds.shape == (2 * n, 2)
    assert (np.diff(clocks.seg_clock) >= 0).all()
    assert 0.8 < clocks.pause_clock.size / n < 1.2
    assert set(np.unique(workload.cal)) == set(range(10))
    # Only a clock's last segment may be open, and a stopped clock has none.
    is_open = clocks.seg_end == OPEN
    last = np.append(clocks.seg_clock[1:] != clocks.seg_clock[:-1], True)
    assert not (is_open & ~last).any()
    assert not clocks.stopped[clocks.seg_clock[is_open]].any()
    assert (clocks.seg_start[~is_open] <= clocks.seg_end[~is_open]).all()
    assert (clocks.seg_start < bench.NOW).all()


def test_measure_on_the_workload(bench, workload):
    clocks = bench.to_clocks(workload)
    cc = bench.compile_all(bench.calendars())
    result = measure(cc, clocks, now=bench.NOW)
    bench.self_check(cc, clocks, result)
    assert set(np.unique(result.state)) == {0, 1, 2, 3}  # running, paused, met, breached
    assert not (result.due_at == BEYOND).any()
    running = result.state == 0
    assert (result.due_at[running] != NO_INSTANT).all()


def test_the_child_run_reports_a_size(bench):
    row = bench.run_size(2_000, repeats=1)
    assert row["clocks"] == 4_000 and row["measure"] > 0


@pytest.mark.parametrize("name", ["businesstimedelta", "business-duration", "bizdurr"])
def test_the_peers_agree_with_the_engine_to_the_second(bench, name):
    peer = next(peer for peer in bench.PEERS if peer.name == name)
    if not peer.available():
        pytest.skip(f"{name} is not installed (pip install -e '.[bench]')")
    pool = bench.generate(2_000, seed=11)
    run = bench.run_peer(peer, bench.calendars(), pool, 70, repeats=1)  # about 200 pairs
    assert run.pairs >= 200
    assert run.pair_mismatches == 0, run.examples
    assert run.elapsed_mismatches == 0
    assert run.due_mismatches == 0
    if peer.add is not None:
        assert run.due_compared > 0
