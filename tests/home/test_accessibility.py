"""The accessibility statement: dated in the reader's language, links DIGG, and its feedback
form reaches the operator through the outbox."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from bollplank.home.feedback import FEEDBACK_PER_HOUR_PER_ADDRESS
from bollplank.notifications.models import OutgoingMail

pytestmark = pytest.mark.django_db

OPERATOR = "drift@ekbacken.example.se"


@pytest.fixture(autouse=True)
def _fresh_rate_limit() -> None:
    cache.clear()


def _mails() -> list[Any]:
    with scopes_disabled():
        return list(OutgoingMail.objects.order_by("pk"))


def test_statement_is_dated_in_swedish_and_links_digg(client: Any, settings: Any) -> None:
    settings.OPERATOR_EMAIL = OPERATOR
    html = client.get(reverse("accessibility")).content.decode()
    assert "Senast granskad 6 december 2026" in html
    assert 'href="https://www.digg.se/"' in html
    assert "mailto:" not in html and "bollplank.example" not in html
    assert 'name="message"' in html


def test_statement_is_dated_in_english_for_an_english_reader(settings: Any) -> None:
    settings.OPERATOR_EMAIL = OPERATOR
    html = Client(headers={"accept-language": "en"}).get(reverse("accessibility")).content
    assert "Last reviewed 6 December 2026" in html.decode()


def test_feedback_is_queued_to_the_operator_and_thanked(client: Any, settings: Any) -> None:
    settings.OPERATOR_EMAIL = OPERATOR
    response = client.post(
        reverse("accessibility"),
        {
            "message": "Knappen Spara går inte att nå med tabb.",
            "email": "eva@example.se",
            "page": "/ekbacken/meetings/",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accessibility_thanks")
    [mail] = _mails()
    assert (mail.to, mail.reply_to) == (OPERATOR, "eva@example.se")
    assert "Knappen Spara går inte att nå med tabb." in mail.text
    assert "/ekbacken/meetings/" in mail.text
    thanks = client.get(response["Location"]).content.decode()
    assert "Tack för din rapport" in thanks


def test_feedback_with_control_characters_is_refused_and_kept(client: Any, settings: Any) -> None:
    settings.OPERATOR_EMAIL = OPERATOR
    response = client.post(
        reverse("accessibility"), {"message": "Trasig\x07sida", "email": "eva@example.se"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "styrtecken" in html and "eva@example.se" in html
    assert _mails() == []


def test_feedback_is_rate_limited_per_address(client: Any, settings: Any) -> None:
    settings.OPERATOR_EMAIL = OPERATOR
    for _ in range(FEEDBACK_PER_HOUR_PER_ADDRESS):
        assert client.post(reverse("accessibility"), {"message": "Fel"}).status_code == 302
    response = client.post(reverse("accessibility"), {"message": "Ett fel till"})
    assert response.status_code == 429
    assert "Ett fel till" in response.content.decode()
    assert len(_mails()) == FEEDBACK_PER_HOUR_PER_ADDRESS
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.post(reverse("accessibility"), {"message": "Fel"}).status_code == 302


def test_without_an_operator_address_no_form_is_offered(client: Any, settings: Any) -> None:
    settings.OPERATOR_EMAIL = ""
    html = client.get(reverse("accessibility")).content.decode()
    assert 'name="message"' not in html
    assert client.post(reverse("accessibility"), {"message": "Fel"}).status_code == 400
    assert _mails() == []
