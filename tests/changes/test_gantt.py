"""The Gantt layout: pure computation, no database."""

from __future__ import annotations

import datetime as dt

from tamdesk.changes.gantt import TaskTimes, layout

UTC = dt.UTC


def times(pk, start, finish, *, actual=None, critical=False):
    return TaskTimes(pk, f"t{pk}", "pending", critical, start, finish, *(actual or (None, None)))


def day(d: int, h: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, 23 + d, h, tzinfo=UTC)


def test_bars_are_placed_on_whole_days_from_the_first_to_the_last_instant():
    chart = layout(
        [times(1, day(0, 12), day(1, 0)), times(2, day(1, 0), day(2, 0), critical=True)],
        now=day(0, 12),
        width=420,
        label_width=120,
    )

    assert [d.day.isoformat() for d in chart.days] == ["2026-11-23", "2026-11-24", "2026-11-25"]
    assert [d.x for d in chart.days] == [120, 220, 320]
    first, second = chart.rows
    assert (first.planned.x, first.planned.width) == (170, 50)
    assert (second.planned.x, second.planned.width) == (220, 100)
    assert second.task.is_critical
    assert chart.today_x == 170
    assert chart.committed_x is None


def test_a_running_task_has_an_actual_bar_until_now_and_the_committed_line_is_drawn():
    chart = layout(
        [times(1, day(0), day(1), actual=(day(0, 6), None))],
        now=day(0, 12),
        committed_at=day(2),
        width=420,
        label_width=120,
    )

    assert (chart.rows[0].actual.x, chart.rows[0].actual.width) == (145, 25)
    assert chart.committed_x == 320
    assert chart.height == 24 + 28


def test_an_unscheduled_task_has_no_bar():
    chart = layout([times(1, None, None)], now=day(0, 12))

    assert chart.rows[0].planned is None and chart.rows[0].actual is None
