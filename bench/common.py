"""What the benchmarks share: calendar building blocks, timing, memory and the machine.

The scripts are run as ``python bench/<name>.py``, so this directory is on ``sys.path``; the
smoke tests in tests/bench put it there before loading a script."""

from __future__ import annotations

import os
import platform
import resource
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

Intervals = tuple[tuple[int, int], ...]


def hours(*spans: tuple[float, float]) -> Intervals:
    """Working intervals from hours of the day: ``hours((9, 13), (14, 18))``."""
    return tuple((round(start * 60), round(end * 60)) for start, end in spans)


def week(day: Intervals, *, days: int = 5) -> tuple[Intervals, ...]:
    """``day`` on the first ``days`` weekdays, nothing on the rest."""
    return (day,) * days + ((),) * (7 - days)


def best_of_with_cpu(function: Callable[[], object], repeats: int) -> tuple[float, float]:
    """The best wall-clock time of ``repeats`` runs, and the CPU time of that run."""
    timings = []
    for _ in range(repeats):
        began, cpu = time.perf_counter(), time.process_time()
        function()
        timings.append((time.perf_counter() - began, time.process_time() - cpu))
    return min(timings)


def best_of(function: Callable[[], object], repeats: int) -> float:
    return best_of_with_cpu(function, repeats)[0]


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine() -> str:
    return (
        f"{cpu_model()}, {os.cpu_count()} cores (`nproc` {len(os.sched_getaffinity(0))}); "
        f"{platform.system()} {platform.release()}; Python {platform.python_version()}, "
        f"NumPy {np.__version__}"
    )
