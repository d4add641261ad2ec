"""Change history of the directory: every create, update and delete is recorded by auditlog with
who, when and the field values before and after; the record pages show it."""

from auditlog.registry import auditlog
from django.contrib.auth import get_user_model

from tamdesk.directory.models import (
    AccountTeamAssignment,
    Client,
    Competency,
    Component,
    Contact,
    Department,
    Engineer,
)

# The account fields people see and change; never the password hash or login times.
auditlog.register(
    get_user_model(),
    include_fields=["username", "first_name", "last_name", "email", "is_active", "is_superuser"],
)
auditlog.register(Department)
auditlog.register(Engineer)
auditlog.register(Competency)
auditlog.register(Client)
auditlog.register(Contact)
auditlog.register(AccountTeamAssignment)
auditlog.register(Component)
