"""The rows of the directory, the accounts and the audit log that a refused API call must leave
as they were (``db_state(*SNAPSHOT)``, ``refused(..., models=SNAPSHOT)`` from tests.support)."""

from __future__ import annotations

from auditlog.models import LogEntry
from django.contrib.auth import get_user_model

from tamdesk.core.models import ApiToken
from tamdesk.directory.models import (
    AccountTeamAssignment,
    Client,
    Competency,
    Component,
    Contact,
    Department,
    Engineer,
)

User = get_user_model()
SNAPSHOT = (
    Department,
    Engineer,
    Competency,
    Client,
    Contact,
    AccountTeamAssignment,
    Component,
    User,
    User.groups.through,
    ApiToken,
    LogEntry,
)
