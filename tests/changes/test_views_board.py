"""The change board: every role reads it, columns by status (done and cancelled only when closed
in the last 30 days), the cards, the list's filters (the at-risk filter also on the list and the
API), the links between list and board, and a bounded number of queries."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from tamdesk.changes import services
from tamdesk.changes.models import ChangeRequest
from tamdesk.changes.views import board
from tamdesk.core.templatetags.tamdesk_ui import person
from tests.changes.factories import MON_0900, at, change, task
from tests.conftest import api_as
from tests.directory.factories import ClientFactory, DepartmentFactory

pytestmark = pytest.mark.django_db
BOARD = reverse("changes:board")
LIST = reverse("changes:change_list")
READERS = ["admin", "administrator", "tam", "other_tam", "engineer", "lead", "service_manager",
           "architect", "programme_lead"]  # fmt: skip


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(at(1), tick=False):
        yield


def columns(content: str) -> dict[str, list[int]]:
    """The change ids of each column, in order."""
    found = {}
    for status, body in re.findall(r'data-column="(\w+)"(.*?)</section>', content, re.S):
        found[status] = [int(pk) for pk in re.findall(r'data-change="(\d+)"', body)]
    return found


def on_board(http, **params) -> set[int]:
    response = http.get(BOARD, params)
    assert response.status_code == 200
    return {pk for pks in columns(response.content.decode()).values() for pk in pks}


def rows(content: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'data-change="(\d+)"', content)}


def move(made: ChangeRequest, *statuses: str, by, now=MON_0900, reason: str = "") -> None:
    for status in statuses:
        services.transition_change(made, to=status, by=by, now=now, reason=reason)


def late_change(client_record, users, department, **kwargs) -> ChangeRequest:
    """Committed for Monday with 40 hours of work: late."""
    made = change(client_record, by=users.tam, committed_on=MON_0900.date(), **kwargs)
    task(made, department, by=users.tam, hours="40")
    made.refresh_from_db()
    assert made.schedule_status == "late"
    return made


# --- who reads it --------------------------------------------------------------------------


def test_anonymous_is_sent_to_the_login_page(client):
    response = client.get(BOARD)

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")


def test_a_user_without_a_role_is_refused(client, users):
    client.force_login(users.norole)

    assert client.get(BOARD).status_code == 403


@pytest.mark.parametrize("role", READERS)
def test_every_role_reads_the_board(client, users, tam_client, role):
    made = change(tam_client, by=users.tam)
    client.force_login(getattr(users, role))

    response = client.get(BOARD)

    assert response.status_code == 200
    # Only the changes one reads: not the engineers' (no task of their department in it) nor
    # another TAM's.
    shown = [] if role in ("other_tam", "engineer", "lead") else [made.pk]
    assert columns(response.content.decode())["draft"] == shown


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_board_renders_in_every_language(client, users, language):
    client.force_login(users.admin)

    response = client.get(BOARD, HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 200
    assert f'<html lang="{language}"' in response.content.decode()


# --- columns and cards ---------------------------------------------------------------------


def test_columns_by_status_with_recent_closed_changes_only(client, users, tam_client):
    drafted = change(tam_client, by=users.tam, title="Drafted")
    planned = change(tam_client, by=users.tam, title="Planned")
    move(planned, "planned", by=users.tam)
    running = change(tam_client, by=users.tam, title="Running")
    move(running, "planned", "in_progress", by=users.tam)
    held = change(tam_client, by=users.tam, title="Held")
    move(held, "planned", "on_hold", by=users.tam, reason="Waiting for the client")
    done = change(tam_client, by=users.tam, title="Done lately")
    move(done, "planned", "in_progress", "done", by=users.tam, now=at(0, days=-29))
    old = change(tam_client, by=users.tam, title="Done long ago")
    move(old, "planned", "in_progress", "done", by=users.tam, now=at(0, days=-31))
    dropped = change(tam_client, by=users.tam, title="Dropped")
    move(dropped, "cancelled", by=users.tam)
    client.force_login(users.architect)  # on the client's account team: reads its changes

    content = client.get(BOARD).content.decode()

    assert columns(content) == {
        "draft": [drafted.pk],
        "planned": [planned.pk],
        "in_progress": [running.pk],
        "on_hold": [held.pk],
        "done": [done.pk],
        "cancelled": [dropped.pk],
    }
    assert "closed in the last 30 days only" in content


def test_a_card_shows_number_title_client_owner_dates_schedule_and_open_tasks(
    client, users, tam_client, department
):
    made = late_change(tam_client, users, department, title="Web landscape")
    closed = task(made, department, by=users.tam, title="Docs")
    services.cancel_task(closed, by=users.tam, reason="Not needed", now=MON_0900)
    made.refresh_from_db()
    client.force_login(users.engineer)

    content = client.get(BOARD).content.decode()

    card = re.search(
        rf'<li class="list-group-item" data-change="{made.pk}">(.*?)</li>', content, re.S
    )
    assert card is not None
    text = card.group(1)
    assert f"CR-{made.pk}" in text
    assert "Web landscape" in text
    assert "Acme Retail" in text
    assert person(users.tam) in text
    assert "2026-11-23" in text  # committed
    # in the viewer's time zone
    viewer_zone = zoneinfo.ZoneInfo(users.tam.engineer.time_zone)
    assert made.forecast_finish_at.astimezone(viewer_zone).strftime("%Y-%m-%d %H:%M") in text
    assert 'data-schedule="late"' in text
    assert 'data-open-tasks="1"' in text  # the cancelled task does not count
    assert "1 open task" in text
    # A <dl> holds only dt/dd groups (wrapped in divs), no <br> (axe: definition-list).
    dl = text[text.index("<dl") : text.index("</dl>")]
    assert "<br" not in dl
    assert re.findall(r"<(dt|dd|div)\b", dl)[::3] == ["div"] * 3


def test_a_full_column_links_to_the_list(client, users, tam_client, monkeypatch):
    monkeypatch.setattr(board, "OPEN_LIMIT", 2)
    made = [change(tam_client, by=users.tam, title=f"Change {n}") for n in range(3)]
    client.force_login(users.tam)

    content = client.get(BOARD, {"client": tam_client.pk}).content.decode()

    assert len(columns(content)["draft"]) == 2
    assert set(columns(content)["draft"]) < {m.pk for m in made}
    assert f'href="{LIST}?client={tam_client.pk}&amp;status=draft"' in content


# --- filters -------------------------------------------------------------------------------


def test_the_board_filters_by_client_department_owner_and_search(
    client, users, tam_client, department
):
    other = ClientFactory(name="Globex")
    vmware = DepartmentFactory(code="vmware", name="VMware")
    web = change(tam_client, by=users.tam, title="Web landscape")
    task(web, department, by=users.tam)
    mail = change(other, by=users.administrator, title="Mail relay")
    task(mail, vmware, by=users.administrator)
    client.force_login(users.programme_lead)  # reads every change

    assert on_board(client) == {web.pk, mail.pk}
    assert on_board(client, client=other.pk) == {mail.pk}
    assert on_board(client, department=vmware.pk) == {mail.pk}
    assert on_board(client, owner=users.tam.pk) == {web.pk}
    assert on_board(client, q="relay") == {mail.pk}
    assert on_board(client, status="done") == {web.pk, mail.pk}  # the columns are the status


def test_at_risk_on_the_board_the_list_and_the_api(client, users, tam_client, department):
    late = late_change(tam_client, users, department, title="Late")
    fine = change(tam_client, by=users.tam, title="Fine")
    closed_late = late_change(tam_client, users, department, title="Late but cancelled")
    move(closed_late, "cancelled", by=users.tam)
    client.force_login(users.tam)

    assert on_board(client, at_risk="true") == {late.pk}
    assert on_board(client, at_risk="false") == {fine.pk, closed_late.pk}
    assert rows(client.get(LIST, {"at_risk": "true"}).content.decode()) == {late.pk}
    assert rows(client.get(LIST, {"at_risk": "false"}).content.decode()) == {
        fine.pk, closed_late.pk,
    }  # fmt: skip
    api = api_as(users.tam)
    results = api.get("/api/v1/changes/", {"at_risk": "true"}).json()["results"]
    assert [item["id"] for item in results] == [late.pk]


def test_the_list_offers_the_at_risk_filter(client, users):
    client.force_login(users.tam)

    content = client.get(LIST).content.decode()

    assert 'name="at_risk"' in content


def test_htmx_gets_the_columns_only(client, users, tam_client):
    change(tam_client, by=users.tam)
    client.force_login(users.tam)

    response = client.get(BOARD, {"client": tam_client.pk}, HTTP_HX_REQUEST="true")

    content = response.content.decode()
    assert "<html" not in content
    assert 'id="change-board"' in content


# --- list ⇄ board --------------------------------------------------------------------------


def test_list_and_board_link_to_each_other_keeping_the_filters(client, users, tam_client):
    client.force_login(users.tam)

    board_page = client.get(BOARD, {"client": tam_client.pk, "at_risk": "true"}).content.decode()
    list_page = client.get(
        LIST, {"client": tam_client.pk, "status": "draft", "page": "1"}
    ).content.decode()

    assert f'href="{LIST}?client={tam_client.pk}&amp;at_risk=true"' in board_page
    assert f'href="{BOARD}?client={tam_client.pk}"' in list_page


# --- queries -------------------------------------------------------------------------------


def test_the_board_runs_a_bounded_number_of_queries(
    client, users, tam_client, department, django_assert_max_num_queries
):
    for number in range(24):
        made = change(tam_client, by=users.tam, title=f"Change {number}")
        task(made, department, by=users.tam)
        task(made, department, by=users.tam)
        if number % 3 == 1:
            move(made, "planned", by=users.tam)
        elif number % 3 == 2:
            move(made, "cancelled", by=users.tam)
    client.force_login(users.tam)
    client.get(BOARD)  # warm the session and the caches

    # Session, user, roles, the filter's department, one per column (6), the notification
    # badge, permissions (2), the three filter selects: none per change.
    with django_assert_max_num_queries(16):
        response = client.get(BOARD, {"department": department.pk, "at_risk": "false"})

    found = columns(response.content.decode())
    assert (len(found["draft"]), len(found["planned"]), len(found["cancelled"])) == (8, 8, 8)


def test_closing_dates_come_from_the_timeline(client, users, tam_client):
    made = change(tam_client, by=users.tam)
    move(made, "cancelled", by=users.tam, now=MON_0900 - dt.timedelta(days=45))
    client.force_login(users.tam)

    assert columns(client.get(BOARD).content.decode())["cancelled"] == []
