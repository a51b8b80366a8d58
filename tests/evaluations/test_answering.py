"""Item 2: sending after a meeting or at a date, answering by link or start page, reminders,
anonymous or named, and every bad input the issue names."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from bollplank.core import clock
from bollplank.evaluations import services, tasks
from bollplank.evaluations.enums import Phase
from bollplank.evaluations.models import Answer, Invitation, Response, Round
from tests.evaluations.helpers import after_meeting, close, link_tokens, shipped

P = "ekbacken"


def _pia_invitation(world, rnd):
    with scopes_disabled():
        return Invitation.objects.select_related("round", "participant").get(
            round=rnd, participant__user=world.participant_user
        )


def _token(inv):
    return services.invitation_token(inv)


def _post_all(client, url, rnd, value="7"):
    with scopes_disabled():
        qs = list(rnd.questionnaire.questions.all())
    return client.post(url, {f"q{q.pk}": value for q in qs})


def test_after_meeting_check_mails_each_member_their_own_link(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        rnd = after_meeting(world)
    with scopes_disabled():
        invitations = list(Invitation.objects.filter(round=rnd))
    assert len(invitations) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(i.participant.email for i in invitations)
    tokens = link_tokens()
    assert len(set(tokens)) == 2
    assert sorted(tokens) == sorted(_token(i) for i in invitations)
    # Only the hash is stored.
    assert not any(t in (i.token_hash, i.nonce) for t in tokens for i in invitations)
    assert "anonyma" in mail.outbox[0].body


def test_after_meeting_check_sent_twice_is_refused(world):
    after_meeting(world)
    with pytest.raises(ValidationError, match="redan skickade"):
        after_meeting(world)


def test_meeting_page_sends_the_check(client, world):
    client.force_login(world.supervisor)
    response = client.post(reverse("meeting_check", args=[P, world.meeting.pk]), {"anonymous": "0"})
    assert response.status_code == 302
    with scopes_disabled():
        rnd = Round.objects.get(meeting=world.meeting)
        invited = rnd.invitations.count()
    assert (rnd.phase, rnd.anonymous, invited) == (Phase.AFTER_MEETING, False, 2)
    detail = client.get(reverse("meeting_detail", args=[P, world.meeting.pk])).content.decode()
    assert reverse("meeting_check", args=[P, world.meeting.pk]) in detail


def test_participant_is_told_anonymous_before_answering_and_answer_has_no_name(client, world):
    rnd = after_meeting(world, anonymous=True)
    url = reverse("evaluation_answer_link", args=[_token(_pia_invitation(world, rnd))])
    page = client.get(url).content.decode()
    assert page.index("Dina svar är anonyma") < page.index('<form method="post"')
    response = _post_all(client, url, rnd)
    assert response.status_code == 200
    assert "Tack" in response.content.decode()
    with scopes_disabled():
        r = Response.objects.get(round=rnd)
        assert r.participant_id is None
        assert sorted(Answer.objects.filter(response=r).values_list("number", flat=True)) == [7] * 4


def test_named_round_says_so_and_keeps_the_name(client, world):
    rnd = after_meeting(world, anonymous=False)
    inv = _pia_invitation(world, rnd)
    client.force_login(world.participant_user)
    url = reverse("evaluation_answer", args=[P, inv.pk])
    assert "Dina svar är namngivna" in client.get(url).content.decode()
    _post_all(client, url, rnd, "9")
    with scopes_disabled():
        assert Response.objects.get(round=rnd).participant_id == inv.participant_id


def test_start_page_lists_open_questionnaires_until_answered(client, world):
    rnd = after_meeting(world)
    inv = _pia_invitation(world, rnd)
    client.force_login(world.participant_user)
    home = reverse("participant_home", args=[P])
    answer = reverse("evaluation_answer", args=[P, inv.pk])
    assert answer in client.get(home).content.decode()
    _post_all(client, answer, rnd)
    assert answer not in client.get(home).content.decode()


def test_out_of_range_answer_is_refused_and_choices_are_kept(client, world):
    rnd = after_meeting(world)
    url = reverse("evaluation_answer_link", args=[_token(_pia_invitation(world, rnd))])
    with scopes_disabled():
        q1, q2, q3, q4 = rnd.questionnaire.questions.all()
    response = client.post(url, {f"q{q1.pk}": "11", f"q{q2.pk}": "6", f"q{q3.pk}": "-1"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Välj ett av de värden som visas." in page
    assert "Besvara frågan." in page  # q4 left out
    assert re.search(rf'name="q{q2.pk}" value="6"[^>]*checked', page)  # the choice is kept
    with scopes_disabled():
        assert Response.objects.count() == 0
        assert Invitation.objects.get(pk=_pia_invitation(world, rnd).pk).answered_at is None


def test_service_refuses_out_of_range_and_missing_answers(world):
    rnd = after_meeting(world)
    inv = _pia_invitation(world, rnd)
    with scopes_disabled():
        q1, q2, q3, q4 = rnd.questionnaire.questions.all()
    with scope(practice=world.practice), pytest.raises(ValidationError) as exc:
        services.response_submit(invitation=inv, user=None, data={q1.pk: 11, q2.pk: "x", q3.pk: 5})
    assert set(exc.value.message_dict) == {f"q{q1.pk}", f"q{q2.pk}", f"q{q4.pk}"}


def test_posted_twice_keeps_one_response(client, world):
    rnd = after_meeting(world)
    url = reverse("evaluation_answer_link", args=[_token(_pia_invitation(world, rnd))])
    assert _post_all(client, url, rnd).status_code == 200
    second = _post_all(client, url, rnd, "1")
    assert second.status_code == 409
    assert "redan svarat" in second.content.decode()
    with scopes_disabled():
        assert Response.objects.filter(round=rnd).count() == 1
        assert set(Answer.objects.values_list("number", flat=True)) == {7}


def test_link_after_deadline_is_refused(client, world):
    rnd = after_meeting(world)
    inv = _pia_invitation(world, rnd)
    close(rnd)
    response = _post_all(client, reverse("evaluation_answer_link", args=[_token(inv)]), rnd)
    assert response.status_code == 410
    assert "Tiden för att svara har gått ut." in response.content.decode()
    with scopes_disabled():
        assert Response.objects.count() == 0


def test_link_used_by_someone_else_is_refused(client, world):
    rnd = after_meeting(world)
    client.force_login(world.outsider_participant_user)
    response = _post_all(
        client, reverse("evaluation_answer_link", args=[_token(_pia_invitation(world, rnd))]), rnd
    )
    assert response.status_code == 403
    assert "skickades till någon annan" in response.content.decode()
    with scopes_disabled():
        assert Response.objects.count() == 0


def test_unknown_link_is_not_found(client, world):
    assert client.get(reverse("evaluation_answer_link", args=["0" * 64])).status_code == 404


def test_someone_elses_invitation_on_the_start_page_is_not_found(client, world):
    rnd = after_meeting(world)
    client.force_login(world.outsider_participant_user)
    url = reverse("evaluation_answer", args=[P, _pia_invitation(world, rnd).pk])
    assert client.get(url).status_code == 404


def test_planned_round_is_sent_by_the_task_on_its_day(world, django_capture_on_commit_callbacks):
    later = clock.now() + dt.timedelta(days=3)
    with scope(practice=world.practice):
        rnd = services.round_create(
            actor=world.supervisor,
            engagement=world.engagement,
            questionnaire=shipped("engagement-evaluation"),
            phase=Phase.MIDPOINT,
            anonymous=True,
            send_on=later,
            closes_at=later + dt.timedelta(days=7),
        )
    assert rnd.sent_at is None
    with scopes_disabled():
        assert rnd.invitations.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_round.call(practice_id=world.practice.pk, round_id=rnd.pk) == 2
    assert len(mail.outbox) == 2
    # The worker running it again sends nothing twice.
    assert tasks.send_round.call(practice_id=world.practice.pk, round_id=rnd.pk) == 0


def test_reminder_goes_once_to_those_who_have_not_answered(
    world, django_capture_on_commit_callbacks
):
    rnd = after_meeting(world)
    inv = _pia_invitation(world, rnd)
    with scope(practice=world.practice):
        qs = list(rnd.questionnaire.questions.all())
        services.response_submit(invitation=inv, user=None, data={q.pk: 5 for q in qs})
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.remind_round.call(practice_id=world.practice.pk, round_id=rnd.pk) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to != [world.participant_user.email]
    assert "Påminnelse" in mail.outbox[0].subject
    assert tasks.remind_round.call(practice_id=world.practice.pk, round_id=rnd.pk) == 0


def test_plan_form_end_before_start_keeps_input(client, world):
    client.force_login(world.supervisor)
    response = client.post(
        reverse("engagement_evaluations", args=[P, world.engagement.pk]),
        {
            "questionnaire": shipped("engagement-evaluation").pk,
            "phase": "midpoint",
            "anonymous": "1",
            "send_on": "2030-05-10",
            "closes_on": "2030-05-01",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="2030-05-10"' in page
    with scopes_disabled():
        assert Round.objects.count() == 0
