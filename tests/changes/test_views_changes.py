"""The change list (filters, search, sort, a bounded number of queries), opening a change —
blank or from a playbook —, status transitions and comments through the pages; refused input
comes back as field errors with nothing stored."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tamdesk.changes.choices import ChangeStatus, ScheduleStatus, TaskStatus
from tamdesk.changes.models import ChangeRequest, ChangeTemplate, Comment
from tests.changes.factories import at, change, task
from tests.directory.factories import ClientFactory, DepartmentFactory

pytestmark = pytest.mark.django_db
LIST = reverse("changes:change_list")
PLAYBOOK_DEPARTMENTS = ["vmware", "unix", "monitoring", "backup"]


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(at(1), tick=False):
        yield


def rows(content: str) -> list[int]:
    import re

    return [int(pk) for pk in re.findall(r'data-change="(\d+)"', content)]


# --- the list ------------------------------------------------------------------------------


def test_list_filters_by_client_status_schedule_owner_and_department(
    client, users, tam_client, department
):
    other = ClientFactory(name="Globex")
    web = change(
        tam_client, by=users.tam, title="Web landscape", committed_on=dt.date(2026, 11, 23)
    )
    task(web, department, by=users.tam, hours="40")  # cannot finish on Monday: late
    mail = change(other, by=users.administrator, title="Mail relay")
    client.force_login(users.service_manager)  # reads every change

    assert set(rows(client.get(LIST).content.decode())) == {web.pk, mail.pk}
    assert rows(client.get(LIST, {"client": other.pk}).content.decode()) == [mail.pk]
    assert rows(client.get(LIST, {"owner": users.tam.pk}).content.decode()) == [web.pk]
    assert rows(client.get(LIST, {"department": department.pk}).content.decode()) == [web.pk]
    assert rows(client.get(LIST, {"status": "draft", "q": "relay"}).content.decode()) == [mail.pk]
    web.refresh_from_db()
    assert web.schedule_status == ScheduleStatus.LATE
    late = client.get(LIST, {"schedule_status": "late"}).content.decode()
    assert rows(late) == [web.pk]


def test_list_sorts_and_answers_htmx_with_the_table(client, users, tam_client):
    first = change(tam_client, by=users.tam, title="Alpha")
    second = change(tam_client, by=users.tam, title="Beta")
    client.force_login(users.tam)

    response = client.get(LIST, {"ordering": "-title"}, HTTP_HX_REQUEST="true")

    content = response.content.decode()
    assert rows(content) == [second.pk, first.pk]
    assert "<html" not in content


def test_list_runs_a_bounded_number_of_queries(
    client, users, tam_client, department, django_assert_max_num_queries
):
    for number in range(30):
        made = change(tam_client, by=users.tam, title=f"Change {number}")
        task(made, department, by=users.tam)
    client.force_login(users.tam)
    client.get(LIST)  # warm the session and the caches

    with django_assert_max_num_queries(15):
        response = client.get(LIST)

    assert len(rows(response.content.decode())) == 25


# --- opening a change ----------------------------------------------------------------------


def test_a_tam_opens_a_change_for_their_client(client, users, tam_client):
    client.force_login(users.tam)

    response = client.post(
        reverse("changes:change_create"),
        {
            "client": tam_client.pk,
            "title": "New VPN",
            "type": "normal",
            "priority": "p2",
            "committed_on": "2026-12-04",
            "rollback_plan": "Remove the tunnel.",
        },
    )

    made = ChangeRequest.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("changes:change_detail", args=[made.pk])
    assert (made.owner, made.priority, made.committed_on) == (
        users.tam,
        "p2",
        dt.date(2026, 12, 4),
    )
    assert made.activity.filter(kind="created").exists()


def test_bad_input_comes_back_as_field_errors_and_nothing_is_stored(client, users, tam_client):
    client.force_login(users.tam)

    response = client.post(
        reverse("changes:change_create"),
        {"client": tam_client.pk, "title": "", "type": "sideways", "priority": "p3"},
    )

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"title", "type"}
    assert not ChangeRequest.objects.exists()


def test_a_tam_cannot_open_a_change_for_a_client_they_do_not_manage(client, users):
    stranger = ClientFactory(name="Initech")
    client.force_login(users.tam)

    response = client.post(
        reverse("changes:change_create"),
        {"client": stranger.pk, "title": "Sneaky", "type": "normal", "priority": "p3"},
    )

    assert response.status_code == 200
    assert "client" in response.context["form"].errors
    assert not ChangeRequest.objects.exists()


def test_an_engineer_cannot_post_a_change(client, users, tam_client):
    client.force_login(users.engineer)

    response = client.post(
        reverse("changes:change_create"),
        {"client": tam_client.pk, "title": "No", "type": "normal", "priority": "p3"},
    )

    assert response.status_code == 403
    assert not ChangeRequest.objects.exists()


def test_a_tam_opens_a_change_from_a_playbook(client, users, tam_client, department):
    for code in PLAYBOOK_DEPARTMENTS:
        DepartmentFactory(code=code)
    playbook = ChangeTemplate.objects.get(code="web-project-landscape")
    client.force_login(users.tam)

    response = client.post(
        reverse("changes:change_create_from_playbook"),
        {"template": playbook.pk, "client": tam_client.pk, "title": ""},
    )

    made = ChangeRequest.objects.get()
    assert response.status_code == 302
    assert made.title == "New web project landscape"
    assert made.tasks.count() == 7


def test_a_playbook_with_missing_departments_is_refused_and_nothing_is_stored(
    client, users, tam_client
):
    playbook = ChangeTemplate.objects.get(code="web-project-landscape")
    client.force_login(users.tam)

    response = client.post(
        reverse("changes:change_create_from_playbook"),
        {"template": playbook.pk, "client": tam_client.pk},
    )

    assert response.status_code == 200
    assert "vmware" in str(response.context["form"].errors["template"])
    assert not ChangeRequest.objects.exists()


# --- status and comments -------------------------------------------------------------------


def test_the_tam_plans_the_change_and_the_first_task_becomes_ready(
    client, users, tam_client, department
):
    made = change(tam_client, by=users.tam)
    first = task(made, department, by=users.tam)
    client.force_login(users.tam)

    response = client.post(reverse("changes:change_transition", args=[made.pk]), {"to": "planned"})

    assert response.status_code == 302
    made.refresh_from_db()
    first.refresh_from_db()
    assert (made.status, first.status) == (ChangeStatus.PLANNED, TaskStatus.READY)


def test_on_hold_without_a_reason_is_refused(client, users, tam_client):
    made = change(tam_client, by=users.tam)
    client.force_login(users.tam)
    client.post(reverse("changes:change_transition", args=[made.pk]), {"to": "planned"})

    response = client.post(
        reverse("changes:change_transition", args=[made.pk]), {"to": "on_hold"}, follow=True
    )

    made.refresh_from_db()
    assert made.status == ChangeStatus.PLANNED
    assert "Say why the change is on hold." in response.content.decode()

    client.post(
        reverse("changes:change_transition", args=[made.pk]),
        {"to": "on_hold", "reason": "Client freeze"},
    )
    made.refresh_from_db()
    assert (made.status, made.hold_reason) == (ChangeStatus.ON_HOLD, "Client freeze")


def test_an_engineer_cannot_move_the_change(client, users, tam_client, department):
    made = change(tam_client, by=users.tam)
    task(made, department, by=users.tam)  # her department's work: she reads the change
    client.force_login(users.engineer)

    response = client.post(reverse("changes:change_transition", args=[made.pk]), {"to": "planned"})

    assert response.status_code == 403
    made.refresh_from_db()
    assert made.status == ChangeStatus.DRAFT


def test_comments(client, users, tam_client, department):
    made = change(tam_client, by=users.tam)
    task(made, department, by=users.tam)  # her department's work: she reads the change
    client.force_login(users.engineer)

    empty = client.post(reverse("changes:comment_create", args=[made.pk]), {"body": "  "})
    saved = client.post(reverse("changes:comment_create", args=[made.pk]), {"body": "On it."})

    assert empty.status_code == 200
    assert "body" in empty.context["comment_form"].errors
    assert saved.status_code == 302
    assert list(Comment.objects.values_list("body", "author")) == [("On it.", users.engineer.pk)]
