"""No lost updates through the API: ETag on every detail read and write, If-Match refused with
412 when stale (nothing written), and a write without If-Match that saves only its own fields
under the row lock (``core.viewsets.VersionedViewSetMixin``)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver

from tamdesk.core import concurrency
from tamdesk.core.viewsets import VersionedViewSetMixin
from tamdesk.directory.models import Client, Contact, Engineer
from tests.changes.factories import change as new_change
from tests.changes.factories import task as new_task
from tests.conftest import api_as
from tests.directory.factories import ContactFactory

pytestmark = pytest.mark.django_db


def client_url(client) -> str:
    return f"/api/v1/clients/{client.pk}/"


def test_detail_read_carries_an_etag_that_changes_with_a_write(users, tam_client):
    api = api_as(users.tam)
    first = api.get(client_url(tam_client))
    assert first.status_code == 200
    assert first["ETag"].startswith('"')

    patched = api.patch(client_url(tam_client), {"notes": "VIP"}, format="json")

    assert patched.status_code == 200
    assert patched["ETag"] != first["ETag"]
    assert api.get(client_url(tam_client))["ETag"] == patched["ETag"]


def test_a_write_that_changes_nothing_keeps_the_etag(users, tam_client):
    api = api_as(users.tam)
    etag = api.get(client_url(tam_client))["ETag"]

    patched = api.patch(
        client_url(tam_client), {"notes": tam_client.notes}, format="json", HTTP_IF_MATCH=etag
    )

    assert patched.status_code == 200
    assert patched["ETag"] == etag


def test_stale_if_match_is_refused_with_412_and_nothing_written(users, tam_client):
    api = api_as(users.tam)
    etag = api.get(client_url(tam_client))["ETag"]
    api_as(users.admin).patch(client_url(tam_client), {"tier": "premium"}, format="json")

    response = api.patch(
        client_url(tam_client), {"notes": "mine"}, format="json", HTTP_IF_MATCH=etag
    )

    assert response.status_code == 412
    assert response.json()["code"] == "precondition_failed"
    assert set(response.json()) == {"code", "detail", "errors"}
    tam_client.refresh_from_db()
    assert (tam_client.notes, tam_client.tier) == ("", "premium")


def test_current_if_match_is_accepted(users, tam_client):
    api = api_as(users.tam)
    etag = api.get(client_url(tam_client))["ETag"]

    response = api.patch(
        client_url(tam_client), {"notes": "mine"}, format="json", HTTP_IF_MATCH=etag
    )

    assert response.status_code == 200
    assert Client.objects.get(pk=tam_client.pk).notes == "mine"


@pytest.mark.parametrize("header", ["*", '"nope", {etag}', "W/{etag}"])
def test_if_match_lists_wildcards_and_weak_tags(users, tam_client, header):
    api = api_as(users.tam)
    etag = api.get(client_url(tam_client))["ETag"]

    response = api.patch(
        client_url(tam_client),
        {"notes": "mine"},
        format="json",
        HTTP_IF_MATCH=header.format(etag=etag),
    )

    assert response.status_code == 200


def test_stale_if_match_refuses_a_delete(users, department):
    api = api_as(users.admin)
    contact = ContactFactory()
    url = f"/api/v1/contacts/{contact.pk}/"
    etag = api.get(url)["ETag"]
    Contact.objects.filter(pk=contact.pk).update(phone="+7 495 000")

    response = api.delete(url, HTTP_IF_MATCH=etag)

    assert response.status_code == 412
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_put_and_put_refusal_of_a_stale_version(users, tam_client):
    api = api_as(users.tam)
    contact = ContactFactory(client=tam_client, name="Jane")
    url = f"/api/v1/contacts/{contact.pk}/"
    body = api.get(url).json()
    etag = api.get(url)["ETag"]
    Contact.objects.filter(pk=contact.pk).update(notes="theirs")
    body.update(phone="+7 495 111")

    response = api.put(url, body, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == 412
    contact.refresh_from_db()
    assert (contact.phone, contact.notes) == ("", "theirs")


def test_partial_update_writes_only_its_fields(users, tam_client):
    api = api_as(users.tam)

    with CaptureQueriesContext(connection) as queries:
        response = api.patch(client_url(tam_client), {"notes": "VIP"}, format="json")

    assert response.status_code == 200
    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "directory_client"')]
    assert len(updates) == 1
    assert '"notes"' in updates[0]
    assert '"tier"' not in updates[0] and '"name"' not in updates[0]


def test_another_write_between_read_and_lock_is_not_reverted(users, tam_client, monkeypatch):
    """The repro, interleaved by hand: another writer changes the tier after the PATCH of the
    notes has read the client and before it locks it. The tier stays."""
    lock = concurrency.lock

    def other_writer_then_lock(*rows):
        Client.objects.filter(pk=tam_client.pk).update(tier="strategic")
        lock(*rows)

    monkeypatch.setattr(concurrency, "lock", other_writer_then_lock)

    response = api_as(users.tam).patch(client_url(tam_client), {"notes": "VIP"}, format="json")

    assert response.status_code == 200
    tam_client.refresh_from_db()
    assert (tam_client.notes, tam_client.tier) == ("VIP", "strategic")
    assert response.json()["tier"] == "strategic"


def test_contact_patch_keeps_a_concurrent_change(users, tam_client, monkeypatch):
    contact = ContactFactory(client=tam_client, name="Jane")
    lock = concurrency.lock

    def other_writer_then_lock(*rows):
        Contact.objects.filter(pk=contact.pk).update(phone="+7 495 222")
        lock(*rows)

    monkeypatch.setattr(concurrency, "lock", other_writer_then_lock)

    response = api_as(users.tam).patch(
        f"/api/v1/contacts/{contact.pk}/", {"notes": "night shift"}, format="json"
    )

    assert response.status_code == 200
    contact.refresh_from_db()
    assert (contact.notes, contact.phone) == ("night shift", "+7 495 222")


def test_engineer_etag_covers_account_and_roles(users):
    api = api_as(users.admin)
    engineer = Engineer.objects.get(user=users.engineer)
    url = f"/api/v1/engineers/{engineer.pk}/"
    etag = api.get(url)["ETag"]
    users.engineer.groups.clear()
    assert api.get(url)["ETag"] != etag

    response = api.patch(url, {"position": "Lead"}, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == 412
    engineer.refresh_from_db()
    assert engineer.position == "Engineer"


def test_task_patch_with_stale_if_match_is_refused(users, tam_client, department):
    change = new_change(tam_client, by=users.tam)
    task = new_task(change, department, by=users.tam)
    api = api_as(users.tam)
    url = f"/api/v1/change-tasks/{task.pk}/"
    etag = api.get(url)["ETag"]
    api.patch(url, {"description": "theirs"}, format="json")

    response = api.patch(url, {"title": "mine"}, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == 412
    task.refresh_from_db()
    assert (task.title, task.description) == ("network work", "theirs")


def test_change_patch_with_current_if_match(users, tam_client):
    change = new_change(tam_client, by=users.tam)
    api = api_as(users.tam)
    url = f"/api/v1/changes/{change.pk}/"
    etag = api.get(url)["ETag"]

    response = api.patch(url, {"risk_notes": "low"}, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == 200
    assert response["ETag"] != etag


def _api_viewsets():
    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern) and hasattr(pattern.callback, "cls"):
                yield pattern.callback.cls, getattr(pattern.callback, "actions", None) or {}

    return list(walk(get_resolver().url_patterns))


def test_every_api_endpoint_that_edits_a_record_is_versioned():
    editing = {
        cls
        for cls, actions in _api_viewsets()
        if {"update", "partial_update"} & set(actions.values())
    }
    assert editing, "no editing endpoint found: the walk is broken"
    assert [cls.__name__ for cls in editing if not issubclass(cls, VersionedViewSetMixin)] == []


def test_schema_documents_if_match_etag_and_412(users):
    schema = api_as(users.admin).get("/api/schema/?format=json").json()
    detail = schema["paths"]["/api/v1/clients/{id}/"]
    for method in ("put", "patch", "delete"):
        assert "412" in detail[method]["responses"], method
        headers = [p for p in detail[method]["parameters"] if p["in"] == "header"]
        assert [(p["name"], p.get("required", False)) for p in headers] == [("If-Match", False)]
    assert "ETag" in detail["get"]["responses"]["200"]["headers"]
    assert "ETag" in detail["patch"]["responses"]["200"]["headers"]
    assert "412" not in schema["paths"]["/api/v1/clients/"]["post"]["responses"]
