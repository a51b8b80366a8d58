"""The case rota page: one owner saved per row, by a plain form post or, with JavaScript, by
htmx, which gets only the row back."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django_scopes import scopes_disabled

from bollplank.engagements.models import Participant
from bollplank.records.models import CaseTurn
from tests import factories as f
from tests import timecontrol as tc

P = "ekbacken"


def _ahead(world: Any) -> Any:
    """A meeting of the group next week: the rota is for meetings ahead."""
    return f.MeetingFactory(engagement=world.engagement, starts_at=tc.local(tc.workday_after(7), 9))


def _pia(world: Any) -> Participant:
    with scopes_disabled():
        return Participant.objects.get(user=world.participant_user)


def test_rota_post_without_htmx_saves_and_comes_back_whole(client: Any, world: Any) -> None:
    client.force_login(world.supervisor)
    url = reverse("engagement_rota", args=[P, world.engagement.pk])
    pia, meeting = _pia(world), _ahead(world)

    response = client.post(url, {"meeting": meeting.pk, "participant": pia.pk})

    assert (response.status_code, response["Location"]) == (302, url)
    with scopes_disabled():
        assert CaseTurn.objects.get(meeting=meeting).participant_id == pia.pk
    page = client.get(url).content.decode()
    assert "Ärendeschemat är sparat." in page
    assert f'hx-post="{url}" hx-target="closest tr" hx-swap="outerHTML"' in page


def test_rota_post_with_htmx_answers_only_the_row(client: Any, world: Any) -> None:
    client.force_login(world.supervisor)
    url = reverse("engagement_rota", args=[P, world.engagement.pk])
    pia, meeting = _pia(world), _ahead(world)

    response = client.post(
        url, {"meeting": meeting.pk, "participant": pia.pk}, headers={"HX-Request": "true"}
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert body.startswith("<tr>") and body.rstrip().endswith("</tr>")
    assert f'<option value="{pia.pk}" selected>{pia.name}</option>' in body
    assert "Ärendeschemat är sparat." in body and "<html" not in body
    with scopes_disabled():
        assert CaseTurn.objects.get(meeting=meeting).participant_id == pia.pk
