"""The demo's live incident source (``sla.imports.inbound``): the demo's ServiceNow instance
posting its updates to tamdesk's webhook, with a delivery in every state — an incident whose
updates arrived in order (applied: it is open now, its clocks running), one whose second update
has not arrived yet (the third is held until it comes or the hold times out), one refused
(an assignment group the mapping does not know) and a repeat (a duplicate, not stored again).

Made once: a demo that has the source keeps it (its token is shown to nobody; a service manager
rotates it on the source's page to connect a real instance)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from tamdesk.demo import history
from tamdesk.directory.choices import AccountRole
from tamdesk.directory.models import Client
from tamdesk.sla.imports import inbound
from tamdesk.sla.models import IncidentSource

NAME = "ServiceNow (live)"
#: Numbers of the live incidents: far above the history's (INC0010001 onwards).
FIRST_NUMBER = 9_000_001


def _row(client: Client, number: int, count: int, at, opened_at, **values) -> dict[str, str]:
    """One update as the ServiceNow business rule posts it: the export's columns, ``?`` empty."""
    row = dict.fromkeys(history.COLUMNS, "?")
    row.update(
        {
            "number": f"INC{number:07d}",
            "short_description": values.pop("title", "Customer portal answers with errors"),
            "incident_state": values.pop("state", "New"),
            "active": "true",
            "sys_mod_count": str(count),
            "company": client.name,
            "opened_at": history.stamp(opened_at),
            "sys_created_at": history.stamp(opened_at),
            "sys_updated_at": history.stamp(at),
            "priority": values.pop("priority", "3 - Moderate"),
            "assignment_group": values.pop("group", "Service Desk"),
            "made_sla": "true",
        }
    )
    row.update(values)
    return row


def load_live_source(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Make the demo's live source and its deliveries (nothing when it exists, or when there is
    no demo administrator or TAM client); returns the count of deliveries by outcome."""
    if IncidentSource.objects.filter(name=NAME).exists():
        return {}
    admin = get_user_model().objects.filter(username=history.IMPORTER).first()
    client = (
        Client.objects.filter(
            account_assignments__user__username="tam",
            account_assignments__role=AccountRole.TAM,
            account_assignments__end_on__isnull=True,
        )
        .order_by("name")
        .first()
    )
    if admin is None or client is None:
        return {}
    now = (now or timezone.now()).astimezone(history.ZONE).replace(second=0, microsecond=0)
    source = IncidentSource(
        name=NAME,
        preset="servicenow",
        source_system=history.SOURCE_SYSTEM,
        mapping=history.MAPPING_FILE.read_text(encoding="utf-8"),
    )
    inbound.create_source(source, by=admin)
    minutes = dt.timedelta(minutes=1)
    first, second, third = FIRST_NUMBER, FIRST_NUMBER + 1, FIRST_NUMBER + 2
    opened = now - 50 * minutes
    applied = [
        _row(client, first, 0, opened, opened),
        _row(client, first, 1, opened + 9 * minutes, opened, state="Active"),
        _row(
            client,
            first,
            2,
            opened + 31 * minutes,
            opened,
            state="Active",
            group="Network Operations",
        ),
    ]
    waiting = now - 20 * minutes
    title = "Backup job of the file server failed twice"
    gap = [
        _row(client, second, 0, waiting, waiting, title=title),
        # Update 1 (taken into work) is still on its way: update 2 waits for it.
        _row(client, second, 2, waiting + 12 * minutes, waiting, state="Active", title=title),
    ]
    refused = [_row(client, third, 0, now - 5 * minutes, now - 5 * minutes, group="Mainframe Ops")]
    counts: dict[str, int] = {}
    for body in (applied, gap, refused, applied[:1]):  # the last: a repeat of the first update
        for outcome in inbound.receive(source, body, now=now):
            counts[outcome["status"]] = counts.get(outcome["status"], 0) + 1
    return counts
