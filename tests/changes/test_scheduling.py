"""The scheduling adapter: the database → the engine → the stored early and late dates, slack,
critical flags, the change's forecast and schedule status, and the slip notification."""

from __future__ import annotations

import datetime as dt

import pytest

from tamdesk.changes import scheduling, services
from tamdesk.notifications.models import Notification
from tests.changes.factories import MON_0900, at, chain, change, task
from tests.directory.factories import DepartmentFactory
from tests.sla.factories import office_calendar

HOUR = 3600
MONDAY, TUESDAY, FRIDAY = dt.date(2026, 11, 23), dt.date(2026, 11, 24), dt.date(2026, 11, 27)


@pytest.fixture
def vmware(db):
    return DepartmentFactory(code="vmware")


@pytest.fixture
def pair(tam_client, users, department, vmware):
    """Network 4 h → VMware 8 h, both on the default calendar (09:00–18:00 UTC, Mon–Fri)."""
    web = change(tam_client, by=users.tam)
    first = task(web, department, title="Network segment", hours="4", by=users.tam)
    second = task(web, vmware, title="Virtual machines", hours="8", by=users.tam)
    chain(first, second, by=users.tam)
    return web, first, second


def commit(web, day, users, now=MON_0900):
    return services.update_change(web, committed_on=day, by=users.tam, now=now)


def test_recompute_stores_each_tasks_dates_and_the_forecast(pair, users):
    web, first, second = pair

    web = commit(web, FRIDAY, users)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.planned_start_at, first.planned_finish_at) == (at(0), at(4))
    # Monday 13:00–18:00 (5 h) and Tuesday 09:00–12:00 (3 h).
    assert (second.planned_start_at, second.planned_finish_at) == (at(4), at(3, days=1))
    assert web.forecast_finish_at == at(3, days=1)
    assert web.scheduled_at == MON_0900
    # Committed Friday: the latest finish is the end of Friday; 6 + 9 + 9 + 9 = 33 working hours.
    assert second.late_finish_at == dt.datetime(2026, 11, 28, tzinfo=dt.UTC)
    assert second.slack_seconds == 33 * HOUR
    assert first.slack_seconds == 33 * HOUR
    assert first.is_critical and second.is_critical
    assert web.schedule_status == "on_track"


def test_little_slack_before_the_committed_date_is_at_risk(pair, users):
    web = commit(pair[0], TUESDAY, users)
    assert web.schedule_status == "at_risk"  # Tuesday 12:00 → 18:00: 6 h < one working day


def test_a_forecast_past_the_committed_date_is_late_and_the_tam_is_told_once(pair, users):
    web = commit(pair[0], MONDAY, users)

    assert web.schedule_status == "late"
    slipped = Notification.objects.filter(event_type="changes.forecast_slipped")
    assert set(slipped.values_list("recipient_user__username", flat=True)) == {"tam"}
    assert slipped.filter(channel="in_app").get().event_key == f"change:{web.pk}:slipped:2026-11-24"
    count = slipped.count()

    scheduling.recompute(web, at(1))  # still late: no news
    services.update_change(web, title="Web landscape v2", by=users.tam, now=at(2))

    assert slipped.count() == count


def test_back_on_track_then_late_again_is_a_new_slip(pair, users):
    web, first, _second = pair
    commit(web, MONDAY, users)
    commit(web, FRIDAY, users)
    Notification.objects.all().delete()
    services.update_task(first, estimate_hours=60, by=users.tam, now=at(1))

    web.refresh_from_db()
    assert web.schedule_status == "late"
    assert Notification.objects.filter(event_type="changes.forecast_slipped").exists()


def test_each_task_is_scheduled_on_its_departments_calendar(pair, users, vmware):
    vmware.calendar = office_calendar()  # Moscow 09–13 and 14–18 = 06–10 and 11–15 UTC
    vmware.save()
    web, _first, second = pair

    scheduling.recompute(web, MON_0900)

    second.refresh_from_db()
    # From 13:00 UTC (16:00 Moscow): 2 h on Monday, then 4 + 2 h on Tuesday → 16:00 Moscow.
    assert second.planned_finish_at == dt.datetime(2026, 11, 24, 13, tzinfo=dt.UTC)


def test_done_and_started_tasks_sit_at_their_actual_dates(pair, users):
    web, first, second = pair
    services.transition_change(web, to="planned", by=users.tam, now=at(0))
    services.start_task(first, by=users.engineer, now=at(0.5))
    services.complete_task(first, by=users.engineer, now=at(2))

    web.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.planned_start_at, first.planned_finish_at) == (at(0.5), at(2))
    assert not first.is_critical
    # 11:00 → 18:00 (7 h), Tuesday 09:00–10:00.
    assert second.planned_finish_at == at(1, days=1)
    assert web.forecast_finish_at == at(1, days=1)

    services.start_task(second, by=users.engineer, now=at(3))
    services.update_task(second, remaining_hours=2, by=users.engineer, now=at(4))
    web.refresh_from_db()
    assert web.forecast_finish_at == at(6)  # two more hours from Monday 13:00


def test_the_planned_start_holds_the_work_back(pair, users):
    web = services.update_change(pair[0], planned_start_at=at(0, days=2), by=users.tam, now=at(0))
    assert web.forecast_finish_at == at(3, days=3)  # Wednesday start → Thursday 12:00


def test_a_change_without_tasks_has_no_forecast(tam_client, users):
    web = scheduling.recompute(change(tam_client, by=users.tam), MON_0900)
    assert web.forecast_finish_at is None
    assert web.schedule_status == "on_track"


def test_the_committed_deadline_is_the_end_of_the_committed_day(tam_client, users, settings):
    web = change(tam_client, by=users.tam, committed_on=FRIDAY)
    assert scheduling.committed_deadline(web) == dt.datetime(2026, 11, 28, tzinfo=dt.UTC)
