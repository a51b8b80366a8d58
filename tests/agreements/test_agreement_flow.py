"""The supervision agreement from the engagement page to the client contact's acceptance: the
PDF's text, the audit event with the document's hash, a change of price making a new version
that must be accepted again, and who may see it (the parties only)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.urls import reverse
from django_scopes import scope, scopes_disabled

from bollplank.agreements.models import Acceptance, Agreement
from bollplank.billing import services as billing_services
from bollplank.billing.enums import LateCancellation, PriceModel, Travel, VatCategory
from bollplank.core.models import AuditEvent
from bollplank.core.roles import Role
from tests import factories as f
from tests.pdftext import pdf_text

P = "ekbacken"


def _create(client: Any, world: Any, language: str = "sv") -> Any:
    client.force_login(world.supervisor)
    return client.post(
        reverse("agreement_create", args=[P, world.engagement.pk]),
        {"language": language},
        follow=True,
    )


def _versions(world: Any) -> list[Agreement]:
    with scope(practice=world.practice):
        return list(Agreement.objects.filter(engagement=world.engagement).order_by("version"))


def _pdf(client: Any, agreement: Agreement, query: str = "") -> bytes:
    response = client.get(reverse("agreement_pdf", args=[P, agreement.pk]) + query)
    return b"".join(response) if response.streaming else response.content


def _accept(client: Any, world: Any, agreement: Agreement, **post: Any) -> Any:
    client.force_login(world.contact_user)
    return client.post(
        reverse("agreement_accept", args=[P, agreement.pk]),
        post or {"confirm": "on"},
        follow=True,
        HTTP_USER_AGENT="Testwebbläsare/1.0",
        REMOTE_ADDR="192.0.2.17",
    )


def _set_price(world: Any, amount_ore: int) -> None:
    with scope(practice=world.practice):
        billing_services.engagement_price_save(
            actor=world.admin,
            engagement=world.engagement,
            model=PriceModel.PER_MEETING,
            amount_ore=amount_ore,
            late_cancellation=LateCancellation.PART,
            late_cancellation_percent=50,
            travel=Travel.NONE,
            travel_amount_ore=0,
            travel_km=0,
            vat_category=VatCategory.STANDARD,
            separate_invoice=False,
        )


def test_agreement_pdf_states_the_terms_in_swedish(client, world):
    page = _create(client, world)
    assert "Version 1 av avtalet är skapad" in page.content.decode()
    [agreement] = _versions(world)
    text = pdf_text(_pdf(client, agreement))
    assert "Handledningsavtal" in text
    assert "Version 1" in text
    assert "Ekbacken handledning, handledare Siv Handledare" in text
    assert "Solbacka skola (Org.nr 212000-0142)" in text
    assert "Form: grupp, fokus: process" in text
    assert "10 träffar om 120 minuter vardera, 20 timmar totalt" in text
    assert "Storgatan 1, Uppsala" in text
    assert "4 500,00 kr per träff, 25 % moms" in text
    assert "Avbokas en träff senare än 48 timmar före start" in text
    assert "debiteras fullt" in text
    assert "minst 5 svar" in text
    assert "skyddat rum" in text
    # Not accepted yet: the document is the one its hash names, with no verification line.
    assert hashlib.sha256(_pdf(client, agreement)).hexdigest() == agreement.sha256
    assert "Godkänt av" not in text


def test_agreement_in_english_on_request(client, world):
    _create(client, world, language="en")
    [agreement] = _versions(world)
    text = pdf_text(_pdf(client, agreement))
    assert "Supervision agreement" in text
    assert "10 meetings of 120 minutes each, 20 hours in all" in text
    assert "aggregated over at least 5 answers" in text


def test_client_accepts_and_the_audit_log_keeps_the_hash(client, world):
    _create(client, world)
    [agreement] = _versions(world)
    page = _accept(client, world, agreement)
    assert "Tack: version 1 av avtalet är godkänd." in page.content.decode()
    with scopes_disabled():
        acceptance = Acceptance.objects.get(agreement=agreement)
        event = AuditEvent.objects.get(action="agreements.agreement.accepted")
    assert (acceptance.name, acceptance.ip_address, acceptance.user_agent) == (
        "Rektor Rut",
        "192.0.2.17",
        "Testwebbläsare/1.0",
    )
    assert acceptance.sha256 == agreement.sha256
    assert event.actor_id == world.contact_user.pk
    assert event.data == {
        "engagement": world.engagement.pk,
        "version": 1,
        "sha256": agreement.sha256,
        "ip_address": "192.0.2.17",
        "user_agent": "Testwebbläsare/1.0",
    }
    # The PDF now carries the verification line; the original is still the hashed one.
    text = pdf_text(_pdf(client, agreement))
    assert "Version 1 godkänd av Rektor Rut" in text
    assert "från 192.0.2.17" in text
    assert agreement.sha256 in text.replace(" ", "")
    assert hashlib.sha256(_pdf(client, agreement, "?original")).hexdigest() == agreement.sha256
    # The supervisor sees who accepted when.
    client.force_login(world.supervisor)
    page = client.get(reverse("engagement_agreements", args=[P, world.engagement.pk]))
    html = page.content.decode()
    assert "Godkänt" in html and "Rektor Rut" in html


def test_accepting_needs_the_box_ticked(client, world):
    _create(client, world)
    [agreement] = _versions(world)
    page = _accept(client, world, agreement, confirm="")
    assert "Kryssa i rutan" in page.content.decode()
    with scopes_disabled():
        assert not Acceptance.objects.exists()


def test_price_change_makes_a_new_version_to_accept(client, world):
    _create(client, world)
    [first] = _versions(world)
    _accept(client, world, first)
    _set_price(world, 500000)
    client.force_login(world.supervisor)
    html = client.get(reverse("engagement_agreements", args=[P, world.engagement.pk])).content
    assert "Uppdragets villkor har ändrats" in html.decode()
    _create(client, world)
    first, second = _versions(world)
    assert (second.version, second.terms["price_ore"], first.terms["price_ore"]) == (
        2,
        500000,
        450000,
    )
    assert second.sha256 != first.sha256
    assert "5 000,00 kr per träff" in pdf_text(_pdf(client, second))
    assert "Sena avbokningar debiteras med 50 %" in pdf_text(_pdf(client, second))
    # The client contact sees both: the old one accepted (and replaced), the new one awaiting.
    client.force_login(world.contact_user)
    html = client.get(reverse("client_agreements", args=[P])).content.decode()
    assert "Version 1" in html and "Version 2" in html
    assert '<span class="badge agreement-status status-accepted">Godkänt</span>' in html
    assert (
        '<span class="badge agreement-status status-awaiting">Väntar på godkännande</span>' in html
    )
    old = client.get(reverse("agreement_detail", args=[P, first.pk])).content.decode()
    assert "Godkänn avtalet" not in old
    _accept(client, world, second)
    with scopes_disabled():
        assert Acceptance.objects.filter(agreement=second).exists()
    # Accepting the replaced version is refused.
    with scope(practice=world.practice):
        Acceptance.objects.filter(agreement=first).delete()
    page = _accept(client, world, first)
    assert "En nyare version ersätter den här" in page.content.decode()


def test_same_terms_make_no_new_version(client, world):
    _create(client, world)
    page = _create(client, world)
    assert "Version 1 anger redan de här villkoren" in page.content.decode()
    assert len(_versions(world)) == 1


def test_accepting_outdated_terms_is_refused(client, world):
    _create(client, world)
    [agreement] = _versions(world)
    _set_price(world, 123400)
    page = _accept(client, world, agreement)
    assert "Uppdragets villkor har ändrats sedan" in page.content.decode()
    with scopes_disabled():
        assert not Acceptance.objects.exists()


def test_another_clients_contact_gets_404(client, world):
    _create(client, world)
    [agreement] = _versions(world)
    other_client = f.ClientFactory(practice=world.practice, name="Norrby förskola")
    stranger = f.member(world.practice, Role.CLIENT_CONTACT, name="Nils Norrby")
    f.ClientContactFactory(practice=world.practice, client=other_client, user=stranger)
    client.force_login(stranger)
    for name in ("agreement_detail", "agreement_pdf"):
        assert client.get(reverse(name, args=[P, agreement.pk])).status_code == 404
    assert client.post(reverse("agreement_accept", args=[P, agreement.pk])).status_code == 404
    assert "Solbacka" not in client.get(reverse("client_agreements", args=[P])).content.decode()


def test_participants_never_see_the_agreement(client, world):
    _create(client, world)
    [agreement] = _versions(world)
    client.force_login(world.participant_user)
    for name in ("agreement_detail", "agreement_pdf"):
        assert client.get(reverse(name, args=[P, agreement.pk])).status_code == 403
    # A participant who is also a client contact (of another client) still sees nothing.
    other_client = f.ClientFactory(practice=world.practice)
    f.MembershipFactory(
        practice=world.practice, user=world.participant_user, role=Role.CLIENT_CONTACT
    )
    f.ClientContactFactory(
        practice=world.practice, client=other_client, user=world.participant_user
    )
    for name in ("agreement_detail", "agreement_pdf"):
        assert client.get(reverse(name, args=[P, agreement.pk])).status_code == 404


def test_the_acceptance_is_exported_and_erased_without_address(client, world):
    from bollplank.core.personal_data_registry import categories

    _create(client, world)
    [agreement] = _versions(world)
    _accept(client, world, agreement)
    [category] = [c for c in categories() if c.key == "agreements.acceptances"]
    with scopes_disabled():
        [row] = category.export(world.contact_user, False)
        assert (row["agreement_version"], row["ip"], row["browser"]) == (
            1,
            "192.0.2.17",
            "Testwebbläsare/1.0",
        )
        assert category.erase(world.contact_user) == 1
        acceptance = Acceptance.objects.get(agreement=agreement)
    assert (acceptance.name, acceptance.ip_address, acceptance.user_agent) == (
        "Rektor Rut",
        None,
        "",
    )


def test_the_client_contact_is_mailed_of_a_new_version(
    client, world, django_capture_on_commit_callbacks
):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        _create(client, world)
    [agreement] = _versions(world)
    # To the contact of the client who can log in; the engagement's participants get nothing.
    [message] = mail.outbox
    with scope(practice=world.practice):
        assert message.to == [world.client.contacts.get(user=world.contact_user).email]
    assert message.subject == "Ett handledningsavtal att godkänna: Lärarlaget åk 4–6"
    assert "har skapat version 1 av handledningsavtalet för Lärarlaget åk 4–6" in message.body
    assert f"/p/ekbacken/agreements/{agreement.pk}/" in message.body
