"""A TAM opens a change from the "New web project landscape" playbook, plans it, works the
network task through the task table (htmx) and sees the virtual-machines task become ready and
the Gantt chart and the dependency graph draw the work done; then sends the client's contacts a
status update and finds the change on the board."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tamdesk.changes.models import ChangeRequest, ChangeTemplate, TemplateDependency, TemplateTask
from tamdesk.changes.playbooks import load_playbooks
from tamdesk.notifications.models import Notification
from tests.browser.conftest import login
from tests.directory.factories import ContactFactory, DepartmentFactory


def test_tam_works_a_change_from_a_playbook(page: Page, users, tam_client, department):
    load_playbooks(ChangeTemplate, TemplateTask, TemplateDependency)  # a flushed database
    for code in ("vmware", "unix", "monitoring", "backup"):
        DepartmentFactory(code=code)
    playbook = ChangeTemplate.objects.get(code="web-project-landscape")
    login(page, users.tam)

    # Given the change list, when the TAM opens a change from the playbook
    page.goto("/changes/")
    page.locator("main").get_by_role("link", name=re.compile("From a playbook")).click()
    page.select_option("#id_template", str(playbook.pk))
    page.select_option("#id_client", str(tam_client.pk))
    page.locator("main form [type=submit]").first.click()

    change = ChangeRequest.objects.get()
    expect(page).to_have_url(re.compile(rf"/changes/{change.pk}/$"))
    expect(page.locator("#gantt rect.gantt-bar")).to_have_count(7)
    expect(page.locator("#dependency-graph g.graph-node")).to_have_count(7)
    expect(page.locator("#dependency-graph g.graph-edge")).to_have_count(
        playbook.dependencies.count()
    )

    # When they plan it, the network task is ready and the VM task waits
    page.locator("#transitions").get_by_role("button", name="Planned").click()
    network = change.tasks.get(department=department)
    vms = change.tasks.get(department__code="vmware")
    expect(page.locator(f'#task-table tr[data-task="{network.pk}"]')).to_have_attribute(
        "data-status", "ready"
    )
    expect(page.locator(f'#task-table tr[data-task="{vms.pk}"]')).to_have_attribute(
        "data-status", "pending"
    )

    # When they start and complete the network task
    row = page.locator(f'#task-table tr[data-task="{network.pk}"]')
    # The action buttons name their task (for a screen reader's list of buttons).
    row.get_by_role("button", name=f"Start {network.title}", exact=True).click()
    expect(row).to_have_attribute("data-status", "in_progress")
    expect(page.locator("#gantt rect.gantt-actual")).to_have_count(1)
    page.locator(f'#task-table tr[data-task="{network.pk}"]').get_by_role(
        "button", name=f"Complete {network.title}", exact=True
    ).click()

    # Then the VM task is ready and the chart shows the finished work
    expect(page.locator(f'#task-table tr[data-task="{network.pk}"]')).to_have_attribute(
        "data-status", "done"
    )
    expect(page.locator(f'#task-table tr[data-task="{vms.pk}"]')).to_have_attribute(
        "data-status", "ready"
    )
    expect(page.locator("#gantt rect.gantt-actual")).to_have_count(1)
    expect(page.locator("#gantt rect.gantt-bar")).to_have_count(7)
    graph = page.locator("#dependency-graph")
    expect(graph.locator(f'g.graph-node[data-task="{network.pk}"]')).to_have_attribute(
        "data-status", "done"
    )
    expect(graph.locator(f'g.graph-node[data-task="{vms.pk}"]')).to_have_attribute(
        "data-status", "ready"
    )

    # When they send the client's contacts a status update
    ContactFactory(client=tam_client, name="Tech Person", kind="technical")
    ContactFactory(client=tam_client, name="Boss Person", kind="decision_maker")
    page.locator("#status-update-link").click()
    expect(page.locator("main")).to_contain_text("Tech Person")
    page.fill("textarea[name=note]", "Network is ready; VMs next.")
    page.locator("main form").get_by_role("button", name="Send to 2 contacts").click()

    # Then they are back on the change, the timeline records it and both messages are queued
    expect(page).to_have_url(re.compile(rf"/changes/{change.pk}/$"))
    expect(page.locator("main")).to_contain_text("Sent the status update to 2 contacts")
    expect(page.locator("main")).to_contain_text("Network is ready; VMs next.")
    assert set(
        Notification.objects.filter(recipient_contact__client=tam_client).values_list(
            "event_type", flat=True
        )
    ) == {"changes.status_update", "changes.status_summary"}

    # And the board shows the change in progress
    page.goto("/changes/board/")
    card = page.locator(f'[data-column="in_progress"] [data-change="{change.pk}"]')
    expect(card).to_have_count(1)
