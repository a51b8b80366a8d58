"""The API's endpoints: same visibility and rules as the screens, bad input refused clearly."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django_scopes import scopes_disabled

from bollplank.meetings.models import Meeting
from tests import factories as f
from tests import timecontrol as tc
from tests.conftest import World


def _ahead(days: int = 0) -> str:
    """A working day two weeks ahead (``days`` after it), as an ISO date."""
    return str(tc.workday_after(14) + dt.timedelta(days=days))


def test_meetings_list_per_role(world: World, api: Any) -> None:
    expected = {
        "admin": [world.meeting.pk],
        "supervisor": [world.meeting.pk],
        "other_supervisor": [],
        "contact": [world.meeting.pk],
        "participant": [world.meeting.pk],
        "outsider": [],
        "foreign": [world.foreign_meeting.pk],
    }
    for role, ids in expected.items():
        body = api(role).get("/meetings/").json()
        assert [m["id"] for m in body["items"]] == ids, role
        assert body["count"] == len(ids)


def test_meeting_location_hidden_from_client_contact(world: World, api: Any) -> None:
    assert api("contact").get(f"/meetings/{world.meeting.pk}").json()["location"] is None
    assert api("participant").get(f"/meetings/{world.meeting.pk}").json()["location"] == (
        "Storgatan 1, Uppsala"
    )


def test_meeting_of_another_practice_is_404(world: World, api: Any) -> None:
    foreign = api("foreign")
    assert foreign.get(f"/meetings/{world.meeting.pk}").status_code == 404
    assert (
        foreign.post(
            f"/meetings/{world.meeting.pk}/cancel",
            {"cancelled_by": "supervisor", "reason": "Sjukdom"},
        ).status_code
        == 404
    )
    assert foreign.get(f"/clients/{world.client.pk}").status_code == 404
    assert foreign.get(f"/engagements/{world.engagement.pk}").status_code == 404


@pytest.mark.parametrize("limit", [0, -1, 10**9, "x"])
def test_meetings_page_size_out_of_range_is_422(world: World, api: Any, limit: Any) -> None:
    response = api("admin").get("/meetings/", limit=limit)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "limit"]


def test_meetings_paging_and_filters(world: World, api: Any) -> None:
    # Weekly after the world's meeting (the 10th of a month), each at 08:00 UTC.
    held = tc.past_meeting_day()
    later = [
        f.MeetingFactory(
            engagement=world.engagement,
            starts_at=dt.datetime.combine(held + dt.timedelta(days=days), dt.time(8), dt.UTC),
        )
        for days in (28, 35, 42)
    ]
    admin = api("admin")
    first = admin.get("/meetings/", limit=2, engagement=world.engagement.pk).json()
    assert (first["count"], [m["id"] for m in first["items"]]) == (
        4,
        [world.meeting.pk, later[0].pk],
    )
    second = admin.get("/meetings/", limit=2, offset=2, engagement=world.engagement.pk).json()
    assert [m["id"] for m in second["items"]] == [later[1].pk, later[2].pk]
    # Another zone: 10:00+02:00 is 08:00 UTC, the start of the second of them.
    second_day = held + dt.timedelta(days=35)
    window = admin.get(
        "/meetings/",
        starts_after=f"{second_day}T10:00:00+02:00",
        starts_before=f"{second_day + dt.timedelta(days=1)}T00:00Z",
    ).json()
    assert [m["id"] for m in window["items"]] == [later[1].pk]


@pytest.mark.parametrize("value", ["2026-04-14", "14/04/2026 10:00", "2026-04-14T10:00:00"])
def test_meetings_filter_needs_time_with_zone(world: World, api: Any, value: str) -> None:
    response = api("admin").get("/meetings/", starts_after=value)
    assert response.status_code == 422


def _count_meetings() -> int:
    with scopes_disabled():
        return Meeting.objects.count()


def test_meeting_create_in_other_zone_is_stored_in_utc(world: World, api: Any) -> None:
    before = _count_meetings()
    response = api("supervisor").post(
        "/meetings/",
        {"engagement_id": world.engagement.pk, "starts_at": f"{_ahead()}T08:00:00Z"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["starts_at"] == f"{_ahead()}T08:00:00Z"
    assert body["ends_at"] == f"{_ahead()}T10:00:00Z"
    assert _count_meetings() == before + 1
    with scopes_disabled():
        meeting = Meeting.objects.get(pk=body["id"])
    assert meeting.starts_at == dt.datetime.fromisoformat(f"{_ahead()}T08:00:00+00:00")


def test_meeting_create_double_booking_is_400_with_message(world: World, api: Any) -> None:
    supervisor = api("supervisor")
    body = {"engagement_id": world.engagement.pk, "starts_at": f"{_ahead()}T09:00:00+01:00"}
    assert supervisor.post("/meetings/", body).status_code == 201
    response = supervisor.post("/meetings/", body)
    assert response.status_code == 400
    assert "__all__" in response.json()["detail"]


def test_meeting_create_past_the_order_needs_over_order_ok(world: World, api: Any) -> None:
    with scopes_disabled():
        world.engagement.meetings_ordered = 1  # the world's meeting is the one ordered
        world.engagement.save()
    supervisor = api("supervisor")
    body = {"engagement_id": world.engagement.pk, "starts_at": f"{_ahead()}T09:00:00+01:00"}
    refused = supervisor.post("/meetings/", body)
    assert refused.status_code == 400
    assert "2 träffar av 1 beställda" in str(refused.json()["detail"])
    assert _count_meetings_of(world) == 1
    assert supervisor.post("/meetings/", {**body, "over_order_ok": True}).status_code == 201
    assert _count_meetings_of(world) == 2


def _count_meetings_of(world: World) -> int:
    with scopes_disabled():
        return Meeting.objects.filter(engagement=world.engagement).count()


def test_meeting_create_unknown_field_refused(world: World, api: Any) -> None:
    before = _count_meetings()
    response = api("supervisor").post(
        "/meetings/",
        {
            "engagement_id": world.engagement.pk,
            "starts_at": f"{_ahead()}T09:00:00+01:00",
            "minuts": 90,
        },
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "extra_forbidden"
    assert _count_meetings() == before


def test_meeting_create_malformed_json_is_4xx_not_500(world: World, api: Any) -> None:
    before = _count_meetings()
    for raw in ['{"engagement_id": 1,', "not json", "[]", "null"]:
        response = api("supervisor").post("/meetings/", raw=raw)
        assert response.status_code in (400, 422), (raw, response.status_code)
    assert _count_meetings() == before


@pytest.mark.parametrize(
    "starts_at", ["2030-12-08T09:00:00", "08/12/2030 09:00", "9999-12-31T23:59:59+14:00"]
)
def test_meeting_create_bad_time_refused(world: World, api: Any, starts_at: str) -> None:
    response = api("supervisor").post(
        "/meetings/", {"engagement_id": world.engagement.pk, "starts_at": starts_at}
    )
    assert response.status_code == 422


def test_meeting_create_by_participant_or_contact_is_403(world: World, api: Any) -> None:
    body = {"engagement_id": world.engagement.pk, "starts_at": f"{_ahead()}T09:00:00+01:00"}
    for role in ("participant", "contact"):
        assert api(role).post("/meetings/", body).status_code == 403
    assert api("other_supervisor").post("/meetings/", body).status_code == 404
    assert api("foreign").post("/meetings/", body).status_code == 404


def test_meeting_move_keeps_uid_and_raises_sequence(world: World, api: Any) -> None:
    supervisor = api("supervisor")
    created = supervisor.post(
        "/meetings/", {"engagement_id": world.engagement.pk, "starts_at": f"{_ahead()}T09:00+01:00"}
    ).json()
    moved = supervisor.post(
        f"/meetings/{created['id']}/move", {"starts_at": f"{_ahead(1)}T13:00+01:00", "minutes": 90}
    ).json()
    assert (moved["uid"], moved["sequence"]) == (created["uid"], created["sequence"] + 1)
    assert (moved["starts_at"], moved["ends_at"]) == (
        f"{_ahead(1)}T12:00:00Z",
        f"{_ahead(1)}T13:30:00Z",
    )
    cancelled = supervisor.post(
        f"/meetings/{created['id']}/cancel", {"cancelled_by": "supervisor", "reason": "Sjukdom"}
    )
    assert cancelled.json()["status"] == "cancelled"
    again = supervisor.post(
        f"/meetings/{created['id']}/cancel", {"cancelled_by": "supervisor", "reason": "Sjukdom"}
    )
    assert again.status_code == 400


def test_attendance_read_and_write(world: World, api: Any) -> None:
    admin = api("admin")
    rows = admin.get(f"/meetings/{world.meeting.pk}/attendance").json()
    assert sorted(r["status"] for r in rows) == ["", ""]
    pia = next(r for r in rows if r["name"] == "Pia Deltagare")
    response = admin.send(
        "put",
        f"/meetings/{world.meeting.pk}/attendance",
        {"rows": [{"participant_id": pia["participant_id"], "status": "present"}]},
    )
    assert response.status_code == 200
    assert {r["name"]: r["status"] for r in response.json()}["Pia Deltagare"] == "present"
    assert api("contact").get(f"/meetings/{world.meeting.pk}/attendance").status_code == 403
    assert api("participant").get(f"/meetings/{world.meeting.pk}/attendance").status_code == 403


def test_clients_and_engagements_per_role(world: World, api: Any) -> None:
    assert [c["name"] for c in api("contact").get("/clients/").json()["items"]] == [
        "Solbacka skola"
    ]
    assert api("participant").get("/clients/").json()["items"] == []
    titles = [e["title"] for e in api("participant").get("/engagements/").json()["items"]]
    assert titles == ["Lärarlaget åk 4–6"]
    members = api("supervisor").get(f"/engagements/{world.engagement.pk}/participants").json()
    assert "Pia Deltagare" in [m["name"] for m in members]
    assert api("contact").get(f"/engagements/{world.engagement.pk}/participants").status_code == 403


def test_invoices_empty_for_participant(world: World, api: Any) -> None:
    assert api("participant").get("/invoices/").json()["items"] == []
    assert api("admin").get("/invoices/999").status_code == 404


def test_openapi_spec_and_local_docs(world: World, client: Any) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["info"]["title"] == "Bollplank API"
    assert "/api/v1/meetings/" in spec["paths"]
    paths = " ".join(spec["paths"])
    for secret_thing in ("note", "journal", "submission", "question"):
        assert secret_thing not in paths
    docs = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in docs
    assert "cdn" not in docs.lower()


def test_courses_and_registrations(world: World, api: Any) -> None:
    from tests.courses.conftest import make_course, register

    published = make_course(world.practice)
    draft = make_course(world.practice, published=False, title="Utkast")
    register(published)
    staff = api("supervisor").get("/courses/").json()
    assert {c["id"] for c in staff["items"]} == {published.pk, draft.pk}
    outside = api("participant").get("/courses/").json()
    assert [c["id"] for c in outside["items"]] == [published.pk]
    assert api("participant").get(f"/courses/{draft.pk}").status_code == 404
    rows = api("admin").get(f"/courses/{published.pk}/registrations").json()
    assert [(r["name"], r["status"]) for r in rows] == [("Karin Kursdeltagare", "confirmed")]
    assert "dietary_needs" not in rows[0]
    assert api("foreign").get(f"/courses/{published.pk}").status_code == 404
