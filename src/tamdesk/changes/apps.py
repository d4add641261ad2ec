from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChangesConfig(AppConfig):
    name = "tamdesk.changes"
    label = "changes"
    verbose_name = _("Changes")

    def ready(self) -> None:
        # Auditlog models, permissions and notification event types declare themselves on import.
        from tamdesk.changes import audit, notifications, permissions  # noqa: F401
