"""The "My work" section of the home page: the queues of the departments the user works in or
leads, the open tasks assigned to them (least slack first) and the open changes they own."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from tamdesk.changes import services
from tests.changes.factories import at, change, task
from tests.directory.factories import DepartmentFactory, EngineerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(at(1), tick=False):
        yield


def my_work(content: str) -> str:
    start = content.index('id="home-my-work"')
    return content[start : content.index("</section>", start)]


def test_an_engineer_sees_the_queue_of_her_department_and_her_tasks(
    client, users, tam_client, department
):
    # Given a planned change with a task in progress assigned to the engineer, a ready one
    # assigned to someone else and a cancelled one assigned to her
    made = change(tam_client, by=users.tam)
    mine = task(made, department, by=users.tam, title="Mine", assignee=users.engineer)
    task(made, department, by=users.tam, title="Someone else's", assignee=users.lead)
    dropped = task(made, department, by=users.tam, title="Dropped", assignee=users.engineer)
    services.transition_change(made, to="planned", by=users.tam, now=at(0))
    services.start_task(mine, by=users.engineer, now=at(0.5))
    services.cancel_task(dropped, by=users.tam, now=at(0.5))
    client.force_login(users.engineer)

    response = client.get("/")

    section = my_work(response.content.decode())
    assert reverse("changes:department_queue", args=[department.pk]) in section
    assert "Queue of Network group" in section
    assert "1 in progress · 1 ready · 0 upcoming" in section
    assert f'data-task="{mine.pk}"' in section
    assert "Someone else" not in section and "Dropped" not in section
    assert "You lead it" not in section


def test_a_department_lead_sees_the_department_she_leads(client, users, department):
    unix = DepartmentFactory(code="unix", name="Unix")
    unix.lead = EngineerFactory(user=users.programme_lead, department=unix)
    unix.save()
    client.force_login(users.programme_lead)

    section = my_work(client.get("/").content.decode())

    assert reverse("changes:department_queue", args=[unix.pk]) in section
    assert "You lead it" in section
    assert "No open task is assigned to you." in section


def test_a_tam_sees_the_open_changes_she_owns(client, users, tam_client, department):
    mine = change(tam_client, by=users.tam, title="Portal landscape")
    closed = change(tam_client, by=users.tam, title="Old one")
    services.transition_change(closed, to="cancelled", by=users.tam, now=at(0))
    client.force_login(users.tam)

    section = my_work(client.get("/").content.decode())

    assert f'data-change="{mine.pk}"' in section
    assert "Old one" not in section


@pytest.mark.parametrize("role", ["programme_lead", "administrator", "service_manager"])
def test_without_work_in_changes_there_is_no_section(client, users, role):
    client.force_login(getattr(users, role))

    content = client.get("/").content.decode()

    assert 'id="home-my-work"' not in content
