from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "tamdesk.sla"
    label = "sla"
    verbose_name = _("SLA")

    def ready(self) -> None:
        # Auditlog models, permissions, notification event types, digest sections and periodic
        # jobs declare themselves on import.
        # The SLA section of the client page; the directory cannot import this domain, so
        # this domain hands the section to it.
        from tamdesk.directory.querysets import add_client_reach
        from tamdesk.directory.views.client_page import add_client_section
        from tamdesk.sla import audit, notifications, permissions, tasks  # noqa: F401
        from tamdesk.sla.querysets import clients_worked_on_by
        from tamdesk.sla.views.client_section import SLA_SECTION

        add_client_section(SLA_SECTION, after="account-team")
        # A department reads the clients of its incidents (tamdesk.core.scoping).
        add_client_reach(clients_worked_on_by)
