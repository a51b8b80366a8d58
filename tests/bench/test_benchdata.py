"""The bench data generator: the sizes asked for, the same data from the same anchor, and
data that keeps the rules the services keep (on SQLite and on PostgreSQL: CI runs both)."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, F
from django_scopes import scopes_disabled

from bollplank.accounts.models import Membership
from bollplank.clients.models import Client
from bollplank.core.models import Practice
from bollplank.core.roles import Role
from bollplank.demo.bench import BENCH_SLUG, REST_SLUG, Sizes, generate, sizes_for
from bollplank.engagements.models import Engagement, Participant
from bollplank.meetings.enums import MeetingStatus
from bollplank.meetings.models import Attendance, Meeting

TINY = Sizes(supervisors=4, clients=6, participants=40, meetings=600, attendance=2400)
ANCHOR = dt.date(2026, 3, 9)


def _snapshot() -> list[tuple[Any, ...]]:
    with scopes_disabled():
        meetings = list(
            Meeting.objects.order_by("starts_at", "supervisor__email").values_list(
                "engagement__title", "supervisor__email", "starts_at", "status", "uid"
            )
        )
        attendance = list(
            Attendance.objects.order_by("meeting__uid", "participant__email").values_list(
                "meeting__uid", "participant__email", "status"
            )
        )
    return [*meetings, *attendance]


@pytest.mark.django_db
def test_generate_tiny_has_the_sizes_asked_for() -> None:
    summary = generate(sizes=TINY, anchor=ANCHOR)
    with scopes_disabled():
        assert sorted(Practice.objects.values_list("slug", flat=True)) == [BENCH_SLUG, REST_SLUG]
        assert Membership.objects.filter(role=Role.SUPERVISOR).count() == 4
        assert Client.objects.count() == 6
        assert Participant.objects.count() == 40
        assert Meeting.objects.count() == 600
        # Attendance follows group sizes; it lands near the target, not on it.
        assert 0.75 * 2400 <= Attendance.objects.count() <= 1.25 * 2400
        assert Attendance.objects.count() == summary.attendance
        assert Engagement.objects.count() == summary.engagements
        # Half of everything is in the busy practice.
        assert Meeting.objects.filter(practice__slug=BENCH_SLUG).count() == 300


@pytest.mark.django_db
def test_generate_same_anchor_gives_the_same_data() -> None:
    # Generate, look, roll back to before, generate again: the same rows (ids aside).
    with transaction.atomic():
        before = transaction.savepoint()
        generate(sizes=TINY, anchor=ANCHOR)
        first = _snapshot()
        transaction.savepoint_rollback(before)
    assert not Practice.objects.exists()
    generate(sizes=TINY, anchor=ANCHOR)
    assert len(first) > 600
    assert _snapshot() == first


@pytest.mark.django_db
def test_generate_keeps_the_rules_of_the_services() -> None:
    generate(sizes=TINY, anchor=ANCHOR)
    with scopes_disabled():
        # Every meeting belongs to its engagement's supervisor and practice.
        assert not Meeting.objects.exclude(supervisor=F("engagement__supervisor")).exists()
        assert not Meeting.objects.exclude(practice=F("engagement__practice")).exists()
        # No supervisor is double-booked: no two meetings start at the same time.
        clashes = (
            Meeting.objects.values("supervisor", "starts_at")
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
        )
        assert not clashes.exists()
        # Attendance only for meetings that were held, and only for their group's people.
        assert not Attendance.objects.filter(meeting__status=MeetingStatus.CANCELLED).exists()
        assert not Attendance.objects.exclude(
            participant__memberships__engagement=F("meeting__engagement")
        ).exists()
        # A group has at least two people, an individual engagement one.
        sizes = Engagement.objects.annotate(n=Count("memberships")).values_list("form", "n")
        assert all((n >= 2) if form == "group" else (n == 1) for form, n in sizes)


def test_sizes_for_scales_are_tenths() -> None:
    assert sizes_for("large").meetings == 300_000
    assert sizes_for("medium").meetings == 30_000
    assert sizes_for("small") == Sizes(
        supervisors=2, clients=4, participants=60, meetings=3000, attendance=12000
    )


@pytest.mark.django_db
def test_command_refuses_a_second_run_unless_if_missing() -> None:
    call_command("generate_bench_data", "--scale", "small", stdout=StringIO())
    out = StringIO()
    call_command("generate_bench_data", "--scale", "small", "--if-missing", stdout=out)
    assert "unchanged" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("generate_bench_data", "--scale", "small", stdout=StringIO())
