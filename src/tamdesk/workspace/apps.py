from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    name = "tamdesk.workspace"
    label = "workspace"
    verbose_name = _("Workspace")

    def ready(self) -> None:
        # The daily digests' periodic job declares itself on import.
        from tamdesk.workspace import tasks  # noqa: F401
