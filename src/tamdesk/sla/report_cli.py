"""``tamdesk sla report``: the SLA compliance report of every incident (the operator's view) as
CSV, JSON or XLSX; the arguments of the API (docs/domains/sla.md, "Reports"). ``--view
departments`` gives the time per department instead (``sla.department_report``)."""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.db.models import Q
from django.utils import timezone

from tamdesk.directory.models import Client, Department
from tamdesk.sla import department_report, report_export, reports
from tamdesk.sla.choices import Priority
from tamdesk.sla.models import Incident

FORMATS = ("csv", "json", "xlsx")
VIEWS = ("compliance", "departments")


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def add_parser(actions) -> None:
    report = actions.add_parser(
        "report",
        help="The SLA compliance report as CSV, JSON or XLSX.",
        description="The SLA compliance report over every incident opened in the period: "
        "per client, priority, department and month (any combination), with the totals; XLSX "
        "and JSON also list the violations (every breached clock).",
    )
    report.add_argument(
        "--group-by",
        default="",
        help="Comma-separated groups among client, priority, department, month (none: totals).",
    )
    report.add_argument(
        "--from",
        dest="start",
        type=_day,
        help="First day of the openings (YYYY-MM-DD); default: the first day of the month "
        "eleven months before --to.",
    )
    report.add_argument(
        "--to", dest="end", type=_day, help="Last day of the openings (included); default: today."
    )
    report.add_argument("--client", help="Only this client's incidents (its name or code).")
    report.add_argument("--priority", choices=Priority.values, help="Only this priority.")
    report.add_argument("--department", help="Only incidents now in this department (its code).")
    report.add_argument(
        "--time-zone",
        default=None,
        help="The zone the days and months are read in (default: TAMDESK_TIME_ZONE).",
    )
    report.add_argument(
        "--view",
        choices=VIEWS,
        default="compliance",
        help="compliance (default) or departments: the working time each department held the "
        "incidents, with the OLA compliance (--department then keeps that department's holds).",
    )
    report.add_argument("--format", choices=FORMATS, default="csv", help="Default csv.")
    report.add_argument(
        "--output", type=Path, help="The file to write (default: standard output; XLSX needs one)."
    )


def _one(queryset, field: str, value: str):
    found = list(queryset[:2])
    if len(found) != 1:
        raise CommandError(f"--{field}: no single match for {value!r}.")
    return found[0]


def run(out, **options) -> None:
    time_zone = options.get("time_zone") or settings.TIME_ZONE
    try:
        zone = reports.zone(time_zone)
        group_by = reports.check_group_by(
            [name.strip() for name in options["group_by"].split(",") if name.strip()]
        )
        end = options.get("end") or timezone.localdate(timezone=zone)
        start = options.get("start") or reports.default_start(end)
        reports.check_period(start, end)
    except reports.ReportError as exc:
        field = (exc.field or "").replace("_", "-")
        raise CommandError(f"--{field}: {exc.message}") from None
    fmt, output = options.get("format") or "csv", options.get("output")
    if fmt == "xlsx" and output is None:
        raise CommandError("--format xlsx needs --output FILE.")

    client = department = None
    if options.get("client"):
        name = options["client"]
        client = _one(
            Client.objects.filter(Q(name__iexact=name) | Q(code__iexact=name)), "client", name
        )
    if options.get("department"):
        code = options["department"]
        department = _one(Department.objects.filter(code__iexact=code), "department", code)
    period = {"start": start, "end": end, "time_zone": time_zone}
    if options.get("view") == "departments":
        incidents = reports.filtered(
            Incident.objects.all(),
            client=client.pk if client else None,
            priority=options.get("priority") or "",
        )
        held = department_report.report(
            incidents,
            group_by=group_by,
            department=department.pk if department else None,
            **period,
        )
        _write_departments(out, held, fmt, output, period)
        return
    incidents = reports.filtered(
        Incident.objects.all(),
        client=client.pk if client else None,
        priority=options.get("priority") or "",
        department=department.pk if department else None,
    )
    result = reports.report(incidents, group_by=group_by, **period)
    if fmt == "xlsx":
        violations = reports.violations(incidents, **period)
        with output.open("wb") as stream:
            report_export.write_xlsx(stream, result, group_by, violations)
        return
    text = io.StringIO()
    if fmt == "csv":
        report_export.write_csv(text, result, group_by)
    else:
        violations = reports.violations(incidents, **period)
        document = report_export.document(
            result, group_by=group_by, violations=violations, **period
        )
        json.dump(document, text, ensure_ascii=False, indent=2)
        text.write("\n")
    if output is None:
        out.write(text.getvalue(), ending="")
    else:
        output.write_text(text.getvalue(), encoding="utf-8", newline="")


def _write_departments(out, result, fmt: str, output: Path | None, period: dict) -> None:
    if fmt == "xlsx":
        with output.open("wb") as stream:
            department_report.write_xlsx(stream, result)
        return
    text = io.StringIO()
    if fmt == "csv":
        department_report.write_csv(text, result)
    else:
        json.dump(department_report.document(result, **period), text, ensure_ascii=False, indent=2)
        text.write("\n")
    if output is None:
        out.write(text.getvalue(), ending="")
    else:
        output.write_text(text.getvalue(), encoding="utf-8", newline="")
