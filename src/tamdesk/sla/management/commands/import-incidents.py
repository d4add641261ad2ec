"""``tamdesk import-incidents PATH --preset …``: import a helpdesk's export of incidents and print
the reconciliation (docs/domains/sla.md, "Importing incidents"; the formats: docs/imports.md).

Exit status: 0 when every incident was imported (or was already there), 3 when some rows or
incidents were rejected — the others are imported and the rejects are written as CSV —, 1 on an
error (nothing read)."""

from __future__ import annotations

import argparse
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tamdesk.sla.choices import ClockKind, ClockState
from tamdesk.sla.imports import runs, writer
from tamdesk.sla.imports.resolve import POLICIES

#: The exit status when something was rejected (the rest was imported).
EXIT_REJECTED = 3


def _chunk_size(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(_("%(value)s is not 0 or more.") % {"value": text})
    return value


class Command(BaseCommand):
    help = "Import incidents from a helpdesk's export and print the reconciliation."

    #: The reader, found by preset (tests replace it).
    read: runs.Reader | None = None

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", metavar="PATH", help="The export file.")
        parser.add_argument("--preset", required=True, choices=runs.PRESETS)
        parser.add_argument("--mapping", metavar="FILE", help="The mapping file (generic).")
        parser.add_argument("--client", metavar="NAME", default="", help="Every incident's client.")
        parser.add_argument("--time-zone", metavar="ZONE", default="", help="The source's zone.")
        parser.add_argument("--dry-run", action="store_true", help="Write nothing; report.")
        parser.add_argument("--by", metavar="USERNAME", help="Who imports (default: a superuser).")
        parser.add_argument("--rejects", metavar="FILE", help="Where to write the rejects CSV.")
        parser.add_argument("--unknown-clients", choices=POLICIES, default="")
        parser.add_argument("--unknown-groups", choices=POLICIES, default="")
        parser.add_argument(
            "--chunk-size",
            type=_chunk_size,
            metavar="N",
            help=(
                f"Incidents written per transaction; 0: one per transaction (default: "
                f"{writer.CHUNK_SIZE} for a file of {writer.BATCH_FROM} incidents or more, else 0)."
            ),
        )
        parser.add_argument(
            "--source-system",
            default="",
            help="The source the external ids belong to (default: the preset's name).",
        )

    def handle(self, *args, **options) -> None:
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(_("No file at %(path)s.") % {"path": path})
        by = self._user(options["by"])
        row = runs.start_import(
            by=by,
            preset=options["preset"],
            file_name=path.name,
            dry_run=options["dry_run"],
            options={
                "path": str(path.resolve()),
                "mapping": options["mapping"] or "",
                "client": options["client"],
                "time_zone": options["time_zone"],
                "client_policy": options["unknown_clients"],
                "group_policy": options["unknown_groups"],
                "source_system": options["source_system"],
                "chunk_size": options["chunk_size"],
            },
        )
        read = type(self).read  # None: the preset's reader with its mapping (runs.run_import)
        row = runs.run_import(row.pk, read=read)
        outcome = runs.outcome_of(row)
        self._print(outcome, row.pk)
        if outcome.rejects:
            target = Path(options["rejects"] or f"{path}.rejects.csv")
            with target.open("w", newline="", encoding="utf-8") as out:
                writer.write_rejects_csv(outcome.rejects, out)
            self.stdout.write(_("Rejects written to %(path)s.") % {"path": target})
            raise SystemExit(EXIT_REJECTED)

    def _user(self, username: str | None):
        User = get_user_model()
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(_("No active user %(username)s.") % {"username": username})
            return user
        user = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if user is None:
            raise CommandError(_("Say who imports with --by USERNAME."))
        return user

    def _print(self, o: writer.ImportOutcome, import_id: int) -> None:
        disagreeing = len({d.incident_id for d in o.disagreements})
        lines = [
            _("Import %(id)s%(dry)s: %(rows)s rows, %(incidents)s incidents.")
            % {
                "id": import_id,
                "dry": _(" (dry run, nothing written)") if o.dry_run else "",
                "rows": o.rows,
                "incidents": o.incidents,
            },
            _(
                "Created %(created)s, updated %(updated)s, unchanged %(unchanged)s, "
                "rejected %(rejected)s."
            )
            % {
                "created": o.created,
                "updated": o.updated,
                "unchanged": o.unchanged,
                "rejected": o.rejected,
            },
            _(
                "Events %(events)s: pauses %(pauses)s, reassignments %(reassignments)s, "
                "reopenings %(reopenings)s."
            )
            % {
                "events": o.events,
                "pauses": o.pauses,
                "reassignments": o.reassignments,
                "reopenings": o.reopenings,
            },
            _("Rejected rows: %(count)s.") % {"count": len(o.rejects)},
            ngettext(
                "The source's SLA verdict differs from tamdesk's for %(count)s incident.",
                "The source's SLA verdict differs from tamdesk's for %(count)s incidents.",
                disagreeing,
            )
            % {"count": disagreeing},
        ]
        for d in o.disagreements[:20]:
            lines.append(
                _("  %(id)s (%(clock)s): the source says %(source)s, tamdesk %(tamdesk)s — %(url)s")
                % {
                    "id": d.external_id,
                    "clock": ClockKind(d.clock).label if d.clock else _("overall"),
                    "source": ClockState(d.source).label,
                    "tamdesk": ClockState(d.tamdesk).label,
                    "url": d.url,
                }
            )
        self.stdout.write("\n".join(lines))
