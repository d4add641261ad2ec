"""``tamdesk sla recompute``: re-measure every incident's clocks (after a calendar or policy
fix). ``tamdesk sla report``: the SLA compliance report as CSV, JSON or XLSX
(``tamdesk.sla.reports``; run by the operator, it covers every incident)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tamdesk.sla import report_cli, services


class Command(BaseCommand):
    help = "SLA clocks: recompute every incident's clocks in batches; the compliance report."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        recompute = actions.add_parser(
            "recompute",
            help="Re-measure every incident's clocks and department holds, in batches.",
            description="Re-measure every incident's reaction and resolution clocks and its "
            "department holds, for example after a calendar or a policy was corrected. Notifies "
            "the thresholds newly crossed.",
        )
        recompute.add_argument(
            "--batch-size", type=int, default=1000, help="Incidents per batch (default 1000)."
        )

        report_cli.add_parser(actions)

    def handle(self, *args, action: str, **options) -> None:
        if action == "report":
            report_cli.run(self.stdout, **options)
            return
        if action == "recompute":
            batch = options["batch_size"]
            if batch < 1:
                raise CommandError("--batch-size must be at least 1.")
            started = time.monotonic()
            count = services.recompute_all(batch_size=batch)
            self.stdout.write(
                f"Recomputed the clocks of {count} incidents in {time.monotonic() - started:.1f} s."
            )
