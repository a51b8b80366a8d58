"""Copies of a bench practice (demo/many.py): each copy is a practice of its own, as large as
its source, and no row of one practice refers to another practice's rows (on SQLite and on
PostgreSQL: CI runs both)."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models
from django.db.models import Count, F
from django_scopes import scopes_disabled

from bollplank.accounts.models import Membership, User
from bollplank.core.models import Practice
from bollplank.demo.bench import BENCH_SLUG, REST_SLUG, Sizes, generate
from bollplank.demo.many import COPIED, copy_slug, fill_practices
from bollplank.meetings.models import Attendance, Meeting

TINY = Sizes(supervisors=4, clients=4, participants=24, meetings=200, attendance=800)
ANCHOR = dt.date(2026, 3, 9)


def _crossing_references() -> list[str]:
    """Every reference from a copied table that leaves the row's practice: to a row of another
    practice, or to a person who is not a member of the row's practice."""
    found = []
    for model in COPIED:
        if model is User:
            continue
        rows = model._default_manager.all()
        for field in model._meta.concrete_fields:
            target = field.related_model
            if not field.is_relation or target is Practice:
                continue
            filled = rows.filter(**{f"{field.name}__isnull": False})
            if target is User:
                away = filled.exclude(**{f"{field.name}__memberships__practice": F("practice")})
            else:
                away = filled.exclude(**{f"{field.name}__practice": F("practice")})
            found += [f"{model._meta.label}.{field.name} {pk}" for pk in away.values_list("pk")]
    # A person of the bench belongs to one practice only; a copy that reused the source's
    # people would give them a membership in two.
    shared = (
        Membership.objects.values("user")
        .annotate(n=Count("practice", distinct=True))
        .filter(n__gt=1)
    )
    found += [f"user {row['user']} in {row['n']} practices" for row in shared]
    return found


def _shape(practice: Practice) -> list[tuple[Any, ...]]:
    """A practice's bench rows with no id and no address in them: a copy has the same."""

    def local(email: str) -> str:
        return email.split("@")[0]

    meetings = Meeting.objects.filter(practice=practice).order_by("starts_at", "engagement__title")
    attendance = Attendance.objects.filter(practice=practice)
    return [
        *(
            (m.engagement.title, local(m.supervisor.email), m.starts_at, m.status, m.focus)
            for m in meetings.select_related("engagement", "supervisor")
        ),
        *sorted(
            (str(a.meeting.starts_at), a.meeting.engagement.title, a.participant.name, a.status)
            for a in attendance.select_related("meeting__engagement", "participant")
        ),
        *sorted(
            (local(m.user.email), m.role)
            for m in Membership.objects.filter(practice=practice).select_related("user")
        ),
    ]


def _counts(practice: Practice) -> dict[str, int]:
    counts = {}
    for model in COPIED:
        manager: Any = model._default_manager
        rows: models.QuerySet[Any] = (
            manager.filter(memberships__practice=practice)
            if model is User
            else manager.filter(practice=practice)
        )
        counts[model._meta.label] = rows.count()
    return counts


@pytest.mark.django_db
def test_fill_practices_makes_copies_that_share_no_row_with_another_practice() -> None:
    generate(sizes=TINY, anchor=ANCHOR)
    made = fill_practices(total=4)
    with scopes_disabled():
        slugs = sorted(Practice.objects.values_list("slug", flat=True))
        source = Practice.objects.get(slug=REST_SLUG)
        copies = [Practice.objects.get(slug=copy_slug(n)) for n in (1, 2)]
        assert made == 2
        assert slugs == sorted([BENCH_SLUG, REST_SLUG, copy_slug(1), copy_slug(2)])
        assert _crossing_references() == []
        # As large as the source, with the same meetings, attendance and people in it.
        assert _counts(source)["meetings.Meeting"] == 100
        assert [_counts(c) for c in copies] == [_counts(source)] * 2
        assert [_shape(c) for c in copies] == [_shape(source)] * 2
        # The copies' people have addresses of their own (the source's with the copy's slug).
        emails = set(
            User.objects.filter(memberships__practice=copies[0]).values_list("email", flat=True)
        )
        assert "handledare0@bench-copy-001.bench-rest.bench.example" in emails
        assert User.objects.count() == User.objects.values("email").distinct().count()
        # Calendar UIDs and video rooms are unique in the whole table.
        assert Meeting.objects.values("uid").distinct().count() == Meeting.objects.count()
        assert Meeting.objects.values("video_room").distinct().count() == Meeting.objects.count()


@pytest.mark.django_db
def test_fill_practices_keeps_the_copies_there_and_new_rows_get_new_ids() -> None:
    generate(sizes=TINY, anchor=ANCHOR)
    assert fill_practices(total=3) == 1
    assert fill_practices(total=3) == 0
    assert fill_practices(total=4) == 1
    with scopes_disabled():
        assert Practice.objects.count() == 4
        assert _crossing_references() == []
        # The sequences moved past the copied ids: an ordinary insert still works.
        practice = Practice.objects.create(name="Efter kopiorna", slug="after")
        user = User.objects.create(email="ny@after.example", name="Ny")
        Membership.objects.create(practice=practice, user=user, role="admin")
        assert Membership.objects.filter(user=user).count() == 1


@pytest.mark.django_db
def test_copy_bench_practices_command_fills_to_the_total_and_refuses_without_bench_data() -> None:
    with pytest.raises(CommandError):
        call_command("copy_bench_practices", "--practices", "3", stdout=StringIO())
    generate(sizes=TINY, anchor=ANCHOR)
    out = StringIO()
    call_command("copy_bench_practices", "--practices", "3", stdout=out)
    assert "Made 1 copies" in out.getvalue()
    assert out.getvalue().strip().endswith("3 practices.")
