"""DRF's ``authtoken`` app is gone (tokens are ``core.ApiToken`` now, ADR 0003): drop its table,
which held every user's key in plain text and would keep working for anyone who copied it."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_api_token"),
    ]

    operations = [
        migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", migrations.RunSQL.noop),
    ]
