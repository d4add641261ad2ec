"""Change history of the directory: every create, update and delete is recorded by auditlog with
who, when and the field values before and after; the record pages show it."""

from auditlog.registry import auditlog

from tamdesk.directory.models import (
    AccountTeamAssignment,
    Client,
    Competency,
    Component,
    Contact,
    Department,
    Engineer,
)

auditlog.register(Department)
auditlog.register(Engineer)
auditlog.register(Competency)
auditlog.register(Client)
auditlog.register(Contact)
auditlog.register(AccountTeamAssignment)
auditlog.register(Component)
