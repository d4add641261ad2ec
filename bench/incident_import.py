"""Benchmark of an incident import: a ServiceNow event log through ``tamdesk import-incidents``.

The file: N incidents in ServiceNow's event-log shape (one row per update, day-first local times
of Europe/Berlin — DST included —, ``?`` for empty, ``3 - Moderate`` priorities), about six rows
each: New → Active → Awaiting User Info → Active → Resolved → Closed, one incident in four
reassigned to another group (one in ten of them to someone unknown), one in five changing
priority, one in ten reopened after its resolution (two more rows). The incidents are opened over
the two years before now, so every clock is measured and most breaches are history.

Each run is a child process on a fresh database — SQLite in a temporary TAMDESK_HOME, or a
temporary PostgreSQL database (dropped after) — with the directory it needs (one client with its
SLA policy, five departments named by the file's groups, five engineers) migrated and created
before the clock starts. What is timed: the reader alone (``readers.READERS["servicenow"]``), then
the whole command (read, write, reconcile) with ``--chunk-size`` as given; rows/s and incidents/s
are of the whole command. Peak RSS is ``ru_maxrss`` of the child.

    .venv/bin/python bench/incident_import.py --write     # the report, bench/incident_import.md
    .venv/bin/python bench/incident_import.py --quick     # a smoke run in a few seconds
    .venv/bin/python bench/incident_import.py --sizes 1000000 --backends sqlite
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import datetime as dt
import io
import json
import os
import pstats
import random
import subprocess
import sys
import tempfile
import time
import zoneinfo
from pathlib import Path

from common import machine, peak_rss_mib

COMMAND = "nice .venv/bin/python bench/incident_import.py --write"
RESULT = Path(__file__).with_suffix(".md")
SIZES = (10_000,)
PER_INCIDENT_N = 2_000  # the old path is timed on this many incidents (it is ~50x slower)
BACKENDS = ("sqlite", "postgresql")
POSTGRES = "postgresql://postgres@127.0.0.1:5432/"
SEED = 20_261_206
TARGET_ROWS_PER_SECOND = 20_000  # the target on SQLite
ZONE = zoneinfo.ZoneInfo("Europe/Berlin")
CLIENT = "ACME"
GROUPS = ("Service Desk", "Network", "Databases", "Field Support", "Applications")
ENGINEERS = ("anna", "boris", "clara", "dmitri", "elena")
HEADER = [
    "number",
    "incident_state",
    "active",
    "reassignment_count",
    "reopen_count",
    "sys_mod_count",
    "made_sla",
    "caller_id",
    "opened_by",
    "opened_at",
    "sys_created_by",
    "sys_created_at",
    "sys_updated_by",
    "sys_updated_at",
    "contact_type",
    "location",
    "category",
    "subcategory",
    "u_symptom",
    "cmdb_ci",
    "impact",
    "urgency",
    "priority",
    "assignment_group",
    "assigned_to",
    "knowledge",
    "u_priority_confirmation",
    "notify",
    "problem_id",
    "rfc",
    "vendor",
    "caused_by",
    "closed_code",
    "resolved_by",
    "resolved_at",
    "closed_at",
]
PRIORITIES = ("1 - Critical", "2 - High", "3 - Moderate", "4 - Low")


def local(at: dt.datetime) -> str:
    """ServiceNow's day-first local time without seconds."""
    t = at.astimezone(ZONE)
    return f"{t.day}/{t.month}/{t.year} {t.hour:02d}:{t.minute:02d}"


def generate(out: io.TextIOBase, n: int, *, seed: int = SEED, now: dt.datetime) -> int:
    """Write the event log of ``n`` incidents to ``out``; returns the number of data rows."""
    rng = random.Random(seed)
    writer = csv.writer(out)
    writer.writerow(HEADER)
    first = now - dt.timedelta(days=730)
    rows = 0
    for number in range(n):
        opened = first + dt.timedelta(seconds=rng.randrange(0, 720 * 86_400))  # closed by now
        group, person = rng.choice(GROUPS), rng.choice(ENGINEERS)
        priority = rng.choice(PRIORITIES)
        made_sla = "true" if rng.random() < 0.8 else "false"
        base = {
            "number": f"INC{number:07d}",
            "active": "true",
            "reassignment_count": "0",
            "reopen_count": "0",
            "made_sla": made_sla,
            "caller_id": f"Caller {rng.randrange(5000)}",
            "opened_by": f"Opened by {rng.randrange(300)}",
            "opened_at": local(opened),
            "sys_created_by": "Created by 1",
            "sys_created_at": local(opened),
            "contact_type": "Phone",
            "location": f"Location {rng.randrange(200)}",
            "category": f"Category {rng.randrange(60)}",
            "subcategory": f"Subcategory {rng.randrange(200)}",
            "u_symptom": f"Symptom {rng.randrange(500)}",
            "cmdb_ci": "?",
            "impact": "2 - Medium",
            "urgency": "2 - Medium",
            "knowledge": "false",
            "u_priority_confirmation": "false",
            "notify": "Do Not Notify",
        }
        at = opened
        steps = [("New", 0), ("Active", rng.randrange(5, 240)), ("Awaiting User Info", 60)]
        steps += [("Active", rng.randrange(60, 2880)), ("Resolved", rng.randrange(30, 600))]
        if rng.random() < 0.1:  # reopened
            steps += [("Active", rng.randrange(60, 1440)), ("Resolved", rng.randrange(30, 600))]
        steps.append(("Closed", 1440 * 3))
        reassign_at = rng.randrange(1, len(steps) - 1) if rng.random() < 0.25 else -1
        reprioritise_at = rng.randrange(1, len(steps) - 1) if rng.random() < 0.2 else -1
        resolved_at = ""
        for mod, (state, minutes) in enumerate(steps):
            at += dt.timedelta(minutes=minutes)
            if mod == reassign_at:
                group = rng.choice([g for g in GROUPS if g != group])
                person = "Resolver 17" if rng.random() < 0.1 else rng.choice(ENGINEERS)
            if mod == reprioritise_at:
                priority = rng.choice([p for p in PRIORITIES if p != priority])
            if state == "Resolved":
                resolved_at = local(at)
            elif state == "Active":
                resolved_at = ""
            row = base | {
                "incident_state": state,
                "sys_mod_count": str(mod),
                "sys_updated_by": person,
                "sys_updated_at": local(at),
                "priority": priority,
                "assignment_group": group,
                "assigned_to": person,
                "resolved_at": resolved_at or "?",
                "closed_at": local(at) if state == "Closed" else "?",
                "active": "false" if state == "Closed" else "true",
            }
            writer.writerow([row.get(column, "?") for column in HEADER])
            rows += 1
    return rows


# --- one run, in a child process ---------------------------------------------------------------


def _setup_directory() -> None:
    from django.contrib.auth import get_user_model

    from tamdesk.calendars.models import Calendar, WorkingInterval
    from tamdesk.directory.models import Client, Department, Engineer
    from tamdesk.sla import services

    User = get_user_model()
    admin = User.objects.create_superuser("bench", "bench@example.com", "bench-password")
    departments = [
        Department.objects.create(code=name.lower().replace(" ", "-"), name=name) for name in GROUPS
    ]
    for username, department in zip(ENGINEERS, departments, strict=True):
        user = User.objects.create_user(username, f"{username}@example.com", "x")
        Engineer.objects.create(user=user, department=department)
    client = Client.objects.create(name="Acme", code=CLIENT)
    calendar = Calendar.objects.create(name="Berlin office", time_zone="Europe/Berlin")
    WorkingInterval.objects.bulk_create(
        WorkingInterval(calendar=calendar, weekday=day, start_minute=start, end_minute=end)
        for day in range(5)
        for start, end in ((9 * 60, 13 * 60), (14 * 60, 18 * 60))
    )
    hour = 3600
    services.create_policy(
        name="Acme SLA",
        client=client,
        valid_from=dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
        calendar=calendar,
        targets={
            "p1": (hour // 2, 4 * hour),
            "p2": (hour, 8 * hour),
            "p3": (4 * hour, 24 * hour),
            "p4": (8 * hour, 40 * hour),
        },
        warning_thresholds=[50, 75],
        reaction_pause_statuses=["waiting_client"],
        resolution_pause_statuses=["waiting_client", "waiting_third_party"],
        by=admin,
    )


def child(args: argparse.Namespace) -> None:
    """Set up a fresh database, run the import, print one JSON line."""
    import django

    django.setup()
    from django.core.management import call_command

    from tamdesk.sla.imports import readers
    from tamdesk.sla.models import Incident, IncidentClock, IncidentEvent

    call_command("migrate", verbosity=0)
    _setup_directory()
    path = Path(args.file)
    mapping = readers.mapping_for("servicenow", time_zone="Europe/Berlin", client=CLIENT)
    began = time.perf_counter()
    read = readers.READERS["servicenow"](path, mapping=mapping, source_system="servicenow")
    read_s = time.perf_counter() - began
    rows, incidents = read.rows, len(read.incidents)
    del read
    command = [str(path), "--preset", "servicenow", "--client", CLIENT]
    command += ["--time-zone", "Europe/Berlin", "--by", "bench", "--chunk-size", str(args.chunk)]
    profile = cProfile.Profile() if args.profile else None
    out = io.StringIO()
    began, cpu = time.perf_counter(), time.process_time()
    if profile:
        profile.enable()
    try:
        call_command("import-incidents", *command, stdout=out)
    except SystemExit as exit:  # 3: some rows were rejected
        if exit.code != 3:
            raise
    if profile:
        profile.disable()
    total_s, cpu_s = time.perf_counter() - began, time.process_time() - cpu
    result = {
        "rows": rows,
        "incidents": incidents,
        "read_s": read_s,
        "total_s": total_s,
        "cpu_s": cpu_s,
        "stored_incidents": Incident.objects.count(),
        "stored_events": IncidentEvent.objects.count(),
        "stored_clocks": IncidentClock.objects.count(),
        "peak_rss_mib": peak_rss_mib(),
        "summary": out.getvalue().splitlines()[:3],
    }
    if profile:
        stream = io.StringIO()
        pstats.Stats(profile, stream=stream).sort_stats("cumulative").print_stats(args.profile)
        result["profile"] = stream.getvalue()
    print(json.dumps(result))


def run_child(file: Path, *, backend: str, chunk: int, profile: int = 0) -> dict:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="tamdesk.config.settings")
    src = str(Path(__file__).resolve().parents[1] / "src")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [src, env.get("PYTHONPATH", "")]))
    with tempfile.TemporaryDirectory(prefix="tamdesk-bench-") as home:
        env["TAMDESK_HOME"] = home
        env.pop("TAMDESK_DATABASE_URL", None)
        database = ""
        if backend == "postgresql":
            database = f"tamdesk_bench_import_{os.getpid()}"
            _postgres(f"CREATE DATABASE {database}")
            env["TAMDESK_DATABASE_URL"] = POSTGRES + database
        try:
            command = [sys.executable, __file__, "--child", "--file", str(file)]
            command += ["--chunk", str(chunk), "--profile", str(profile)]
            done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        finally:
            if database:
                _postgres(f"DROP DATABASE IF EXISTS {database}")
    if done.returncode != 0:
        raise RuntimeError(f"the {backend} run failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _postgres(sql: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES + "postgres", autocommit=True) as connection:
        connection.execute(sql)


# --- the report --------------------------------------------------------------------------------


def load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"{one:.1f} / {five:.1f}"


def report(results: list[dict], profile: str) -> str:
    rows = []
    for r in results:
        rows.append(
            f"| {r['backend']} | {r['path']} | {r['incidents']:,} | {r['rows']:,} | "
            f"{r['read_s']:.1f} | {r['total_s']:.1f} ({r['cpu_s']:.1f}) | "
            f"**{r['rows'] / r['total_s']:,.0f}** | {r['incidents'] / r['total_s']:,.0f} | "
            f"{r['rows'] / r['read_s']:,.0f} | {r['stored_events']:,} | "
            f"{r['peak_rss_mib']:,.0f} | {r['load']} |"
        )
    return "\n".join(
        [
            "| database | path | incidents | rows | read s | import s (CPU s) | rows/s "
            "| incidents/s | reader alone, rows/s | events stored | peak RSS MiB | load 1/5 min |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            *rows,
        ]
    ) + (
        f"\n\nProfile (cumulative, the SQLite batch run):\n\n```text\n{profile}\n```"
        if profile
        else ""
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=SIZES)
    parser.add_argument("--backends", type=lambda s: s.split(","), default=list(BACKENDS))
    parser.add_argument("--per-incident-n", type=int, default=PER_INCIDENT_N)
    parser.add_argument("--chunk-size", type=int, default=1000)
    parser.add_argument("--profile", type=int, default=0, help="Print the top N functions.")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--write", action="store_true", help=f"Write {RESULT.name}.")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--chunk", type=int, default=1000, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    if args.quick:
        args.sizes, args.backends, args.per_incident_n = [300], ["sqlite"], 100
    now = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    results, profile = [], ""
    with tempfile.TemporaryDirectory(prefix="tamdesk-bench-file-") as folder:
        runs = [(n, "batch", args.chunk_size) for n in args.sizes]
        if args.per_incident_n:
            runs.append((args.per_incident_n, "per-incident", 0))
            if args.per_incident_n not in args.sizes:
                runs.append((args.per_incident_n, "batch", args.chunk_size))
        for n, path, chunk in runs:
            file = Path(folder) / f"servicenow-{n}.csv"
            if not file.exists():
                with file.open("w", newline="", encoding="utf-8") as out:
                    generate(out, n, now=now)
            for backend in args.backends:
                wanted = args.profile if (backend == "sqlite" and path == "batch") else 0
                r = run_child(file, backend=backend, chunk=chunk, profile=wanted)
                r |= {"backend": backend, "path": path, "load": load()}
                profile = r.pop("profile", "") or profile
                results.append(r)
                print(
                    f"{backend:10} {path:12} {r['incidents']:>9,} incidents {r['rows']:>10,} rows "
                    f"{r['total_s']:8.1f} s  {r['rows'] / r['total_s']:>9,.0f} rows/s "
                    f"(reader {r['rows'] / r['read_s']:,.0f} rows/s)  load {r['load']}",
                    flush=True,
                )
    table = report(results, profile)
    print(table)
    if args.write:
        # Only the part between the markers is replaced: the analysis around it is written by
        # hand from the runs.
        text = RESULT.read_text()
        head, rest = text.split("<!-- results -->")
        tail = rest.split("<!-- /results -->")[1]
        RESULT.write_text(
            f"{head}<!-- results -->\n\nMachine: {machine()}. Command: `{COMMAND}`.\n\n"
            f"{table}\n\n<!-- /results -->{tail}"
        )


if __name__ == "__main__":
    main()
