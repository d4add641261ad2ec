"""The supported range in the changes domain (issue 10): dates, estimates and lags outside it are
refused at the edge (API and pages) with nothing written; a change stored outside it before the
edges were checked never makes a 500, a slow page or a stuck periodic job."""

from __future__ import annotations

import datetime as dt
import logging
import time
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from tamdesk.changes import rescheduling, scheduling, services
from tamdesk.changes.gantt import MAX_GRIDLINES
from tamdesk.changes.models import ChangeRequest, ChangeTemplate, DepartmentTask, TemplateTask
from tamdesk.core.ranges import MAX_TASKS_PER_CHANGE, OutOfSupportedRange
from tests.changes.factories import MON_0900, chain, change, task
from tests.changes.test_api_changes import SNAPSHOT
from tests.conftest import api_as
from tests.support import db_state, refused

pytestmark = pytest.mark.django_db
UTC = dt.UTC


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(MON_0900, tick=False):
        yield


@pytest.fixture
def web(users, tam_client):
    return change(tam_client, by=users.tam, committed_on=dt.date(2026, 11, 27))


# --- the API -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("committed_on", "0001-01-01"),
        ("committed_on", "1901-01-01"),
        ("committed_on", "9999-12-31"),
        ("requested_on", "1969-12-31"),
        ("planned_start_at", "9999-12-31T00:00:00Z"),
        ("planned_start_at", "2201-01-01T00:00:00Z"),
        ("planned_start_at", "1900-01-01T00:00:00Z"),
        ("planned_start_at", "2026-11-23T09:00:00"),  # no offset
        ("planned_start_at", "2026-11-23"),  # a bare date
    ],
)
def test_a_change_with_a_date_outside_the_range_is_refused(users, tam_client, field, value):
    data = {"client": tam_client.pk, "title": "VPN", field: value}

    body = refused(
        api_as(users.tam), "post", "/api/v1/changes/", data, 400, "invalid", models=SNAPSHOT
    )

    assert list(body["errors"]) == [field]


def test_patching_a_change_out_of_the_range_is_refused(users, web):
    path = f"/api/v1/changes/{web.pk}/"
    body = refused(
        api_as(users.tam),
        "patch",
        path,
        {"committed_on": "0001-01-01"},
        400,
        "invalid",
        models=SNAPSHOT,
    )

    assert body["errors"] == {"committed_on": ["Enter a date between 1970-01-01 and 2200-12-31."]}


def test_the_edges_of_the_range_are_accepted(users, tam_client):
    data = {
        "client": tam_client.pk,
        "title": "VPN",
        "committed_on": "2200-12-31",
        "planned_start_at": "2200-12-01T09:00:00+03:00",
    }

    response = api_as(users.tam).post("/api/v1/changes/", data, format="json")

    assert response.status_code == 201, response.data
    assert response.data["planned_start_at"] == "2200-12-01T06:00:00Z"


@pytest.mark.parametrize("hours", ["99999.99", "10000.01", "-1"])
def test_a_task_estimate_outside_the_range_is_refused(users, web, department, hours):
    data = {"change": web.pk, "department": department.pk, "title": "VLAN"}
    data["estimate_hours"] = hours

    body = refused(
        api_as(users.tam), "post", "/api/v1/change-tasks/", data, 400, "invalid", models=SNAPSHOT
    )

    assert list(body["errors"]) == ["estimate_hours"]


def test_a_task_of_ten_thousand_hours_is_the_most_accepted(users, web, department):
    data = {"change": web.pk, "department": department.pk, "title": "VLAN"}
    data["estimate_hours"] = "10000"

    response = api_as(users.tam).post("/api/v1/change-tasks/", data, format="json")

    assert response.status_code == 201, response.data


def test_a_remaining_work_outside_the_range_is_refused(users, web, department):
    made = task(web, department, by=users.tam)
    path = f"/api/v1/change-tasks/{made.pk}/"

    refused(
        api_as(users.tam),
        "patch",
        path,
        {"remaining_hours": "99999.99"},
        400,
        "invalid",
        models=SNAPSHOT,
    )


@pytest.mark.parametrize("lag", ["-99999", "-2000.01", "2000.01"])
def test_a_lag_outside_the_range_is_refused_in_json(users, web, department, lag):
    first = task(web, department, by=users.tam, title="first")
    second = task(web, department, by=users.tam, title="second")
    data = {"predecessor": first.pk, "successor": second.pk, "kind": "fs", "lag_hours": lag}

    body = refused(
        api_as(users.tam),
        "post",
        "/api/v1/task-dependencies/",
        data,
        400,
        "invalid",
        models=SNAPSHOT,
    )

    assert list(body["errors"]) == ["lag_hours"]


def test_a_far_future_start_no_longer_refuses_every_task_with_a_500(users, tam_client, department):
    """Started on the last supported day, a change still takes a task: the schedule may run a
    little past the range (the engine has a margin), never into a 500."""
    api = api_as(users.tam)
    data = {"client": tam_client.pk, "title": "VPN", "planned_start_at": "2200-12-31T09:00:00Z"}
    made = api.post("/api/v1/changes/", data, format="json").data

    data = {"change": made["id"], "department": department.pk, "title": "VLAN"}
    response = api.post("/api/v1/change-tasks/", {**data, "estimate_hours": "40"}, format="json")

    assert response.status_code == 201, response.data


def test_a_schedule_running_out_of_the_range_is_refused_with_its_code(
    users, tam_client, department
):
    api = api_as(users.tam)
    data = {"client": tam_client.pk, "title": "VPN", "planned_start_at": "2200-06-01T09:00:00Z"}
    made = api.post("/api/v1/changes/", data, format="json").data
    data = {"change": made["id"], "department": department.pk, "title": "VLAN"}
    data["estimate_hours"] = "10000"  # four years of working days: ends past 2202

    body = refused(
        api, "post", "/api/v1/change-tasks/", data, 400, "out_of_supported_range", models=SNAPSHOT
    )

    assert "outside the dates tamdesk supports" in body["detail"]


# --- the pages -----------------------------------------------------------------------------


def test_the_change_form_refuses_a_committed_date_of_1901(client, users, tam_client):
    client.force_login(users.tam)
    data = {"client": tam_client.pk, "title": "VPN", "type": "normal", "priority": "p2"}

    response = client.post(reverse("changes:change_create"), {**data, "committed_on": "1901-01-01"})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "committed_on": ["Enter a date between 1970-01-01 and 2200-12-31."]
    }
    assert not ChangeRequest.objects.exists()


def test_the_edit_form_refuses_a_start_in_year_9999(client, users, web):
    client.force_login(users.tam)
    data = {"title": web.title, "type": "normal", "priority": "p3", "owner": users.tam.pk}
    data["planned_start_at"] = "9999-12-31T23:00"
    before = db_state(*SNAPSHOT)

    response = client.post(reverse("changes:change_update", args=[web.pk]), data)

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["planned_start_at"]
    assert db_state(*SNAPSHOT) == before


def test_the_task_form_refuses_an_estimate_of_99999_hours(client, users, web, department):
    client.force_login(users.tam)
    data = {"department": department.pk, "title": "Firewall", "estimate_hours": "99999.99"}

    response = client.post(reverse("changes:task_create", args=[web.pk]), data)

    assert response.status_code == 200
    assert list(response.context["task_form"].errors) == ["estimate_hours"]
    assert not web.tasks.exists()


def test_the_dependency_form_refuses_a_lag_of_minus_99999_hours(client, users, web, department):
    first = task(web, department, by=users.tam, title="first")
    second = task(web, department, by=users.tam, title="second")
    client.force_login(users.tam)
    data = {"predecessor": first.pk, "successor": second.pk, "kind": "fs", "lag_hours": "-99999"}
    before = db_state(*SNAPSHOT)

    response = client.post(reverse("changes:dependency_create", args=[web.pk]), data)

    assert response.status_code == 200
    assert list(response.context["dependency_form"].errors) == ["lag_hours"]
    assert db_state(*SNAPSHOT) == before


# --- data stored before the edges were checked -----------------------------------------------


@pytest.fixture(params=[dt.date(1901, 1, 1), dt.date(1970, 1, 1)], ids=["1901", "1970"])
def committed_on(request):
    return request.param


@pytest.fixture
def pathological(users, tam_client, department, committed_on):
    """A change committed for ``committed_on`` whose tasks finish in 2200, written straight to
    the database (the way data entered before the range was checked looks)."""
    made = change(tam_client, by=users.tam)
    ChangeRequest.objects.filter(pk=made.pk).update(committed_on=committed_on)
    for i in range(3):
        DepartmentTask.objects.create(
            change=made,
            department=department,
            title=f"Task {i}",
            estimate_hours=Decimal("8"),
            planned_start_at=dt.datetime(1970, 1, 1, tzinfo=UTC),
            planned_finish_at=dt.datetime(2200, 12, 31, tzinfo=UTC),
            late_start_at=dt.datetime(1970, 1, 1, tzinfo=UTC),
            late_finish_at=dt.datetime(1970, 1, 2, tzinfo=UTC),
            slack_seconds=-(10**10),
        )
    return made


def test_the_page_of_a_pathological_change_is_quick_and_bounded(client, users, pathological):
    client.force_login(users.tam)

    started = time.perf_counter()
    response = client.get(reverse("changes:change_detail", args=[pathological.pk]))
    elapsed = time.perf_counter() - started

    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('class="gantt-day"') <= MAX_GRIDLINES
    assert "gantt-clipped" in page
    assert elapsed < 5


def test_a_committed_date_of_9999_stored_earlier_still_renders(client, users, web):
    ChangeRequest.objects.filter(pk=web.pk).update(committed_on=dt.date(9999, 12, 31))
    client.force_login(users.tam)

    response = client.get(reverse("changes:change_detail", args=[web.pk]))

    assert response.status_code == 200


@pytest.mark.parametrize("committed_on", [dt.date(1901, 1, 1)])
def test_editing_a_change_stored_out_of_the_range_is_refused_with_a_domain_error(
    users, pathological, department
):
    with pytest.raises(OutOfSupportedRange) as caught:
        services.add_task(
            pathological,
            department=department,
            title="More",
            estimate_hours=Decimal("1"),
            by=users.tam,
            now=MON_0900,
        )

    assert caught.value.code == "out_of_supported_range"
    assert pathological.tasks.count() == 3


def test_correcting_the_committed_date_schedules_it_again(users, pathological):
    services.update_change(pathological, committed_on=dt.date(2026, 12, 31), by=users.tam)

    pathological.refresh_from_db()
    assert pathological.forecast_finish_at < dt.datetime(2027, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("committed_on", [dt.date(1901, 1, 1)])
def test_the_periodic_reschedule_skips_a_change_stored_out_of_the_range_with_a_log_line(
    users, tam_client, department, pathological, caplog
):
    healthy = change(tam_client, by=users.tam, title="healthy")
    task(healthy, department, by=users.tam)

    with caplog.at_level(logging.WARNING, logger="tamdesk.changes.rescheduling"):
        started = time.perf_counter()
        done = rescheduling.reschedule(
            ChangeRequest.objects.all(), now=MON_0900 + dt.timedelta(hours=1)
        )

    assert time.perf_counter() - started < 5
    assert done == 1
    assert f"skipped re-scheduling change CR-{pathological.pk}" in caplog.text


def test_thirty_large_tasks_schedule_quickly(users, web, department):
    started = time.perf_counter()
    for i in range(30):
        task(web, department, by=users.tam, hours="10000", title=f"t{i}")

    assert time.perf_counter() - started < 30
    web.refresh_from_db()
    assert web.forecast_finish_at is not None


def test_the_engine_never_compiles_past_the_supported_range(users, web, department):
    one = task(web, department, by=users.tam, hours="10000")
    two = task(web, department, by=users.tam, hours="10000")
    chain(one, two, by=users.tam)

    specs, network = scheduling.build_network(web, scheduling.tasks_of(web), MON_0900)
    network.duration[:] = 10**12  # thousands of years of work: refused, not compiled
    with pytest.raises(OutOfSupportedRange):
        scheduling.run_engine(specs, network)


# --- tasks per change ----------------------------------------------------------------------


def _fill(change_request, department, count: int) -> None:
    DepartmentTask.objects.bulk_create(
        DepartmentTask(
            change=change_request,
            department=department,
            title=f"Task {number}",
            estimate_hours=Decimal("1"),
            position=number,
        )
        for number in range(1, count + 1)
    )


def test_a_change_holds_at_most_the_supported_number_of_tasks(users, web, department):
    _fill(web, department, MAX_TASKS_PER_CHANGE - 1)
    api = api_as(users.tam)
    data = {"change": web.pk, "department": department.pk, "title": "Last", "estimate_hours": "1"}
    assert api.post("/api/v1/change-tasks/", data, format="json").status_code == 201

    body = refused(
        api, "post", "/api/v1/change-tasks/", data, 400, "too_many_tasks", models=SNAPSHOT
    )

    assert str(MAX_TASKS_PER_CHANGE) in body["detail"]
    assert web.tasks.count() == MAX_TASKS_PER_CHANGE


def test_a_playbook_that_would_overfill_a_change_adds_nothing(users, web, department):
    playbook = ChangeTemplate.objects.create(code="pair", name="Pair")
    for position in (1, 2):
        TemplateTask.objects.create(
            template=playbook, key=f"t{position}", department_code=department.code,
            title=f"Step {position}", estimate_hours=Decimal("1"), position=position,
        )  # fmt: skip
    _fill(web, department, MAX_TASKS_PER_CHANGE - 1)
    path = f"/api/v1/change-templates/{playbook.pk}/instantiate/"

    refused(
        api_as(users.tam), "post", path, {"change": web.pk}, 400, "too_many_tasks", models=SNAPSHOT
    )


def test_the_task_form_says_the_change_is_full(client, users, web, department):
    _fill(web, department, MAX_TASKS_PER_CHANGE)
    client.force_login(users.tam)
    data = {"department": department.pk, "title": "One more", "estimate_hours": "1"}

    response = client.post(reverse("changes:task_create", args=[web.pk]), data)

    assert response.status_code in (200, 400)
    assert "at most 200 tasks" in response.content.decode()
    assert web.tasks.count() == MAX_TASKS_PER_CHANGE


def test_a_change_stored_with_more_tasks_than_supported_is_listed_but_not_drawn(
    client, users, web, department
):
    _fill(web, department, MAX_TASKS_PER_CHANGE + 1)  # stored before the limit existed
    client.force_login(users.tam)

    started = time.monotonic()
    response = client.get(reverse("changes:change_detail", args=[web.pk]))

    assert response.status_code == 200
    assert time.monotonic() - started < 10
    assert response.context["chart"] is None
    assert response.context["graph"] is None
    content = response.content.decode()
    assert content.count("app-not-drawn") == 2
    assert "<svg" not in content.split('id="gantt-heading"')[1]
    assert len(response.context["rows"]) == MAX_TASKS_PER_CHANGE + 1
