"""The hour grid's layout: overlapping meetings side by side, the axis widened to early and late
meetings, daylight-saving days on a plain wall-clock axis."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from bollplank.meetings import hourgrid
from tests import timecontrol as tc

TZ = tc.STOCKHOLM


def _item(day: dt.date, start: tuple[int, int], end: tuple[int, int]) -> SimpleNamespace:
    return SimpleNamespace(
        starts_at=tc.local(day, *start), ends_at=tc.local(day, *end), name=f"{start}-{end}"
    )


def _lasts(start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """Real time between two moments (arithmetic within one zone reads the wall clock)."""
    return end.astimezone(dt.UTC) - start.astimezone(dt.UTC)


def test_spans_that_do_not_overlap_each_get_the_full_width():
    assert hourgrid.assign_columns([(0, 4), (4, 8), (10, 12)]) == [(0, 1), (0, 1), (0, 1)]


def test_overlapping_spans_sit_side_by_side_and_a_freed_column_is_reused():
    # a: 9–11, b: 10–12, c: 11–13 (a has ended: c takes its column), d: 14–15 alone.
    spans = [(36, 44), (40, 48), (44, 52), (56, 60)]
    assert hourgrid.assign_columns(spans) == [(0, 2), (1, 2), (0, 2), (0, 1)]


def test_three_at_once_make_three_columns_in_the_order_given():
    spans = [(40, 44), (36, 48), (38, 42)]
    assert hourgrid.assign_columns(spans) == [(2, 3), (0, 3), (1, 3)]


def test_clusters_of_two_and_three_share_the_days_sixty_columns_evenly():
    day = tc.workday_after(7)
    items = [
        _item(day, (8, 0), (9, 0)),
        _item(day, (8, 30), (9, 30)),
        _item(day, (13, 0), (14, 0)),
        _item(day, (13, 0), (14, 0)),
        _item(day, (13, 0), (14, 0)),
    ]
    grid = hourgrid.lay_out(items, [day], TZ)
    (only,) = grid.days
    assert [(p.column_start, p.column_span) for p in only.placed] == [
        (1, 30),
        (31, 30),
        (1, 20),
        (21, 20),
        (41, 20),
    ]


def test_rows_are_quarter_hours_from_the_first_hour_of_the_axis():
    day = tc.workday_after(7)
    grid = hourgrid.lay_out([_item(day, (13, 0), (15, 0))], [day], TZ)
    assert grid.hours == list(range(7, 19))
    assert grid.rows == 12 * 4
    (placed,) = grid.days[0].placed
    # 13:00 is six hours after 07:00: row 25 of the grid; two hours are eight rows.
    assert (placed.row_start, placed.row_end) == (25, 33)


def test_early_and_late_meetings_widen_the_axis():
    day = tc.workday_after(7)
    items = [_item(day, (6, 10), (7, 0)), _item(day, (19, 30), (21, 5))]
    grid = hourgrid.lay_out(items, [day], TZ)
    assert grid.hours == list(range(6, 22))
    early, late = grid.days[0].placed
    # 06:10 starts in the 06:00 quarter; 21:05 ends in the 21:00 quarter.
    assert (early.row_start, early.row_end) == (1, 5)
    assert (late.row_start, late.row_end) == (4 * 13 + 3, 4 * 15 + 2)


def test_a_meeting_across_midnight_is_cut_at_each_day_edge():
    day = tc.workday_after(7)
    item = SimpleNamespace(
        starts_at=tc.local(day, 22), ends_at=tc.local(day + dt.timedelta(days=1), 1)
    )
    grid = hourgrid.lay_out([item], [day, day + dt.timedelta(days=1)], TZ)
    assert grid.hours == list(range(0, 24))
    first, second = (d.placed for d in grid.days)
    assert [(p.row_start, p.row_end) for p in first] == [(22 * 4 + 1, 24 * 4 + 1)]
    assert [(p.row_start, p.row_end) for p in second] == [(1, 4 + 1)]


def test_the_spring_change_day_has_a_plain_wall_clock_axis():
    # 23 hours long: 02:00–03:00 does not happen. A 01:30–03:30 meeting (one real hour)
    # shows from 01:30 to 03:30, as the clock reads.
    day = tc.spring_change()
    item = SimpleNamespace(
        starts_at=dt.datetime.combine(day, dt.time(1, 30), TZ),
        ends_at=dt.datetime.combine(day, dt.time(3, 30), TZ),
    )
    assert _lasts(item.starts_at, item.ends_at) == dt.timedelta(hours=1)
    grid = hourgrid.lay_out([item, _item(day, (13, 0), (14, 0))], [day], TZ)
    assert grid.hours == list(range(1, 19))
    assert grid.rows == 18 * 4
    night, day_meeting = grid.days[0].placed
    assert (night.row_start, night.row_end) == (3, 11)
    assert (day_meeting.row_start, day_meeting.row_end) == (12 * 4 + 1, 13 * 4 + 1)


def test_the_autumn_change_day_keeps_every_meeting_at_least_one_row():
    # 25 hours long: 02:00–03:00 happens twice. A meeting from the first 02:30 to the second
    # 02:15 lasts 45 minutes but ends at an earlier wall-clock time than it starts.
    day = tc.autumn_change()
    start = dt.datetime(day.year, day.month, day.day, 2, 30, tzinfo=TZ, fold=0)
    end = dt.datetime(day.year, day.month, day.day, 2, 15, tzinfo=TZ, fold=1)
    assert _lasts(start, end) == dt.timedelta(minutes=45)
    item = SimpleNamespace(starts_at=start, ends_at=end)
    grid = hourgrid.lay_out([item, _item(day, (9, 0), (10, 0))], [day], TZ)
    assert grid.hours == list(range(2, 19))
    night, morning = grid.days[0].placed
    assert (night.row_start, night.row_end) == (3, 4)
    assert (morning.row_start, morning.row_end) == (7 * 4 + 1, 8 * 4 + 1)


def test_now_is_marked_on_the_axis_or_not_at_all():
    day = tc.workday_after(7)
    grid = hourgrid.lay_out([], [day], TZ)
    # 13:07 is in the 13:00 quarter, row 25 from 07:00, seven minutes in.
    assert hourgrid.now_position(tc.local(day, 13, 7), grid, TZ) == (25, 7)
    assert hourgrid.now_position(tc.local(day, 7), grid, TZ) == (1, 0)
    assert hourgrid.now_position(tc.local(day, 6, 59), grid, TZ) is None
    assert hourgrid.now_position(tc.local(day, 19), grid, TZ) is None
