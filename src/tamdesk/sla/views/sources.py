"""Live incident sources (inbound webhooks), for administrators and service managers: list,
create, a source with its latest deliveries, edit (and deactivate), rotate the token. The token
is shown once, on the page the creation or the rotation leads to."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tamdesk.core import ui
from tamdesk.sla.filters import IncidentSourceFilter
from tamdesk.sla.forms import IncidentSourceForm
from tamdesk.sla.imports import inbound
from tamdesk.sla.models import IncidentSource

LATEST_DELIVERIES = 50
#: The session key under which a new token waits for the one page that shows it.
NEW_TOKEN = "sla:new-source-token:%d"  # noqa: S105 — a session key


def _keep_token(request, source: IncidentSource, key: str) -> None:
    request.session[NEW_TOKEN % source.pk] = key


class SourceViews:
    model = IncidentSource
    route = "sla:source"

    def get_queryset(self):
        return super().get_queryset().select_related("client", "created_by")


class SourceList(SourceViews, ui.ObjectListView):
    title = gettext_lazy("Live incident sources")
    filterset_class = IncidentSourceFilter
    table_template = "sla/partials/_source_table.html"


class SourceDetail(SourceViews, ui.ObjectDetailView):
    """The source, where and how to post, its token (once, after creation or rotation) and the
    latest deliveries with what came of them."""

    template_name = "sla/source_detail.html"
    deletable = False

    def get_extra_context(self, obj: IncidentSource) -> dict:
        return {
            "new_token": self.request.session.pop(NEW_TOKEN % obj.pk, ""),
            "endpoint": self.request.build_absolute_uri(
                reverse("api:inbound_incidents", args=[obj.pk])
            ),
            "deliveries": obj.deliveries.order_by("-received_at", "-pk")[:LATEST_DELIVERIES],
            "hold_seconds": settings.INBOUND_HOLD_SECONDS,
        }


class SourceCreate(SourceViews, ui.ObjectCreateView):
    title = gettext_lazy("New live incident source")
    form_class = IncidentSourceForm

    def save(self, form):
        source = form.save(commit=False)
        key = inbound.create_source(source, by=self.request.user)
        _keep_token(self.request, source, key)
        return source


class SourceUpdate(SourceViews, ui.ObjectUpdateView):
    form_class = IncidentSourceForm


class SourceRotateToken(SourceViews, ui.ModelView):
    """POST: a new token; the old one stops working at once."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs) -> HttpResponse:
        source = self.get_object()
        self.check("change", source)
        key = inbound.rotate_token(source, by=request.user)
        _keep_token(request, source, key)
        messages.success(
            request,
            _("A new token is set. Give it to the helpdesk: the old one no longer works."),
        )
        return redirect(source.get_absolute_url())
