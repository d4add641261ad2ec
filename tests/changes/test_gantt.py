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


# --- bounded whatever the dates (issue 10) ---------------------------------------------------


def test_a_long_span_draws_weekly_then_monthly_gridlines_never_more_than_the_cap():
    from tamdesk.changes.gantt import MAX_GRIDLINES

    weeks = layout([times(1, day(0), day(0) + dt.timedelta(days=200))], now=day(0, 12))
    months = layout([times(1, day(0), day(0) + dt.timedelta(days=900))], now=day(0, 12))

    assert len(weeks.days) <= MAX_GRIDLINES
    assert {d.day.weekday() for d in weeks.days} == {0}
    assert len(months.days) <= MAX_GRIDLINES
    assert {d.day.day for d in months.days} == {1}
    assert months.days[0].label == "12.2026"
    assert not weeks.clipped and not months.clipped


def test_a_span_of_centuries_is_cut_to_the_window_around_now():
    from tamdesk.changes.gantt import MAX_GRIDLINES, MAX_SPAN

    early = dt.datetime(1970, 1, 1, tzinfo=UTC)
    late = dt.datetime(2200, 12, 31, tzinfo=UTC)
    chart = layout(
        [times(1, early, late), times(2, day(1), day(2)), times(3, early, early)],
        now=day(0, 12),
        committed_at=early,
        width=960,
        label_width=220,
    )

    assert chart.clipped
    assert len(chart.days) <= MAX_GRIDLINES
    assert (chart.end_on - chart.start_on) <= MAX_SPAN + dt.timedelta(days=2)
    assert chart.start_on <= day(0).date() <= chart.end_on
    long, short, gone = chart.rows
    assert (long.planned.x, long.planned.x + long.planned.width) == (220, 960)  # cut at the edges
    assert 220 < short.planned.x < 960
    assert gone.planned is None  # wholly before the window
    assert chart.committed_x is None
    assert 220 < chart.today_x < 960
