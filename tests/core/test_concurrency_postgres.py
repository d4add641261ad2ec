"""The lost-update repro as a real race, on PostgreSQL: two threads, each with its own database
connection, PATCH different fields of the same client (notes vs tier) or contact (notes vs
phone) at the same moment, eight pairs each; no change may be lost. (Before the fix one change
was silently reverted in 6 of 8 client pairs and in 8 of 8 contact pairs.)

SQLite has no concurrent writers to race; there the interleaving is forced by hand
(``test_concurrency_api.test_another_write_between_read_and_lock_is_not_reverted``)."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth.models import Group
from django.db import connection

from tamdesk.core.roles import Role
from tamdesk.directory.models import Client, Contact
from tests.conftest import api_as
from tests.directory.factories import ContactFactory

PAIRS = 8

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("a race between two database connections needs PostgreSQL")


@pytest.fixture(autouse=True)
def _role_groups(_postgresql_only, transactional_db):
    """A transactional test empties the tables afterwards, the role groups that a data
    migration creates included: make them again."""
    for role in Role:
        Group.objects.get_or_create(name=role.value)


def race(user, url: str, bodies: list[dict]) -> list[int]:
    """PATCH ``url`` with each body from its own thread (and connection), all at once."""
    start = threading.Barrier(len(bodies))
    statuses: list[int] = [0] * len(bodies)

    def patch(index: int, body: dict) -> None:
        from django.db import connection as own

        try:
            api = api_as(user)
            start.wait()
            statuses[index] = api.patch(url, body, format="json").status_code
        finally:
            own.close()

    threads = [threading.Thread(target=patch, args=item) for item in enumerate(bodies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


def test_concurrent_patches_of_a_client_lose_nothing(users, tam_client):
    lost = []
    for pair in range(PAIRS):
        tier = "premium" if pair % 2 else "strategic"
        statuses = race(
            users.tam,
            f"/api/v1/clients/{tam_client.pk}/",
            [{"notes": f"notes {pair}"}, {"tier": tier}],
        )
        assert statuses == [200, 200]
        stored = Client.objects.get(pk=tam_client.pk)
        if (stored.notes, stored.tier) != (f"notes {pair}", tier):
            lost.append(pair)
    assert lost == []


def test_concurrent_patches_of_a_contact_lose_nothing(users, tam_client):
    contact = ContactFactory(client=tam_client, name="Jane")
    lost = []
    for pair in range(PAIRS):
        statuses = race(
            users.tam,
            f"/api/v1/contacts/{contact.pk}/",
            [{"notes": f"notes {pair}"}, {"phone": f"+7 495 {pair:03d}"}],
        )
        assert statuses == [200, 200]
        stored = Contact.objects.get(pk=contact.pk)
        if (stored.notes, stored.phone) != (f"notes {pair}", f"+7 495 {pair:03d}"):
            lost.append(pair)
    assert lost == []


def test_concurrent_patches_with_the_same_etag_one_wins_one_is_refused(users, tam_client):
    url = f"/api/v1/clients/{tam_client.pk}/"
    etag = api_as(users.tam).get(url)["ETag"]
    start = threading.Barrier(2)
    statuses: list[int] = []

    def patch(body: dict) -> None:
        from django.db import connection as own

        try:
            api = api_as(users.tam)
            start.wait()
            statuses.append(api.patch(url, body, format="json", HTTP_IF_MATCH=etag).status_code)
        finally:
            own.close()

    threads = [
        threading.Thread(target=patch, args=(body,))
        for body in ({"notes": "first"}, {"tier": "premium"})
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(statuses) == [200, 412]
    stored = Client.objects.get(pk=tam_client.pk)
    assert (stored.notes == "first") != (stored.tier == "premium")
