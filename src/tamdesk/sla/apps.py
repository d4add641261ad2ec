from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "tamdesk.sla"
    label = "sla"
    verbose_name = _("SLA")

    def ready(self) -> None:
        # Auditlog models, permissions, notification event types (sla.notifications,
        # sla.monthly) and periodic jobs declare themselves on import. The domain's page
        # sections (client page, home, digest) are put on the pages by the workspace
        # (tamdesk.workspace.sections).
        from tamdesk.directory.querysets import add_client_reach
        from tamdesk.sla import audit, monthly, notifications, permissions, tasks  # noqa: F401
        from tamdesk.sla.querysets import clients_worked_on_by

        # A department reads the clients of its incidents (tamdesk.core.scoping).
        add_client_reach(clients_worked_on_by)
