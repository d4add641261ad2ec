"""Department queues (ready and upcoming tasks, least slack first; engineers' load for the next
four weeks) and the Changes section of the client page."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from tamdesk.changes import services
from tests.calendars.factories import CalendarFactory
from tests.changes.factories import at, chain, change, task

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(at(1), tick=False):
        yield


def queue_rows(content: str) -> list[int]:
    table = content[content.index('id="queue"') : content.index('id="load"')]
    return [int(pk) for pk in re.findall(r'<tr data-task="(\d+)"', table)]


def test_the_queue_lists_ready_and_upcoming_tasks_least_slack_first(
    client, users, tam_client, department
):
    # Committed for Wednesday: the long chain has less slack than the short task.
    made = change(tam_client, by=users.tam, committed_on=at(0, days=2).date())
    short = task(made, department, by=users.tam, title="short", hours="1")
    long_first = task(made, department, by=users.tam, title="long 1", hours="8")
    long_second = task(made, department, by=users.tam, title="long 2", hours="8")
    chain(long_first, long_second, by=users.tam)
    services.transition_change(made, to="planned", by=users.tam, now=at(0))
    closed = change(tam_client, by=users.tam, title="Cancelled")
    task(closed, department, by=users.tam, title="gone")
    services.transition_change(closed, to="cancelled", by=users.tam, now=at(0))
    client.force_login(users.engineer)

    content = client.get(reverse("changes:department_queue", args=[department.pk])).content.decode()

    slack = {t.pk: t.slack_seconds for t in made.tasks.all()}
    assert slack[long_first.pk] < slack[short.pk]
    assert queue_rows(content) == [long_first.pk, long_second.pk, short.pk]


def test_the_load_sums_the_open_assigned_hours_per_week_against_working_hours(
    client, users, tam_client, department
):
    made = change(tam_client, by=users.tam)
    task(made, department, by=users.tam, hours="6", assignee=users.engineer)
    task(made, department, by=users.tam, hours="3", assignee=users.engineer)
    client.force_login(users.lead)

    response = client.get(reverse("changes:department_queue", args=[department.pk]))

    load = {row["engineer"].user: row["loads"] for row in response.context["load"]}
    assert [cell.hours for cell in load[users.engineer]] == [Decimal("9"), 0, 0, 0]
    # The default calendar has 45 working hours a week; one engineer counts for a full-time week
    assert [week.working_hours for week in response.context["weeks"]] == [Decimal("45.00")] * 4
    assert [cell.capacity_hours for cell in load[users.engineer]] == [Decimal("40")] * 4
    assert [cell.hours for cell in load[users.tam]] == [0, 0, 0, 0]


def test_the_load_is_written_in_hours_by_the_hours_filter(client, users, tam_client, department):
    made = change(tam_client, by=users.tam)
    task(made, department, by=users.tam, hours="6.5", assignee=users.engineer)
    client.force_login(users.lead)

    content = client.get(reverse("changes:department_queue", args=[department.pk])).content.decode()

    row = content[content.index(f'<tr data-engineer="{users.engineer.engineer.pk}">') :]
    row = row[: row.index("</tr>")]
    cells = re.findall(r"<td class=\"text-end small[^\"]*\">([^<]*)</td>", row)
    assert cells == ["6.5 / 40", "0 / 40", "0 / 40", "0 / 40"]


def test_an_engineer_of_a_24x7_department_counts_for_a_full_time_week(
    client, users, tam_client, department
):
    department.calendar = CalendarFactory(name="24×7 duty", is_always_open=True, weekly={})
    department.save()
    client.force_login(users.lead)

    response = client.get(reverse("changes:department_queue", args=[department.pk]))

    # The department works 168 h a week; one engineer does not
    assert [week.working_hours for week in response.context["weeks"]] == [Decimal("168.00")] * 4
    load = {row["engineer"].user: row["loads"] for row in response.context["load"]}
    assert [cell.capacity_hours for cell in load[users.engineer]] == [Decimal("40")] * 4
    assert "0 / 40" in response.content.decode()
    assert "168" not in response.content.decode().split('id="load"')[1]


def test_the_queue_keeps_tasks_in_progress_and_blocked_ones_least_slack_first(
    client, users, tam_client, department
):
    # Given a planned change: "long 1" → "long 2" (8 h each) and a short task, all one department
    made = change(tam_client, by=users.tam, committed_on=at(0, days=2).date())
    short = task(made, department, by=users.tam, title="short", hours="1")
    long_first = task(made, department, by=users.tam, title="long 1", hours="8")
    long_second = task(made, department, by=users.tam, title="long 2", hours="8")
    chain(long_first, long_second, by=users.tam)
    services.transition_change(made, to="planned", by=users.tam, now=at(0))
    # When the first long task is started and the short one blocked, and one more is done
    services.start_task(long_first, by=users.engineer, now=at(0.5))
    services.block_task(short, reason="Waiting for the client", by=users.engineer, now=at(0.5))
    finished = task(made, department, by=users.tam, title="finished", hours="1", now=at(0.5))
    services.start_task(finished, by=users.engineer, now=at(0.5))
    services.complete_task(finished, by=users.engineer, now=at(0.6))
    client.force_login(users.engineer)

    content = client.get(reverse("changes:department_queue", args=[department.pk])).content.decode()

    # Then the task in progress stays in the queue, the blocked one too, the done one is gone
    assert queue_rows(content) == [long_first.pk, long_second.pk, short.pk]
    queue = content[content.index('id="queue"') : content.index('id="load"')]
    assert "In progress" in queue and "Blocked" in queue


def test_the_queue_index_counts_tasks_in_progress_ready_and_upcoming(
    client, users, tam_client, department
):
    made = change(tam_client, by=users.tam)
    first = task(made, department, by=users.tam)
    second = task(made, department, by=users.tam)
    third = task(made, department, by=users.tam)
    chain(first, second, by=users.tam)
    services.transition_change(made, to="planned", by=users.tam, now=at(0))
    services.start_task(third, by=users.engineer, now=at(0))
    client.force_login(users.engineer)

    response = client.get(reverse("changes:department_queue_index"))

    counted = {d.pk: (d.in_progress, d.ready, d.upcoming) for d in response.context["departments"]}
    assert counted[department.pk] == (1, 1, 1)


def test_the_client_page_shows_the_open_changes(client, users, tam_client, department):
    made = change(tam_client, by=users.tam, committed_on=at(0, days=4).date())
    task(made, department, by=users.tam)
    done = change(tam_client, by=users.tam, title="Old")
    services.transition_change(done, to="cancelled", by=users.tam, now=at(0))
    client.force_login(users.tam)

    content = client.get(tam_client.get_absolute_url()).content.decode()

    section = content[content.index('id="section-changes"') :]
    section = section[: section.index("</section>")]
    assert f'data-change="{made.pk}"' in section
    assert f'data-change="{done.pk}"' not in section
    assert "2026-11-27" in section
    assert 'data-schedule="on_track"' in section
    assert reverse("changes:change_create") in section


def test_the_client_section_offers_no_new_change_to_an_engineer(
    client, users, tam_client, department
):
    task(change(tam_client, by=users.tam), department, by=users.tam)  # she reads the client
    client.force_login(users.engineer)

    content = client.get(tam_client.get_absolute_url()).content.decode()

    section = content[content.index('id="section-changes"') :]
    assert reverse("changes:change_create") not in section[: section.index("</section>")]
