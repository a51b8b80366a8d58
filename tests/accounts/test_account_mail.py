"""Account mails (password reset, two-factor notices…) go through the outbox like every other
mail: text and HTML, the recipient's language, the practice's name, logo and signature."""

from __future__ import annotations

from typing import Any

from django.core import mail
from django.urls import reverse
from django_scopes import scopes_disabled

from bollplank.notifications.models import OutgoingMail
from bollplank.notifications.outbox import deliver_due

PUBLIC = "https://handledning.example.se"


def _rows() -> list[OutgoingMail]:
    with scopes_disabled():
        return list(OutgoingMail.objects.order_by("pk"))


def test_password_reset_goes_through_the_outbox_in_swedish_with_the_practice(
    client: Any, world: Any, settings: Any
) -> None:
    settings.SITE_URL = PUBLIC
    settings.ALLOWED_HOSTS = ["127.0.0.1", "testserver"]
    world.practice.email_signature = "Ekbacken handledning\n08-123 45 67"
    world.practice.save()
    client.post(
        reverse("account_reset_password"), {"email": "pia@solbacka.se"}, HTTP_HOST="127.0.0.1"
    )
    rows = _rows()
    assert [(r.to, r.kind, r.practice_id) for r in rows] == [
        ("pia@solbacka.se", "account", world.practice.pk)
    ]
    assert mail.outbox == []  # nothing bypasses the outbox
    deliver_due()
    [sent] = mail.outbox
    assert sent.subject == "Ekbacken handledning: Välj ett nytt lösenord"
    assert "Hej Pia!" in sent.body and "återställa lösenordet" in sent.body
    assert sent.body.rstrip().endswith("-- \nEkbacken handledning\n08-123 45 67")
    [(html, kind)] = sent.alternatives
    assert kind == "text/html"
    assert '<html lang="sv">' in html and "08-123 45 67" in html
    assert f'href="{PUBLIC}/accounts/password/reset/key/' in html
    assert "127.0.0.1" not in sent.body + html


def test_account_mail_is_in_the_recipients_language(client: Any, world: Any) -> None:
    world.participant_user.language = "en"
    world.participant_user.save()
    client.post(reverse("account_reset_password"), {"email": "pia@solbacka.se"})
    [row] = _rows()
    assert row.language == "en"
    assert row.subject == "Ekbacken handledning: Choose a new password"
    assert "Hello Pia," in row.text


def test_practice_logo_is_in_the_mail_and_served_to_anyone(client: Any, world: Any) -> None:
    from bollplank.billing.models import BillingSettings

    png = b"\x89PNG\r\n\x1a\n" + b"0" * 64
    with scopes_disabled():
        BillingSettings.objects.create(
            practice=world.practice,
            legal_name="Ekbacken handledning AB",
            logo=png,
            logo_content_type="image/png",
        )
    client.post(reverse("account_reset_password"), {"email": "pia@solbacka.se"})
    [row] = _rows()
    logo_url = "http://127.0.0.1:8000/p/ekbacken/logo/"
    assert f'<img src="{logo_url}" alt="Ekbacken handledning"' in row.html
    response = client.get(reverse("practice_logo", args=["ekbacken"]))
    assert (response.status_code, response["Content-Type"], response.content) == (
        200,
        "image/png",
        png,
    )
    assert client.get(reverse("practice_logo", args=["annan"])).status_code == 404


def test_two_factor_notice_goes_through_the_outbox(client: Any, world: Any) -> None:
    from allauth.account.adapter import get_adapter
    from allauth.core import context
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = world.supervisor
    with context.request_context(request):
        get_adapter(request).send_notification_mail("mfa/email/totp_activated", world.supervisor)
    [row] = _rows()
    assert row.subject == "Ekbacken handledning: Tvåstegsinloggning är på"
    assert "Om det inte var du" in row.text and row.html


def test_text_only_mail_gets_an_html_part(world: Any) -> None:
    from bollplank.notifications.outbox import branded

    text, html = branded(
        text="Här är fakturan.\nLänk: https://x.se/a\n",
        html="",
        context={},
        practice=world.practice,
        language="sv",
        footer=False,
    )
    assert text == "Här är fakturan.\nLänk: https://x.se/a\n\n-- \nEkbacken handledning\n"
    assert '<p>Här är fakturan.<br>Länk: <a href="https://x.se/a"' in html
    assert '<html lang="sv">' in html


def test_address_confirmation_goes_through_the_outbox_on_the_public_address(
    world: Any, settings: Any
) -> None:
    from allauth.account.models import EmailAddress
    from allauth.core import context
    from django.test import RequestFactory

    settings.SITE_URL = "https://handledning.example.se"
    request = RequestFactory().get("/", HTTP_HOST="testserver")
    request.user = world.supervisor
    address = EmailAddress.objects.create(
        user=world.supervisor, email="siv@ekbacken.se", primary=True, verified=False
    )
    with context.request_context(request):
        address.send_confirmation(request)
    [row] = _rows()
    assert row.subject == "Ekbacken handledning: Bekräfta din e-postadress"
    links = [line for line in row.text.splitlines() if "://" in line]
    assert links and all(
        link.startswith("https://handledning.example.se/accounts/confirm-email/") for link in links
    )
    assert "testserver" not in row.text + row.html
