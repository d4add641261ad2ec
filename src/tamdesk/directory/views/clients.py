"""Clients: the list, the 360° client page and the client's own record."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from tamdesk.core import ui
from tamdesk.directory import services
from tamdesk.directory.choices import AccountRole
from tamdesk.directory.filters import ClientFilter
from tamdesk.directory.forms import ClientForm
from tamdesk.directory.models import AccountTeamAssignment, Client, Component, Contact
from tamdesk.directory.views.client_page import build_sections, page_sections
from tamdesk.directory.views.common import count_of


class ClientViews:
    model = Client
    route = "directory:client"


class ClientList(ClientViews, ui.ObjectListView):
    title = _("Clients")
    filterset_class = ClientFilter
    table_template = "directory/partials/_client_table.html"

    def get_queryset(self):
        current_tams = (
            AccountTeamAssignment.objects.current()
            .filter(role=AccountRole.TAM)
            .select_related("user")
        )
        return (
            super()
            .get_queryset()
            .annotate(
                contact_count=count_of(  # the contacts the user reads (account teams')
                    Contact.objects.visible_to(self.request.user).filter(is_active=True), "client"
                ),
                component_count=count_of(Component.objects.all(), "client"),
            )
            .prefetch_related(
                Prefetch("account_assignments", queryset=current_tams, to_attr="current_tams")
            )
        )


class ClientDetail(ClientViews, ui.ObjectDetailView):
    """The client's 360° view: header, then the sections the workspace lists
    (``client_page.page_sections``)."""

    template_name = "directory/client_detail.html"

    def get_extra_context(self, obj):
        return {"sections": build_sections(obj, self.request, page_sections())}


class ClientCreate(ClientViews, ui.ObjectCreateView):
    title = _("New client")
    form_class = ClientForm


class ClientUpdate(ClientViews, ui.ObjectUpdateView):
    form_class = ClientForm


class ClientDelete(ClientViews, ui.ObjectDeleteView):
    def perform_delete(self, obj):
        services.delete_client(obj, by=self.request.user)
