from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarsConfig(AppConfig):
    name = "tamdesk.calendars"
    label = "calendars"
    verbose_name = _("Calendars")

    def ready(self) -> None:
        # Registration modules: auditlog models and the permission predicates.
        from tamdesk.calendars import audit, permissions  # noqa: F401
