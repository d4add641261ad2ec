"""The departments' internal targets (OLA): the list, adding, editing (with the version the
edit started from) and deleting one. Administrators and service managers manage them; department
leads read them. Their compliance is in the report's "time per department" (``sla.holds``,
``sla.department_report``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from tamdesk.core import ui
from tamdesk.sla.filters import OLATargetFilter
from tamdesk.sla.forms import OLATargetForm
from tamdesk.sla.models import OLATarget


class OLAViews:
    model = OLATarget
    route = "sla:ola"

    def get_queryset(self):
        return super().get_queryset().select_related("department")


class OLAList(OLAViews, ui.ObjectListView):
    title = gettext_lazy("OLA targets")
    filterset_class = OLATargetFilter
    table_template = "sla/partials/_ola_table.html"


class OLACreate(OLAViews, ui.ObjectCreateView):
    title = gettext_lazy("New OLA target")
    form_class = OLATargetForm


class OLAUpdate(OLAViews, ui.ObjectUpdateView):
    form_class = OLATargetForm


class OLADelete(OLAViews, ui.ObjectDeleteView):
    pass
