"""Helpers shared by the test modules: who acts (``ROLES``, ``ACTORS``, ``api_for``), what the
database holds (``db_state``), an API call that must be refused without writing (``refused``),
and a write the database must refuse by a named constraint (``violates``).

The users themselves come from the ``users`` fixture of ``tests/conftest.py``."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import IntegrityError, connection, transaction
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


def violates(model: type[django_models.Model], constraint: str, make: Callable[[], object]) -> None:
    """Assert that ``make()`` is refused by the database because of ``constraint`` of ``model``
    — not merely by some ``IntegrityError``. ``constraint`` names a ``Meta.constraints`` entry,
    or a field declared ``unique=True``.

    PostgreSQL names every constraint in its message; SQLite names a check constraint but lists
    the columns of a unique one, so the expected message is built from the constraint's fields.
    """
    table = model._meta.db_table
    declared = {c.name: c for c in model._meta.constraints}
    if constraint in declared:
        found = declared[constraint]
        unique = isinstance(found, django_models.UniqueConstraint)
        columns = [model._meta.get_field(name).column for name in found.fields] if unique else []
    else:  # a field's own ``unique=True``
        field = model._meta.get_field(constraint)
        assert field.unique, f"{model.__name__} has no constraint or unique field {constraint!r}"
        unique, columns = True, [field.column]

    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        make()

    message = str(caught.value)
    if connection.vendor == "postgresql":
        if constraint in declared:
            kind = "unique" if unique else "check"
            expected = f'violates {kind} constraint "{constraint}"'
        else:
            expected = f"Key ({columns[0]})="
    elif unique:
        expected = "UNIQUE constraint failed: " + ", ".join(f"{table}.{c}" for c in columns)
    else:
        expected = f"CHECK constraint failed: {constraint}"
    if connection.vendor != "postgresql" and unique:  # a prefix would match fewer columns
        assert message == expected, f"expected {expected!r}, the database said {message!r}"
    else:
        assert expected in message, f"expected {expected!r}, the database said {message!r}"
