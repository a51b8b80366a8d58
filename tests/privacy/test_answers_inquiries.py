"""Issue 10, gap 1: evaluation answers and directory inquiries have export, erasure and
retention through the registry, and the practice's retention page and apply_retention show
them."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from bollplank.core import clock
from bollplank.core.personal_data_registry import category
from bollplank.directory.enums import InquiryStatus
from bollplank.directory.models import Inquiry, PracticePage
from bollplank.engagements.models import Participant
from bollplank.evaluations import selectors
from bollplank.evaluations.enums import Phase
from bollplank.evaluations.models import Answer, Invitation, Questionnaire, Response, Round
from bollplank.privacy import services


def _round(world, *, anonymous, closes_days_ago=1):
    now = clock.now()
    with scopes_disabled():
        return Round.objects.create(
            practice=world.practice,
            engagement=world.engagement,
            questionnaire=Questionnaire.shipped.get(key="engagement-evaluation"),
            phase=Phase.MIDPOINT,
            anonymous=anonymous,
            send_on=now - dt.timedelta(days=closes_days_ago + 7),
            closes_at=now - dt.timedelta(days=closes_days_ago),
            sent_at=now - dt.timedelta(days=closes_days_ago + 7),
            created_by=world.supervisor,
        )


def _answer(rnd, participant, number, text, *, named):
    """One person answers: the invitation records that they did; the response names them only
    in a named round (as services.response_submit does)."""
    with scopes_disabled():
        Invitation.objects.create(
            practice=rnd.practice,
            round=rnd,
            participant=participant,
            nonce=f"n{participant.pk}-{rnd.pk}",
            token_hash=f"h{participant.pk}-{rnd.pk}".ljust(64, "0"),
            answered_at=clock.now(),
        )
        response = Response.objects.create(
            practice=rnd.practice,
            round=rnd,
            participant=participant if named else None,
            submitted_on=clock.today(),
        )
        questions = list(rnd.questionnaire.questions.order_by("position"))
        numeric = next(q for q in questions if q.scale != "text")
        written = next(q for q in questions if q.scale == "text")
        Answer.objects.create(response=response, question=numeric, number=number)
        Answer.objects.create(response=response, question=written, text=text)
    return response, numeric


def _people(world):
    with scopes_disabled():
        pia = Participant.objects.get(user=world.participant_user, practice=world.practice)
        other = (
            (world.engagement.memberships.exclude(participant=pia).select_related("participant"))
            .first()
            .participant
        )
    return pia, other


def _means(rnd):
    with scope(practice=rnd.practice):
        (figures,) = selectors._figures([rnd])
    return figures


def test_export_gives_own_named_answers_only(world):
    pia, other = _people(world)
    named, anon = _round(world, anonymous=False), _round(world, anonymous=True)
    _answer(named, pia, 9, "Pias egna ord", named=True)
    _answer(named, other, 3, "Någon annans ord", named=True)
    _answer(anon, pia, 7, "Anonymt ord", named=False)
    data = services.person_export(actor=None, user=world.participant_user, confidential=False)
    rows = data["categories"]["evaluations.answers"]["rows"]
    text = str(rows)
    assert "Pias egna ord" in text
    assert "Någon annans ord" not in text and "Anonymt ord" not in text
    by_anonymity = {row["anonymous"]: row for row in rows}
    # The anonymous round: asked and answered, but the answers cannot be found (none stored).
    assert by_anonymity[True]["answered"] is not None
    assert by_anonymity[True]["answers"] == []
    assert [a["number"] for a in by_anonymity[False]["answers"]] == [9, None]


def test_erasure_makes_named_answers_anonymous_and_keeps_the_means(world):
    pia, other = _people(world)
    named, anon = _round(world, anonymous=False), _round(world, anonymous=True)
    mine, numeric = _answer(named, pia, 9, "Pias egna ord", named=True)
    _answer(named, other, 3, "Någon annans ord", named=True)
    _answer(anon, pia, 7, "Anonymt ord", named=False)
    before = _means(named)
    assert before.means[numeric.pk] == (6.0, 2)

    dry = services.person_erase(actor=None, user=world.participant_user, dry_run=True)
    assert dry["evaluations.answers"] == 1
    services.person_erase(actor=None, user=world.participant_user)

    with scopes_disabled():
        mine.refresh_from_db()
        assert mine.participant_id is None
        assert not mine.answers.exclude(text="").exists()
        # The other person's named answer and every anonymous answer are untouched.
        assert Response.objects.filter(participant=other).count() == 1
        assert Answer.objects.filter(text="Anonymt ord").count() == 1
        # The invitation stays for the response rate; its link no longer opens.
        inv = Invitation.objects.get(round=named, participant=pia)
        assert inv.answered_at is not None
        assert not inv.token_hash.startswith("h")
    after = _means(named)
    assert after.means[numeric.pk] == (6.0, 2)  # the numbers still count
    assert after.texts == ["Någon annans ord"]  # the erased person's words are gone


def test_answer_retention_dry_run_then_run_keeps_numbers(world):
    pia, other = _people(world)
    old = _round(world, anonymous=False, closes_days_ago=400)
    recent = _round(world, anonymous=False, closes_days_ago=5)
    _, numeric = _answer(old, pia, 8, "Gammalt ord", named=True)
    _answer(old, other, 4, "", named=True)
    _answer(recent, pia, 6, "Nytt ord", named=True)
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    # No rule yet: the dry run says the answers are kept, rather than leaving them out.
    assert "ekbacken evaluations.answers: kept until deleted by hand" in out.getvalue()
    services.retention_rules_set(
        actor=world.admin, practice=world.practice, days={"evaluations.answers": 365}
    )
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert "ekbacken evaluations.answers: 2 (kept 365 days)" in out.getvalue()
    assert "ekbacken evaluations.answers: kept until" not in out.getvalue()
    with scopes_disabled():
        assert Response.objects.filter(participant__isnull=False).count() == 3

    call_command("apply_retention", stdout=io.StringIO())
    with scopes_disabled():
        assert list(
            Response.objects.filter(participant__isnull=False).values_list("round", flat=True)
        ) == [recent.pk]
        assert not Answer.objects.filter(text="Gammalt ord").exists()
        assert Answer.objects.filter(text="Nytt ord").exists()
    assert _means(old).means[numeric.pk] == (6.0, 2)
    # Done once: the next run finds nothing more to do.
    lines = services.retention_apply(dry_run=True)
    assert [
        x.count
        for x in lines
        if x.category.key == "evaluations.answers" and x.practice == world.practice
    ] == [0]


def _inquiry(world, email="anna@kommun.se", status=InquiryStatus.NEW, days=0, practice=None):
    with scopes_disabled():
        q = Inquiry.objects.create(
            practice=practice or world.practice,
            status=status,
            sector="school",
            form="group",
            focus="process",
            place="video",
            rhythm="monthly",
            name="Anna Frågar",
            email=email,
            consented_at=clock.now(),
            source="x" * 64,
        )
        Inquiry.objects.filter(pk=q.pk).update(updated_at=clock.now() - dt.timedelta(days=days))
    return q


def test_inquiry_retention_is_the_page_setting_and_runs_nightly(client, world):
    stale = _inquiry(world, days=100)
    won = _inquiry(world, status=InquiryStatus.WON, days=100)
    fresh = _inquiry(world, days=10)
    foreign = _inquiry(world, days=100, practice=world.other_practice)
    cat = category("directory.inquiries")
    # One setting: the directory page's, 90 days unless changed.
    assert services.retention_days(world.practice, cat) == 90
    client.force_login(world.admin)
    url = reverse("privacy_retention", args=["ekbacken"])
    body = client.get(url).content.decode()
    assert "Förfrågningar" in body
    assert 'name="directory.inquiries"' in body and 'value="90"' in body
    # 3 days is below the least the directory allows.
    assert client.post(url, {"directory.inquiries": "3"}).status_code == 200
    assert client.post(url, {"directory.inquiries": "30"}).status_code == 302
    with scope(practice=world.practice):
        assert PracticePage.objects.get(practice=world.practice).retention_days == 30

    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert "ekbacken directory.inquiries: 1 (kept 30 days)" in out.getvalue()
    assert "annan directory.inquiries: 1 (kept 90 days)" in out.getvalue()
    call_command("apply_retention", stdout=io.StringIO())
    with scopes_disabled():
        left = set(Inquiry.objects.values_list("pk", flat=True))
    assert left == {won.pk, fresh.pk}
    assert stale.pk not in left and foreign.pk not in left


@pytest.mark.parametrize("key", ["evaluations.answers", "directory.inquiries"])
def test_processing_record_and_retention_page_list_the_new_kinds(client, world, key):
    from django.utils import translation
    from django.utils.text import capfirst

    client.force_login(world.admin)
    with translation.override("sv"):
        label = capfirst(str(category(key).label))
    for name in ("privacy_processing", "privacy_retention"):
        body = client.get(reverse(name, args=["ekbacken"])).content.decode()
        assert label in body, (name, label)
