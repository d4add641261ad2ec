"""Helpers for the API tests: a snapshot of every directory row (to assert that a refused call
changed nothing) and a fast password hasher for the per-test users."""

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
SNAPSHOT_MODELS = [
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
]


def db_state() -> dict:
    """Every row of the directory, the accounts and the audit log, field by field."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values()) for model in SNAPSHOT_MODELS
    }
