"""Factories and builders for the SLA tests."""

from __future__ import annotations

import datetime as dt

from tamdesk.calendars.models import Calendar, WorkingInterval
from tamdesk.sla import services
from tamdesk.sla.models import SLAPolicy

HOUR = 3600
UTC = dt.UTC


def office_calendar(name: str = "Moscow office") -> Calendar:
    """Mon–Fri 09:00–13:00 and 14:00–18:00, Europe/Moscow (UTC+3, no DST)."""
    calendar = Calendar.objects.create(name=name, time_zone="Europe/Moscow")
    WorkingInterval.objects.bulk_create(
        WorkingInterval(calendar=calendar, weekday=day, start_minute=start, end_minute=end)
        for day in range(5)
        for start, end in ((9 * 60, 13 * 60), (14 * 60, 18 * 60))
    )
    return calendar


def policy(
    *,
    client=None,
    tier: str = "",
    calendar=None,
    valid_from: dt.datetime = dt.datetime(2026, 1, 1, tzinfo=UTC),
    targets: dict | None = None,
    thresholds=(50, 75),
    by=None,
    name: str | None = None,
):
    sla = SLAPolicy.objects.create(
        name=name or f"SLA {client.name if client else tier}", client=client, tier=tier
    )
    version = services.add_policy_version(
        sla,
        valid_from=valid_from,
        calendar=calendar,
        targets=targets
        or {
            "p1": (HOUR // 2, 4 * HOUR),
            "p2": (HOUR, 8 * HOUR),
            "p3": (4 * HOUR, 24 * HOUR),
            "p4": (8 * HOUR, 40 * HOUR),
        },
        warning_thresholds=thresholds,
        reaction_pause_statuses=["waiting_client"],
        resolution_pause_statuses=["waiting_client", "waiting_third_party"],
        by=by,
    )
    return sla, version


# --- helpers of the view and API tests ---------------------------------------------------------

#: Monday 2026-11-23 09:00 Moscow = 06:00 UTC: the office opens.
MON_0900 = dt.datetime(2026, 11, 23, 6, tzinfo=UTC)


def at(hours: float, days: int = 0) -> dt.datetime:
    """``hours`` after Monday 09:00 Moscow (UTC-aware)."""
    return MON_0900 + dt.timedelta(days=days, hours=hours)


def incident(client, *, by, opened=MON_0900, priority: str = "p3", now=None, **kwargs):
    """An incident opened through the service (``now`` defaults to the opening)."""
    return services.open_incident(
        client=client,
        title=kwargs.pop("title", "Web farm slow"),
        priority=priority,
        opened_at=opened,
        by=by,
        now=now or opened,
        **kwargs,
    )
