"""The change scheduler on a hand-computed network (no database).

The network: virtual resources -> OS -> nginx || php -> monitoring + backup. Two calendars in
Berlin (January 2024, CET): the office team works 09-13 and 14-18, the web team 10-12 and 13-17,
both Monday to Friday. The change starts on Thursday the 18th at 09:00, so the weekend falls in
the middle of it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import zoneinfo

import numpy as np
import pytest

from tamdesk.calendars.engine import CalendarSpec, compile_calendars
from tamdesk.changes.engine import (
    AT_RISK,
    CANCELLED,
    DONE,
    FS,
    IN_PROGRESS,
    LATE,
    NO_INSTANT,
    ON_TRACK,
    SS,
    CycleError,
    Network,
    find_cycle,
    schedule,
    topological_levels,
)

HOUR = 3600
NONE: tuple = ()
OFFICE = CalendarSpec("Europe/Berlin", (((9 * 60, 13 * 60), (14 * 60, 18 * 60)),) * 5 + (NONE,) * 2)
WEB = CalendarSpec("Europe/Berlin", (((10 * 60, 12 * 60), (13 * 60, 17 * 60)),) * 5 + (NONE,) * 2)
VIRTUAL, OS, NGINX, PHP, MONITORING, BACKUP = range(6)


def berlin(day: int, hour: int, minute: int = 0) -> int:
    zone = zoneinfo.ZoneInfo("Europe/Berlin")
    return int(dt.datetime(2024, 1, day, hour, minute, tzinfo=zone).timestamp())


@pytest.fixture(scope="module")
def cc():
    return compile_calendars([OFFICE, WEB], start=berlin(15, 0), end=berlin(31, 0))


def network(**changes) -> Network:
    n = 6
    # pred, succ, kind, lag
    deps = [
        (VIRTUAL, OS, FS, 0),
        (OS, NGINX, FS, 0),
        (OS, PHP, FS, 0),
        (NGINX, PHP, SS, HOUR),  # php may start an hour of web time after nginx starts
        (NGINX, MONITORING, FS, 0),
        (PHP, MONITORING, FS, 0),
        (PHP, BACKUP, FS, -HOUR),  # the backup overlaps php's last office hour
    ]
    base = Network(
        cal=np.array([0, 0, 1, 1, 0, 0]),
        duration=np.array([4, 6, 3, 3, 1, 4]) * HOUR,
        state=np.zeros(n, dtype=np.int8),
        actual_start=np.full(n, NO_INSTANT),
        actual_finish=np.full(n, NO_INSTANT),
        pred=np.array([d[0] for d in deps]),
        succ=np.array([d[1] for d in deps]),
        kind=np.array([d[2] for d in deps], dtype=np.int8),
        lag=np.array([d[3] for d in deps]),
        start=berlin(18, 9),
        now=berlin(18, 9),
    )
    return dataclasses.replace(base, **changes)


def test_forward_pass_across_lunch_weekend_ss_and_negative_lag(cc):
    result = schedule(cc, network())
    assert result.early_start.tolist() == [
        berlin(18, 9),  # virtual resources: Thursday 09-13
        berlin(18, 14),  # OS: after lunch, 14-18 and Friday 09-11
        berlin(19, 11),  # nginx: 11-12, 13-15
        berlin(19, 13),  # php: nginx's start + 1 h of web time = 12:00, then after lunch
        berlin(19, 16),  # monitoring: after php
        berlin(19, 15),  # backup: php's finish - 1 h of office time
    ]
    assert result.early_finish.tolist() == [
        berlin(18, 13),
        berlin(19, 11),
        berlin(19, 15),
        berlin(19, 16),
        berlin(19, 17),
        berlin(22, 10),  # 15-18 on Friday, 09-10 on Monday
    ]
    assert result.forecast_finish == berlin(22, 10)
    assert result.status == ON_TRACK  # no committed finish


def test_backward_pass_and_the_critical_path(cc):
    result = schedule(cc, network())
    assert result.late_start.tolist() == [
        berlin(18, 9),
        berlin(18, 14),
        berlin(19, 11),  # held by php's SS: php's late start - 1 h of web time
        berlin(19, 13),
        berlin(22, 9),
        berlin(19, 15),
    ]
    assert result.late_finish.tolist() == [
        berlin(18, 14),  # the OS's late start (13-14 is lunch: no float)
        berlin(19, 11),
        berlin(19, 15),
        berlin(19, 16),  # backup's late start + 1 h of office time
        berlin(22, 10),
        berlin(22, 10),
    ]
    assert result.slack.tolist() == [0, 0, 0, 0, 2 * HOUR, 0]  # monitoring: 17-18 and 09-10
    assert (result.float_to_forecast == result.slack).all()
    assert result.critical.tolist() == [True, True, True, True, False, True]


@pytest.mark.parametrize(
    ("committed", "status", "backup_slack"),
    [
        (berlin(22, 9), LATE, -HOUR),
        (berlin(22, 18), AT_RISK, 7 * HOUR),  # 7 h of buffer: less than a working day
        (berlin(23, 18), ON_TRACK, 15 * HOUR),
    ],
)
def test_status_against_the_committed_finish(cc, committed, status, backup_slack):
    result = schedule(cc, network(committed=committed))
    assert result.status == status
    assert result.slack[BACKUP] == backup_slack
    assert result.late_finish[BACKUP] == committed
    # the critical path is still the one against the forecast
    assert result.critical.tolist() == [True, True, True, True, False, True]
    assert result.float_to_forecast[MONITORING] == 2 * HOUR


def test_a_done_task_keeps_its_actual_dates(cc):
    state = np.array([DONE, 0, 0, 0, 0, 0], dtype=np.int8)
    actual_start = np.array([berlin(18, 9)] + [NO_INSTANT] * 5)
    actual_finish = np.array([berlin(18, 12)] + [NO_INSTANT] * 5)  # an hour early
    result = schedule(
        cc, network(state=state, actual_start=actual_start, actual_finish=actual_finish)
    )
    assert result.early_start.tolist() == [
        berlin(18, 9),
        berlin(18, 12),
        berlin(19, 10),
        berlin(19, 11),
        berlin(19, 15),
        berlin(19, 14),
    ]
    assert result.early_finish[OS] == berlin(19, 10)
    assert result.forecast_finish == berlin(19, 18)
    assert result.late_start[VIRTUAL] == berlin(18, 9)
    assert result.late_finish[VIRTUAL] == berlin(18, 12)
    assert result.slack[VIRTUAL] == 0
    assert not result.critical[VIRTUAL]  # done: nothing left to be critical about


def test_a_task_in_progress_finishes_its_remaining_work_from_now(cc):
    state = np.array([DONE, IN_PROGRESS, 0, 0, 0, 0], dtype=np.int8)
    actual_start = np.array([berlin(18, 9), berlin(18, 14)] + [NO_INSTANT] * 4)
    actual_finish = np.array([berlin(18, 13)] + [NO_INSTANT] * 5)
    duration = np.array([4, 2, 3, 3, 1, 4]) * HOUR  # the OS has 2 h left
    result = schedule(
        cc,
        network(
            state=state,
            actual_start=actual_start,
            actual_finish=actual_finish,
            duration=duration,
            now=berlin(19, 9, 30),
        ),
    )
    assert result.early_start.tolist() == [
        berlin(18, 9),
        berlin(18, 14),
        berlin(19, 11, 30),
        berlin(19, 13, 30),
        berlin(19, 16, 30),
        berlin(19, 15, 30),
    ]
    assert result.early_finish[OS] == berlin(19, 11, 30)
    assert result.forecast_finish == berlin(22, 10, 30)
    assert result.late_start[OS] == berlin(19, 9, 30)  # when the remaining work must resume
    assert result.critical[OS]


def test_not_started_tasks_wait_for_now(cc):
    result = schedule(cc, network(now=berlin(20, 12)))  # Saturday
    assert result.early_start[VIRTUAL] == berlin(22, 9)


def test_a_cancelled_task_is_ignored(cc):
    state = np.array([0, 0, 0, CANCELLED, 0, 0], dtype=np.int8)
    result = schedule(cc, network(state=state))
    assert result.early_start[PHP] == NO_INSTANT
    assert result.late_finish[PHP] == NO_INSTANT
    assert not result.critical[PHP]
    assert result.early_start[MONITORING] == berlin(19, 15)  # after nginx only
    assert result.early_start[BACKUP] == berlin(18, 9)  # nothing holds it any more
    assert result.forecast_finish == berlin(19, 16)
    assert result.critical.tolist() == [True, True, True, False, True, False]


@pytest.mark.parametrize(
    ("committed", "status"), [(berlin(19, 17), ON_TRACK), (berlin(19, 12), LATE)]
)
def test_all_done_is_on_track_or_late_never_at_risk(cc, committed, status):
    """Nothing left to do: the work finished (at 16:00) on time or late, never at risk."""
    finished = [berlin(18, 12), berlin(19, 10), berlin(19, 11), berlin(19, 13), berlin(19, 15),
                berlin(19, 16)]  # fmt: skip
    result = schedule(
        cc,
        network(
            state=np.full(6, DONE, dtype=np.int8),
            actual_start=np.array([berlin(18, 9), *finished[:-1]]),
            actual_finish=np.array(finished),
            committed=committed,
        ),
    )
    assert result.forecast_finish == berlin(19, 16)
    assert result.status == status


def test_a_milestone_takes_no_time(cc):
    duration = np.array([4, 6, 3, 3, 0, 4]) * HOUR
    result = schedule(cc, network(duration=duration))
    assert result.early_start[MONITORING] == result.early_finish[MONITORING] == berlin(19, 16)


def test_everything_cancelled_has_no_forecast(cc):
    result = schedule(cc, network(state=np.full(6, CANCELLED, dtype=np.int8)))
    assert result.forecast_finish == NO_INSTANT
    assert result.status == ON_TRACK
    assert not result.critical.any()


def test_a_cycle_is_found_and_named():
    assert find_cycle(4, [0, 1, 2, 3], [1, 2, 3, 1]) == [1, 2, 3, 1]
    assert find_cycle(2, [1], [1]) == [1, 1]
    assert find_cycle(3, [0, 1, 0], [1, 2, 2]) is None
    with pytest.raises(CycleError, match=r"1 -> 2 -> 3 -> 1") as caught:
        topological_levels(4, [0, 1, 2, 3], [1, 2, 3, 1])
    assert caught.value.cycle == [1, 2, 3, 1]


def test_schedule_refuses_a_cycle(cc):
    net = network()
    net = dataclasses.replace(
        net,
        pred=np.append(net.pred, BACKUP),
        succ=np.append(net.succ, OS),
        kind=np.append(net.kind, FS).astype(np.int8),
        lag=np.append(net.lag, 0),
    )
    with pytest.raises(CycleError) as caught:
        schedule(cc, net)
    assert caught.value.cycle == [OS, NGINX, PHP, BACKUP, OS]  # via the SS dependency


def test_topological_levels_are_longest_paths():
    levels = topological_levels(6, [0, 1, 1, 2, 2, 3, 3], [1, 2, 3, 3, 4, 4, 5])
    assert [level.tolist() for level in levels] == [[0], [1], [2], [3], [4, 5]]
    assert topological_levels(0, [], []) == []


def test_invalid_networks_are_refused(cc):
    with pytest.raises(ValueError, match="one entry per task"):
        schedule(cc, network(duration=np.array([1, 2])))
    with pytest.raises(ValueError, match="actual start"):
        schedule(cc, network(state=np.array([DONE, 0, 0, 0, 0, 0], dtype=np.int8)))
    with pytest.raises(ValueError, match="tasks in"):
        schedule(cc, network(succ=np.array([1, 2, 3, 3, 4, 4, 9])))
