"""The login's own pages (allauth's, outside every practice): the site's header with the
person's menu, the site's forms, headings named as in the menu, and allauth's Swedish in the
site's words (our catalogue comes before allauth's)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from bollplank.core.roles import Role
from tests import factories as f
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

ACCOUNT_PAGES = ["mfa_index", "usersessions_list", "my_data"]


def _client(user: Any = None, language: str = "sv") -> Client:
    c = Client(headers={"accept-language": language})
    if user is not None:
        c.force_login(user)
    return c


def _get(c: Client, url: str) -> str:
    response = c.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _header(html: str) -> str:
    return html[html.index("<header") : html.index("</header>")]


def _h1(html: str) -> str:
    return re.sub(r"\s+", " ", re.search(r"<h1>(.*?)</h1>", html, re.S)[1]).strip()


@pytest.mark.parametrize("name", ACCOUNT_PAGES)
def test_account_page_shows_the_menu_of_the_persons_only_practice(world: Any, name: str) -> None:
    header = _header(_get(_client(world.supervisor), reverse(name)))
    assert '<span class="practice-name">Ekbacken handledning</span>' in header
    assert reverse("dashboard", args=["ekbacken"]) in header  # the primary menu
    assert "Siv Handledare</summary>" in header  # the account menu
    # The page itself is marked in the account menu.
    assert f'<a href="{reverse(name)}" aria-current="page">' in header


def test_account_page_of_a_person_in_two_practices_leads_back_to_the_chooser(world: Any) -> None:
    f.MembershipFactory(practice=world.other_practice, user=world.supervisor, role=Role.SUPERVISOR)
    header = _header(_get(_client(world.supervisor), reverse("mfa_index")))
    # Which practice's menu to show is not known here, so no practice's menu is shown.
    assert "practice-name" not in header
    assert reverse("dashboard", args=["ekbacken"]) not in header
    assert f'<a href="{reverse("home")}">Välj verksamhet</a>' in header
    assert "Logga ut" in header


def test_account_pages_headings_are_the_menus_labels(world: Any) -> None:
    c = _client(world.supervisor)
    assert _h1(_get(c, reverse("mfa_index"))) == "Tvåstegsinloggning"
    assert _h1(_get(c, reverse("usersessions_list"))) == "Var jag är inloggad"
    assert _h1(_get(c, reverse("my_data"))) == "Mina uppgifter"
    english = _client(world.supervisor, "en")
    assert _h1(_get(english, reverse("mfa_index"))) == "Two-factor login"
    assert _h1(_get(english, reverse("usersessions_list"))) == "Where I am logged in"


def test_sessions_table_has_a_header_for_every_column(world: Any) -> None:
    # A real login, so that allauth records the session (force_login does not).
    c = _client()
    c.post(reverse("account_login"), {"login": "siv@ekbacken.se", "password": PASSWORD})
    html = _get(c, reverse("usersessions_list"))
    table = html[html.index("<table") : html.index("</table>")]
    headers = re.findall(r'<th scope="col">([^<]+)</th>', table)
    rows = re.findall(r"<tr>(.*?)</tr>", table[table.index("<tbody>") :], re.S)
    assert rows
    for row in rows:
        assert len(re.findall(r"<td[ >]", row)) == len(headers)
    assert headers == ["Startad", "IP-adress", "Webbläsare", "Inloggad via"]
    assert '<span class="badge">Nuvarande</span>' in rows[0]


def test_password_reset_page_is_the_sites_form_in_the_sites_words(world: Any) -> None:
    html = _get(_client(), reverse("account_reset_password"))
    main = html[html.index("<main") :]
    assert '<form method="post" action="/accounts/password/reset/" class="form" novalidate>' in main
    assert '<div class="field">' in main
    assert '<label for="id_email">E-post <span class="req" aria-hidden="true">*</span>' in main
    assert "skickar vi ett e-postmeddelande" in main
    assert "Kontakta den byråansvariga på handledarbyrån som bjöd in dig" in main
    assert '<button class="primary" type="submit">' in main
    for clash in ("Epost", "epost", " mail", "Vänligen", "kontakta oss", "Kontakta oss"):
        assert clash not in main, clash


def test_wrong_password_is_told_in_the_sites_words(world: Any) -> None:
    response = _client().post(
        reverse("account_login"), {"login": "siv@ekbacken.se", "password": PASSWORD + "x"}
    )
    html = response.content.decode()
    assert "E-postadressen eller lösenordet stämmer inte." in html
    assert "Epost-adressen" not in html


@pytest.mark.parametrize(
    ("msgid", "ours"),
    [
        ("Email address", "E-postadress"),
        (
            "The email address and/or password you specified are not correct.",
            "E-postadressen eller lösenordet stämmer inte.",
        ),
        ("Two-Factor Authentication", "Tvåstegsinloggning"),
        (
            "Please contact us if you have any trouble resetting your password.",
            "Kontakta den byråansvariga på handledarbyrån som bjöd in dig om du har problem med"
            " att återställa ditt lösenord.",
        ),
    ],
)
def test_our_catalogue_overrides_allauths_swedish(msgid: str, ours: str) -> None:
    with translation.override("sv"):
        assert translation.gettext(msgid) == ours


def test_reauthenticate_page_is_the_sites_form(world: Any) -> None:
    html = _get(_client(world.supervisor), reverse("account_reauthenticate"))
    header = _header(html)
    assert reverse("dashboard", args=["ekbacken"]) in header
    main = html[html.index("<main") :]
    assert '<div class="field">' in main
    assert '<label for="id_password">Lösenord' in main
    assert "Vänligen" not in main


def test_every_allauth_text_we_word_is_allauths_and_in_our_swedish_catalogue() -> None:
    """accounts/allauth_strings.py keeps our wording of allauth's texts from being dropped by
    makemessages: each is a text allauth has, and ours translates it."""
    import gettext
    from pathlib import Path

    import allauth

    from bollplank.accounts.allauth_strings import ALLAUTH_TEXTS

    mo = Path(allauth.__file__).parent / "locale" / "sv" / "LC_MESSAGES" / "django.mo"
    with mo.open("rb") as f:
        allauths = gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]
    for text in ALLAUTH_TEXTS:
        assert text in allauths, text
        with translation.override("sv"):
            assert translation.gettext(text) not in (text, allauths[text]), text
