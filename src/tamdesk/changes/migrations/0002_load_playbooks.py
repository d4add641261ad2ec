"""The playbooks tamdesk ships (``tamdesk.changes.playbooks``); playbooks already there are left
as people edited them."""

from django.db import migrations


def load(apps, schema_editor):
    from tamdesk.changes.playbooks import load_playbooks

    load_playbooks(
        apps.get_model("changes", "ChangeTemplate"),
        apps.get_model("changes", "TemplateTask"),
        apps.get_model("changes", "TemplateDependency"),
    )


class Migration(migrations.Migration):
    dependencies = [("changes", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
