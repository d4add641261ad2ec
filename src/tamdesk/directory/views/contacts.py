"""Contacts: the client's people — technical specialists talk to the TAM, decision-makers to
the service manager."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tamdesk.core import ui
from tamdesk.directory.filters import ContactFilter
from tamdesk.directory.forms import ContactForm
from tamdesk.directory.models import Contact


class ContactViews:
    model = Contact
    route = "directory:contact"

    def get_queryset(self):
        return super().get_queryset().select_related("client")


class ContactList(ContactViews, ui.ObjectListView):
    title = _("Contacts")
    filterset_class = ContactFilter
    table_template = "directory/partials/_contact_table.html"


class ContactDetail(ContactViews, ui.ObjectDetailView):
    template_name = "directory/contact_detail.html"


class ContactCreate(ContactViews, ui.ObjectCreateView):
    title = _("New contact")
    form_class = ContactForm
    parent_field = "client"
    prefill_fields = ("kind",)


class ContactUpdate(ContactViews, ui.ObjectUpdateView):
    form_class = ContactForm


class ContactDelete(ContactViews, ui.ObjectDeleteView):
    pass
