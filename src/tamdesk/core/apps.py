from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tamdesk.core"
    label = "core"

    def ready(self) -> None:
        # The periodic jobs declare themselves on import (web processes list them too).
        from tamdesk.core import permissions, tasks  # noqa: F401
