"""The certificate of supervision hours as a document: letterhead, the supervisor's
qualifications, the meeting dates, a signature line and a code the public page confirms."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.urls import reverse
from django_scopes import scope, scopes_disabled

from bollplank.billing.models import BillingSettings
from bollplank.core.documents import read_verification_code, verification_code
from bollplank.directory.models import SupervisorProfile
from bollplank.evaluations import services
from bollplank.evaluations.certificates import hours_certificate_html
from bollplank.meetings.models import Attendance
from tests.pdftext import pdf_text

TZ = ZoneInfo("Europe/Stockholm")


def _signoff(world: Any) -> Any:
    with scopes_disabled():
        pia = world.engagement.memberships.get(participant__user=world.participant_user).participant
        Attendance.objects.get_or_create(
            practice=world.practice,
            meeting=world.meeting,
            participant=pia,
            defaults={"status": "present"},
        )
    with scope(practice=world.practice):
        return services.hours_sign_off(
            actor=world.supervisor, engagement=world.engagement, participant=pia
        )


def _letterhead_and_profile(world: Any) -> None:
    with scopes_disabled():
        BillingSettings.objects.create(
            practice=world.practice,
            legal_name="Ekbacken handledning AB",
            org_number="556677-8899",
            street="Storgatan 1",
            postal_code="753 20",
            city="Uppsala",
        )
        SupervisorProfile.objects.create(
            practice=world.practice,
            user=world.supervisor,
            profession="Leg. psykolog",
            training="Handledarutbildning, tre terminer",
        )


def test_hours_certificate_is_a_document_with_letterhead_dates_signature_and_code(world):
    _letterhead_and_profile(world)
    signoff = _signoff(world)
    with scopes_disabled():
        html = hours_certificate_html(signoff)
    day = world.meeting.starts_at.astimezone(TZ).date()
    code = verification_code("hours", signoff.pk)
    assert world.practice.name in html
    assert "Org.nr 556677-8899" in html and "Storgatan 1, 753 20 Uppsala" in html
    assert "Leg. psykolog" in html and "Handledarutbildning, tre terminer" in html
    assert f"{world.supervisor.name}, handledare" in html
    assert "Datum för träffarna" in html and f"{day.day} " in html and str(day.year) in html
    assert code in html and f"/verify/{code}/" in html
    assert read_verification_code(code) == ("hours", signoff.pk)


def test_hours_certificate_pdf_says_it_in_print(client, world):
    _letterhead_and_profile(world)
    signoff = _signoff(world)
    client.force_login(world.participant_user)
    pdf = client.get(reverse("hours_certificate", args=["ekbacken", signoff.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    day = world.meeting.starts_at.astimezone(TZ).date()
    assert "Intyg om handledningstimmar" in text
    assert world.practice.name in text and "Org.nr 556677-8899" in text
    assert signoff.participant.name in text
    assert "Leg. psykolog" in text and f"{world.supervisor.name}, handledare" in text
    assert "Datum för träffarna" in text and str(day.year) in text
    assert verification_code("hours", signoff.pk) in text


def test_verify_page_confirms_person_kind_dates_and_practice_only(client, world):
    signoff = _signoff(world)
    code = verification_code("hours", signoff.pk)
    html = client.get(reverse("certificate_verify", args=[code])).content.decode()
    day = world.meeting.starts_at.astimezone(TZ).date()
    assert signoff.participant.name in html
    assert "Intyg om handledningstimmar" in html
    assert world.practice.name in html
    assert f"{day.day} " in html and str(day.year) in html
    # Nothing about the supervision itself: not the engagement, not the client.
    assert world.engagement.title not in html
    assert world.engagement.client.name not in html


def test_verify_page_refuses_a_forged_or_unknown_code(client, world):
    signoff = _signoff(world)
    code = verification_code("hours", signoff.pk)
    forged = code[:-1] + ("A" if code[-1] != "A" else "B")
    other_row = f"H{signoff.pk + 1}-{code.split('-')[1]}"
    for bad in (forged, other_row, "X1-AAAAAAAA", "nonsense"):
        assert client.get(reverse("certificate_verify", args=[bad])).status_code == 404
    # A lower-case copy typed by hand still matches.
    assert client.get(reverse("certificate_verify", args=[code.lower()])).status_code == 200


def test_verification_code_is_short_and_stable():
    assert verification_code("course", 7) == verification_code("course", 7)
    assert verification_code("course", 7) != verification_code("hours", 7)
    assert len(verification_code("hours", 12345)) <= 16
