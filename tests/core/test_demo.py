"""The demo firm: what `make run` shows a new user must hold to the product's own rules."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import holidays
import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from stdnum.se import orgnr

from bollplank.accounts.models import Membership, User
from bollplank.clients.enums import Sector
from bollplank.clients.models import Client, ClientContact
from bollplank.core.models import AuditEvent, Practice
from bollplank.core.roles import Role
from bollplank.demo.firm import DEMO_PASSWORD, DEMO_SLUG, demo_load, demo_logins
from bollplank.engagements.enums import Form
from bollplank.engagements.models import Engagement, GroupMembership, Participant
from bollplank.meetings.enums import AttendanceStatus, MeetingStatus
from bollplank.meetings.models import Attendance, Meeting
from tests import timecontrol

# The demo is built "as of" the run's instant, as `make run` builds it as of the real one.
NOW = timecontrol.instant()
MODELS = [
    Practice,
    User,
    Membership,
    Client,
    ClientContact,
    Engagement,
    Participant,
    GroupMembership,
    Meeting,
    Attendance,
    AuditEvent,
]

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    with scopes_disabled():
        return {model.__name__: model.objects.count() for model in MODELS}


def _local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


@pytest.fixture(scope="class")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Practice]:
    """One demo for every test of the class (a load takes seconds), rolled back after them."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        practice, created = demo_load(now=NOW)
        assert created
        yield practice
        transaction.set_rollback(True)


class TestDemoFirm:
    def test_demo_has_three_supervisors_one_admin_and_six_clients_in_six_sectors(
        self, demo: Practice
    ) -> None:
        with scopes_disabled():
            supervisors = Membership.objects.filter(practice=demo, role=Role.SUPERVISOR).count()
            admins = Membership.objects.filter(practice=demo, role=Role.ADMIN).count()
            sectors = set(Client.objects.filter(practice=demo).values_list("sector", flat=True))
            org_numbers = list(
                Client.objects.filter(practice=demo).values_list("org_number", flat=True)
            )

        assert (supervisors, admins) == (3, 1)
        assert sectors == {
            Sector.SCHOOL,
            Sector.PRESCHOOL,
            Sector.SOCIAL_SERVICES,
            Sector.HEALTH_CARE,
            Sector.PRISON_PROBATION,
            Sector.ELDER_CARE,
        }
        assert [orgnr.is_valid(n) and n.startswith("2") for n in org_numbers] == [True] * 6

    def test_demo_group_engagements_have_at_least_two_active_members(self, demo: Practice) -> None:
        with scopes_disabled():
            engagements = list(Engagement.objects.filter(practice=demo))
            active = {
                e.pk: GroupMembership.objects.filter(engagement=e, left_on__isnull=True).count()
                for e in engagements
            }
            left = GroupMembership.objects.filter(practice=demo, left_on__isnull=False).count()

        groups = [e for e in engagements if e.form == Form.GROUP]
        individuals = [e for e in engagements if e.form == Form.INDIVIDUAL]
        assert len(groups) >= 2 and len(individuals) >= 2
        assert [active[e.pk] >= 2 for e in groups] == [True] * len(groups)
        assert [active[e.pk] for e in individuals] == [1] * len(individuals)
        assert left == 1  # one person left a group: the history is part of the demo

    def test_demo_meetings_span_a_year_and_skip_swedish_holidays(self, demo: Practice) -> None:
        with scopes_disabled():
            days = [
                _local_day(m)
                for m in Meeting.objects.filter(practice=demo).values_list("starts_at", flat=True)
            ]
        years = range(min(days).year, max(days).year + 1)
        holiday_days = holidays.country_holidays(
            "SE", years=years, categories=("public", "de_facto")
        )

        assert [d for d in days if d in holiday_days] == []
        assert min(days) <= _local_day(NOW) - dt.timedelta(days=150)
        assert max(days) >= _local_day(NOW) + dt.timedelta(days=150)

    def test_demo_never_double_books_a_supervisor(self, demo: Practice) -> None:
        with scopes_disabled():
            rows = list(
                Meeting.objects.filter(practice=demo, status=MeetingStatus.PLANNED)
                .order_by("supervisor_id", "starts_at")
                .values_list("supervisor_id", "starts_at", "ends_at")
            )
        by_supervisor: dict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
        for supervisor_id, starts_at, ends_at in rows:
            by_supervisor[supervisor_id].append((starts_at, ends_at))

        buffer = dt.timedelta(minutes=demo.travel_buffer_minutes)
        too_close = []
        for meetings in by_supervisor.values():
            busy_until = meetings[0][1]
            for starts_at, ends_at in meetings[1:]:
                if starts_at < busy_until + buffer:
                    too_close.append(starts_at)
                busy_until = max(busy_until, ends_at)
        assert len(by_supervisor) == 3
        assert too_close == []

    def test_demo_past_meetings_have_attendance_for_everyone_in_the_group(
        self, demo: Practice
    ) -> None:
        with scopes_disabled():
            past = list(
                Meeting.objects.filter(
                    practice=demo, status=MeetingStatus.PLANNED, ends_at__lte=NOW
                ).prefetch_related("attendance", "engagement__memberships")
            )
            future_attendance = Attendance.objects.filter(
                practice=demo, meeting__starts_at__gt=NOW
            ).count()
            statuses = set(
                Attendance.objects.filter(practice=demo).values_list("status", flat=True)
            )

        missing = []
        for meeting in past:
            day = _local_day(meeting.starts_at)
            expected = {
                m.participant_id
                for m in meeting.engagement.memberships.all()
                if m.joined_on <= day and (m.left_on is None or m.left_on > day)
            }
            if {a.participant_id for a in meeting.attendance.all()} != expected:
                missing.append(meeting.pk)
        assert len(past) > 50
        assert missing == []
        assert future_attendance == 0
        assert statuses == set(AttendanceStatus.values)

    def test_demo_has_a_late_and_an_early_cancellation(self, demo: Practice) -> None:
        with scopes_disabled():
            cancelled = list(
                Meeting.objects.filter(practice=demo, status=MeetingStatus.CANCELLED)
                .order_by("starts_at")
                .values_list("late_cancellation", flat=True)
            )
        assert cancelled == [True, False]

    def test_demo_firm_can_invoice_and_has_last_month_left_to_run(self, demo: Practice) -> None:
        from bollplank.billing.models import BillingSettings, Invoice
        from bollplank.billing.ocr import ocr_is_valid
        from bollplank.billing.selectors import delivered_not_invoiced

        with scope(practice=demo):
            assert BillingSettings.objects.get(practice=demo).is_complete
            issued = list(Invoice.objects.filter(practice=demo).exclude(status="draft"))
            left = delivered_not_invoiced(demo)
        assert len(issued) >= 3
        assert all(ocr_is_valid(i.ocr) for i in issued)
        assert sorted(i.number for i in issued) == list(range(1001, 1001 + len(issued)))
        assert sum(row.meetings for row in left) > 0  # last month: the user's own first run

    def test_demo_logins_work_and_hold_their_roles(self, demo: Practice) -> None:
        logins = demo_logins()
        with scopes_disabled():
            users = {u.email: u for u in User.objects.filter(email__in=[x.email for x in logins])}
            roles = {
                email: set(
                    Membership.objects.filter(practice=demo, user=users[email]).values_list(
                        "role", flat=True
                    )
                )
                for email in users
            }
            linked_contacts = ClientContact.objects.filter(
                practice=demo, user__isnull=False
            ).count()
            linked_participants = Participant.objects.filter(
                practice=demo, user__isnull=False
            ).count()

        assert len(users) == len(logins) == 10
        assert all(users[x.email].check_password(DEMO_PASSWORD) for x in logins)
        assert {frozenset(r) for r in roles.values()} == {
            frozenset({Role.ADMIN, Role.SUPERVISOR}),
            frozenset({Role.SUPERVISOR}),
            frozenset({Role.CLIENT_CONTACT}),
            frozenset({Role.PARTICIPANT}),
        }
        assert (linked_contacts, linked_participants) == (3, 4)

    def test_demo_participant_can_book_meetings_herself(self, demo: Practice) -> None:
        from bollplank.booking.selectors import bookable_engagements, free_times

        with scopes_disabled():
            nurse = Participant.objects.get(
                practice=demo, memberships__engagement__title__startswith="Sjuksköterska"
            ).user
            [engagement] = bookable_engagements(nurse, demo)
            slots = free_times(engagement, now=NOW).slots()

        assert engagement.meetings_ordered - engagement.used_count == 4
        assert len(slots) > 20

    def test_demo_load_twice_changes_nothing(self, demo: Practice) -> None:
        before = _counts()

        practice, created = demo_load(now=NOW + dt.timedelta(days=3))

        assert (practice.pk, created) == (demo.pk, False)
        assert _counts() == before


def _snapshot() -> list[Any]:
    """What the demo decided: its meetings, attendance, evaluation rounds and answers, the
    published summaries, the invoices and the mails it queued (not the times rows were
    written, which are the real clock's)."""
    from bollplank.billing.models import Invoice
    from bollplank.evaluations.models import Response, Round
    from bollplank.notifications.models import OutgoingMail
    from bollplank.records.models import Submission, Summary

    with scopes_disabled():
        meetings = list(
            Meeting.objects.order_by("starts_at", "engagement__title").values_list(
                "engagement__title", "starts_at", "status", "focus", "late_cancellation"
            )
        )
        attendance = list(
            Attendance.objects.order_by(
                "meeting__starts_at", "meeting__engagement__title", "participant__email"
            ).values_list("participant__email", "status")
        )
        rounds = list(
            Round.objects.order_by("phase", "send_on").values_list(
                "phase", "send_on", "closes_at", "sent_at"
            )
        )
        answers = list(Response.objects.order_by("submitted_on").values_list("submitted_on"))
        summaries = list(
            Summary.objects.order_by("meeting__starts_at").values_list(
                "meeting__starts_at", "published_at"
            )
        )
        submissions = Submission.objects.count()
        invoices = list(
            Invoice.objects.order_by("number").values_list(
                "number", "issue_date", "due_date", "total_ore"
            )
        )
        # Mails that go out at once are sent when the demo is written (the real clock);
        # reminders wait for a time the demo decided.
        mails = sorted(
            (m.kind, m.to, m.send_after if m.kind in ("reminder", "questions") else None)
            for m in OutgoingMail.objects.all()
        )
    return [meetings, attendance, rounds, answers, summaries, submissions, invoices, mails]


class _Rollback(Exception):
    pass


def test_demo_as_of_a_day_is_the_same_whatever_the_clock_says(db: Any, traveller: Any) -> None:
    # Loaded twice as of NOW: once with the clock at NOW, once with the clock a year and more
    # away. Anything the loader decided by the real clock instead of the day it was given
    # (a round refused as closed, an invitation for a meeting already held) would differ.
    snapshots = []
    for clock_at in (NOW, NOW + dt.timedelta(days=400)):
        traveller.move_to(clock_at)
        try:
            with transaction.atomic():
                demo_load(now=NOW, mail=True)
                snapshots.append(_snapshot())
                raise _Rollback
        except _Rollback:
            pass

    assert snapshots[0] == snapshots[1]


def test_load_demo_command_prints_the_logins_and_the_port(monkeypatch: Any, settings: Any) -> None:
    settings.DEBUG = True
    monkeypatch.setenv("PORT", "8123")
    first, second = io.StringIO(), io.StringIO()

    call_command("load_demo", stdout=first)
    counts = _counts()
    call_command("load_demo", stdout=second)

    assert _counts() == counts
    assert "Created the demo firm Ekbacken handledning" in first.getvalue()
    assert "is already there" in second.getvalue()
    for out in (first.getvalue(), second.getvalue()):
        assert "http://127.0.0.1:8123" in out
        assert "karin@ekbacken.example" in out
        assert DEMO_PASSWORD in out


def test_load_demo_command_refuses_without_debug(settings: Any) -> None:
    settings.DEBUG = False

    with pytest.raises(CommandError, match="BOLLPLANK_DEBUG"):
        call_command("load_demo", stdout=io.StringIO())

    with scopes_disabled():
        assert not Practice.objects.filter(slug=DEMO_SLUG).exists()
