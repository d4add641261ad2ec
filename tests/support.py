"""Helpers shared by the test modules: who acts (``ROLES``, ``ACTORS``, ``api_for``), what the
database holds (``db_state``), and an API call that must be refused without writing (``refused``).

The users themselves come from the ``users`` fixture of ``tests/conftest.py``."""

from __future__ import annotations

from django.db import models as django_models
from rest_framework.test import APIClient

from tests.conftest import ROLE_USERS, api_as

#: Every user of the ``users`` fixture: the superuser, then one per entry of ``ROLE_USERS``.
ROLES = ["admin", *ROLE_USERS]
#: ``ROLES`` plus a caller without credentials.
ACTORS = ["anonymous", *ROLES]


def api_for(users, actor: str) -> APIClient:
    """An API client acting as ``users.<actor>``, or without credentials for ``"anonymous"``."""
    return APIClient() if actor == "anonymous" else api_as(getattr(users, actor))


def db_state(*models: type[django_models.Model]) -> dict:
    """Every row of ``models``, field by field: equal before and after means nothing was
    written to them."""
    return {model._meta.label: list(model.objects.order_by("pk").values()) for model in models}


def refused(
    api: APIClient,
    method: str,
    path: str,
    data,
    status: int,
    code: str,
    *,
    models: tuple[type[django_models.Model], ...],
) -> dict:
    """Make the call, assert it was refused with ``status`` and ``code`` and that no row of
    ``models`` changed; return the response body (``{"code", "detail", "errors"}``)."""
    before = db_state(*models)
    response = getattr(api, method)(path, data, format="json")
    assert response.status_code == status, response.data
    assert response.data["code"] == code, response.data
    assert db_state(*models) == before
    return response.data
