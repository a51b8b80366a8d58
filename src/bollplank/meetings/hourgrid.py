"""The hour grid of the day and week calendars: where each meeting sits, computed here so the
page needs only CSS grid (no script) to draw it.

Positions are in wall-clock minutes of the day in the practice's time zone, in 15-minute rows.
A day with a daylight-saving change still gets a plain 00–24 wall-clock axis: a meeting is placed
where its start and end read on the clock, which is what the people in it see."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

SLOT_MINUTES = 15
ROWS_PER_HOUR = 60 // SLOT_MINUTES
# Working hours are always on the axis; earlier or later meetings widen it.
WORK_START_HOUR = 7
WORK_END_HOUR = 19
DAY_MINUTES = 24 * 60
# Every day's grid is this many columns wide (divisible by 1–6), so that the meetings of an
# overlap cluster share it evenly; the stylesheet has a class for each start and width.
COLUMNS = 60


def wall_minutes(moment: dt.datetime, day: dt.date, tz: dt.tzinfo) -> int:
    """Minutes past midnight on ``day`` that ``moment`` reads on a clock in ``tz``; a moment on
    an earlier day is 0 and one on a later day is the end of the day (a meeting across midnight
    is cut at the day's edge)."""
    local = moment.astimezone(tz)
    if local.date() < day:
        return 0
    if local.date() > day:
        return DAY_MINUTES
    return local.hour * 60 + local.minute


def slot_span(start: int, end: int) -> tuple[int, int]:
    """The 15-minute rows [first, last) a stretch of minutes covers, at least one row: on the
    night the clocks go back a meeting can end at an earlier wall-clock time than it starts."""
    first = start // SLOT_MINUTES
    last = max(first + 1, math.ceil(end / SLOT_MINUTES))
    return first, min(last, DAY_MINUTES // SLOT_MINUTES)


def hour_range(spans: Iterable[tuple[int, int]]) -> tuple[int, int]:
    """The axis's first and last (exclusive) hour: working hours, widened to every span."""
    first, last = WORK_START_HOUR, WORK_END_HOUR
    for start, end in spans:
        first = min(first, start // ROWS_PER_HOUR)
        last = max(last, math.ceil(end / ROWS_PER_HOUR))
    return first, min(last, 24)


def assign_columns(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Per span, in the order given: (its column, the columns of its overlap cluster).

    A cluster is a run of spans joined by overlaps; each span takes the leftmost column free at
    its start, and every span of the cluster is drawn as wide as the cluster's column count
    allows. Spans that only touch (one ends as the next starts) do not overlap."""
    order = sorted(range(len(spans)), key=lambda i: (spans[i][0], -spans[i][1]))
    result: list[tuple[int, int]] = [(0, 1)] * len(spans)
    cluster: list[int] = []
    column_ends: list[int] = []
    cluster_end = -1

    def close() -> None:
        for i in cluster:
            result[i] = (result[i][0], len(column_ends))

    for i in order:
        start, end = spans[i]
        if cluster and start >= cluster_end:
            close()
            cluster, column_ends = [], []
        free = next((c for c, e in enumerate(column_ends) if e <= start), None)
        if free is None:
            column_ends.append(end)
            free = len(column_ends) - 1
        else:
            column_ends[free] = end
        result[i] = (free, 0)
        cluster.append(i)
        cluster_end = max(cluster_end, end) if len(cluster) > 1 else end
    if cluster:
        close()
    return result


@dataclass(frozen=True)
class Placed:
    """A meeting (or other commitment) on the grid: CSS grid lines, 1-based."""

    item: Any
    row_start: int
    row_end: int
    column_start: int
    column_span: int


@dataclass(frozen=True)
class DayGrid:
    date: dt.date
    placed: list[Placed]


def day_spans(items: Iterable[Any], day: dt.date, tz: dt.tzinfo) -> list[tuple[Any, int, int]]:
    """The items that show on ``day`` with their 15-minute rows (of the whole day)."""
    found = []
    for item in items:
        start = wall_minutes(item.starts_at, day, tz)
        end = wall_minutes(item.ends_at, day, tz)
        if start >= DAY_MINUTES or (end <= 0 and item.ends_at > item.starts_at):
            continue
        first, last = slot_span(start, end)
        found.append((item, first, last))
    return found


def lay_out_day(spans: Sequence[tuple[Any, int, int]], day: dt.date, first_hour: int) -> DayGrid:
    """The day's items placed on an axis that starts at ``first_hour``."""
    columns = assign_columns([(a, b) for _, a, b in spans])
    offset = first_hour * ROWS_PER_HOUR
    placed = []
    for (item, first, last), (column, count) in zip(spans, columns, strict=True):
        share = max(1, COLUMNS // count)
        placed.append(
            Placed(
                item=item,
                row_start=first - offset + 1,
                row_end=last - offset + 1,
                column_start=column * share + 1,
                column_span=share,
            )
        )
    return DayGrid(date=day, placed=placed)


@dataclass(frozen=True)
class Grid:
    days: list[DayGrid]
    hours: list[int]
    rows: int
    first_hour: int


def lay_out(items: Sequence[Any], days: Sequence[dt.date], tz: dt.tzinfo) -> Grid:
    """The days side by side on one shared hour axis."""
    per_day = [day_spans(items, day, tz) for day in days]
    first_hour, last_hour = hour_range((a, b) for spans in per_day for _, a, b in spans)
    laid = [lay_out_day(spans, day, first_hour) for spans, day in zip(per_day, days, strict=True)]
    return Grid(
        days=laid,
        hours=list(range(first_hour, last_hour)),
        rows=(last_hour - first_hour) * ROWS_PER_HOUR,
        first_hour=first_hour,
    )


def now_position(now: dt.datetime, grid: Grid, tz: dt.tzinfo) -> tuple[int, int] | None:
    """Where the current time sits on the axis: its 15-minute grid row and the minutes into
    that row, or None when it is outside the axis."""
    now = now.astimezone(tz)
    minutes = now.hour * 60 + now.minute - grid.first_hour * 60
    if not 0 <= minutes < grid.rows * SLOT_MINUTES:
        return None
    return minutes // SLOT_MINUTES + 1, minutes % SLOT_MINUTES
