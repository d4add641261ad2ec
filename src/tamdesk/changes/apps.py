from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChangesConfig(AppConfig):
    name = "tamdesk.changes"
    label = "changes"
    verbose_name = _("Changes")

    def ready(self) -> None:
        # Auditlog models, permissions, notification event types and jobs declare themselves on
        # import. The domain's page sections (client page, home) are put on the pages by the
        # workspace (tamdesk.workspace.sections).
        from tamdesk.changes import audit, notifications, permissions, tasks  # noqa: F401
        from tamdesk.changes.querysets import clients_worked_on_by
        from tamdesk.core import events
        from tamdesk.directory.querysets import add_client_reach

        # A department reads the clients of its changes (tamdesk.core.scoping).
        add_client_reach(clients_worked_on_by)
        # Re-schedule open changes when a department's working time changes.
        events.subscribe(
            events.WorkingTimeChanged,
            tasks.reschedule_after_working_time_change,
            name="changes.reschedule_working_time",
        )
