"""``tamdesk generate-incidents --count N --months M``: write N generated incidents over the M
months before an end, with their events and clocks (``tamdesk.sla.bulk``), for the benchmarks
and for trying the pages at volume. Resumable and idempotent: running it again writes only what
is missing.

Exit status: 0 when done, 1 on bad arguments (nothing written)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from tamdesk.sla import bulk


def client_ids(value: str) -> list[int]:
    try:
        ids = [int(part) for part in value.replace(",", " ").split()]
    except ValueError:
        raise CommandError(
            _("--clients takes client ids separated by commas, not %(value)s.") % {"value": value}
        ) from None
    if not ids:
        raise CommandError(_("--clients takes at least one client id."))
    return ids


def end_day(value: str) -> dt.datetime:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("--until takes a date as YYYY-MM-DD, not %(value)s.") % {"value": value}
        ) from None
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


class Command(BaseCommand):
    help = (
        "Write generated incidents (about six events each, their clocks measured) for the "
        "existing clients and policies: for benchmarks and trying the pages at volume."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, required=True, help="How many incidents.")
        parser.add_argument(
            "--months", type=int, default=12, help="Over how many months (default 12)."
        )
        parser.add_argument(
            "--clients",
            default="",
            metavar="ID,ID",
            help="Only for these clients (ids; default: every client).",
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="The same seed gives the same incidents."
        )
        parser.add_argument(
            "--until",
            default="",
            metavar="YYYY-MM-DD",
            help="Incidents open before this day, UTC (default: the first day of the latest "
            "month whose incidents all end more than a day ago).",
        )

    def handle(self, *args, **options) -> None:
        now = timezone.now()
        try:
            plan = bulk.make_plan(
                count=options["count"],
                months=options["months"],
                seed=options["seed"],
                client_ids=client_ids(options["clients"]) if options["clients"] else (),
                until=end_day(options["until"]) if options["until"] else None,
                now=now,
            )
            step = max(plan.count // 20, bulk.CHUNK)

            def progress(done: int, count: int) -> None:
                if done % step < bulk.CHUNK or done == count:
                    self.stderr.write(f"{done}/{count}")

            result = bulk.generate(
                plan, now=now, progress=progress if options["verbosity"] else None
            )
        except bulk.BulkError as exc:
            raise CommandError(
                f"--{exc.field}: {exc.message}" if exc.field else exc.message
            ) from exc
        self.stdout.write(
            _(
                "Incidents written: %(created)d (events: %(events)d), there already: "
                "%(skipped)d; opened from %(since)s until %(until)s, external ids %(prefix)s-…; "
                "%(seconds).1f s."
            )
            % {
                "created": result.created,
                "events": result.events,
                "skipped": result.skipped,
                "since": plan.since.date().isoformat(),
                "until": plan.until.date().isoformat(),
                "prefix": plan.prefix,
                "seconds": result.seconds,
            }
        )
