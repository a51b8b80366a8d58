"""The case rota page: the whole rota is one form saved in one action — every row at once, or
none when one row is wrong (and then what was chosen stays on the page)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from bollplank.core.models import AuditEvent
from bollplank.engagements.models import Participant
from bollplank.records import services
from bollplank.records.models import CaseTurn
from tests import factories as f
from tests import timecontrol as tc

P = "ekbacken"


def _ahead(world: Any, days: int = 7) -> Any:
    """A meeting of the group ahead: the rota is for meetings ahead."""
    return f.MeetingFactory(
        engagement=world.engagement, starts_at=tc.local(tc.workday_after(days), 9)
    )


def _members(world: Any) -> list[Participant]:
    with scopes_disabled():
        return [
            m.participant
            for m in world.engagement.memberships.select_related("participant").order_by("pk")
            if m.left_on is None
        ]


def _owners() -> dict[int, int]:
    with scopes_disabled():
        return dict(CaseTurn.objects.values_list("meeting_id", "participant_id"))


def test_one_save_sets_every_row(client: Any, world: Any) -> None:
    client.force_login(world.supervisor)
    url = reverse("engagement_rota", args=[P, world.engagement.pk])
    first, second, third = _ahead(world, 7), _ahead(world, 14), _ahead(world, 21)
    pia, bo = _members(world)[:2]

    page = client.get(url).content.decode()
    # One form, one button, a choice per meeting; no per-row Save buttons.
    assert page.count("Spara ärendeschemat") == 1
    assert page.count(">Spara<") == 0
    assert all(f'name="owner-{m.pk}"' in page for m in (first, second, third))

    response = client.post(
        url, {f"owner-{first.pk}": pia.pk, f"owner-{second.pk}": bo.pk, f"owner-{third.pk}": ""}
    )

    assert (response.status_code, response["Location"]) == (302, url)
    assert _owners() == {first.pk: pia.pk, second.pk: bo.pk}
    page = client.get(url).content.decode()
    assert "Ärendeschemat är sparat." in page
    assert f'<option value="{pia.pk}" selected>{pia.name}</option>' in page


def test_saving_again_writes_only_what_changed(client: Any, world: Any) -> None:
    client.force_login(world.supervisor)
    url = reverse("engagement_rota", args=[P, world.engagement.pk])
    first, second = _ahead(world, 7), _ahead(world, 14)
    pia, bo = _members(world)[:2]
    client.post(url, {f"owner-{first.pk}": pia.pk, f"owner-{second.pk}": bo.pk})
    with scopes_disabled():
        before = AuditEvent.objects.filter(action__startswith="records.case_turn").count()

    # The second meeting cleared, the first unchanged: one change, one audit event.
    client.post(url, {f"owner-{first.pk}": pia.pk, f"owner-{second.pk}": ""})

    assert _owners() == {first.pk: pia.pk}
    with scopes_disabled():
        events = AuditEvent.objects.filter(action__startswith="records.case_turn")
        assert events.count() == before + 1
        assert events.order_by("-id").first().action == "records.case_turn.cleared"
    client.post(url, {f"owner-{first.pk}": pia.pk, f"owner-{second.pk}": ""})
    assert "Inget ändrades." in client.get(url).content.decode()


def test_one_wrong_row_saves_nothing_and_keeps_the_choices(client: Any, world: Any) -> None:
    client.force_login(world.supervisor)
    url = reverse("engagement_rota", args=[P, world.engagement.pk])
    first, second = _ahead(world, 7), _ahead(world, 14)
    pia = _members(world)[0]
    outsider = f.ParticipantFactory(practice=world.practice)

    response = client.post(url, {f"owner-{first.pk}": pia.pk, f"owner-{second.pk}": outsider.pk})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Den personen är inte med i gruppen." in page
    # Nothing saved, and the valid choice is still selected on the page that came back.
    assert _owners() == {}
    assert f'<option value="{pia.pk}" selected>{pia.name}</option>' in page


def test_the_fair_suggestion_fills_only_empty_meetings(client: Any, world: Any) -> None:
    client.force_login(world.supervisor)
    url = reverse("engagement_rota", args=[P, world.engagement.pk])
    first, second = _ahead(world, 7), _ahead(world, 14)
    bo = _members(world)[1]
    client.post(url, {f"owner-{first.pk}": bo.pk})

    client.post(url, {"action": "suggest"})

    owners = _owners()
    assert owners[first.pk] == bo.pk and second.pk in owners


def test_the_service_saves_all_or_nothing(world: Any) -> None:
    first, second = _ahead(world, 7), _ahead(world, 14)
    pia = _members(world)[0]
    outsider = f.ParticipantFactory(practice=world.practice)

    with pytest.raises(ValidationError), scopes_disabled():
        services.rota_save(
            actor=world.supervisor,
            meetings=[first, second],
            owners={first.pk: pia, second.pk: outsider},
        )

    assert _owners() == {}


def _rota_queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_rota_page_query_count_does_not_grow_with_meetings(client: Any, world: Any) -> None:
    client.force_login(world.supervisor)
    url = reverse("engagement_rota", args=[P, world.engagement.pk])
    pia = _members(world)[0]
    first = _ahead(world, 7)
    client.post(url, {f"owner-{first.pk}": pia.pk})
    one = _rota_queries(client, url)
    for days in (14, 21, 28, 35):
        meeting = _ahead(world, days)
        client.post(url, {f"owner-{meeting.pk}": pia.pk})
    assert _rota_queries(client, url) == one
