"""Benchmark of the SLA compliance report and of the pages that read incidents at volume.

The workload: the demo organisation (``tamdesk demo``: 40 clients, 60 engineers, 5 SLA policies
on three calendars) and N generated incidents over twelve months (``tamdesk.sla.bulk``: about
six events and two measured clocks each, ~9 % of the clocks breached), on SQLite and on
PostgreSQL. Then, for a service manager (every client) and a TAM (their clients):

- the compliance report (``tamdesk.sla.reports.compliance``) over the twelve months, grouped by
  month and by client, priority and month;
- the same figures by a straightforward ORM aggregation (``GROUP BY`` with ``Count``/``Sum``
  and a filter per state, the elapsed times fetched per group and their percentiles computed in
  Python), checked to agree with the report, and the ratio of the two times;
- the client page (``directory:client_detail``, with its SLA section) and the incident list
  (``sla:incident_list``) through Django's test client: the median of the runs and the number
  of queries;
- the peak memory of the report (tracemalloc) and of the whole process (max RSS).

Each database runs in a child process of its own (its settings are read at start-up). SQLite
lives in a TAMDESK_HOME (a temporary one unless --home); PostgreSQL in a database created for the
run and dropped after it (unless --keep). With --home/--keep a later run reuses what is there:
the generator only writes the incidents still missing.

    .venv/bin/python bench/sla_report.py --count 1000000 --write   # the figures in the .md
    .venv/bin/python bench/sla_report.py --count 2000              # a quick run
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from common import machine, peak_rss_mib

COMMAND = "nice .venv/bin/python bench/sla_report.py --count 1000000 --keep --write"
RESULT = Path(__file__).with_suffix(".md")
SEED = 1
MONTHS = 12
REPEATS = 5
TIME_ZONE = "Europe/Moscow"
PG_URL = "postgres://postgres@127.0.0.1:5432"
PG_NAME = "tamdesk_bench_report"
#: The issue's targets (issue 12, "Performance").
REPORT_TARGET = 2.0
PAGE_TARGET = 0.3
GROUPINGS = (("month",), ("client", "priority", "month"))


# --- the child: one database ------------------------------------------------------------------


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tamdesk.config.settings")
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host, mail kept in memory


def load(count: int) -> dict:
    """Migrate, load the demo organisation (idempotent) and generate the incidents missing."""
    from django.core.management import call_command
    from django.utils import timezone

    from tamdesk.sla import bulk

    # Without the demo's own history: the generated incidents are the workload.
    with open(os.devnull, "w") as quiet:
        call_command("demo", no_serve=True, history_incidents=0, verbosity=0, stdout=quiet)
    now = timezone.now()
    plan = bulk.make_plan(count=count, months=MONTHS, seed=SEED, now=now)
    result = bulk.generate(plan, now=now)
    bulk.analyze()  # the generator does after writing; a resumed load may have written nothing
    return {
        "plan": plan,
        "created": result.created,
        "events_written": result.events,
        "generate_seconds": round(result.seconds, 1),
        "rate": round(result.created / result.seconds) if result.created else None,
    }


def median_of(function, repeats: int) -> tuple[float, float, object]:
    """The median wall-clock and CPU seconds of ``repeats`` runs (this process's CPU: on
    SQLite it includes the database's work, on PostgreSQL not), and the last run's value."""
    timings, cpu, value = [], [], None
    for _ in range(repeats):
        began, began_cpu = time.perf_counter(), time.process_time()
        value = function()
        timings.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
    return statistics.median(timings), statistics.median(cpu), value


def users() -> dict:
    from django.contrib.auth import get_user_model

    model = get_user_model()
    return {name: model.objects.get(username=name) for name in ("service_manager", "tam")}


def naive_report(incidents, group_by, *, start, end) -> dict:
    """The report's counts, paused time, median and 90th percentile per group, as one would
    write them with the ORM: a GROUP BY per clock kind with a filtered Count per state and a
    Sum, then every stopped clock's elapsed time with its group's keys, grouped and sorted in
    Python for the percentiles."""
    import zoneinfo

    from django.db.models import Count, Q, Sum
    from django.db.models.functions import TruncMonth

    from tamdesk.sla import reports
    from tamdesk.sla.models import IncidentClock

    tz = zoneinfo.ZoneInfo(TIME_ZONE)
    lo, hi = reports.period_bounds(start, end, TIME_ZONE)
    incidents = incidents.filter(opened_at__gte=lo, opened_at__lt=hi)
    inc_keys = list(group_by)
    out: dict = {}
    per_incident = (
        incidents.annotate(month=TruncMonth("opened_at", tzinfo=tz))
        .values(*inc_keys)
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in per_incident:
        out.setdefault(_key(row, inc_keys), {})["incidents"] = row["n"]
    clock_keys = [f"incident__{k}" if k != "month" else "month" for k in inc_keys]
    clocks = IncidentClock.objects.filter(incident__in=incidents).annotate(
        month=TruncMonth("incident__opened_at", tzinfo=tz)
    )
    for kind in reports.KINDS:
        grouped = (
            clocks.filter(kind=kind)
            .values(*clock_keys)
            .annotate(
                met=Count("pk", filter=Q(state="met")),
                breached=Count("pk", filter=Q(state="breached")),
                paused=Sum("paused_seconds"),
            )
            .order_by()
        )
        for row in grouped:
            figures = out.setdefault(_key(row, clock_keys), {})
            figures[kind] = {
                "met": row["met"],
                "breached": row["breached"],
                "paused": row["paused"],
            }
        stopped = Q(incident__status__in=reports.STOPPED_STATUSES)
        if kind == "reaction":
            stopped |= Q(incident__first_response_at__isnull=False)
        elapsed: dict[tuple, list[int]] = {}
        for *key, value in clocks.filter(
            stopped, kind=kind, incident__policy_version__isnull=False
        ).values_list(*clock_keys, "elapsed_seconds"):
            elapsed.setdefault(
                _key(dict(zip(clock_keys, key, strict=True)), clock_keys), []
            ).append(value)
        for key, values in elapsed.items():
            values.sort()
            figures = out.setdefault(key, {}).setdefault(kind, {})
            figures["median"] = _linear(values, 50)
            figures["p90"] = _linear(values, reports.PERCENTILE)
    return out


def _key(row: dict, names: list[str]) -> tuple:
    return tuple(
        row[name].strftime("%Y-%m") if hasattr(row[name], "strftime") else row[name]
        for name in names
    )


def _linear(values: list[int], percent: float) -> float | None:
    """NumPy's default percentile (linear between the neighbours of rank p/100 × (n - 1))."""
    if not values:
        return None
    rank = percent / 100 * (len(values) - 1)
    low = int(rank)
    high = min(low + 1, len(values) - 1)
    return round(values[low] + (values[high] - values[low]) * (rank - low), 1)


def disagreements(rows, naive: dict, group_by) -> int:
    """Groups whose figures differ between the report and the naive aggregation."""
    wrong = 0
    for row in rows:
        key = tuple(
            {"client": row.client_id, "priority": row.priority, "month": row.month}[g]
            for g in group_by
        )
        theirs = naive.get(key, {})
        if theirs.get("incidents") != row.incidents:
            wrong += 1
            continue
        for kind in ("reaction", "resolution"):
            mine, other = getattr(row, kind), theirs.get(kind, {})
            if (mine.met, mine.breached, mine.paused_seconds) != (
                other.get("met"),
                other.get("breached"),
                other.get("paused"),
            ) or (mine.median_seconds, mine.p90_seconds) != (other.get("median"), other.get("p90")):
                wrong += 1
                break
    return wrong + max(len(naive) - len(rows), 0)


def time_reports(plan, people: dict, repeats: int) -> list[dict]:
    from tamdesk.sla import reports
    from tamdesk.sla.models import Incident

    start = plan.since.date()
    end = (plan.until - dt.timedelta(days=1)).date()
    out = []
    for who, user in people.items():
        for group_by in GROUPINGS:
            visible = Incident.objects.visible_to(user)

            def run(visible=visible, group_by=group_by):
                return reports.compliance(
                    visible, group_by=group_by, start=start, end=end, time_zone=TIME_ZONE
                )

            seconds, cpu, rows = median_of(run, repeats)
            tracemalloc.start()
            run()
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            naive_seconds, _cpu, naive = median_of(
                lambda visible=visible, group_by=group_by: naive_report(
                    visible, group_by, start=start, end=end
                ),
                max(1, repeats // 2),
            )
            out.append(
                {
                    "who": who,
                    "group_by": ",".join(group_by),
                    "incidents": sum(row.incidents for row in rows),
                    "groups": len(rows),
                    "seconds": round(seconds, 3),
                    "cpu": round(cpu, 3),
                    "peak_mib": round(peak, 1),
                    "naive_seconds": round(naive_seconds, 3),
                    "ratio": round(naive_seconds / seconds, 1) if seconds else None,
                    "disagreements": disagreements(rows, naive, group_by),
                }
            )
    return out


def time_pages(people: dict, repeats: int) -> list[dict]:
    from django.db import connection
    from django.test import Client as TestClient
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from tamdesk.directory.models import Client

    tam_client = Client.objects.visible_to(people["tam"]).order_by("pk").first()
    pages = {
        "client page": reverse("directory:client_detail", args=[tam_client.pk]),
        "incident list": reverse("sla:incident_list"),
        "incident list, one client": f"{reverse('sla:incident_list')}?client={tam_client.pk}",
        "incident list, page 100": f"{reverse('sla:incident_list')}?page=100",
    }
    out = []
    for who, user in people.items():
        browser = TestClient()
        browser.force_login(user)
        for name, url in pages.items():
            response = browser.get(url)  # warm the caches the first request fills
            assert response.status_code == 200, (url, response.status_code)
            seconds, cpu, _ = median_of(lambda url=url, b=browser: b.get(url), repeats)
            with CaptureQueriesContext(connection) as queries:
                browser.get(url)
            out.append(
                {
                    "who": who,
                    "page": name,
                    "url": url,
                    "seconds": round(seconds, 3),
                    "cpu": round(cpu, 3),
                    "queries": len(queries),
                }
            )
    return out


def child(count: int, repeats: int) -> dict:
    setup_django()
    from django.db import connection

    from tamdesk.sla.models import Incident, IncidentEvent

    loaded = load(count)
    people = users()
    figures = {
        "vendor": connection.vendor,
        "incidents": Incident.objects.count(),
        "events": IncidentEvent.objects.count(),
        **{k: v for k, v in loaded.items() if k != "plan"},
        "reports": time_reports(loaded["plan"], people, repeats),
        "pages": time_pages(people, repeats),
    }
    figures["max_rss_mib"] = round(peak_rss_mib(), 1)
    return figures


# --- the parent: run each database, write the report -------------------------------------------


def run_database(name: str, args) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAMDESK_")}
    env["DJANGO_SETTINGS_MODULE"] = "tamdesk.config.settings"
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1] / "src")
    home = Path(args.home or tempfile.mkdtemp(prefix="tamdesk-bench-")) / name
    home.mkdir(parents=True, exist_ok=True)
    env["TAMDESK_HOME"] = str(home)
    created_db = False
    if name == "postgresql":
        import psycopg

        env["TAMDESK_DATABASE_URL"] = f"{args.pg_url}/{args.pg_name}"
        with psycopg.connect(f"{args.pg_url}/postgres", autocommit=True) as pg:
            exists = pg.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [args.pg_name]
            ).fetchone()
            if not exists:
                pg.execute(f'CREATE DATABASE "{args.pg_name}"')
                created_db = True
    try:
        command = [sys.executable, __file__, "--child", "--count", str(args.count)]
        command += ["--repeats", str(args.repeats)]
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if done.returncode:
            raise SystemExit(f"{name}: the run failed\n{done.stderr[-4000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        if name == "postgresql" and not args.keep:
            with psycopg.connect(f"{args.pg_url}/postgres", autocommit=True) as pg:
                pg.execute(f'DROP DATABASE IF EXISTS "{args.pg_name}" WITH (FORCE)')
        elif name == "postgresql" and created_db:
            print(f"kept the database {args.pg_name}", file=sys.stderr)
        if not args.home:
            shutil.rmtree(home.parent, ignore_errors=True)


def report_text(results: dict, args, load_average: str) -> str:
    lines = [
        "# SLA report and incident pages at volume",
        "",
        f"Command: `{COMMAND}`" if args.count == 1_000_000 else f"Command: `{' '.join(sys.argv)}`",
        "",
        f"Machine: {machine()}. Load average before the run: {load_average} (other helpers share "
        "the CPUs). Run under `nice`.",
        "",
        f"Targets (issue 12): the grouped monthly report over a year in ≤ {REPORT_TARGET:g} s, the "
        f"client page and the incident list in ≤ {PAGE_TARGET * 1000:g} ms.",
    ]
    for name, r in results.items():
        lines += [
            "",
            f"## {name}: {r['incidents']:,} incidents, {r['events']:,} events",
            "",
        ]
        if r["created"]:
            lines.append(
                f"Generated {r['created']:,} incidents ({r['events_written']:,} events) in "
                f"{r['generate_seconds']:,} s: {r['rate']:,} incidents/s."
            )
        lines += [
            "",
            "| reader | grouped by | incidents | groups | report, s (CPU s) | naive ORM, s | ratio "
            "| agree | report peak (tracemalloc), MiB |",
            "|---|---|--:|--:|--:|--:|--:|---|--:|",
        ]
        for row in r["reports"]:
            agree = "yes" if row["disagreements"] == 0 else f"{row['disagreements']} groups differ"
            lines.append(
                f"| {row['who']} | {row['group_by']} | {row['incidents']:,} | {row['groups']} | "
                f"{row['seconds']} ({row['cpu']}) | {row['naive_seconds']} | {row['ratio']}× | "
                f"{agree} | {row['peak_mib']} |"
            )
        lines += [
            "",
            "| reader | page | median, ms (CPU ms) | queries |",
            "|---|---|--:|--:|",
        ]
        for row in r["pages"]:
            lines.append(
                f"| {row['who']} | {row['page']} (`{row['url']}`) | "
                f"{row['seconds'] * 1000:.0f} ({row['cpu'] * 1000:.0f}) | {row['queries']} |"
            )
        lines += ["", f"Peak RSS of the run: {r['max_rss_mib']} MiB."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=2_000, help="incidents (default 2000)")
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--home", default="", help="keep the SQLite database in this directory")
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--pg-name", default=PG_NAME)
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument("--write", action="store_true", help=f"write {RESULT.name}")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.count, args.repeats)))
        return
    load_average = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    results = {}
    for name in args.databases.split(","):
        results[{"sqlite": "SQLite", "postgresql": "PostgreSQL"}[name]] = run_database(name, args)
    text = report_text(results, args, load_average)
    print(text)
    if args.write:
        RESULT.write_text(text)


if __name__ == "__main__":
    main()
