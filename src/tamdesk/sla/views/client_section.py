"""The SLA section of the client page (``directory.views.client_page``): the policy in force,
the open incidents with their clocks measured now, and the last 90 days in figures. Listed by the
workspace (``tamdesk.workspace.sections.CLIENT_SECTIONS``)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from tamdesk.directory.models import Client
from tamdesk.sla import clocks, permissions, services
from tamdesk.sla.choices import ClockKind, ClockState
from tamdesk.sla.models import Incident, IncidentClock
from tamdesk.sla.views.common import live_rows, viewer_time_zone

PERIOD = dt.timedelta(days=90)
#: Open incidents listed on the client page; the rest are a click away on the incident list.
OPEN_LIMIT = 20


def period_figures(client: Client, *, since: dt.datetime, user) -> dict:
    """Incidents opened since ``since`` and their clocks met or breached (as last measured),
    of the incidents ``user`` reads."""
    incidents = Incident.objects.visible_to(user).filter(client=client, opened_at__gte=since)
    counts = {}
    for kind in ClockKind:
        for state in (ClockState.MET, ClockState.BREACHED):
            counts[f"{kind.value}_{state.value}"] = Count(
                "pk", filter=Q(kind=kind.value, state=state.value)
            )
    figures = IncidentClock.objects.filter(incident__in=incidents.values("pk")).aggregate(**counts)
    figures["incidents"] = incidents.count()
    return figures


def sla_section_context(client: Client, request: HttpRequest) -> dict:
    now = timezone.now()
    open_incidents = clocks.prefetched(
        Incident.objects.visible_to(request.user)
        .filter(client=client)
        .open()
        .select_related("department", "assignee")
        .order_by("-opened_at", "-id")
    )
    open_count = open_incidents.count()
    version = services.policy_version_for(client, now)
    list_url = reverse("sla:incident_list")
    can_add = request.user.has_perm("sla.add_incident", client)
    return {
        "count": open_count,
        "version": version,
        "policy": version.policy if version else None,
        "rows": live_rows(open_incidents[:OPEN_LIMIT], now=now),
        "more": max(open_count - OPEN_LIMIT, 0),
        "open_url": f"{list_url}?{urlencode({'client': client.pk, 'is_open': 'true'})}",
        "all_url": f"{list_url}?{urlencode({'client': client.pk})}",
        "report_url": f"{reverse('sla:report')}?{urlencode({'client': client.pk})}",
        "monthly_url": (
            f"{reverse('sla:monthly_report_list')}?{urlencode({'client': client.pk})}"
            if permissions.reads_monthly_reports_of(request.user, client)
            else ""
        ),
        "add_url": (
            f"{reverse('sla:incident_create')}?"
            f"{urlencode({'client': client.pk, 'next': client.get_absolute_url()})}"
            if can_add
            else ""
        ),
        "figures": period_figures(client, since=now - PERIOD, user=request.user),
        "period_days": PERIOD.days,
        "time_zone": viewer_time_zone(request.user),
    }
