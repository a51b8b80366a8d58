"""Planning series in local time: holidays, daylight-saving changes, double bookings."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from django_scopes import scope

from bollplank.core.timeutils import LocalTimeError, make_local
from bollplank.meetings import services
from bollplank.meetings.models import Meeting
from bollplank.meetings.services import ChosenMeeting, Proposal
from tests import factories as f
from tests import timecontrol as tc

STOCKHOLM = ZoneInfo("Europe/Stockholm")
DAY = dt.timedelta(days=1)


@pytest.fixture
def engagement(db):
    practice = f.PracticeFactory()
    supervisor = f.member(practice, "supervisor")
    # Long enough for the next daylight-saving changes and holidays, which may be a year away.
    return f.EngagementFactory(
        practice=practice,
        supervisor=supervisor,
        meeting_minutes=120,
        end_date=tc.today() + dt.timedelta(days=800),
    )


def _tuesday(days: int = 14) -> dt.date:
    """A Tuesday ahead that is a working day."""
    day = tc.today() + dt.timedelta(days=days)
    day += dt.timedelta(days=(1 - day.weekday()) % 7)
    while tc.workday(day) != day:
        day += dt.timedelta(weeks=1)
    return day


def test_series_keeps_wall_clock_time_across_spring_dst(engagement):
    # Tuesdays 09:00 from twelve days before the Sunday the clocks go forward.
    with scope(practice=engagement.practice):
        proposals = services.series_propose(
            engagement=engagement,
            first_day=tc.spring_change() - 12 * DAY,
            time=dt.time(9, 0),
            interval_weeks=1,
            count=3,
        )
    assert [p.status for p in proposals] == [Proposal.OK] * 3
    assert [p.starts_at.astimezone(STOCKHOLM).time() for p in proposals] == [dt.time(9, 0)] * 3
    assert [p.starts_at.astimezone(dt.UTC).hour for p in proposals] == [8, 8, 7]


def test_series_keeps_wall_clock_time_across_autumn_dst(engagement):
    with scope(practice=engagement.practice):
        proposals = services.series_propose(
            engagement=engagement,
            first_day=tc.autumn_change() - 5 * DAY,
            time=dt.time(9, 0),
            interval_weeks=1,
            until=tc.autumn_change() + 9 * DAY,
        )
    assert [p.starts_at.astimezone(dt.UTC).hour for p in proposals] == [7, 8, 8]


def test_series_skips_swedish_holidays_and_names_them(engagement):
    # Fridays from the week before Good Friday.
    good_friday = tc.holiday("Långfredagen")
    with translation.override("sv"), scope(practice=engagement.practice):
        proposals = services.series_propose(
            engagement=engagement,
            first_day=good_friday - 7 * DAY,
            time=dt.time(13, 0),
            interval_weeks=1,
            count=3,
        )
    assert [(p.day, p.status) for p in proposals] == [
        (good_friday - 7 * DAY, Proposal.OK),
        (good_friday, Proposal.HOLIDAY),
        (good_friday + 7 * DAY, Proposal.OK),
        (good_friday + 14 * DAY, Proposal.OK),
    ]
    assert proposals[1].reason == "Långfredagen"


def test_series_holidays_can_be_kept(engagement):
    with scope(practice=engagement.practice):
        proposals = services.series_propose(
            engagement=engagement,
            first_day=tc.holiday("Långfredagen"),
            time=dt.time(13, 0),
            interval_weeks=1,
            count=1,
            skip_holidays=False,
        )
    assert [(p.day, p.status) for p in proposals] == [(tc.holiday("Långfredagen"), Proposal.OK)]


def test_series_that_ends_before_it_starts_is_refused(engagement):
    with scope(practice=engagement.practice), pytest.raises(ValidationError) as exc:
        services.series_propose(
            engagement=engagement,
            first_day=_tuesday(30),
            time=dt.time(9, 0),
            interval_weeks=2,
            until=_tuesday(30) - 30 * DAY,
        )
    assert exc.value.code == "series_ends_before_start"


def test_series_marks_nonexistent_spring_time(engagement):
    # 02:30 on the Sunday the clocks go forward does not exist in Sweden. (Holidays are kept:
    # that Sunday is Easter Day in some years.)
    change = tc.spring_change()
    with scope(practice=engagement.practice):
        proposals = services.series_propose(
            engagement=engagement,
            first_day=change - 7 * DAY,
            time=dt.time(2, 30),
            interval_weeks=1,
            count=2,
            skip_holidays=False,
        )
    assert [p.status for p in proposals] == [Proposal.OK, Proposal.BAD_TIME, Proposal.OK]
    assert str(change) in proposals[1].reason


def test_make_local_refuses_nonexistent_and_ambiguous_times():
    with pytest.raises(LocalTimeError) as spring:
        make_local(dt.date(2026, 3, 29), dt.time(2, 30), "Europe/Stockholm")
    assert spring.value.code == "nonexistent_time"
    with pytest.raises(LocalTimeError) as autumn:
        make_local(dt.date(2026, 10, 25), dt.time(2, 30), "Europe/Stockholm")
    assert autumn.value.code == "ambiguous_time"
    assert make_local(
        dt.date(2026, 10, 25), dt.time(3, 30), "Europe/Stockholm"
    ).utcoffset() == dt.timedelta(hours=1)


def test_series_shows_double_booking_with_travel_buffer(engagement):
    practice = engagement.practice
    other = f.EngagementFactory(
        practice=practice, supervisor=engagement.supervisor, client=engagement.client
    )
    # Another meeting 11:00–12:00; the new one 09:00–10:45 ends within the 30 min buffer.
    tuesday = _tuesday()
    f.MeetingFactory(
        engagement=other, starts_at=tc.local(tuesday, 11), ends_at=tc.local(tuesday, 12)
    )
    with scope(practice=practice):
        proposals = services.series_propose(
            engagement=engagement,
            first_day=tuesday,
            time=dt.time(9, 0),
            interval_weeks=1,
            count=2,
            minutes=105,
        )
    assert [p.status for p in proposals] == [Proposal.CONFLICT, Proposal.OK]
    assert proposals[0].conflicts[0].engagement == other


def test_create_series_refuses_double_booking_and_saves_nothing(engagement):
    practice = engagement.practice
    first, second = _tuesday(), _tuesday() + 7 * DAY
    f.MeetingFactory(
        engagement=engagement, starts_at=tc.local(second, 9), ends_at=tc.local(second, 11)
    )
    chosen = [ChosenMeeting(first, dt.time(9)), ChosenMeeting(second, dt.time(10))]
    with scope(practice=practice):
        with pytest.raises(ValidationError) as exc:
            services.meetings_create_series(actor=None, engagement=engagement, chosen=chosen)
        assert str(second) in exc.value.messages[0]
        assert Meeting.objects.filter(engagement=engagement).count() == 1


def test_create_series_moves_a_conflicting_date_to_another_time(engagement):
    practice = engagement.practice
    first, second = _tuesday(), _tuesday() + 7 * DAY
    f.MeetingFactory(
        engagement=engagement, starts_at=tc.local(second, 9), ends_at=tc.local(second, 11)
    )
    chosen = [ChosenMeeting(first, dt.time(9)), ChosenMeeting(second, dt.time(13))]
    with scope(practice=practice):
        created = services.meetings_create_series(actor=None, engagement=engagement, chosen=chosen)
        assert [timezone_local(m.starts_at) for m in created] == [
            dt.datetime.combine(first, dt.time(9)),
            dt.datetime.combine(second, dt.time(13)),
        ]


def timezone_local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(STOCKHOLM).replace(tzinfo=None)


def test_single_meeting_at_nonexistent_time_is_refused(engagement):
    with scope(practice=engagement.practice), pytest.raises(ValidationError) as exc:
        services.meeting_create(
            actor=None, engagement=engagement, day=tc.spring_change(), time=dt.time(2, 30)
        )
    assert str(tc.spring_change()) in exc.value.messages[0]


def test_reschedule_keeps_uid_and_raises_sequence(engagement):
    tuesday = _tuesday()
    meeting = f.MeetingFactory(
        engagement=engagement, starts_at=tc.local(tuesday, 9), ends_at=tc.local(tuesday, 11)
    )
    uid = meeting.uid
    with scope(practice=engagement.practice):
        moved = services.meeting_reschedule(
            actor=None, meeting=meeting, day=tuesday + 2 * DAY, time=dt.time(14, 0), minutes=90
        )
    moved.refresh_from_db()
    assert (moved.uid, moved.sequence) == (uid, 1)
    assert timezone_local(moved.starts_at) == dt.datetime.combine(tuesday + 2 * DAY, dt.time(14))
    assert moved.ends_at - moved.starts_at == dt.timedelta(minutes=90)


def test_reschedule_into_a_conflict_is_refused(engagement):
    tuesday = _tuesday()
    first = f.MeetingFactory(
        engagement=engagement, starts_at=tc.local(tuesday, 9), ends_at=tc.local(tuesday, 11)
    )
    later = tuesday + 10 * DAY
    second = f.MeetingFactory(
        engagement=engagement, starts_at=tc.local(later, 9), ends_at=tc.local(later, 11)
    )
    with scope(practice=engagement.practice), pytest.raises(ValidationError) as exc:
        services.meeting_reschedule(
            actor=None, meeting=second, day=tuesday, time=dt.time(10, 0), minutes=60
        )
    assert exc.value.code == "double_booking"
    second.refresh_from_db()
    assert second.starts_at == tc.local(later, 9)
    assert first.pk != second.pk


def test_cancel_inside_notice_is_late(engagement):
    meeting = f.MeetingFactory(engagement=engagement)
    with scope(practice=engagement.practice):
        late = services.meeting_cancel(
            cancelled_by="supervisor",
            reason="Sjukdom",
            actor=None,
            meeting=meeting,
            now=meeting.starts_at - dt.timedelta(hours=47),
        )
    assert (late.status, late.late_cancellation, late.sequence) == ("cancelled", True, 1)


def test_cancel_outside_notice_is_not_late(engagement):
    meeting = f.MeetingFactory(engagement=engagement)
    with scope(practice=engagement.practice):
        early = services.meeting_cancel(
            cancelled_by="supervisor",
            reason="Sjukdom",
            actor=None,
            meeting=meeting,
            now=meeting.starts_at - dt.timedelta(hours=49),
        )
    assert early.late_cancellation is False


def test_cancelled_meeting_frees_the_time(engagement):
    tuesday = _tuesday()
    meeting = f.MeetingFactory(
        engagement=engagement, starts_at=tc.local(tuesday, 9), ends_at=tc.local(tuesday, 11)
    )
    with scope(practice=engagement.practice):
        services.meeting_cancel(
            cancelled_by="supervisor",
            reason="Sjukdom",
            actor=None,
            meeting=meeting,
            now=meeting.starts_at - dt.timedelta(days=5),
        )
        again = services.meeting_create(
            actor=None, engagement=engagement, day=tuesday, time=dt.time(9, 0)
        )
    assert again.pk != meeting.pk
