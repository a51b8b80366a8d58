"""Who does what in the room, on their own login.

A member of the group chosen as conversation leader (collegial supervision: a trained colleague
leads) opens and drives the runner of that meeting while the run is going, and nothing else.
The case owner writes their takeaway themselves, into their own journal; no one writes it for
them, and a case owner without a login is told about on the runner. Those recorded absent are
in no round. A run started at the same moment from two browsers: one wins, the other is told.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from bollplank.core import clock
from bollplank.core.roles import Role
from bollplank.engagements.models import Participant
from bollplank.facilitation import services
from bollplank.facilitation.enums import RunStatus
from bollplank.facilitation.models import ConversationModel, Run
from bollplank.meetings.models import Attendance
from bollplank.records.models import JournalEntry, Summary
from tests import factories as f

P = "ekbacken"
JSON = {"Accept": "application/json"}


def _shipped(key: str = "reflecting-team-sv") -> ConversationModel:
    with scopes_disabled():
        return ConversationModel.shipped.get(key=key)


def _pia(world: Any) -> Participant:
    with scopes_disabled():
        return Participant.objects.get(user=world.participant_user)


def _nameless(world: Any) -> Participant:
    """The group's member without a login."""
    with scopes_disabled():
        return Participant.objects.get(memberships__engagement=world.engagement, user__isnull=True)


@pytest.fixture
def lena(world: Any) -> Any:
    """A trained colleague in the group, with her own login: she leads the conversation."""
    user = f.member(world.practice, Role.PARTICIPANT, name="Lena Ledare", email="lena@solbacka.se")
    with scopes_disabled():
        person = f.ParticipantFactory(
            practice=world.practice, user=user, name="Lena Ledare", email="lena@solbacka.se"
        )
        f.GroupMembershipFactory(engagement=world.engagement, participant=person)
    user.participant = person
    return user


def _start(world: Any, *, leader: Participant | None, owner: Participant | None, **kw: Any) -> Run:
    with scope(practice=world.practice):
        return services.run_start(
            actor=world.supervisor,
            meeting=kw.pop("meeting", world.meeting),
            model=kw.pop("model", _shipped()),
            case_owner_id=owner.pk if owner else None,
            leader_ids=[str(leader.pk)] if leader else ["supervisor"],
            **kw,
        )


def _url(name: str, world: Any, meeting: Any = None) -> str:
    return reverse(name, args=[P, (meeting or world.meeting).pk])


# --- a group member leads -------------------------------------------------------------------


def test_group_member_leader_opens_and_drives_the_runner_from_her_own_login(client, world, lena):
    run = _start(world, leader=lena.participant, owner=_pia(world))
    client.force_login(lena)
    page = client.get(_url("runner", world))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Presentation" in body
    assert "Samtalsledare: Lena Ledare" in body
    state = client.get(_url("run_state", world), headers=JSON)
    assert state.json()["state"]["version"] == run.version
    moved = client.post(
        _url("run_act", world), {"action": "next", "version": run.version}, headers=JSON
    )
    assert moved.status_code == 200
    assert moved.json()["state"]["step_index"] == 1
    with scopes_disabled():
        assert Run.objects.get().step_index == 1
    # Her start page takes her there.
    home = client.get(reverse("participant_home", args=[P])).content.decode()
    assert "Du leder Reflekterande team i Lärarlaget åk 4–6 nu." in home
    assert _url("runner", world) in home


def test_in_a_round_the_leader_keeps_time_and_does_not_speak(world, lena):
    run = _start(world, leader=lena.participant, owner=_pia(world))
    assert run.plan[3]["round"] == [_nameless(world).pk]


def test_a_member_who_does_not_lead_cannot_open_or_drive_the_runner(client, world, lena):
    run = _start(world, leader=lena.participant, owner=_pia(world))
    client.force_login(world.participant_user)  # Pia, the case owner, does not lead
    assert client.get(_url("runner", world)).status_code == 404
    assert client.get(_url("run_state", world), headers=JSON).status_code == 404
    posted = client.post(_url("run_act", world), {"action": "next", "version": run.version})
    assert posted.status_code == 404
    with scopes_disabled():
        assert Run.objects.get().step_index == 0
    # Nor does the leader start runs, or open the runner of another meeting of the group.
    client.force_login(lena)
    assert client.get(_url("run_start", world)).status_code == 403
    with scopes_disabled():
        other = f.MeetingFactory(engagement=world.engagement)
    assert client.get(_url("runner", world, other)).status_code == 404


def test_the_leader_lets_go_of_the_runner_when_the_run_is_finished(client, world, lena):
    run = _start(world, leader=lena.participant, owner=_pia(world))
    client.force_login(lena)
    done = client.post(
        _url("run_act", world), {"action": "finish", "version": run.version}, headers=JSON
    )
    assert done.json()["state"]["status"] == RunStatus.FINISHED
    # The screen reloads: the leader is taken back to the meeting and told where it goes on.
    page = client.get(_url("runner", world), follow=True)
    assert page.redirect_chain == [(reverse("meeting_detail", args=[P, world.meeting.pk]), 302)]
    assert "Samtalet är avslutat. Ärendeägaren skriver sin lärdom" in page.content.decode()
    # Polls and stale actions learn only that it is finished: no steps, no names.
    state = client.get(_url("run_state", world), headers=JSON).json()["state"]
    assert state == {"status": "finished", "version": 0}
    late = client.post(_url("run_act", world), {"action": "next", "version": 1}, headers=JSON)
    assert late.json()["state"] == {"status": "finished", "version": 0}
    with scope(practice=world.practice), pytest.raises(ValidationError) as exc:
        services.run_act(actor=lena, run=run, action="back", version=run.version + 1)
    assert exc.value.code == "not_leader"
    # The supervisor still sees the finished run's steps and times.
    client.force_login(world.supervisor)
    assert "Samtalet är avslutat." in client.get(_url("runner", world)).content.decode()


# --- absent ---------------------------------------------------------------------------------


def test_rounds_leave_out_those_recorded_absent(world, lena):
    with scopes_disabled():
        Attendance.objects.create(
            practice=world.practice,
            meeting=world.meeting,
            participant=_nameless(world),
            status="absent",
        )
    run = _start(world, leader=None, owner=None, model=_shipped("opening-round-sv"))
    rounds = [s["round"] for s in run.plan if s["speaker"] == "round"]
    assert rounds
    assert all(r == [lena.participant.pk, _pia(world).pk] for r in rounds)


@pytest.mark.parametrize("field", ["case_owner", "leader"])
def test_an_absent_leader_or_case_owner_is_refused_by_name(world, lena, field):
    with scopes_disabled():
        Attendance.objects.create(
            practice=world.practice,
            meeting=world.meeting,
            participant=lena.participant,
            status="late_cancelled",
        )
    people = {"leader": None, "owner": _pia(world)}
    people["leader" if field == "leader" else "owner"] = lena.participant
    with pytest.raises(ValidationError) as exc:
        _start(world, **people)
    assert exc.value.message_dict[field] == [
        "Lena Ledare är registrerad som frånvarande från träffen: välj någon som är här, "
        "eller ändra närvaron först."
    ]
    with scopes_disabled():
        assert not Run.objects.exists()


# --- the case owner's takeaway --------------------------------------------------------------


def _finished(world: Any, owner: Participant) -> Run:
    run = _start(world, leader=None, owner=owner)
    with scope(practice=world.practice):
        return services.run_act(actor=world.supervisor, run=run, action="finish", version=1)


def test_the_case_owner_writes_the_takeaway_into_her_own_journal(client, world):
    _finished(world, _pia(world))
    client.force_login(world.participant_user)
    home = client.get(reverse("participant_home", args=[P])).content.decode()
    assert "Skriv min lärdom" in home
    url = _url("run_takeaway", world)
    assert url in home
    page = client.get(url)
    assert page.status_code == 200
    assert "Bara du kan läsa detta." in page.content.decode()
    saved = client.post(url, {"takeaway": "Jag vågar fråga mer", "next_step": "Prova i morgon"})
    assert saved["Location"] == reverse("journal", args=[P])
    with scopes_disabled():
        entry = JournalEntry.objects.get()
        assert entry.author == world.participant_user
        assert "Lärdom: Jag vågar fråga mer" in entry.body
        assert "Nästa steg: Prova i morgon" in entry.body
        assert not Summary.objects.exists()
    journal = client.get(reverse("journal", args=[P])).content.decode()
    assert "Jag vågar fråga mer" in journal
    # Saved once; a second post (a double tap) adds nothing and says so.
    again = client.post(url, {"takeaway": "igen", "next_step": ""})
    assert again.status_code == 400
    assert "Din lärdom är redan sparad i din reflektionsdagbok." in again.content.decode()
    assert "Din lärdom från samtalet är sparad" in client.get(url).content.decode()
    with scopes_disabled():
        assert JournalEntry.objects.count() == 1
    assert (
        "Skriv min lärdom" not in client.get(reverse("participant_home", args=[P])).content.decode()
    )


def test_nothing_written_is_refused_and_hostile_text_is_escaped(client, world):
    _finished(world, _pia(world))
    client.force_login(world.participant_user)
    url = _url("run_takeaway", world)
    empty = client.post(url, {"takeaway": "  ", "next_step": ""})
    assert empty.status_code == 400
    assert "Skriv lärdomen eller nästa steg först." in empty.content.decode()
    with scopes_disabled():
        assert not JournalEntry.objects.exists()
    # Too long for the field: refused with everything typed kept, escaped.
    hostile = "<script>alert(1)</script>"
    too_long = client.post(url, {"takeaway": "", "next_step": hostile + "x" * 100_000})
    assert too_long.status_code == 400
    body = too_long.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert hostile not in body


def test_the_takeaway_goes_to_the_group_summary_only_when_she_chooses(client, world):
    _finished(world, _pia(world))
    with scope(practice=world.practice):
        Summary.objects.create(
            practice=world.practice,
            meeting=world.meeting,
            author=world.supervisor,
            body="Vi talade om raster.",
            published_at=clock.now(),
        )
    client.force_login(world.participant_user)
    client.post(
        _url("run_takeaway", world),
        {"takeaway": "Tydligare mål", "next_step": "", "to_summary": "on"},
    )
    with scopes_disabled():
        summary = Summary.objects.get(meeting=world.meeting)
        assert JournalEntry.objects.get().author == world.participant_user
    assert summary.body == "Vi talade om raster.\n\nPia Deltagare:\nLärdom: Tydligare mål"
    assert summary.published_at is not None  # stays as the supervisor left it
    assert summary.author == world.supervisor


def test_an_identity_number_in_the_summary_needs_her_confirmation(client, world):
    with scopes_disabled():
        world.meeting.focus = "case"
        world.meeting.save()
    _finished(world, _pia(world))
    client.force_login(world.participant_user)
    url = _url("run_takeaway", world)
    data = {"takeaway": "Eleven 19121212-1212 behöver stöd", "next_step": "", "to_summary": "on"}
    asked = client.post(url, data)
    assert asked.status_code == 400
    assert 'name="confirmed"' in asked.content.decode()
    assert "Eleven 19121212-1212 behöver stöd" in asked.content.decode()
    with scopes_disabled():
        assert not JournalEntry.objects.exists()
    assert client.post(url, {**data, "confirmed": "on"}).status_code == 302


def test_no_one_else_writes_into_her_journal(client, world, lena):
    _finished(world, _pia(world))
    url = _url("run_takeaway", world)
    client.force_login(world.supervisor)
    assert client.post(url, {"takeaway": "Skrivet åt henne"}).status_code == 403
    client.force_login(lena)
    assert client.post(url, {"takeaway": "Skrivet åt henne"}).status_code == 404
    with scope(practice=world.practice), pytest.raises(ValidationError) as exc:
        services.takeaway_save(
            actor=world.supervisor,
            run=Run.objects.get(),
            takeaway="Skrivet åt henne",
            next_step="",
            to_summary=False,
        )
    assert exc.value.code == "not_case_owner"
    with scopes_disabled():
        assert not JournalEntry.objects.exists()


def test_runner_shows_the_case_owner_where_to_write_at_the_last_step(client, world):
    run = _start(world, leader=None, owner=_pia(world))
    client.force_login(world.supervisor)
    first = client.get(_url("runner", world)).content.decode()
    assert (
        'id="takeaway-info" class="runner-takeaway card" aria-labelledby="takeaway-h" hidden'
        in (first)
    )
    with scope(practice=world.practice):
        for version in range(run.version, run.version + 4):
            run = services.run_act(actor=world.supervisor, run=run, action="next", version=version)
    last = client.get(_url("runner", world)).content.decode()
    assert "Ärendeägaren sammanfattar" in last
    assert 'aria-labelledby="takeaway-h">' in last
    assert "http://testserver" + _url("run_takeaway", world) in last
    assert "Pia Deltagare skriver sin lärdom och sitt nästa steg med egna ord" in last
    assert "<textarea" not in last  # no one writes it for her on the shared screen


def test_a_case_owner_without_a_login_is_said_so_on_the_runner(client, world):
    _finished(world, _nameless(world))
    client.force_login(world.supervisor)
    body = client.get(_url("runner", world)).content.decode()
    name = _nameless(world).name
    assert f"{name} har ingen inloggning i Bollplank" in body
    assert "<textarea" not in body
    client.force_login(world.participant_user)
    assert client.get(_url("run_takeaway", world)).status_code == 404


# --- two browsers start at once (PostgreSQL) ------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_browsers_start_the_same_meeting_at_once_one_wins_the_other_is_told(world):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL (SQLite serialises writers)")
    threads = 4
    barrier = threading.Barrier(threads)
    results: list[Any] = [None] * threads

    def work(i: int) -> None:
        try:
            barrier.wait()
            with scope(practice=world.practice):
                results[i] = services.run_start(
                    actor=world.supervisor,
                    meeting=world.meeting,
                    model=_shipped(),
                    case_owner_id=_pia(world).pk,
                    leader_ids=["supervisor"],
                    now=clock.now() - dt.timedelta(seconds=i),
                )
        except Exception as exc:  # noqa: BLE001  (asserted below)
            results[i] = exc
        finally:
            connections.close_all()

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join(60)
    won = [r for r in results if isinstance(r, Run)]
    told = [r for r in results if isinstance(r, ValidationError)]
    assert len(won) == 1, results
    assert len(told) == threads - 1, results
    assert {e.code for e in told} == {"already_started"}
    assert all("redan startad" in e.messages[0] for e in told)
    with scopes_disabled():
        assert Run.objects.filter(meeting=world.meeting).count() == 1


def test_the_runner_clock_is_never_stored(client, world, lena):
    """The state carries the server's time and the time left: a stored copy would put every
    screen's timer wrong."""
    import time as clock

    _start(world, leader=lena.participant, owner=_pia(world))
    client.force_login(lena)
    client.get(_url("runner", world))
    first = client.get(_url("run_state", world), headers=JSON)
    clock.sleep(0.01)
    second = client.get(_url("run_state", world), headers=JSON)
    assert "no-store" in second["Cache-Control"]
    assert "no-store" in client.get(_url("runner", world))["Cache-Control"]
    assert second.json()["state"]["server_now"] > first.json()["state"]["server_now"]
