"""Incident pages: the list with live clocks (its table refreshes itself), the incident page
with both clocks, the timeline and the form to append an event, opening an incident, editing
its words. Writes go through ``tamdesk.sla.services``."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tamdesk.core import ui
from tamdesk.sla import clocks, services
from tamdesk.sla.choices import ClockKind, IncidentEventKind
from tamdesk.sla.filters import IncidentFilter
from tamdesk.sla.forms import IncidentEditForm, IncidentEventForm, IncidentOpenForm
from tamdesk.sla.models import Incident
from tamdesk.sla.views.common import ViewerTimeZoneMixin, live_clocks, live_rows
from tamdesk.sla.views.department_bar import department_bar

CLOCKS_TEMPLATE = "sla/partials/_clocks.html"
EVENT_FORM_TEMPLATE = "sla/partials/_event_form.html"
#: How often the live parts of the pages refresh themselves (htmx ``every``).
REFRESH = "every 30s"


def timeline_rows(events) -> list[dict]:
    """Each event with the change it made: "In progress → Resolved"."""
    return [
        {"event": event, "from": event.from_display, "to": event.to_display} for event in events
    ]


class IncidentViews(ViewerTimeZoneMixin):
    model = Incident
    route = "sla:incident"

    def get_queryset(self):
        return clocks.prefetched(
            super()
            .get_queryset()
            .select_related("department", "assignee", "policy_version__policy")
        )


class IncidentList(IncidentViews, ui.ObjectListView):
    """Filters of ``IncidentFilter``; the clocks of the page's incidents measured now. An htmx
    request (the filters, the pages, the refresh every 30 s) gets the table only."""

    title = gettext_lazy("Incidents")
    filterset_class = IncidentFilter
    table_template = "sla/partials/_incident_table.html"

    def render(self, context, template=None, status=200):
        context["rows"] = live_rows(context["page_obj"].object_list, now=timezone.now())
        context["refresh"] = REFRESH
        return super().render(context, template, status)


class IncidentDetail(IncidentViews, ui.ObjectDetailView):
    """Header, both clocks (refreshed every 30 s), the time per department, the timeline and
    the event form."""

    template_name = "sla/incident_detail.html"
    deletable = False  # incidents are evidence for the SLA: closed, never deleted
    event_form: IncidentEventForm | None = None

    def get_extra_context(self, obj):
        can_change = self.request.user.has_perm("sla.change_incident", obj)
        form = self.event_form
        if form is None and can_change:
            form = IncidentEventForm(incident=obj)
        now = timezone.now()
        measured = live_clocks([obj], now=now)[obj.pk]
        resolution = next(c for c in measured if c.kind == ClockKind.RESOLUTION)
        return {
            "clocks": measured,
            "departments": department_bar(obj, now=now, breached_at=resolution.breached_at),
            "resolution_breached": resolution.breached_at is not None,
            "timeline": timeline_rows(obj.events.select_related("by").order_by("seq")),
            "event_form": form,
            "refresh": REFRESH,
        }


class IncidentClocks(IncidentViews, ui.ModelView):
    """The clocks card alone, measured now (the incident page polls it)."""

    template_name = CLOCKS_TEMPLATE

    def get(self, request, *args, **kwargs) -> HttpResponse:
        incident = self.get_object()
        self.check("view", incident)
        context = {
            "incident": incident,
            "clocks": live_clocks([incident], now=timezone.now())[incident.pk],
            "refresh": REFRESH,
        }
        return self.render(context)


class IncidentEventCreate(IncidentDetail):
    """POST: append one event (``services.append_events``); a refused timeline comes back as a
    field error on the incident page and nothing is stored. GET (htmx): the form for another
    kind of event."""

    def get(self, request, *args, **kwargs) -> HttpResponse:
        incident = self.get_object()
        self.check("change", incident)
        if not ui.wants_fragment(request):
            return redirect(incident.get_absolute_url())
        form = IncidentEventForm(
            incident=incident,
            kind=request.GET.get("kind"),
            initial={name: request.GET.get(name, "") for name in ("at", "note")},
        )
        return self.render({"incident": incident, "event_form": form}, EVENT_FORM_TEMPLATE)

    def post(self, request, *args, **kwargs) -> HttpResponse:
        incident = self.get_object()
        self.check("change", incident)
        form = IncidentEventForm(request.POST, incident=incident)
        response = ui.run_service(
            request,
            form,
            lambda: services.append_events(
                incident, [form.new_event(now=timezone.now())], by=request.user
            ),
            success_message=lambda _incident: (
                _("Recorded: %(event)s.") % {"event": IncidentEventKind(form.kind).label}
            ),
            redirect_to=incident.get_absolute_url(),
        )
        if response:
            return response
        self.event_form = form
        return super().get(request, *args, **kwargs)


class IncidentCreate(IncidentViews, ui.ObjectCreateView):
    title = gettext_lazy("Open an incident")
    form_class = IncidentOpenForm
    parent_field = "client"

    def save(self, form):
        return services.open_incident(
            **form.service_arguments(now=timezone.now()), by=self.request.user
        )


class IncidentUpdate(IncidentViews, ui.ObjectUpdateView):
    """The title and description; everything else changes with an event."""

    form_class = IncidentEditForm
