"""The readable (HTML) copy of a person's own data speaks the person's language: named fields,
yes/no, dates and numbers as written in Swedish, no raw keys or Python values."""

from __future__ import annotations

import datetime as dt
import re

from django.urls import reverse

from bollplank.core.personal_data_registry import categories
from bollplank.privacy import services
from bollplank.privacy.labels import KEY_LABELS, key_label
from tests import timecontrol


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _data(rows):
    return {
        "person": {"id": 1, "email": "eva@example.se"},
        "exported_at": timecontrol.instant(),
        "categories": {"accounts.account": {"label": "account", "rows": rows}},
    }


def test_readable_export_in_swedish_names_fields_and_values():
    day = timecontrol.today()
    row = {
        "org_number": "556677-8899",
        "offers_video": True,
        "travels": False,
        "joined_on": dt.date(2026, 3, 4),
        "travel_km": 12.5,
        "roles": [{"practice": "Byrå", "since": None}],
        "some_new_field": "x",
        "registered_at": day,
    }
    text = _text(services.export_html(_data([row]), "sv"))
    assert "Organisationsnummer 556677-8899" in text
    assert "Erbjuder videoträffar Ja" in text
    assert "Reser till uppdragsgivaren Nej" in text
    assert "Gick med 4 mars 2026" in text
    assert "Reseavstånd (km) 12,5" in text
    assert "Verksamhet Byrå" in text and "Sedan –" in text
    # A key without a name reads as words, not as a code.
    assert "Some new field x" in text
    for raw in ("org_number", "offers_video", "True", "False", "2026-03-04", "some_new_field"):
        assert raw not in text


def test_readable_export_in_english_for_an_english_reader():
    text = _text(services.export_html(_data([{"offers_video": True, "org_number": "1"}]), "en"))
    assert "Offers video meetings Yes" in text and "Organisation number 1" in text


def test_every_key_the_apps_export_has_a_name(client, world):
    """A real export of a participant: every key at any depth is named, and the page holds no
    Python truth values."""
    client.force_login(world.participant_user)
    data = services.person_export(
        actor=world.participant_user, user=world.participant_user, confidential=False
    )

    def keys(value):
        if isinstance(value, dict):
            for k, v in value.items():
                yield k
                yield from keys(v)
        elif isinstance(value, list):
            for v in value:
                yield from keys(v)

    found = {k for cat in data["categories"].values() for k in keys(cat["rows"])}
    assert found and found <= set(KEY_LABELS)
    html = client.post(reverse("my_data"), {"format": "html"}).content.decode()
    text = _text(html)
    assert "True" not in text and "False" not in text
    assert "E-post" in text and key_label("email") == "E-post"
    labels = {str(c.label) for c in categories()}
    assert any(label.capitalize() in text for label in labels)


def test_readable_export_shows_a_course_registration_status_in_words(client, world):
    """Regression: the export carried the stored code ("confirmed") instead of its name."""
    from tests.courses.conftest import make_course, register

    course = make_course(world.practice)
    register(course, email=world.participant_user.email)
    client.force_login(world.participant_user)
    text = _text(client.post(reverse("my_data"), {"format": "html"}).content.decode())
    assert "Status bekräftad" in text
    assert "confirmed" not in text
