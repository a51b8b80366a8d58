"""Every list page runs a fixed number of queries, whether it shows 1 row or 3.

The counts are literal so that a change that adds a query per row, or any query at all,
shows up here. Common to every practice page (BASE): the login session, the user, and the
practice with the person's roles in it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from bollplank.core import clock
from bollplank.core.roles import Role
from tests import factories as f

BASE = 3  # session, user, practice and roles
# A participant's menu asks whether they have an individual engagement to book in.
MENU_BOOKING = 1


def _practice_with(rows: int) -> dict[str, Any]:
    practice = f.PracticeFactory(slug="qc")
    admin = f.member(practice, Role.ADMIN)
    supervisor = f.member(practice, Role.SUPERVISOR)
    contact_user = f.member(practice, Role.CLIENT_CONTACT)
    participant_user = f.member(practice, Role.PARTICIPANT)
    client = None
    today = clock.today()
    # The participant is in every engagement, the contact at every client.
    shared = f.ParticipantFactory(practice=practice, user=participant_user)
    for i in range(rows):
        client = f.ClientFactory(practice=practice)
        f.ClientContactFactory(client=client, user=contact_user, email=f"c{i}@ex.se")
        engagement = f.EngagementFactory(
            practice=practice,
            client=client,
            supervisor=supervisor,
            start_date=today - dt.timedelta(days=30),
            end_date=today + dt.timedelta(days=200),
        )
        for participant in (shared, f.ParticipantFactory(practice=practice)):
            f.GroupMembershipFactory(
                engagement=engagement,
                participant=participant,
                joined_on=today - dt.timedelta(days=30),
            )
        start = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(10, 0), tzinfo=dt.UTC)
        start += dt.timedelta(hours=3 * i)
        f.MeetingFactory(
            engagement=engagement, starts_at=start, ends_at=start + dt.timedelta(hours=2)
        )
        past = start - dt.timedelta(days=7)
        f.MeetingFactory(
            engagement=engagement, starts_at=past, ends_at=past + dt.timedelta(hours=2)
        )
    return {
        "practice": practice,
        "admin": admin,
        "supervisor": supervisor,
        "contact": contact_user,
        "participant": participant_user,
        "client": client,
    }


# (url name, who, extra queries beyond BASE — and what they are)
PAGES = [
    ("dashboard", "supervisor", 3),  # week's meetings; first talks; engagements with quota
    # my memberships (the visibility rule); upcoming; recent; summaries; my case turns; open
    # questionnaires; runs I lead or have a takeaway in; the menu's booking check
    ("participant_home", "participant", 7 + MENU_BOOKING),
    ("calendar_week", "supervisor", 2),  # the week's meetings; first talks (booking)
    ("calendar_month", "supervisor", 2),  # the month's meetings; first talks (booking)
    # The week's meetings, each with its place in its engagement's schedule (the link to the
    # schedule's page that holds it) counted in the same query; no first talks for a client.
    ("calendar_week", "contact", 1),
    ("calendar_month", "contact", 1),  # the same for the month
    ("client_list", "supervisor", 1),  # clients with engagement counts
    ("engagement_list", "admin", 1),  # engagements with client, supervisor, quota
    ("meeting_list", "supervisor", 2),  # count for the paginator; the page
    ("people", "admin", 3),  # users; their memberships; pending invitations
    ("feed_settings", "participant", 1 + MENU_BOOKING),  # the active feed; the menu's booking check
]


@pytest.mark.parametrize("rows", [1, 3])
@pytest.mark.parametrize(("name", "who", "extra"), PAGES, ids=[p[0] for p in PAGES])
def test_list_page_query_count(client, db, django_assert_num_queries, rows, name, who, extra):
    data = _practice_with(rows)
    client.force_login(data[who])
    url = reverse(name, args=["qc"])
    with django_assert_num_queries(BASE + extra):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("when", ["past", "upcoming"])
def test_the_meeting_list_counts_without_joins(client, db, when):
    """The pager's count is over the meetings alone: with the rows' joins it hashed every
    engagement of the practice, and grew with the practice (bench: meeting_list, large)."""
    data = _practice_with(3)
    client.force_login(data["supervisor"])
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("meeting_list", args=["qc"]) + f"?when={when}")
    assert response.status_code == 200
    assert len(response.context["rows"]) == response.context["page"].paginator.count == 3
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"]]
    assert len(counts) == 1
    assert "JOIN" not in counts[0]


@pytest.mark.parametrize("rows", [1, 3])
def test_client_home_query_count(client, db, django_assert_num_queries, rows):
    # The engagements; their meetings counted (quota, late cancellations), grouped in one
    # query; the next meetings of them all; the term's attendance totals; the client's invoices
    # with their clients. None per engagement or per meeting.
    data = _practice_with(rows)
    client.force_login(data["contact"])
    with django_assert_num_queries(BASE + 5):
        response = client.get(reverse("client_home", args=["qc"]))
    assert response.status_code == 200
    assert len(response.context["engagements"]) == rows


@pytest.mark.parametrize("rows", [2, 5])
def test_client_schedule_query_count(client, db, django_assert_num_queries, rows):
    data = _practice_with(1)  # an engagement with two meetings, one held and one ahead
    with scopes_disabled():
        from bollplank.engagements.models import Engagement

        engagement = Engagement.objects.get(practice=data["practice"])
        start = engagement.meetings.order_by("starts_at").last().starts_at
        for i in range(rows - 2):
            f.MeetingFactory(
                engagement=engagement,
                starts_at=start + dt.timedelta(days=7 * (i + 1)),
                ends_at=start + dt.timedelta(days=7 * (i + 1), hours=2),
            )
    client.force_login(data["contact"])
    # the engagement; the pager's count; the page's meetings with their attendance counts
    with django_assert_num_queries(BASE + 3):
        response = client.get(reverse("client_schedule", args=["qc", engagement.pk]))
    assert response.status_code == 200
    assert len(response.context["rows"]) == rows


@pytest.mark.parametrize("rows", [1, 3])
def test_client_detail_query_count(client, db, django_assert_num_queries, rows):
    data = _practice_with(rows)
    client.force_login(data["supervisor"])
    # client; engagements with quota; contacts; their latest invitations
    with django_assert_num_queries(BASE + 4):
        response = client.get(reverse("client_detail", args=["qc", data["client"].pk]))
    assert response.status_code == 200


def _room_with(rows: int) -> dict[str, Any]:
    """One engagement whose meeting has ``rows`` notes, questions sent in, and journal entries."""
    from django_scopes import scope

    from bollplank.records import services as records

    data = _practice_with(1)
    practice, supervisor, user = data["practice"], data["supervisor"], data["participant"]
    with scopes_disabled():
        from bollplank.engagements.models import Engagement, Participant
        from bollplank.meetings.models import Meeting

        engagement = Engagement.objects.get(practice=practice)
        meeting = Meeting.objects.filter(engagement=engagement).order_by("-starts_at").first()
        participant = Participant.objects.get(practice=practice, user=user)
    with scope(practice=practice):
        for i in range(rows):
            records.note_create(
                actor=supervisor, engagement=engagement, meeting=meeting, body=f"Anteckning {i}"
            )
            records.submission_create(
                actor=user,
                meeting=meeting,
                participant=participant,
                body=f"Fråga {i}",
                visibility="group",
                now=meeting.starts_at - dt.timedelta(days=2),
            )
            records.journal_write(actor=user, practice=practice, body=f"Dagbok {i}")
            records.notes_read(actor=supervisor, notes=[], action="read", engagement=engagement)
    return {**data, "engagement": engagement, "meeting": meeting}


# Writing an audit event: savepoint, event, its subjects, release. No lock and no read of
# the chain: the task worker seals events into the chain afterwards.
AUDIT = 4


# (url name, who, its argument, extra queries beyond BASE — and what they are)
ROOM_PAGES = [
    # meeting; notes; people concerned (the audit subjects); the audited read
    ("meeting_notes", "supervisor", "meeting", 3 + AUDIT),
    # meeting; the questions with their senders; the audited listing
    ("meeting_agenda", "supervisor", "meeting", 2 + AUDIT),
    # notes of the supervisor (the search page lists the count only)
    ("notes_search", "supervisor", None, 1),
    # the participant's meetings for the choice; the entries; the menu's booking check
    ("journal", "participant", None, 2 + MENU_BOOKING),
    # count for the paginator; the page; the engagements the events name (one read per kind)
    ("audit_log", "admin", None, 3),
    # count for the paginator; the page; the menu's booking check
    ("access_log", "participant", None, 2 + MENU_BOOKING),
]


@pytest.mark.parametrize("rows", [1, 3])
@pytest.mark.parametrize(
    ("name", "who", "arg", "extra"), ROOM_PAGES, ids=[p[0] for p in ROOM_PAGES]
)
def test_protected_room_page_query_count(
    client, db, django_assert_num_queries, rows, name, who, arg, extra
):
    data = _room_with(rows)
    client.force_login(data[who])
    args = ["qc"] + ([data[arg].pk] if arg else [])
    with django_assert_num_queries(BASE + extra):
        response = client.get(reverse(name, args=args))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 3])
def test_engagement_detail_query_count(client, db, django_assert_num_queries, rows):
    data = _practice_with(1)
    with scopes_disabled():
        from bollplank.engagements.models import Engagement

        engagement = Engagement.objects.get(practice=data["practice"])
    for i in range(rows):
        start = dt.datetime(2026, 2, 2, 9, tzinfo=dt.UTC) + dt.timedelta(days=7 * i)
        f.MeetingFactory(
            engagement=engagement, starts_at=start, ends_at=start + dt.timedelta(hours=2)
        )
    client.force_login(data["supervisor"])
    # engagement with quota; its memberships; the participants' latest invitations; its
    # meetings with attendance counts
    with django_assert_num_queries(BASE + 4):
        response = client.get(reverse("engagement_detail", args=["qc", engagement.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 3])
def test_engagement_people_query_count(client, db, django_assert_num_queries, rows):
    """The group list with each person's invitation status: one query for all invitations,
    however many people have been invited how many times."""
    from django_scopes import scope

    from bollplank.accounts.services import invitation_create
    from bollplank.engagements.models import Engagement

    data = _practice_with(1)
    with scopes_disabled():
        engagement = Engagement.objects.get(practice=data["practice"])
    with scope(practice=data["practice"]):
        for i in range(rows):
            person = f.ParticipantFactory(practice=data["practice"], email=f"p{i}@ex.se")
            f.GroupMembershipFactory(engagement=engagement, participant=person)
            for _ in range(2):
                invitation_create(
                    actor=data["supervisor"],
                    practice=data["practice"],
                    email=person.email,
                    name=person.name,
                    role=Role.PARTICIPANT,
                    participant=person,
                )
    client.force_login(data["supervisor"])
    # engagement with quota; its memberships; the participants' latest invitations; its
    # meetings with attendance counts
    with django_assert_num_queries(BASE + 4):
        response = client.get(reverse("engagement_detail", args=["qc", engagement.pk]))
    statuses = [m.invitation.status for m in response.context["active_members"]]
    assert sorted(statuses) == sorted(["accepted", "not_invited"] + ["invited"] * rows)
