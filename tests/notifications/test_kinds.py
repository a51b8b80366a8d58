"""Every app's mail carries its kind and practice (issue 9): optional kinds get an unsubscribe
link, respect a person's choice, and all show on the practice admin's outbox page."""

from __future__ import annotations

from typing import Any

from django.core import mail
from django.test import Client
from django_scopes import scopes_disabled

from bollplank.courses.models import Course
from bollplank.notifications.models import OptOut, OutgoingMail
from tests.conftest import World
from tests.courses.conftest import make_course, register
from tests.evaluations.helpers import after_meeting


def _rows(**filters: Any) -> list[OutgoingMail]:
    with scopes_disabled():
        return list(OutgoingMail.objects.filter(**filters).order_by("pk"))


def test_questionnaire_mail_has_its_kind_practice_and_unsubscribe_link(
    world: World, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        after_meeting(world)
    rows = _rows(kind="questionnaire")
    assert len(rows) == 2
    assert {r.practice_id for r in rows} == {world.practice.pk}
    assert len(mail.outbox) == 2
    assert all("/unsubscribe/" in m.body for m in mail.outbox)
    client.force_login(world.admin)
    page = client.get("/p/ekbacken/outbox/").content.decode()
    assert all(r.to in page for r in rows)


def test_questionnaire_mail_is_not_sent_to_a_participant_who_turned_it_off(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    OptOut.objects.create(email=world.participant_user.email, kind="questionnaire")
    with django_capture_on_commit_callbacks(execute=True):
        after_meeting(world)
    skipped = _rows(kind="questionnaire", to=world.participant_user.email)
    assert [r.status for r in skipped] == ["skipped"]
    assert world.participant_user.email not in [m.to[0] for m in mail.outbox]
    assert len(mail.outbox) == 1


def test_questionnaire_mail_is_in_the_participants_language(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    world.participant_user.language = "en"
    world.participant_user.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        after_meeting(world)
    (row,) = _rows(kind="questionnaire", to=world.participant_user.email)
    assert row.language == "en"
    (other,) = _rows(kind="questionnaire", language="sv")
    assert other.to != world.participant_user.email


def test_course_mail_has_its_kind_and_practice(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    course: Course = make_course(world.practice)
    with django_capture_on_commit_callbacks(execute=True):
        register(course, email="kurs@example.se")
    (row,) = _rows(to="kurs@example.se")
    assert (row.kind, row.practice_id, row.status) == ("course", world.practice.pk, "sent")
