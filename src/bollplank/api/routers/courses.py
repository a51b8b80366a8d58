"""Courses and their registrations: staff see every course and who registered; everyone else
the published courses still ahead, as on the public course page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Path, Router, Schema

from bollplank.accounts.enums import STAFF_ROLES
from bollplank.api.base import MAX_ID, ErrorOut, PagingQuery, acting, page
from bollplank.courses import selectors

router = Router(tags=["courses"])

ID = Path(..., ge=1, le=MAX_ID)


class CourseOut(Schema):
    id: int
    title: str
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
