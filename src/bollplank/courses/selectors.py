"""Every read of courses: the public list, the practice's list and pages, the participants."""

from __future__ import annotations

from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django_scopes import scope, scopes_disabled

from bollplank.core import clock
from bollplank.core.models import Practice
from bollplank.courses.enums import RegistrationStatus
from bollplank.courses.models import Course, CourseAttendance, CourseDay, Registration


def _with_counts(qs: QuerySet[Course]) -> QuerySet[Course]:
    return qs.annotate(
        first_start=Min("days__starts_at"),
        last_end=Max("days__ends_at"),
        confirmed_count=Count(
            "registrations",
            filter=Q(registrations__status=RegistrationStatus.CONFIRMED),
            distinct=True,
        ),
        waitlist_count=Count(
            "registrations",
            filter=Q(registrations__status=RegistrationStatus.WAITLISTED),
            distinct=True,
        ),
    )


def courses_public(practice: Practice) -> list[Course]:
    """The practice's published courses that have not begun, soonest first, each with
    ``first_start``, ``last_end``, ``confirmed_count``, ``waitlist_count``, ``places_left``
    and its days prefetched. Safe to call outside a scope (a public page)."""
    with scope(practice=practice):
        past = CourseDay.objects.filter(course=OuterRef("pk"), starts_at__lte=clock.now())
        courses = list(
            _with_counts(Course.objects.filter(practice=practice, published=True))
            # Not begun: it has days, and none of them has started.
            .filter(Exists(CourseDay.objects.filter(course=OuterRef("pk"))))
            .exclude(Exists(past))
            .prefetch_related(Prefetch("days", queryset=CourseDay.objects.order_by("starts_at")))
            .order_by("first_start", "pk")
        )
    for course in courses:
        course.places_left = max(0, course.capacity - course.confirmed_count)  # type: ignore[attr-defined]
    return courses


def course_public(practice: Practice, pk: int) -> Course | None:
    """One published course of the practice for its public page, or None."""
    with scope(practice=practice):
        course = (
            _with_counts(Course.objects.filter(practice=practice, published=True, pk=pk))
            .prefetch_related(Prefetch("days", queryset=CourseDay.objects.order_by("starts_at")))
            .first()
        )
    if course is not None:
        course.places_left = max(0, course.capacity - course.confirmed_count)  # type: ignore[attr-defined]
    return course


def courses_for_practice(practice: Practice) -> QuerySet[Course]:
    """Every course of the practice for its staff, newest first, with counts."""
    return _with_counts(Course.objects.filter(practice=practice)).order_by("-first_start", "-pk")


def course_for_staff(practice: Practice, pk: int) -> Course | None:
    return (
        _with_counts(Course.objects.filter(practice=practice, pk=pk))
        .select_related("leader", "follow_up")
        .prefetch_related(Prefetch("days", queryset=CourseDay.objects.order_by("starts_at")))
        .first()
    )


def registration_for_staff(practice: Practice, pk: int) -> Registration | None:
    return Registration.objects.filter(practice=practice, pk=pk).first()


def registrations_of(course: Course) -> QuerySet[Registration]:
    """The course's registrations in the order they came: confirmed, waitlist, cancelled."""
    order = {
        RegistrationStatus.CONFIRMED: 0,
        RegistrationStatus.WAITLISTED: 1,
        RegistrationStatus.CANCELLED: 2,
    }
    return Registration.objects.filter(course=course).order_by(
        Case(
            *[When(status=k, then=Value(v)) for k, v in order.items()],
            output_field=IntegerField(),
        ),
        "created_at",
        "pk",
    )


def registration_by_token(token: str) -> Any:
    """The registration a cancellation link names, across practices (the token is secret)."""
    with scopes_disabled():
        return (
            Registration.objects.select_related("course", "course__practice")
            .filter(token=token)
            .first()
        )


def days_present_of(course: Course, registration: Registration | None = None) -> dict[int, int]:
    """Days present per registration on the course's days (only those marked present)."""
    rows = CourseAttendance.objects.filter(day__course=course, present=True)
    if registration is not None:
        rows = rows.filter(registration=registration)
    present: dict[int, int] = {}
    for reg_id in rows.values_list("registration_id", flat=True):
        present[reg_id] = present.get(reg_id, 0) + 1
    return present
