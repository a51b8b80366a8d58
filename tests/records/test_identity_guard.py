"""The identity-number guard runs on every free text that can hold a case, whatever the
meeting's focus: notes, summaries, questions, journal, takeaways, evaluation answers, goal
comments, inquiries and the answers to them. Each is posted with a personal identity number
in three spellings; each gets the warning with its confirmation, keeps the text, stores
nothing, and is saved once confirmed."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from bollplank.core import clock
from bollplank.directory.models import Inquiry, InquiryReply
from bollplank.directory.spam import form_token
from bollplank.engagements.enums import Focus
from bollplank.evaluations import services as evaluations
from bollplank.evaluations.enums import SCALE_RANGE, Scale
from bollplank.evaluations.models import Answer, GoalProgress, Invitation
from bollplank.facilitation import services as facilitation
from bollplank.facilitation.models import ConversationModel
from bollplank.records import crypto
from bollplank.records.models import JournalEntry, PrivateNote, Submission, Summary
from tests import factories as f
from tests import timecontrol as tc
from tests.directory.helpers import inquiry, publish
from tests.evaluations.helpers import evaluation_round

P = "ekbacken"
NUMBERS = ["19121212-1212", "121212-1212", "20121212+1212"]
WARNING = "ser ut som ett personnummer"


@pytest.fixture(autouse=True)
def _own_keys(monkeypatch):
    monkeypatch.setenv("BOLLPLANK_NOTE_KEYS", Fernet.generate_key().decode())
    crypto.reset()
    yield
    crypto.reset()


@pytest.fixture
def process_world(world):
    """The guard used to look at case-focused meetings only: here everything is process."""
    with scopes_disabled():
        world.engagement.focus = Focus.PROCESS
        world.engagement.save()
        world.meeting.focus = Focus.PROCESS
        world.meeting.save()
    return world


def _asked(response: Any, text: str, confirm: str = "confirmed") -> None:
    body = response.content.decode()
    assert response.status_code == 400
    assert WARNING in body
    assert f'name="{confirm}"' in body
    assert text in body  # nothing the writer typed is lost


def _count(model: Any) -> int:
    with scopes_disabled():
        return model.objects.count()


def _check(client, url: str, data: dict[str, str], text: str, model: Any) -> None:
    before = _count(model)
    _asked(client.post(url, data), text)
    assert _count(model) == before
    confirmed = client.post(url, {**data, "confirmed": "on"})
    assert confirmed.status_code in (200, 302)
    assert _count(model) == before + 1


@pytest.mark.parametrize("number", NUMBERS)
def test_private_note_on_a_process_meeting_is_guarded(client, process_world, number):
    w = process_world
    client.force_login(w.supervisor)
    text = f"Klienten {number} berättade"
    _check(
        client,
        reverse("meeting_notes", args=[P, w.meeting.pk]),
        {"body": text},
        text,
        PrivateNote,
    )
    _check(
        client,
        reverse("engagement_notes", args=[P, w.engagement.pk]),
        {"body": text},
        text,
        PrivateNote,
    )


@pytest.mark.parametrize("number", NUMBERS)
def test_published_summary_is_guarded(client, process_world, number):
    w = process_world
    client.force_login(w.supervisor)
    text = f"Gruppen talade om {number}"
    url = reverse("meeting_summary", args=[P, w.meeting.pk])
    _check(client, url, {"body": text, "action": "publish"}, text, Summary)


@pytest.mark.parametrize("number", NUMBERS)
def test_question_sent_in_is_guarded(client, process_world, number):
    w = process_world
    ahead = f.MeetingFactory(
        engagement=w.engagement, starts_at=tc.local(tc.workday_after(10), 9), focus=Focus.PROCESS
    )
    client.force_login(w.participant_user)
    text = f"Hur gör vi med eleven {number}?"
    url = reverse("meeting_submit", args=[P, ahead.pk])
    _check(client, url, {"body": text, "visibility": "supervisor"}, text, Submission)


@pytest.mark.parametrize("number", NUMBERS)
def test_journal_entry_is_guarded(client, process_world, number):
    w = process_world
    client.force_login(w.participant_user)
    text = f"Jag tänker på {number}"
    _check(client, reverse("journal", args=[P]), {"body": text}, text, JournalEntry)


@pytest.mark.parametrize("number", NUMBERS)
def test_takeaway_kept_in_the_journal_only_is_guarded(client, process_world, number):
    w = process_world
    with scopes_disabled():
        pia = w.participant_user.participations.get()
        model = ConversationModel.shipped.order_by("pk").first()
    with scope(practice=w.practice):
        run = facilitation.run_start(
            actor=w.supervisor,
            meeting=w.meeting,
            model=model,
            case_owner_id=pia.pk,
            leader_ids=["supervisor"],
        )
        facilitation.run_act(actor=w.supervisor, run=run, action="finish", version=1)
    client.force_login(w.participant_user)
    text = f"Eleven {number} behöver stöd"
    url = reverse("run_takeaway", args=[P, w.meeting.pk])
    _check(client, url, {"takeaway": text, "next_step": ""}, text, JournalEntry)


@pytest.mark.parametrize("number", NUMBERS)
def test_evaluation_free_text_is_guarded(client, process_world, number):
    w = process_world
    rnd = evaluation_round(w, w.engagement)
    with scopes_disabled():
        inv = Invitation.objects.get(round=rnd, participant__user=w.participant_user)
        questions = list(rnd.questionnaire.questions.all())
    free = next(q for q in questions if q.scale == Scale.TEXT)
    text = f"Det gällde {number}"
    data = {
        f"q{q.pk}": "" if q.scale == Scale.TEXT else str(SCALE_RANGE[Scale(q.scale)][1])
        for q in questions
    }
    data[f"q{free.pk}"] = text
    client.force_login(w.participant_user)
    url = reverse("evaluation_answer", args=[P, inv.pk])
    _asked(client.post(url, data), text)
    assert _count(Answer) == 0
    assert client.post(url, {**data, "confirmed": "on"}).status_code == 200
    with scopes_disabled():
        assert Answer.objects.get(question=free).text == text


@pytest.mark.parametrize("number", NUMBERS)
def test_inquiry_message_is_guarded(client, world, number):
    publish(world.practice)
    text = f"Vi har en elev, {number}, som vi behöver handledning kring."
    data = {
        "organization": "Solbacka skola",
        "sector": "school",
        "form": "group",
        "group_size": "6",
        "focus": "process",
        "place": "client",
        "city": "Stockholm",
        "language": "sv",
        "wished_start": "",
        "rhythm": "biweekly",
        "message": text,
        "name": "Rut Rektor",
        "email": "rut@solbacka.se",
        "phone": "08-123 45",
        "consent": "on",
        "website": "",
        "shown": form_token(clock.timestamp() - 10),
    }
    url = reverse("directory_inquiry", args=[P])
    _check(client, url, data, text, Inquiry)


def test_text_without_a_number_asks_nothing(client, process_world):
    client.force_login(process_world.participant_user)
    response = client.post(reverse("journal", args=[P]), {"body": "Telefon 070-123 45 67"})
    assert response.status_code == 302
    assert _count(JournalEntry) == 1


@pytest.mark.parametrize("number", NUMBERS)
def test_goal_progress_comment_is_guarded(client, process_world, number):
    w = process_world
    with scope(practice=w.practice):
        goal = evaluations.goal_create(
            actor=w.supervisor, engagement=w.engagement, title="Mindre stress i laget"
        )
    client.force_login(w.participant_user)
    text = f"Samtal med {number}"
    data = {"goal": goal.pk, f"g{goal.pk}-rating": "6", f"g{goal.pk}-comment": text}
    url = reverse("my_goals", args=[P])
    before = _count(GoalProgress)
    _asked(client.post(url, data), text, confirm=f"g{goal.pk}-confirmed")
    assert _count(GoalProgress) == before
    assert client.post(url, {**data, f"g{goal.pk}-confirmed": "on"}).status_code == 302
    assert _count(GoalProgress) == before + 1


@pytest.mark.parametrize("number", NUMBERS)
def test_answer_to_an_inquiry_is_guarded(client, world, number):
    q = inquiry(world.practice)
    client.force_login(world.admin)
    text = f"Gäller det {number}? Skriv inte personnummer här."
    url = reverse("inquiry_detail", args=[P, q.pk])
    _check(client, url, {"action": "reply", "body": text}, text, InquiryReply)
