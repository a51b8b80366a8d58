"""The free-time sweep: pure functions, no database."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bollplank.booking import freetime as ft

TZ = "Europe/Stockholm"
STHLM = ZoneInfo(TZ)
RULES = ft.Rules(
    tz=TZ,
    notice=dt.timedelta(hours=24),
    horizon=dt.timedelta(days=56),
    buffer=dt.timedelta(minutes=15),
    travel=dt.timedelta(minutes=45),
    step=dt.timedelta(minutes=30),
)
WEEKDAYS = [ft.WeeklyRule(d, dt.time(9), dt.time(12), "premises") for d in range(5)]


def local(y: int, mo: int, d: int, h: int, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, mo, d, h, mi, tzinfo=STHLM).astimezone(dt.UTC)


def windows(first: dt.date, last: dt.date, **kw) -> list[ft.Interval]:
    args = {"weekly": WEEKDAYS, "exceptions": [], "holidays": [], "place": "premises"} | kw
    return ft.open_windows(first_day=first, last_day=last, tz_name=TZ, **args)


def test_merge_joins_overlapping_and_touching_intervals():
    a = local(2026, 3, 2, 9)
    h = dt.timedelta(hours=1)
    assert ft.merge([(a + 2 * h, a + 3 * h), (a, a + h), (a + h, a + 2 * h), (a, a)]) == [
        (a, a + 3 * h)
    ]


def test_subtract_cuts_windows_around_blocked_times():
    a = local(2026, 3, 2, 9)
    h = dt.timedelta(hours=1)
    free = ft.subtract([(a, a + 3 * h), (a + 5 * h, a + 6 * h)], [(a + h, a + 2 * h)])
    assert free == [(a, a + h), (a + 2 * h, a + 3 * h), (a + 5 * h, a + 6 * h)]


def test_weekly_hours_stay_at_nine_on_both_sides_of_the_spring_change():
    # The clocks go forward on Sunday 29 March 2026: Friday before and Monday after both 09–12.
    found = windows(dt.date(2026, 3, 27), dt.date(2026, 3, 30))
    assert [(s.astimezone(STHLM).strftime("%a %H:%M"), e - s) for s, e in found] == [
        ("Fri 09:00", dt.timedelta(hours=3)),
        ("Mon 09:00", dt.timedelta(hours=3)),
    ]
    assert found[0][0].hour == 8 and found[1][0].hour == 7  # UTC: +01:00, then +02:00


def test_holidays_are_closed_unless_opened():
    easter_monday = dt.date(2026, 4, 6)
    closed = windows(easter_monday, easter_monday, holidays=[easter_monday])
    opened = windows(
        easter_monday,
        easter_monday,
        holidays=[easter_monday],
        exceptions=[ft.DayException(easter_monday, easter_monday, True)],
    )
    assert closed == []
    assert opened == [(local(2026, 4, 6, 9), local(2026, 4, 6, 12))]


def test_exceptions_close_days_and_times_and_open_extra_times():
    monday, tuesday = dt.date(2026, 3, 2), dt.date(2026, 3, 3)
    found = windows(
        monday,
        tuesday,
        exceptions=[
            ft.DayException(monday, monday, False),
            ft.DayException(tuesday, tuesday, False, dt.time(10), dt.time(11)),
            ft.DayException(tuesday, tuesday, True, dt.time(14), dt.time(15), "premises"),
            ft.DayException(tuesday, tuesday, True, dt.time(16), dt.time(17), "video"),
        ],
    )
    assert found == [
        (local(2026, 3, 3, 9), local(2026, 3, 3, 10)),
        (local(2026, 3, 3, 11), local(2026, 3, 3, 12)),
        (local(2026, 3, 3, 14), local(2026, 3, 3, 15)),
    ]


def test_blocked_uses_travel_time_between_places_and_buffer_otherwise():
    a = local(2026, 3, 2, 10)
    h = dt.timedelta(hours=1)
    busy = [
        ft.Busy(a, a + h, "video"),
        ft.Busy(a + 3 * h, a + 4 * h, "premises"),
        ft.Busy(a + 6 * h, a + 7 * h),
    ]
    blocked = ft.blocked_intervals(busy, place="premises", rules=RULES, min_gap=dt.timedelta(0))
    m = dt.timedelta(minutes=1)
    assert blocked == [
        (a - 45 * m, a + h + 45 * m),
        (a + 3 * h - 15 * m, a + 4 * h + 15 * m),
        (a + 6 * h - 15 * m, a + 7 * h + 15 * m),
    ]


def test_free_slots_respect_notice_horizon_and_busy_times():
    now = local(2026, 3, 1, 10)  # Sunday: the notice ends Monday 10:00
    wins = windows(dt.date(2026, 3, 2), dt.date(2026, 3, 3))
    busy = ft.blocked_intervals(
        [ft.Busy(local(2026, 3, 3, 10, 30), local(2026, 3, 3, 11))],
        place="premises",
        rules=RULES,
        min_gap=dt.timedelta(0),
    )
    slots = ft.free_slots(
        windows=wins, blocked=busy, length=dt.timedelta(hours=1), rules=RULES, now=now
    )
    shown = [s.astimezone(STHLM).strftime("%d %H:%M") for s in slots]
    assert shown == ["02 10:00", "02 10:30", "02 11:00", "03 09:00"]
    for start in slots:
        assert all(not (b0 < start + dt.timedelta(hours=1) and b1 > start) for b0, b1 in busy)


def test_a_slot_offered_a_moment_after_a_whole_step_can_be_booked_then():
    # Regression: the first slot was rounded from whole seconds, so 10:00:00.0004 made the
    # slot at 10:00 the next day, which the same moment's check then refused as too soon.
    now = local(2026, 3, 1, 10) + dt.timedelta(microseconds=400)
    wins = windows(dt.date(2026, 3, 2), dt.date(2026, 3, 2))
    length = dt.timedelta(hours=1)
    slots = ft.free_slots(windows=wins, blocked=[], length=length, rules=RULES, now=now)
    assert slots[0] == local(2026, 3, 2, 10, 30)
    assert (
        ft.check_slot(start=slots[0], length=length, windows=wins, blocked=[], rules=RULES, now=now)
        is None
    )


def test_no_slot_crosses_the_autumn_change_or_starts_at_an_ambiguous_time():
    # 25 October 2026: 03:00 summer time becomes 02:00 winter time.
    night = dt.date(2026, 10, 25)
    rules = ft.Rules(**{**RULES.__dict__, "notice": dt.timedelta(0)})
    wins = ft.open_windows(
        first_day=night,
        last_day=night,
        weekly=[ft.WeeklyRule(6, dt.time(0), dt.time(5), "premises")],
        exceptions=[],
        holidays=[],
        tz_name=TZ,
        place="premises",
    )
    slots = ft.free_slots(
        windows=wins,
        blocked=[],
        length=dt.timedelta(hours=1),
        rules=rules,
        now=local(2026, 10, 24, 0),
    )
    for start in slots:
        assert not ft.dst_trouble(start, start + dt.timedelta(hours=1), STHLM)
    shown = [s.astimezone(STHLM).strftime("%H:%M%z") for s in slots]
    # 02:00–02:59 happens twice that night: no slot starts then, and none spans 03:00 → 02:00.
    assert "01:30+0200" in shown
    assert not {"02:00+0200", "02:30+0200", "02:00+0100", "02:30+0100"} & set(shown)
    assert shown[0] == "00:00+0200" and shown[-1] == "04:00+0100"


def test_check_slot_names_the_reason():
    now = local(2026, 3, 1, 10)
    wins = windows(dt.date(2026, 3, 1), dt.date(2026, 5, 31))
    hour = dt.timedelta(hours=1)
    busy = [(local(2026, 3, 3, 9), local(2026, 3, 3, 10))]
    check = lambda start: ft.check_slot(  # noqa: E731
        start=start, length=hour, windows=wins, blocked=busy, rules=RULES, now=now
    )
    assert check(local(2026, 2, 27, 9)) == ft.PAST
    assert check(local(2026, 3, 2, 9)) == ft.NOTICE
    assert check(local(2026, 5, 4, 9)) == ft.HORIZON
    assert check(local(2026, 3, 2, 16)) == ft.HOURS
    assert check(local(2026, 3, 3, 9, 30)) == ft.TAKEN
    assert check(local(2026, 3, 3, 10)) is None
    assert check(local(2026, 3, 29, 1, 30)) == ft.DST
