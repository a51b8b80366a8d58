"""Every API operation with every role's token (read-write): the API's permission matrix.

The screens' matrix (tests/test_permissions.py) logs in; the API takes tokens, so its rows live
here. The test fails when an operation of the spec is missing from the table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from bollplank.api.api import api as ninja_api
from tests import factories as f
from tests import timecontrol as tc
from tests.api.test_endpoints import _ahead
from tests.conftest import World
from tests.courses.conftest import make_course, register

ROLES = ("admin", "supervisor", "other_supervisor", "contact", "participant", "outsider", "foreign")


def row(admin: int, supervisor: int, other: int, contact: int, part: int, out: int, foreign: int):
    return dict(zip(ROLES, (admin, supervisor, other, contact, part, out, foreign), strict=True))


ALL_200 = row(200, 200, 200, 200, 200, 200, 200)
ENGAGEMENT = row(200, 200, 404, 200, 200, 404, 404)
STAFF_OF_ENGAGEMENT = row(200, 200, 404, 403, 403, 403, 404)

Request = tuple[str, str, Callable[[World, Any], str], Callable[[World, Any], Any]]


def _no_body(w: World, extra: Any) -> Any:
    return None


# (method, spec path, concrete path, body) → expected status per role.
TABLE: list[tuple[Request, dict[str, int]]] = [
    (("get", "/clients/", lambda w, x: "/clients/", _no_body), ALL_200),
    (
        ("get", "/clients/{client_id}", lambda w, x: f"/clients/{w.client.pk}", _no_body),
        row(200, 200, 200, 200, 404, 404, 404),
    ),
    (("get", "/engagements/", lambda w, x: "/engagements/", _no_body), ALL_200),
    (
        (
            "get",
            "/engagements/{engagement_id}",
            lambda w, x: f"/engagements/{w.engagement.pk}",
            _no_body,
        ),
        ENGAGEMENT,
    ),
    (
        (
            "get",
            "/engagements/{engagement_id}/participants",
            lambda w, x: f"/engagements/{w.engagement.pk}/participants",
            _no_body,
        ),
        STAFF_OF_ENGAGEMENT,
    ),
    (("get", "/meetings/", lambda w, x: "/meetings/", _no_body), ALL_200),
    (
        ("get", "/meetings/{meeting_id}", lambda w, x: f"/meetings/{w.meeting.pk}", _no_body),
        ENGAGEMENT,
    ),
    (
        (
            "get",
            "/meetings/{meeting_id}/attendance",
            lambda w, x: f"/meetings/{w.meeting.pk}/attendance",
            _no_body,
        ),
        STAFF_OF_ENGAGEMENT,
    ),
    (
        (
            "post",
            "/meetings/",
            lambda w, x: "/meetings/",
            lambda w, x: {"engagement_id": w.engagement.pk, "starts_at": f"{_ahead()}T09:00+01:00"},
        ),
        row(201, 201, 404, 403, 403, 403, 404),
    ),
    (
        (
            "post",
            "/meetings/{meeting_id}/move",
            lambda w, x: f"/meetings/{x.pk}/move",  # ahead: a held one is not moved
            lambda w, x: {"starts_at": f"{_ahead(2)}T09:00+01:00", "minutes": 120},
        ),
        STAFF_OF_ENGAGEMENT,
    ),
    (
        (
            "put",
            "/meetings/{meeting_id}/attendance",
            lambda w, x: f"/meetings/{w.meeting.pk}/attendance",
            lambda w, x: {"rows": []},
        ),
        STAFF_OF_ENGAGEMENT,
    ),
    (
        (
            "post",
            "/meetings/{meeting_id}/cancel",
            lambda w, x: f"/meetings/{x.pk}/cancel",
            lambda w, x: {"cancelled_by": "practice", "reason": "Lokalen är upptagen"},
        ),
        STAFF_OF_ENGAGEMENT,
    ),
    (
        (
            "post",
            "/engagements/{engagement_id}/participants",
            lambda w, x: f"/engagements/{w.engagement.pk}/participants",
            lambda w, x: {
                "name": "Nya Nora",
                "email": "nora@example.se",
                "joined_on": str(tc.today() - dt.timedelta(days=30)),
            },
        ),
        row(201, 201, 404, 403, 403, 403, 404),
    ),
    (
        (
            "post",
            "/engagements/{engagement_id}/participants/{participant_id}/leave",
            lambda w, x: f"/engagements/{w.engagement.pk}/participants/{x.leaver.pk}/leave",
            lambda w, x: {"left_on": str(tc.today() + dt.timedelta(days=7))},
        ),
        STAFF_OF_ENGAGEMENT,
    ),
    (("get", "/invoices/", lambda w, x: "/invoices/", _no_body), ALL_200),
    (
        ("get", "/invoices/{invoice_id}", lambda w, x: "/invoices/999999", _no_body),
        row(404, 404, 404, 404, 404, 404, 404),
    ),
    (("get", "/courses/", lambda w, x: "/courses/", _no_body), ALL_200),
    (
        ("get", "/courses/{course_id}", lambda w, x: f"/courses/{x.course.pk}", _no_body),
        # Published and ahead: anyone in the practice; the other practice: 404.
        row(200, 200, 200, 200, 200, 200, 404),
    ),
    (
        (
            "get",
            "/courses/{course_id}/registrations",
            lambda w, x: f"/courses/{x.course.pk}/registrations",
            _no_body,
        ),
        row(200, 200, 200, 403, 403, 403, 404),
    ),
    (
        (
            "post",
            "/courses/{course_id}/registrations",
            lambda w, x: f"/courses/{x.course.pk}/registrations",
            lambda w, x: {"name": "Kim Kurs", "email": "kim@example.se", "language": "en"},
        ),
        # Every staff member (courses are the practice's, not one supervisor's).
        row(201, 201, 201, 403, 403, 403, 404),
    ),
    (
        (
            "post",
            "/courses/{course_id}/registrations/{registration_id}/cancel",
            lambda w, x: f"/courses/{x.course.pk}/registrations/{x.registration.pk}/cancel",
            _no_body,
        ),
        row(200, 200, 200, 403, 403, 403, 404),
    ),
]


def test_every_api_operation_is_in_the_table() -> None:
    spec = ninja_api.get_openapi_schema()
    operations = {
        (method, path.removeprefix("/api/v1"))
        for path, item in spec["paths"].items()
        for method in item
    }
    assert operations == {(r[0][0], r[0][1]) for r in TABLE}


@pytest.mark.parametrize("role", ROLES)
def test_api_operation_per_role(world: World, api: Any, role: str) -> None:
    client = api(role)
    future = f.MeetingFactory(
        engagement=world.engagement, starts_at=tc.local(tc.workday_after(21), 9)
    )
    future.course = make_course(world.practice)
    future.registration = register(future.course, email="anmald@example.se")
    # A fourth member, so that one may leave and the group keeps its minimum size.
    future.leaver = f.GroupMembershipFactory(
        engagement=world.engagement, joined_on=world.engagement.start_date
    ).participant
    got = {}
    for (method, spec_path, path, body), _expected in TABLE:
        url = path(world, future)
        if method == "get":
            response = client.get(url)
        else:
            response = client.send(method, url, body(world, future))
        assert response.status_code < 500
        got[(method, spec_path)] = response.status_code
    assert got == {(r[0][0], r[0][1]): r[1][role] for r in TABLE}


def test_api_read_token_write_operations_are_403_for_everyone_in_practice(
    world: World, api: Any
) -> None:
    for role in ("admin", "supervisor"):
        client = api(role, scope="read")
        cancel = {"cancelled_by": "supervisor", "reason": "Sjuk"}
        assert client.post(f"/meetings/{world.meeting.pk}/cancel", cancel).status_code == 403
        assert (
            client.send("put", f"/meetings/{world.meeting.pk}/attendance", {"rows": []}).status_code
            == 403
        )
