"""Helpers for the view tests: the records every page needs and the URL of each page."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.urls import reverse

from tests.directory.factories import ComponentFactory, ContactFactory

# (url name, key of the record in ``records`` or None for pages without a pk)
MODELS = {
    "client": "client",
    "contact": "contact",
    "component": "component",
    "assignment": "assignment",
    "department": "department",
    "engineer": "engineer",
}
PAGES = [("home", None)] + [
    (f"directory:{model}_{action}", key if action not in ("list", "create") else None)
    for model, key in MODELS.items()
    for action in ("list", "create", "detail", "update", "delete")
]
READ_PAGES = [page for page in PAGES if page[0].endswith(("_list", "_detail")) or page[0] == "home"]
WRITE_PAGES = [page for page in PAGES if page not in READ_PAGES]


@pytest.fixture(name="records")
def records_fixture(users, tam_client, department):
    """One record of each kind, all around ``tam_client`` (whose TAM is ``users.tam``)."""
    return SimpleNamespace(
        client=tam_client,
        contact=ContactFactory(client=tam_client, name="Jane Tech"),
        component=ComponentFactory(client=tam_client, department=department, name="edge-fw"),
        assignment=tam_client.account_assignments.get(role="tam"),
        department=department,
        engineer=users.engineer.engineer,
    )


def page_url(name: str, key: str | None, records) -> str:
    if key is None:
        return reverse(name)
    return reverse(name, args=[getattr(records, key).pk])
