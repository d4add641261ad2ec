"""The change page's work: task actions through the views (htmx answers with the table and the
Gantt chart), the predecessors-open refusal and the TAM's override, adding tasks and
dependencies (a cycle is the form's error and nothing is stored), the Gantt chart's bars and the
page's query budget."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.urls import reverse

from tamdesk.changes import services
from tamdesk.changes.choices import TaskStatus
from tamdesk.changes.models import DepartmentTask, TaskDependency
from tests.changes.factories import at, chain, change, task
from tests.crawl.markup import malformed_numbers

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(at(1), tick=False):
        yield


@pytest.fixture
def planned(users, tam_client, department):
    """A planned change: "network work" (ready) → "second" (pending), and "side" (ready)."""
    made = change(tam_client, by=users.tam)
    first = task(made, department, by=users.tam, title="network work")
    second = task(made, department, by=users.tam, title="second")
    side = task(made, department, by=users.tam, title="side", hours="1")
    chain(first, second, by=users.tam)
    services.transition_change(made, to="planned", by=users.tam, now=at(0))
    return made, first, second, side


def act(client, task, action, **data):
    return client.post(
        reverse("changes:task_action", args=[task.pk, action]), data, HTTP_HX_REQUEST="true"
    )


def status(task) -> str:
    return DepartmentTask.objects.get(pk=task.pk).status


def test_an_engineer_starts_and_completes_a_task_and_the_successor_becomes_ready(
    client, users, planned
):
    _change, first, second, _side = planned
    client.force_login(users.engineer)

    started = act(client, first, "start")
    completed = act(client, first, "complete")

    assert started.status_code == completed.status_code == 200
    content = completed.content.decode()
    assert content.lstrip().startswith('<div id="change-work">')
    assert 'id="gantt"' in content
    assert (status(first), status(second)) == (TaskStatus.DONE, TaskStatus.READY)
    assert f'data-task="{second.pk}" data-status="ready"' in content


def test_every_task_action_button_names_its_task(client, users, planned):
    # A screen reader's list of buttons read "Start, Block, Cancel task, Start, …" for every row.
    made, first, _second, side = planned
    client.force_login(users.tam)

    content = client.get(reverse("changes:change_detail", args=[made.pk])).content.decode()

    buttons = re.findall(r"<button[^>]*>(.*?)</button>", content.split('id="task-table"')[1], re.S)
    named = [re.sub(r"<[^>]+>", "", b).strip() for b in buttons]
    for action in ("Start", "Block", "Cancel task"):
        assert f"{action} {first.title}" in named and f"{action} {side.title}" in named
    assert f'<span class="visually-hidden"> {first.title}</span>' in content


def test_starting_a_task_with_open_predecessors_is_refused_without_an_override(
    client, users, planned
):
    _change, _first, second, _side = planned
    client.force_login(users.engineer)

    response = act(client, second, "start", reason="hurry")

    assert response.status_code == 200
    assert 'id="work-error"' in response.content.decode()
    assert "Only the change&#x27;s TAM can start" in response.content.decode()
    assert status(second) == TaskStatus.PENDING


def test_starting_without_a_reason_names_the_open_predecessors(client, users, planned):
    _change, _first, second, _side = planned
    client.force_login(users.tam)

    response = act(client, second, "start")

    assert "The task waits for" in response.content.decode()
    assert status(second) == TaskStatus.PENDING


def test_the_tam_overrides_with_a_reason(client, users, planned):
    _change, _first, second, _side = planned
    client.force_login(users.tam)

    response = act(client, second, "start", reason="Client asked to overlap")

    assert response.status_code == 200
    started = DepartmentTask.objects.get(pk=second.pk)
    assert (started.status, started.started_override_reason) == (
        TaskStatus.IN_PROGRESS,
        "Client asked to overlap",
    )


def test_block_needs_a_reason_then_unblock(client, users, planned):
    _change, first, _second, _side = planned
    client.force_login(users.engineer)

    refused = act(client, first, "block")
    assert "Say why the task is blocked." in refused.content.decode()
    assert not DepartmentTask.objects.get(pk=first.pk).is_blocked

    act(client, first, "block", reason="Waiting for the client's VLAN id")
    assert DepartmentTask.objects.get(pk=first.pk).blocked_reason == (
        "Waiting for the client's VLAN id"
    )
    act(client, first, "unblock")
    assert not DepartmentTask.objects.get(pk=first.pk).is_blocked


def test_only_the_editors_cancel_a_task(client, users, planned):
    _change, _first, _second, side = planned
    client.force_login(users.engineer)
    assert act(client, side, "cancel").status_code == 403
    assert status(side) == TaskStatus.READY

    client.force_login(users.tam)
    act(client, side, "cancel")
    assert status(side) == TaskStatus.CANCELLED


def test_people_outside_the_department_cannot_work_a_task(client, users, planned):
    _change, first, _second, _side = planned
    client.force_login(users.architect)

    assert act(client, first, "start").status_code == 403
    assert status(first) == TaskStatus.READY


def test_without_htmx_the_action_redirects_with_a_message(client, users, planned):
    made, first, _second, _side = planned
    client.force_login(users.engineer)

    response = client.post(reverse("changes:task_action", args=[first.pk, "start"]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("changes:change_detail", args=[made.pk]) + (
        "#tasks"
    )
    assert "Started “network work”." in response.content.decode()


def test_an_unknown_action_is_not_found(client, users, planned):
    _change, first, _second, _side = planned
    client.force_login(users.tam)

    assert act(client, first, "explode").status_code == 404


# --- adding tasks and dependencies ---------------------------------------------------------


def test_add_a_task(client, users, planned, department):
    made, *_tasks = planned
    client.force_login(users.tam)

    response = client.post(
        reverse("changes:task_create", args=[made.pk]),
        {"department": department.pk, "title": "Firewall", "estimate_hours": "2.5"},
    )

    assert response.status_code == 302
    assert made.tasks.filter(title="Firewall", estimate_hours="2.5").exists()


def test_a_task_with_bad_input_is_not_stored(client, users, planned, department):
    made, *_tasks = planned
    client.force_login(users.tam)

    response = client.post(
        reverse("changes:task_create", args=[made.pk]),
        {"department": department.pk, "title": "", "estimate_hours": "-1"},
    )

    assert response.status_code == 200
    assert set(response.context["task_form"].errors) == {"title", "estimate_hours"}
    assert made.tasks.count() == 3


def test_an_engineer_cannot_add_a_task(client, users, planned, department):
    made, *_tasks = planned
    client.force_login(users.engineer)

    response = client.post(
        reverse("changes:task_create", args=[made.pk]),
        {"department": department.pk, "title": "X", "estimate_hours": "1"},
    )

    assert response.status_code == 403
    assert made.tasks.count() == 3


def test_a_dependency_closing_a_cycle_is_the_form_error_and_nothing_is_stored(
    client, users, planned
):
    made, first, second, _side = planned
    client.force_login(users.tam)

    response = client.post(
        reverse("changes:dependency_create", args=[made.pk]),
        {"predecessor": second.pk, "successor": first.pk, "kind": "fs", "lag_hours": "0"},
    )

    assert response.status_code == 200
    errors = response.context["dependency_form"].errors["successor"]
    assert errors == [
        'This dependency would make a cycle: "network work" → "second" → "network work".'
    ]
    assert TaskDependency.objects.count() == 1


def test_add_and_remove_a_dependency(client, users, planned):
    made, first, _second, side = planned
    client.force_login(users.tam)

    client.post(
        reverse("changes:dependency_create", args=[made.pk]),
        {"predecessor": first.pk, "successor": side.pk, "kind": "ss", "lag_hours": "1"},
    )
    link = TaskDependency.objects.get(successor=side)
    assert (link.kind, str(link.lag_hours)) == ("ss", "1.00")

    client.post(reverse("changes:dependency_delete", args=[link.pk]))
    assert not TaskDependency.objects.filter(successor=side).exists()


def test_an_engineer_cannot_add_a_dependency(client, users, planned):
    made, first, _second, side = planned
    client.force_login(users.engineer)

    response = client.post(
        reverse("changes:dependency_create", args=[made.pk]),
        {"predecessor": first.pk, "successor": side.pk, "kind": "fs", "lag_hours": "0"},
    )

    assert response.status_code == 403
    assert TaskDependency.objects.count() == 1


# --- the Gantt chart and the page ----------------------------------------------------------


def test_the_gantt_chart_has_one_bar_per_task_and_marks_the_critical_ones(client, users, planned):
    made, first, second, side = planned
    client.force_login(users.engineer)

    content = client.get(reverse("changes:change_detail", args=[made.pk])).content.decode()

    svg = content[content.index("<svg") : content.index("</svg>")]
    bars = re.findall(r'<rect class="gantt-bar[^"]*" data-task="(\d+)"', svg)
    critical = re.findall(r'data-task="(\d+)" data-critical="true" x=', svg)
    assert sorted(int(pk) for pk in bars) == sorted([first.pk, second.pk, side.pk])
    assert sorted(int(pk) for pk in critical) == sorted([first.pk, second.pk])
    assert "<title" in svg and "<desc" in svg
    assert 'class="gantt-today"' in svg


def test_cancelled_tasks_leave_the_plan_and_are_listed_apart(client, users, planned):
    # Given "second" (after "network work") is cancelled
    made, first, second, side = planned
    link = TaskDependency.objects.get(successor=second)
    client.force_login(users.tam)
    act(client, second, "cancel")

    response = client.get(reverse("changes:change_detail", args=[made.pk]))

    # Then the task table, the Gantt chart and the graph show the two tasks of the plan only
    context = response.context
    assert [row.task.pk for row in context["rows"]] == [first.pk, side.pk]
    assert [row.task.pk for row in context["chart"].rows] == [first.pk, side.pk]
    assert sorted(node.task.pk for node in context["graph"].nodes) == [first.pk, side.pk]
    assert [edge.link.pk for edge in context["graph"].edges] == []
    # and the cancelled one in the collapsed part below the table, not in the table
    content = response.content.decode()
    table = content[content.index('id="task-table"') : content.index("</table>")]
    assert f'data-task="{second.pk}"' not in table
    part = content[content.index('id="cancelled-tasks"') :]
    part = part[: part.index("</details>")]
    assert "1 cancelled task, not part of the plan" in part
    assert f'data-task="{second.pk}" data-status="cancelled"' in part
    # The dependency itself is still listed (and may be removed) with the change's dependencies
    assert f'data-dependency="{link.pk}"' in content


def test_without_a_cancelled_task_there_is_no_cancelled_part(client, users, planned):
    made, *_tasks = planned
    client.force_login(users.tam)

    content = client.get(reverse("changes:change_detail", args=[made.pk])).content.decode()

    assert 'id="cancelled-tasks"' not in content


def test_the_htmx_fragment_after_cancelling_leaves_the_task_out_of_the_plan(client, users, planned):
    _made, first, second, side = planned
    client.force_login(users.tam)

    response = act(client, first, "cancel")

    assert [row.task.pk for row in response.context["rows"]] == [second.pk, side.pk]
    assert first.pk not in [row.task.pk for row in response.context["chart"].rows]
    assert 'id="cancelled-tasks"' in response.content.decode()


def test_the_gantt_chart_and_the_graph_draw_in_russian(client, users, planned):
    # Russian formats numbers with a decimal comma: x1="220,0" drew no bars at all.
    made, first, _second, _side = planned
    client.force_login(users.engineer)
    act(client, first, "start")

    content = client.get(
        reverse("changes:change_detail", args=[made.pk]), HTTP_ACCEPT_LANGUAGE="ru"
    ).content.decode()

    assert '<html lang="ru"' in content
    assert content.count('class="gantt-bar') == 3
    assert content.count('class="gantt-actual"') == 1
    assert re.search(r'<line x1="\d+(\.\d+)?" y1="0"', content)
    assert malformed_numbers(content) == []


def test_the_graph_describes_its_tasks_and_columns(client, users, planned):
    made, *_tasks = planned
    client.force_login(users.engineer)

    content = client.get(reverse("changes:change_detail", args=[made.pk])).content.decode()

    assert f"Dependency graph of {made}: 3 tasks in 2 columns;" in content


def test_the_actual_bar_follows_a_started_task(client, users, planned):
    _made, first, _second, _side = planned
    client.force_login(users.engineer)

    content = act(client, first, "start").content.decode()

    assert content.count('class="gantt-actual"') == 1


def test_the_change_page_runs_a_bounded_number_of_queries(
    client, users, planned, department, django_assert_max_num_queries
):
    made, *_tasks = planned
    for number in range(10):
        task(made, department, by=users.tam, title=f"extra {number}")
    client.force_login(users.tam)
    client.get(reverse("changes:change_detail", args=[made.pk]))

    with django_assert_max_num_queries(30):
        response = client.get(reverse("changes:change_detail", args=[made.pk]))

    assert response.status_code == 200
