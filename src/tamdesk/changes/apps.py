from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChangesConfig(AppConfig):
    name = "tamdesk.changes"
    label = "changes"
    verbose_name = _("Changes")

    def ready(self) -> None:
        # Auditlog models, permissions, notification event types and jobs declare themselves on
        # import. The Changes section of the client page and My work on the home page; the
        # directory cannot import this domain, so this domain hands the sections to it.
        from tamdesk.changes import audit, notifications, permissions, tasks  # noqa: F401
        from tamdesk.changes.querysets import clients_worked_on_by
        from tamdesk.changes.views.client_section import CHANGES_SECTION
        from tamdesk.changes.views.home_section import MY_WORK_SECTION
        from tamdesk.core import events
        from tamdesk.directory.querysets import add_client_reach
        from tamdesk.directory.views.client_page import add_client_section
        from tamdesk.directory.views.home import add_home_section

        add_client_section(CHANGES_SECTION, after="sla")
        add_home_section(MY_WORK_SECTION)
        # A department reads the clients of its changes (tamdesk.core.scoping).
        add_client_reach(clients_worked_on_by)
        # Re-schedule open changes when a department's working time changes.
        events.subscribe(
            events.WorkingTimeChanged,
            tasks.reschedule_after_working_time_change,
            name="changes.reschedule_working_time",
        )
