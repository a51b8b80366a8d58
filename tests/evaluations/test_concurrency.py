"""The same answers posted twice at the same moment: one response is kept (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django_scopes import scope, scopes_disabled

from bollplank.evaluations import services
from bollplank.evaluations.models import Invitation, Response
from tests.evaluations.helpers import after_meeting

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="threads need a real server: SQLite's in-memory test database is one connection",
)


@pytest.mark.django_db(transaction=True)
def test_answers_posted_twice_at_once_are_saved_once(world):
    rnd = after_meeting(world)
    with scopes_disabled():
        inv = Invitation.objects.select_related("round__practice", "participant").get(
            round=rnd, participant__user=world.participant_user
        )
        data = {q.pk: 6 for q in rnd.questionnaire.questions.all()}
    barrier = threading.Barrier(2)
    results: list[object] = [None, None]

    def post(i: int) -> None:
        try:
            mine = (
                Invitation.objects.with_scopes_disabled()
                .select_related("round__practice", "round__questionnaire", "participant")
                .get(pk=inv.pk)
            )
            barrier.wait()
            with scope(practice=world.practice):
                results[i] = services.response_submit(invitation=mine, user=None, data=data)
        except Exception as exc:  # noqa: BLE001  (the test inspects it)
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    kinds = sorted(type(r).__name__ for r in results)
    assert kinds == ["Response", "ValidationError"]
    refused = next(r for r in results if isinstance(r, ValidationError))
    assert refused.code == "answered"
    with scopes_disabled():
        assert Response.objects.filter(round=rnd).count() == 1
