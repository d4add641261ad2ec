"""``tamdesk demo``: migrate, load the demo organisation (idempotently) and serve it."""

from __future__ import annotations

import os
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from tamdesk.core.management.commands.serve import adopt_base_url
from tamdesk.demo import history
from tamdesk.demo.data import FIXED_PEOPLE
from tamdesk.demo.generator import DEFAULT_SEED, MAX_SCALE, build_plan
from tamdesk.demo.loader import DemoResetBlocked, LoadReport, describe_accounts, load_demo
from tamdesk.demo.loader import reset_demo as reset_demo_data
from tamdesk.demo.plan import DemoPlan

PASSWORD_VARIABLE = "TAMDESK_DEMO_PASSWORD"  # noqa: S105  (the name, not a password)


class Command(BaseCommand):
    help = (
        "Apply migrations, load the demo organisation (3 working calendars, 16 departments, ~60 "
        "engineers, 40 clients per scale unit; running it again creates nothing new) and serve "
        f"it. Demo users get the password in {PASSWORD_VARIABLE}, or a generated one shown once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-serve", action="store_true", help="Load the data and exit without serving."
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the demo data loaded before (and only that), then load it again.",
        )
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help=f"Multiply engineers and clients (1-{MAX_SCALE}; 10 = ~600 engineers, 400 "
            "clients).",
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="Seed of the generator (default: "
            f"{DEFAULT_SEED}); the same seed gives the same organisation."
        )  # fmt: skip
        parser.add_argument(
            "--history-incidents",
            type=int,
            default=None,
            metavar="N",
            help="About how many incidents the six months of imported history hold (default: "
            f"{history.DEFAULT_INCIDENTS} per scale unit; 0: no history).",
        )
        parser.add_argument("--host", default="127.0.0.1", help="Serve on this address.")
        parser.add_argument("--port", type=int, default=8000, help="Serve on this port.")
        parser.add_argument("--workers", type=int, default=None, help="Web server processes.")

    def handle(self, *args, **options) -> None:
        if not 1 <= options["scale"] <= MAX_SCALE:
            raise CommandError(f"--scale must be between 1 and {MAX_SCALE}.")
        if (options["history_incidents"] or 0) < 0:
            raise CommandError("--history-incidents must be 0 or more.")
        if not options["no_serve"]:
            # Before loading: the demo's notifications link to the address it is served on.
            adopt_base_url(options["host"], options["port"])
        self.stdout.write("Applying database migrations…")
        call_command("migrate", interactive=False, verbosity=0)
        started = time.monotonic()
        plan = build_plan(seed=options["seed"], scale=options["scale"])
        # A reset and the reload succeed or fail together.
        with transaction.atomic():
            if options["reset"]:
                self._reset()
            report = load_demo(
                plan,
                password=os.environ.get(PASSWORD_VARIABLE) or None,
                history_incidents=options["history_incidents"],
            )
        self._report_load(report, options, time.monotonic() - started)
        self._report_accounts(plan, report)
        if not options["no_serve"]:
            serve_options = {"host": options["host"], "port": options["port"]}
            if options["workers"]:
                serve_options["workers"] = options["workers"]
            call_command("serve", stdout=self.stdout, stderr=self.stderr, **serve_options)

    def _reset(self) -> None:
        try:
            deleted = reset_demo_data()
        except DemoResetBlocked as exc:
            raise CommandError(exc.message) from exc
        summary = ", ".join(f"{count} {label}" for label, count in deleted.items() if count)
        self.stdout.write(f"Deleted the demo data: {summary or 'there was none'}.")

    def _report_load(self, report: LoadReport, options: dict, seconds: float) -> None:
        created = report.created
        head = f"Demo organisation (seed {options['seed']}, scale {options['scale']})"
        if not any(created.values()):
            self.stdout.write(f"{head} is already loaded: nothing new to create.")
            self._report_history(report)
            return
        order = ("calendars", "departments", "users", "engineers", "tams", "clients",
                 "contacts", "components", "assignments", "sla policies", "incidents",
                 "changes", "history incidents")  # fmt: skip
        labels = {
            "tams": "of them TAMs",
            "assignments": "account-team assignments",
            "history incidents": "incidents of imported history",
        }
        parts = [f"{created[key]} {labels.get(key, key)}" for key in order if created[key]]
        self.stdout.write(
            self.style.SUCCESS(f"{head}: created {', '.join(parts)} in {seconds:.1f} s.")
        )
        if created["incidents"]:
            self.stdout.write(
                "Incidents are dated from now: log in as `tam` and open Incidents to watch the "
                "first ones warn and breach within minutes (the background worker notifies)."
            )
        if created["changes"]:
            self.stdout.write(
                "Changes too: log in as `tam` and open Changes — the board has a change in every "
                "status; the list shows the one at risk and the late ones (forecast past the "
                "committed date)."
            )
        self._report_history(report)
        if report.skipped_assignments:
            self.stdout.write(
                self.style.WARNING(
                    f"{report.skipped_assignments} TAM assignments were left out: their user "
                    "existed before the demo and does not have the TAM role."
                )
            )

    def _report_history(self, report: LoadReport) -> None:
        run = report.history
        if run is None:
            return
        outcome = run.outcome
        self.stdout.write(
            f"History: imported {run.file_name} (ServiceNow event log, {run.rows_read} rows) as "
            f"`{run.created_by.get_username()}`: {outcome.get('created', 0)} incidents created, "
            f"{outcome.get('updated', 0)} updated, {outcome.get('unchanged', 0)} unchanged, "
            f"{outcome.get('rejected', 0)} rejected, "
            f"{outcome.get('disagreements_total', 0)} SLA verdicts differing from the source's. "
            "The SLA report (Incidents → SLA report) covers its six months."
        )

    def _report_accounts(self, plan: DemoPlan, report: LoadReport) -> None:
        accounts = describe_accounts([person.username for person in FIXED_PEOPLE])
        self.stdout.write("\nDemo accounts (one per role):")
        for account in accounts:
            details = ", ".join(account.roles) or "no role"
            if account.department:
                details += f" — {account.department}"
            if account.current_clients:
                details += f", {account.current_clients} clients as TAM or backup TAM"
            if not account.is_demo:
                details += " (existed before the demo; left as it was)"
            self.stdout.write(f"  {account.username:<16} {account.full_name:<18} {details}")
        fixed = {person.username for person in FIXED_PEOPLE}
        example = next(p.username for p in plan.people if p.username not in fixed)
        self.stdout.write(
            "Every other demo user (engineers, service managers) signs in with the user name on "
            f"their page, for example {example}, and the same password."
        )
        if report.generated_password:
            kept = (
                f"; the {report.kept_passwords} accounts of the earlier load keep theirs"
                if report.kept_passwords
                else ""
            )
            self.stdout.write(
                self.style.WARNING(f"Password of the new demo users: {report.generated_password}")
                + f"\n  (generated and shown only now; set {PASSWORD_VARIABLE} to choose one{kept})"
            )
        elif report.passwords_set:
            self.stdout.write(f"Password of every demo user: the value of {PASSWORD_VARIABLE}.")
        else:
            self.stdout.write(
                "Passwords of the demo users were not changed (set "
                f"{PASSWORD_VARIABLE} to set them all, or use --reset for a new one)."
            )
