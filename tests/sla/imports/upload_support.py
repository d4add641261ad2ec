"""An export and its mapping as a person uploads them (the generic format, one row per incident),
for the upload page and API tests."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from tamdesk.directory.models import Client, Department
from tamdesk.sla.models import Incident, IncidentEvent, IncidentImport
from tests.support import db_state

MAPPING = b"""
shape = "incident"
date_format = "%d.%m.%Y %H:%M"
time_zone = "Europe/Moscow"

[columns]
"Ticket" = "external_id"
"Subject" = "title"
"Customer" = "client"
"Prio" = "priority"
"State" = "status"
"Created" = "opened_at"
"Solved" = "resolved_at"
"Team" = "group"

[statuses]
"open" = "open"
"solved" = "resolved"

[priorities]
"1" = "p1"
"2" = "p2"
"3" = "p3"
"""
HEADER = ["Ticket", "Subject", "Customer", "Prio", "State", "Created", "Solved", "Team"]


def rows(client: str = "ACME", other: str = "Nobody Ltd") -> list[list[str]]:
    return [
        [
            "T-1",
            "Disk full",
            client,
            "1",
            "solved",
            "01.06.2026 09:00",
            "01.06.2026 13:00",
            "network",
        ],
        ["T-2", "Slow VPN", client, "3", "open", "02.06.2026 09:00", "", "network"],
        ["T-3", "Printer", other, "2", "open", "03.06.2026 09:00", "", "network"],
        ["T-4", "Bad priority", client, "9", "open", "04.06.2026 09:00", "", "network"],
    ]


def csv_bytes(data: list[list[str]], header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(data)
    return out.getvalue().encode()


def export_file(data: bytes | None = None, name: str = "tickets.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, csv_bytes(rows()) if data is None else data, "text/csv")


def mapping_file(data: bytes = MAPPING, name: str = "mapping.toml") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, "application/toml")


def stored_files(media: Path) -> list[Path]:
    return [path for path in media.rglob("*") if path.is_file()] if media.exists() else []


def nothing_written() -> dict:
    return db_state(IncidentImport, Incident, IncidentEvent, Client, Department)
