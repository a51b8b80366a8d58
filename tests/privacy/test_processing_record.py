"""The record of processing states the thresholds the code enforces, not a copy of them."""

import pytest
from django.urls import reverse

from bollplank.evaluations import enums, personal_data

pytestmark = pytest.mark.django_db


def _record(client, world) -> str:
    client.force_login(world.admin)
    return client.get(reverse("privacy_processing", args=["ekbacken"])).content.decode()


def test_processing_record_states_the_client_report_threshold(client, world):
    body = _record(client, world)
    assert enums.MIN_GROUP == 5
    assert "uppdragsgivaren ser medelvärden över minst 5 svar, aldrig ett namn" in body
    assert "ser antal över minst 5 personer" in body
    assert "minst tre svar" not in body


def test_processing_record_follows_the_constant(client, world, monkeypatch):
    monkeypatch.setattr(personal_data, "MIN_GROUP", 7)
    body = _record(client, world)
    assert "medelvärden över minst 7 svar" in body
    assert "antal över minst 7 personer" in body
