"""Item 1: shipped questionnaires in our own words, the builder, and licensed-instrument slots."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django_scopes import scope, scopes_disabled

from bollplank.core import clock
from bollplank.evaluations import services
from bollplank.evaluations.enums import Kind, Scale
from bollplank.evaluations.models import Question, Questionnaire
from bollplank.evaluations.shipped import SHIPPED
from tests.evaluations.helpers import shipped

P = "ekbacken"


def test_shipped_after_meeting_check_has_four_line_questions_in_both_languages(db):
    q = shipped("after-meeting")
    questions = list(q.questions.all())
    assert [x.scale for x in questions] == [Scale.LINE10] * 4
    assert all(x.text_sv and x.text_en for x in questions)
    with translation.override("en"):
        assert questions[0].text == "Was I listened to today?"
        assert q.name == "After the meeting"
    with translation.override("sv"):
        assert questions[0].text == "Blev jag lyssnad på i dag?"


def test_shipped_evaluation_is_organized_by_the_three_functions(db):
    q = shipped("engagement-evaluation")
    titles = [s.title_en for s in q.sections.all()]
    assert titles == ["Learning", "Support", "The work's standards", "Overall"]
    functions = {x.function for x in q.questions.all() if x.function}
    assert functions == {"learning", "support", "standards"}
    assert {x.scale for x in q.questions.all()} == {"agree5", "line10", "yesno", "text"}


def test_no_licensed_instrument_text_ships(db):
    names = " ".join(str(item) for item in SHIPPED).lower()
    for word in ("mcss", "outcome rating", "session rating", "ors", "srs"):
        assert f" {word} " not in f" {names} "
    with scopes_disabled():
        assert not Questionnaire.shipped.filter(kind=Kind.LICENSED).exists()


def test_licensed_instrument_refused_without_a_licence(world):
    with scope(practice=world.practice), pytest.raises(ValidationError) as exc:
        services.questionnaire_create(
            actor=world.admin,
            practice=world.practice,
            kind=Kind.LICENSED,
            name_sv="MCSS-26",
            instrument="mcss26",
        )
    assert set(exc.value.message_dict) == {
        "licence_holder",
        "licence_reference",
        "licence_valid_until",
    }
    with scopes_disabled():
        assert Questionnaire.objects.filter(practice=world.practice).count() == 0


def test_licensed_instrument_entered_after_recording_licence_and_expiry_stops_sending(world):
    with scope(practice=world.practice):
        q = services.questionnaire_create(
            actor=world.admin,
            practice=world.practice,
            kind=Kind.LICENSED,
            name_sv="MCSS-26",
            instrument="mcss26",
            licence_holder="Ekbacken AB",
            licence_reference="Avtal 2026-14",
            licence_valid_until=clock.today() + dt.timedelta(days=30),
        )
        services.question_add(actor=world.admin, questionnaire=q, scale="agree5", text_sv="Fråga 1")
        services.check_sendable(q)
        Questionnaire.objects.filter(pk=q.pk).update(
            licence_valid_until=clock.today() - dt.timedelta(days=1)
        )
        q.refresh_from_db()
        with pytest.raises(ValidationError, match="Licensen"):
            services.check_sendable(q)


def test_choosing_an_instrument_never_makes_an_unlicensed_questionnaire(client, world):
    with scope(practice=world.practice), pytest.raises(ValidationError) as exc:
        services.questionnaire_create(
            actor=world.admin,
            practice=world.practice,
            kind=Kind.CUSTOM,
            name_sv="ORS",
            instrument="mcss26",
        )
    assert set(exc.value.message_dict) == {"instrument"}
    client.force_login(world.admin)
    response = client.post(
        reverse("questionnaire_list", args=[P]),
        {"kind": "custom", "name_sv": "Min MCSS", "instrument": "mcss26"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Du valde ett licensierat instrument" in body
    assert 'value="Min MCSS"' in body
    with scopes_disabled():
        assert not Questionnaire.objects.filter(practice=world.practice).exists()


def _licensed(world, valid_until):
    with scope(practice=world.practice):
        q = services.questionnaire_create(
            actor=world.admin,
            practice=world.practice,
            kind=Kind.LICENSED,
            name_sv="MCSS-26",
            instrument="mcss26",
            licence_holder="Ekbacken AB",
            licence_reference="Avtal 2026-14",
            licence_valid_until=clock.today() + dt.timedelta(days=30),
        )
        services.question_add(actor=world.admin, questionnaire=q, scale="agree5", text_sv="Fråga 1")
        Questionnaire.objects.filter(pk=q.pk).update(licence_valid_until=valid_until)
        q.refresh_from_db()
    return q


def test_expired_licence_is_renewed_from_its_page_and_audited(client, world):
    from bollplank.core.models import AuditEvent

    q = _licensed(world, clock.today() - dt.timedelta(days=1))
    client.force_login(world.supervisor)
    detail = client.get(reverse("questionnaire_detail", args=[P, q.pk])).content.decode()
    url = reverse("questionnaire_licence", args=[P, q.pk])
    assert url in detail and "Licensen har gått ut" in detail
    page = client.get(url).content.decode()
    assert 'value="Avtal 2026-14"' in page
    # A renewal that is still expired is refused; what was typed stays.
    response = client.post(
        url,
        {
            "licence_holder": "Ekbacken AB",
            "licence_reference": "Avtal 2027-02",
            "licence_valid_until": (clock.today() - dt.timedelta(days=2)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert "Ange en licens som gäller i dag." in response.content.decode()
    assert 'value="Avtal 2027-02"' in response.content.decode()
    renewed = clock.today() + dt.timedelta(days=365)
    response = client.post(
        url,
        {
            "licence_holder": "Ekbacken AB",
            "licence_reference": "Avtal 2027-02",
            "licence_valid_until": renewed.isoformat(),
        },
    )
    assert response.status_code == 302
    with scope(practice=world.practice):
        q.refresh_from_db()
        services.check_sendable(q)
    assert (q.licence_reference, q.licence_valid_until) == ("Avtal 2027-02", renewed)
    with scopes_disabled():
        event = AuditEvent.objects.filter(action="evaluations.questionnaire.licence_updated").get()
    assert event.actor_id == world.supervisor.pk
    assert q.questions.count() == 1


def test_only_a_licensed_instrument_has_a_licence_page(client, world):
    with scope(practice=world.practice):
        q = services.questionnaire_create(
            actor=world.admin, practice=world.practice, kind=Kind.CUSTOM, name_sv="Egen"
        )
    client.force_login(world.admin)
    assert client.get(reverse("questionnaire_licence", args=[P, q.pk])).status_code == 404
    with scope(practice=world.practice), pytest.raises(ValidationError):
        services.questionnaire_licence_update(
            actor=world.admin, questionnaire=q, licence_holder="X"
        )


def test_questionnaire_with_no_questions_cannot_be_sent(world):
    with scope(practice=world.practice):
        q = services.questionnaire_create(
            actor=world.admin, practice=world.practice, kind=Kind.CUSTOM, name_sv="Tom"
        )
        with pytest.raises(ValidationError, match="inga frågor"):
            services.check_sendable(q)


def test_shipped_questionnaire_is_read_only_and_copy_is_editable(world):
    source = shipped("after-meeting")
    with scope(practice=world.practice):
        with pytest.raises(ValidationError):
            services.question_add(
                actor=world.supervisor, questionnaire=source, scale="yesno", text_sv="X"
            )
        copy = services.questionnaire_copy(
            actor=world.supervisor, practice=world.practice, source=source
        )
        services.question_add(
            actor=world.supervisor, questionnaire=copy, scale="yesno", text_sv="Kom du i tid?"
        )
        assert copy.questions.count() == 5
        assert source.questions.count() == 4


def test_builder_page_adds_section_and_question(client, world):
    client.force_login(world.supervisor)
    url = reverse("questionnaire_list", args=[P])
    response = client.post(url, {"kind": "custom", "name_sv": "Vår enkät"})
    assert response.status_code == 302
    with scopes_disabled():
        q = Questionnaire.objects.get(practice=world.practice, name_sv="Vår enkät")
    detail = reverse("questionnaire_detail", args=[P, q.pk])
    client.post(detail, {"add": "section", "s-title_sv": "Stöd", "s-title_en": "Support"})
    with scopes_disabled():
        section = q.sections.get()
    response = client.post(
        detail,
        {
            "add": "question",
            "q-text_sv": "<b>Känner</b> du dig trygg?",
            "q-scale": "agree5",
            "q-section": section.pk,
            "q-function": "support",
            "q-required": "on",
        },
    )
    assert response.status_code == 302
    page = client.get(detail).content.decode()
    assert "&lt;b&gt;Känner&lt;/b&gt; du dig trygg?" in page
    with scopes_disabled():
        assert list(Question.objects.filter(questionnaire=q).values_list("section", "scale")) == [
            (section.pk, "agree5")
        ]


def test_builder_bad_scale_keeps_what_was_typed(client, world):
    client.force_login(world.supervisor)
    with scope(practice=world.practice):
        q = services.questionnaire_create(
            actor=world.supervisor, practice=world.practice, kind="custom", name_sv="Vår"
        )
    response = client.post(
        reverse("questionnaire_detail", args=[P, q.pk]),
        {"add": "question", "q-text_sv": "Min fråga", "q-scale": "line99"},
    )
    assert response.status_code == 400
    assert 'value="Min fråga"' in response.content.decode()
    with scopes_disabled():
        assert q.questions.count() == 0
