from django.db import migrations

# Frozen copy of tamdesk.core.roles.Role values at the time of this migration.
ROLE_NAMES = [
    "Administrator",
    "TAM",
    "Engineer",
    "Department lead",
    "Service manager",
    "Architect",
    "Programme lead",
]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLE_NAMES:
        Group.objects.get_or_create(name=name)


def remove_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=ROLE_NAMES, user__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("directory", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
