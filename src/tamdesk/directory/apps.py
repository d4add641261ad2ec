from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "tamdesk.directory"
    label = "directory"
    verbose_name = _("Directory")

    def ready(self) -> None:
        # Registration modules: auditlog models and the permission predicates.
        from tamdesk.directory import audit, permissions  # noqa: F401
