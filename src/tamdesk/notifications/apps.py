from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "tamdesk.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # Event types and periodic jobs declare themselves on import.
        from tamdesk.notifications import catalog, permissions, tasks  # noqa: F401
