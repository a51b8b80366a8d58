"""Courses and their registrations: staff see every course and who registered; everyone else
the published courses still ahead, as on the public course page."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Path, Router, Schema, Status
from pydantic import Field

from bollplank.api.base import (
    MAX_ID,
    WRITE_ERRORS,
    ErrorOut,
    PagingQuery,
    Strict,
    acting,
    checked,
    page,
)
from bollplank.core.roles import STAFF_ROLES
from bollplank.courses import selectors, services
from bollplank.courses.models import Course, Registration

router = Router(tags=["courses"])

ID = Path(..., ge=1, le=MAX_ID)


class CourseOut(Schema):
    id: int
    title: str = Field(..., max_length=200)
    place: str
    price_ore: int
    capacity: int
    last_registration_day: dt.date
    published: bool
    first_start: dt.datetime | None
    last_end: dt.datetime | None
    confirmed_count: int
    waitlist_count: int


class CoursePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[CourseOut]


class RegistrationOut(Schema):
    id: int
    status: str
    name: str
    email: str
    organization: str
    created_at: dt.datetime


def _staff(roles: frozenset[str]) -> bool:
    return bool(roles & STAFF_ROLES)


@router.get("/", response={200: CoursePage, 401: ErrorOut, 422: ErrorOut})
def list_courses(request: HttpRequest, paging: PagingQuery) -> Any:
    a = acting(request)
    if _staff(a.roles):
        return page(selectors.courses_for_practice(a.practice), paging)
    courses = selectors.courses_public(a.practice)
    end = paging.offset + paging.limit
    return {
        "count": len(courses),
        "limit": paging.limit,
        "offset": paging.offset,
        "items": courses[paging.offset : end],
    }


@router.get("/{course_id}", response={200: CourseOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def get_course(request: HttpRequest, course_id: int = ID) -> Any:
    a = acting(request)
    if _staff(a.roles):
        course = selectors.course_for_staff(a.practice, course_id)
    else:
        course = selectors.course_public(a.practice, course_id)
    if course is None:
        raise Http404
    return course


@router.get(
    "/{course_id}/registrations",
    response={
        200: list[RegistrationOut],
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ErrorOut,
    },
)
def list_registrations(request: HttpRequest, course_id: int = ID) -> Any:
    """Who registered, in order: confirmed, waitlist, cancelled (staff only; dietary needs and
    invoice details stay on the course page)."""
    a = acting(request, staff=True)
    course = selectors.course_for_staff(a.practice, course_id)
    if course is None:
        raise Http404
    return list(selectors.registrations_of(course))


class RegistrationIn(Strict):
    """What the public registration form asks (the same service checks it)."""

    name: str = Field(..., min_length=1, max_length=200)
    email: str = Field(..., min_length=3, max_length=254)
    organization: str = Field("", max_length=200)
    org_number: str = Field("", max_length=20)
    invoice_street: str = Field("", max_length=200)
    invoice_postal_code: str = Field("", max_length=10)
    invoice_city: str = Field("", max_length=100)
    invoice_reference: str = Field("", max_length=200)
    dietary_needs: str = Field("", max_length=500)
    language: Literal["sv", "en"] = Field("sv", description="The registrant's e-mails.")


def _staff_course(request: HttpRequest, course_id: int) -> tuple[Any, Course]:
    a = acting(request, write=True)
    course = selectors.course_for_staff(a.practice, course_id)
    if course is None:
        raise Http404
    return a, course


@router.post("/{course_id}/registrations", response={201: RegistrationOut, **WRITE_ERRORS})
def create_registration(request: HttpRequest, data: RegistrationIn, course_id: int = ID) -> Any:
    """Register a person, as they would on the public course page: confirmed while places are
    left, waitlisted after that; they get the e-mail (with the course days as a calendar file
    when confirmed). Refused after the last day of registration or for an unpublished course."""
    a, course = _staff_course(request, course_id)
    fields = data.dict(exclude={"language"})
    registration = checked(
        lambda: services.registration_create(
            actor=a.user, course=course, language=data.language, **fields
        )
    )
    return Status(201, registration)


@router.post(
    "/{course_id}/registrations/{registration_id}/cancel",
    response={200: RegistrationOut, **WRITE_ERRORS},
)
def cancel_registration(
    request: HttpRequest, course_id: int = ID, registration_id: int = ID
) -> Any:
    """Cancel a registration, as on the course page; a freed place goes to the first person
    on the waitlist, who is told by e-mail. Refused when already cancelled."""
    a, course = _staff_course(request, course_id)
    registration = get_object_or_404(Registration, course=course, pk=registration_id)
    return checked(lambda: services.registration_cancel(actor=a.user, registration=registration))
