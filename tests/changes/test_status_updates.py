"""The status update a TAM sends the client's contacts: who gets which message, what each says,
the record in the activity timeline, one delivery per sending — and a refusal writes nothing."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine

from tamdesk.changes import notifications as change_notifications
from tamdesk.changes import services, status_updates
from tamdesk.changes.exceptions import ChangeError
from tamdesk.changes.models import ActivityEntry, ChangeRequest
from tamdesk.notifications.models import Notification
from tests.changes.factories import MON_0900, at, chain, change, task
from tests.directory.factories import ContactFactory, DepartmentFactory
from tests.notifications.factories import WebhookSubscriptionFactory
from tests.support import db_state

pytestmark = pytest.mark.django_db

TIMELINE = "changes.status_update"
SUMMARY = "changes.status_summary"


#: The rows a refused call must leave as they were.
SNAPSHOT = (Notification, ActivityEntry, ChangeRequest)


@pytest.fixture
def vmware(db):
    return DepartmentFactory(code="vmware", name="VMware virtualization")


@pytest.fixture
def contacts(tam_client):
    return SimpleNamespace(
        ann=ContactFactory(client=tam_client, name="Ann Tech", email="ann@acme.example"),
        dan=ContactFactory(
            client=tam_client, name="Dan Boss", email="dan@acme.example", kind="decision_maker"
        ),
        olga=ContactFactory(
            client=tam_client, name="Olga Other", email="olga@acme.example", kind="other"
        ),
        gone=ContactFactory(
            client=tam_client, name="Ivan Gone", email="ivan@acme.example", is_active=False
        ),
        mute=ContactFactory(client=tam_client, name="Nora Nomail", email=""),
    )


@pytest.fixture
def web(users, tam_client, department, vmware):
    """Committed for Friday; VLAN (network, 4 h) done Monday 09:00–12:00 UTC, then VMs (vmware,
    12 h) in line: planned Monday 12:00 UTC to Tuesday 15:00 UTC."""
    tam_client.time_zone = "Europe/Moscow"
    tam_client.save()
    with time_machine.travel(MON_0900, tick=False):
        made = change(tam_client, by=users.tam, committed_on=at(0, days=4).date())
        vlan = task(made, department, by=users.tam, title="VLAN", hours="4")
        vms = task(made, vmware, by=users.tam, title="VMs", hours="12")
        chain(vlan, vms, by=users.tam)
        services.transition_change(made, to="planned", by=users.tam)
        services.start_task(vlan, by=users.tam)
    with time_machine.travel(at(3), tick=False):
        services.complete_task(vlan, by=users.tam)
    return ChangeRequest.objects.get(pk=made.pk)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(at(4), tick=False):
        yield


def sent_by_address() -> dict[str, Notification]:
    """The e-mails to contacts (the tasks' readiness went to the departments before)."""
    return {n.address: n for n in Notification.objects.filter(recipient_contact__isnull=False)}


# --- who gets what -------------------------------------------------------------------------


def test_technical_contacts_get_the_timeline_and_the_others_the_summary(users, web, contacts):
    result = status_updates.send_status_update(web, by=users.tam, note="All good.")

    assert [(r.contact.name, r.message) for r in result.recipients] == [
        ("Ann Tech", "timeline"),
        ("Dan Boss", "summary"),
        ("Olga Other", "summary"),
    ]
    sent = sent_by_address()
    assert {address: (n.event_type, n.recipient_contact) for address, n in sent.items()} == {
        "ann@acme.example": (TIMELINE, contacts.ann),
        "dan@acme.example": (SUMMARY, contacts.dan),
        "olga@acme.example": (SUMMARY, contacts.olga),
    }
    assert len(result.notifications) == 3
    for notification in sent.values():
        # Due at once (not held for working hours), in the instance's language.
        assert (notification.next_attempt_at, notification.language) == (at(4), "en")
        assert notification.recipient_user is None
        assert notification.recipient_department is None
        assert notification.related == web


def test_the_timeline_lists_every_task_in_the_clients_time_zone(users, web, contacts, department):
    services.start_task(web.tasks.get(title="VMs"), by=users.tam)
    services.block_task(web.tasks.get(title="VMs"), reason="Waiting for licences", by=users.tam)

    status_updates.send_status_update(web, by=users.tam, note="  Licences ordered.  ")

    timeline = sent_by_address()["ann@acme.example"]
    assert timeline.subject == f'CR-{web.pk} "Web landscape": status update'
    text = timeline.body_text
    assert text.startswith(
        f'Where change CR-{web.pk} "Web landscape" of Acme Retail stands on 2026-11-23 16:00, '
        "task by task.\n"
    )
    assert "Status: In progress." in text
    assert "Committed date: 2026-11-27." in text
    assert "On track: forecast to finish by the committed date." in text
    assert (
        "Tasks:\n"
        "1. VLAN — Network group: Done\n"
        "   Planned: 2026-11-23 12:00 → 2026-11-23 15:00\n"
        "   Actual: 2026-11-23 12:00 → 2026-11-23 15:00\n"
        "2. VMs — VMware virtualization: In progress, blocked\n"
        "   Planned: 2026-11-23 16:00 → 2026-11-24 19:00\n"
        "   Actual: 2026-11-23 16:00 → …\n"
        "   Blocked because: Waiting for licences\n"
        "\n"
        "Times in Europe/Moscow.\n"
    ) in text
    assert f"A note from {users.tam.get_full_name()}:\nLicences ordered.\n\nTasks:\n" in text
    assert "Waiting for licences" in timeline.body_html
    assert "<td>VMware virtualization</td>" in timeline.body_html


def test_the_summary_gives_status_dates_progress_and_what_comes_next(users, web, contacts):
    status_updates.send_status_update(web, by=users.tam, note="Licences ordered.")

    summary = sent_by_address()["dan@acme.example"]
    assert summary.subject == f'CR-{web.pk} "Web landscape": status summary'
    text = summary.body_text
    assert "Status: In progress." in text
    assert "On track: forecast to finish by the committed date." in text
    assert "Committed date: 2026-11-27. Forecast finish: 2026-11-24 18:00." in text
    assert "Work done: 25% (by estimated hours)." in text  # 4 of 16 hours
    assert "What comes next:\n- VMs (ready, planned to finish 2026-11-24 18:00)\n" in text
    assert "Licences ordered." in text
    # The summary leaves out how the departments split the work.
    assert "Network group" not in text
    assert "VMware virtualization" not in text
    assert "You receive this message as a contact of Acme Retail" in summary.body_html


def test_the_work_done_counts_what_remains_of_a_task_in_progress(users, web):
    vms = web.tasks.get(title="VMs")
    services.start_task(vms, by=users.tam)
    services.update_task(vms, remaining_hours=Decimal("9"), by=users.tam)
    tasks = list(web.tasks.order_by("position"))

    summary = status_updates.summarise(ChangeRequest.objects.get(pk=web.pk), tasks)

    # VLAN 4 h done, VMs 3 of 12 h: 7 of 16 hours.
    assert (summary.done_hours, summary.total_hours, summary.percent_done) == (7, 16, 44)
    assert [t.title for t in summary.next_tasks] == ["VMs"]


def test_cancelled_tasks_are_left_out_of_both_messages(users, web, contacts, department):
    # Given an internal task added and then cancelled
    dropped = task(web, department, by=users.tam, title="Temporary firewall rule", hours="2")
    services.cancel_task(dropped, by=users.tam)

    status_updates.send_status_update(web, by=users.tam)

    # Then the client reads only the tasks of the plan, numbered without a gap
    sent = sent_by_address()
    timeline, summary = sent["ann@acme.example"], sent["dan@acme.example"]
    for message in (timeline.body_text, timeline.body_html, summary.body_text):
        assert "Temporary firewall rule" not in message
    assert "1. VLAN — Network group: Done\n" in timeline.body_text
    assert "2. VMs — VMware virtualization: Ready\n" in timeline.body_text
    assert "\n3. " not in timeline.body_text
    assert "Work done: 25% (by estimated hours)." in summary.body_text  # still 4 of 16 hours


def test_a_done_change_may_be_reported(users, web, contacts):
    vms = web.tasks.get(title="VMs")
    services.start_task(vms, by=users.tam)
    services.complete_task(vms, by=users.tam)
    services.transition_change(web, to="done", by=users.tam)

    status_updates.send_status_update(web, by=users.tam)

    text = sent_by_address()["dan@acme.example"].body_text
    assert "Status: Done.\nFinished.\n" in text
    assert "Work done: 100% (by estimated hours)." in text
    assert "What comes next" not in text
    assert "A note from" not in text


# --- the record and the deliveries ---------------------------------------------------------


def test_the_sending_is_recorded_in_the_activity_timeline(users, web, contacts):
    result = status_updates.send_status_update(web, by=users.tam, note="  Licences ordered. ")

    entry = ActivityEntry.objects.get(kind="status_update_sent")
    assert entry == result.activity
    assert (entry.change, entry.task, entry.by, entry.at) == (web, None, users.tam, at(4))
    assert entry.to_value == "3 contacts (1 timeline, 2 summary)"
    assert entry.reason == "Licences ordered."


def test_each_sending_is_delivered_once(
    users, web, contacts, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        first = status_updates.send_status_update(web, by=users.tam)
    with django_capture_on_commit_callbacks(execute=True):
        second = status_updates.send_status_update(web, by=users.tam)

    assert sorted(m.to[0] for m in mailoutbox) == [
        "ann@acme.example", "ann@acme.example", "dan@acme.example", "dan@acme.example",
        "olga@acme.example", "olga@acme.example",
    ]  # fmt: skip
    assert Notification.objects.filter(status="sent").count() == 6
    keys = {n.event_key for n in first.notifications} | {n.event_key for n in second.notifications}
    assert keys == {
        f"change:{web.pk}:status-update:{first.activity.pk}:timeline",
        f"change:{web.pk}:status-update:{first.activity.pk}:summary",
        f"change:{web.pk}:status-update:{second.activity.pk}:timeline",
        f"change:{web.pk}:status-update:{second.activity.pk}:summary",
    }


def test_writing_a_sending_again_adds_nothing(users, web, contacts):
    result = status_updates.send_status_update(web, by=users.tam)
    context = status_updates.message_context(web, note="", by=users.tam, now=at(4))

    again = change_notifications.status_update_sent(
        web, event_type=TIMELINE, contacts=[contacts.ann], context=context,
        occasion=result.activity.pk, now=at(4),
    )  # fmt: skip

    assert again == []
    assert Notification.objects.filter(recipient_contact=contacts.ann).count() == 1


def test_a_webhook_gets_one_row_per_message(users, web, contacts):
    hook = WebhookSubscriptionFactory()

    result = status_updates.send_status_update(web, by=users.tam)

    rows = Notification.objects.filter(webhook=hook).order_by("event_type")
    assert [(r.event_type, r.payload["message"]) for r in rows] == [
        (SUMMARY, "summary"),
        (TIMELINE, "timeline"),
    ]
    assert rows[0].payload["activity"] == result.activity.pk
    assert rows[0].payload["contacts"] == [contacts.dan.pk, contacts.olga.pk]


def test_only_the_timeline_when_every_contact_is_technical(users, web, contacts):
    contacts.dan.is_active = False
    contacts.dan.save()
    contacts.olga.email = ""
    contacts.olga.save()

    result = status_updates.send_status_update(web, by=users.tam)

    assert [n.event_type for n in result.notifications] == [TIMELINE]
    assert result.activity.to_value == "1 contact (1 timeline, 0 summary)"


def test_the_preview_writes_nothing(users, web, contacts):
    before = db_state(*SNAPSHOT)

    preview = status_updates.preview(web, by=users.tam, note="Soon.")

    assert db_state(*SNAPSHOT) == before
    assert preview.refusal is None
    assert [r.contact.name for r in preview.timeline_recipients] == ["Ann Tech"]
    assert [r.contact.name for r in preview.summary_recipients] == ["Dan Boss", "Olga Other"]
    assert "Soon." in preview.messages["timeline"].text
    assert "Work done: 25%" in preview.messages["summary"].text


# --- refusals ------------------------------------------------------------------------------


def refused(change, by, code: str) -> ChangeError:
    before = db_state(*SNAPSHOT)
    with pytest.raises(ChangeError) as caught:
        status_updates.send_status_update(change, by=by, note="Hello")
    assert caught.value.code == code
    assert db_state(*SNAPSHOT) == before
    return caught.value


def test_nobody_to_write_to_is_refused_and_nothing_is_written(users, web, contacts):
    for contact in (contacts.ann, contacts.dan):
        contact.is_active = False
        contact.save()
    contacts.olga.email = ""
    contacts.olga.save()

    error = refused(web, users.tam, "no_recipients")

    assert error.field == "contacts"
    assert error.message == (
        "No active contact of Acme Retail has an e-mail address: there is nobody to send to."
    )


def test_a_draft_is_refused(users, tam_client, contacts):
    draft = change(tam_client, by=users.tam)

    assert refused(draft, users.tam, "change_draft").field == "status"


def test_a_cancelled_change_is_refused(users, web, contacts):
    services.transition_change(web, to="cancelled", by=users.tam, reason="Client withdrew")

    refused(web, users.tam, "change_cancelled")


def test_an_on_hold_change_may_be_reported(users, web, contacts):
    services.transition_change(web, to="on_hold", by=users.tam, reason="Client freeze")

    status_updates.send_status_update(web, by=users.tam)

    text = sent_by_address()["ann@acme.example"].body_text
    assert "Status: On hold. On hold: Client freeze" in text
