"""Components: the pieces of a client's landscape, each owned by a department."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tamdesk.core import ui
from tamdesk.directory.filters import ComponentFilter
from tamdesk.directory.forms import ComponentForm
from tamdesk.directory.models import Component


class ComponentViews:
    model = Component
    route = "directory:component"

    def get_queryset(self):
        return super().get_queryset().select_related("client", "department")


class ComponentList(ComponentViews, ui.ObjectListView):
    title = _("Components")
    filterset_class = ComponentFilter
    table_template = "directory/partials/_component_table.html"


class ComponentDetail(ComponentViews, ui.ObjectDetailView):
    template_name = "directory/component_detail.html"


class ComponentCreate(ComponentViews, ui.ObjectCreateView):
    title = _("New component")
    form_class = ComponentForm
    parent_field = "client"
    prefill_fields = ("kind", "department")


class ComponentUpdate(ComponentViews, ui.ObjectUpdateView):
    form_class = ComponentForm


class ComponentDelete(ComponentViews, ui.ObjectDeleteView):
    pass
