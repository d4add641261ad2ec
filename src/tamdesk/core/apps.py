from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tamdesk.core"
    label = "core"
