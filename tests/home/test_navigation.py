"""The menus (home/menus.py, templates/_navigation.html): a short primary menu per role, the
practice's administration under Settings, the person's own pages under the account menu, the
current page marked; rendered once per worker for each practice, set of roles, language and
menu page, while each person still sees the menu of their own."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from bollplank.core.roles import Role
from bollplank.evaluations.models import Invitation
from bollplank.home.menus import MAX_PRIMARY
from tests import factories as f
from tests.booking.helpers import individual
from tests.evaluations.helpers import after_meeting

pytestmark = pytest.mark.django_db

P = "ekbacken"


def _client(user: Any, language: str = "sv") -> Client:
    c = Client(headers={"accept-language": language})
    c.force_login(user)
    return c


def _page(user: Any, url: str, language: str = "sv") -> str:
    page = _client(user, language).get(url)
    assert page.status_code == 200, url
    return page.content.decode()


def _between(html: str, start: str, end: str) -> str:
    begin = html.index(start)
    return html[begin : html.index(end, begin)]


def _primary(html: str) -> list[str]:
    """The primary menu's labels, in order."""
    nav = _between(html, '<nav class="primary-nav"', "</nav>")
    return re.findall(r"<a [^>]*>([^<]+)</a>", nav)


def _hrefs(html: str) -> set[str]:
    return set(re.findall(r'href="(/[^"]*)"', html))


def _start(world: Any, role: str) -> tuple[Any, str]:
    user, name = {
        "admin": (world.admin, "dashboard"),
        "supervisor": (world.supervisor, "dashboard"),
        "contact": (world.contact_user, "client_home"),
        "participant": (world.participant_user, "participant_home"),
    }[role]
    return user, reverse(name, args=[P])


EXPECTED_PRIMARY = {
    "admin": [
        "Min dag",
        "Kalender",
        "Uppdrag",
        "Uppdragsgivare",
        "Fakturering",
        "Kurser",
        "Inställningar",
    ],
    "supervisor": ["Min dag", "Kalender", "Uppdrag", "Uppdragsgivare", "Fakturering", "Kurser"],
    "contact": [
        "Våra uppdrag",
        "Kalender",
        "Vårt uppdrag",
        "Avtal",
        "Utvärderingar",
        "Mentorskap",
        "Vår inloggning",
    ],
    # The world's participant is in a group engagement only: nothing to book.
    "participant": ["Mina träffar", "Kalender", "Min dagbok", "Mina mål"],
}


EXPECTED_ENGLISH = ["My day", "Calendar", "Engagements", "Clients", "Billing", "Courses"]


@pytest.mark.parametrize("role", EXPECTED_PRIMARY)
def test_primary_menu_is_short_and_in_swedish_for_each_role(world: Any, role: str) -> None:
    user, start = _start(world, role)
    labels = _primary(_page(user, start))
    assert labels == EXPECTED_PRIMARY[role]
    assert len(labels) <= MAX_PRIMARY


def test_participant_has_no_api_tokens_link_but_staff_and_contacts_do(world: Any) -> None:
    tokens = reverse("api_tokens", args=[P])
    participant = _page(world.participant_user, reverse("participant_home", args=[P]))
    assert tokens not in participant
    assert "API-tokens" not in participant
    for role in ("admin", "supervisor", "contact"):
        user, start = _start(world, role)
        account = _between(_page(user, start), '<nav class="account-nav"', "</nav>")
        assert tokens in account, role


def test_account_menu_holds_the_persons_own_pages(world: Any) -> None:
    html = _page(world.supervisor, reverse("dashboard", args=[P]))
    account = _between(html, '<nav class="account-nav"', "</nav>")
    labels = re.findall(r"<a [^>]*>([^<]+)</a>", account)
    assert labels == [
        "Min profil",
        "Kalenderlänk",
        "Val för e-post",
        "Tvåstegsinloggning",
        "Var jag är inloggad",
        "Mina uppgifter",
        "Vem har läst om mig",
        "API-tokens",
    ]
    # The person's name opens it; the log-out button is in it.
    assert "Siv Handledare</summary>" in html
    assert "Logga ut" in _between(html, '<div class="account-panel">', "</details>")


# What each role's menu linked to before the menus were split (one flat list of links).
_EVERYONE = [
    "feed_settings",
    "api_tokens",
    "notifications_preferences",
    "access_log",
]
_STAFF = [
    "dashboard",
    "calendar_week",
    "engagement_list",
    "client_list",
    "meeting_list",
    "course_list",
    "model_list",
    "inquiry_list",
    "mentoring_programmes",
]
OLD_MENU = {
    "admin": _STAFF
    + _EVERYONE
    + [
        "billing_overview",
        "notifications_outbox",
        "people",
        "practice_settings",
        "audit_log",
        "privacy_retention",
        "privacy_processing",
        "privacy_erase_find",
    ],
    "supervisor": _STAFF
    + _EVERYONE
    + ["invoice_list", "notes_search", "profile_edit", "booking_availability"],
    # The participant's API tokens link is gone on purpose: participants have nothing to
    # automate (the page itself still answers them). The booking link is gone for those with
    # no individual engagement to book in (the world's participant).
    "participant": [n for n in _EVERYONE if n != "api_tokens"]
    + ["participant_home", "journal", "calendar_week"],
    "contact": _EVERYONE
    + ["client_home", "client_mission", "mentoring_programmes", "calendar_week"],
}
_OUTSIDE_PRACTICE = ["mfa_index", "usersessions_list", "my_data"]


@pytest.mark.parametrize("role", OLD_MENU)
def test_every_page_of_the_old_menu_is_within_two_clicks(world: Any, role: str) -> None:
    user, start = _start(world, role)
    c = _client(user)
    home = c.get(start).content.decode()
    one_click = _hrefs(_between(home, "<header", "</header>"))
    two_clicks: set[str] = set()
    for href in sorted(one_click):
        if href.startswith("/static/") or href.startswith("/i18n/"):
            continue
        page = c.get(href)
        if page.status_code == 200:
            two_clicks |= _hrefs(page.content.decode())
    wanted = {reverse(name, args=[P]) for name in OLD_MENU[role]}
    wanted |= {reverse(name) for name in _OUTSIDE_PRACTICE}
    assert wanted - (one_click | two_clicks) == set()


def test_current_page_and_section_are_marked(world: Any) -> None:
    engagements = reverse("engagement_list", args=[P])
    html = _page(world.supervisor, engagements)
    assert f'<a href="{engagements}" aria-current="page" class="in-section">Uppdrag</a>' in html
    # The primary item and its sub-navigation's.
    assert _between(html, "<header", "</header>").count('aria-current="page"') == 2
    # A page inside the section marks the section, not a page.
    detail = _page(world.supervisor, reverse("engagement_detail", args=[P, world.engagement.pk]))
    assert f'<a href="{engagements}" aria-current="true" class="in-section">Uppdrag</a>' in detail
    assert 'aria-current="page"' not in _between(detail, "<header", "</header>")
    # An account page is marked in the account menu.
    feed = reverse("feed_settings", args=[P])
    html = _page(world.supervisor, feed)
    assert f'<a href="{feed}" aria-current="page">Kalenderlänk</a>' in html


def test_settings_landing_lists_the_admin_pages_and_each_shows_the_sub_navigation(
    world: Any,
) -> None:
    landing = _page(world.admin, reverse("settings_index", args=[P]))
    main = _between(landing, "<main", "</main>")
    # The landing lists the pages itself: no sub-navigation repeats them above it.
    assert 'class="section-nav"' not in landing
    for heading in ("Verksamheten", "Fakturering och e-post", "Dataskydd"):
        assert f">{heading}</h2>" in main
    pages = [
        "practice_settings",
        "directory_settings",
        "people",
        "billing_settings",
        "notifications_outbox",
        "audit_log",
        "privacy_retention",
        "privacy_processing",
        "privacy_erase_find",
    ]
    for name in pages:
        url = reverse(name, args=[P])
        assert f'href="{url}"' in main, name
        html = _page(world.admin, url)
        sub = _between(html, '<nav class="section-nav" aria-label="Inställningar">', "</nav>")
        assert f'<a href="{url}" aria-current="page">' in sub, name
        assert _hrefs(sub) >= {reverse(n, args=[P]) for n in pages}
        # Short labels in the sub-navigation; the landing page gives the long ones.
        assert ">Offentlig sida</a>" in sub
        assert ">Verksamhetens offentliga sida och förfrågningar</a>" not in sub
        settings = reverse("settings_index", args=[P])
        assert f'<a href="{settings}" aria-current="true" class="in-section">' in html, name


def test_each_role_language_and_practice_has_its_own_menu(world: Any) -> None:
    start = reverse("dashboard", args=[P])
    admin = _page(world.admin, start)
    supervisor = _page(world.supervisor, start)
    # The admin's own links; the supervisor's own.
    assert reverse("settings_index", args=[P]) in admin
    assert reverse("settings_index", args=[P]) not in supervisor
    assert reverse("profile_edit", args=[P]) in supervisor
    assert reverse("profile_edit", args=[P]) not in admin
    # Rendered once, the same menus come back for the same roles (the name is the person's).
    other = _page(world.other_supervisor, start)
    for nav in ('<nav class="primary-nav"', '<nav class="account-nav"'):
        assert _between(other, nav, "</nav>") == _between(supervisor, nav, "</nav>")
    # Another language, another menu.
    english = _page(world.supervisor, start, language="en")
    assert _primary(english) == EXPECTED_ENGLISH
    # Another practice: links into that practice.
    foreign = _page(world.foreign_supervisor, reverse("dashboard", args=["annan"]))
    assert reverse("profile_edit", args=["annan"]) in foreign
    assert f"/p/{P}/" not in foreign


def test_a_person_with_two_roles_keeps_a_short_primary_menu(world: Any) -> None:
    from bollplank.core.roles import Role
    from tests import factories as f

    f.MembershipFactory(user=world.supervisor, practice=world.practice, role=Role.PARTICIPANT)
    html = _page(world.supervisor, reverse("dashboard", args=[P]))
    assert len(_primary(html)) <= MAX_PRIMARY
    account = _between(html, '<nav class="account-nav"', "</nav>")
    assert "Som deltagare" in account
    assert reverse("journal", args=[P]) in account


def _marked(html: str) -> list[str]:
    """The labels of the header's links marked as the current page or its section."""
    header = _between(html, "<header", "</header>")
    return re.findall(r'<a [^>]*aria-current="(?:page|true)"[^>]*>([^<]+)</a>', header)


def test_a_participant_answering_a_questionnaire_is_in_their_meetings(world: Any) -> None:
    with scopes_disabled():
        invitation = Invitation.objects.get(
            round=after_meeting(world), participant__user=world.participant_user
        )
    html = _page(world.participant_user, reverse("evaluation_answer", args=[P, invitation.pk]))
    assert _marked(html) == ["Mina träffar"]
    goals = _page(world.participant_user, reverse("my_goals", args=[P]))
    assert _marked(goals) == ["Mina mål"]


def test_the_month_marks_the_calendar_in_the_section_menu(world: Any) -> None:
    html = _page(world.supervisor, reverse("calendar_month", args=[P]))
    week = reverse("calendar_week", args=[P])
    sub = _between(html, '<nav class="section-nav" aria-label="Kalender">', "</nav>")
    assert f'<a href="{week}" aria-current="page">Kalender</a>' in sub
    assert _marked(html) == ["Kalender", "Kalender"]  # the primary item and the sub-page's
    participant = _page(world.participant_user, reverse("calendar_month", args=[P]))
    assert _marked(participant) == ["Kalender"]


@pytest.mark.parametrize(
    ("name", "toggle"),
    [
        ("calendar_week", "Kalender"),
        ("calendar_month", "Kalender"),
        ("meeting_list", "Kalender: Träffar"),
        ("engagement_list", "Uppdrag"),
        ("model_list", "Uppdrag: Samtalsmodeller"),
    ],
)
def test_the_phone_toggle_names_the_section_once(world: Any, name: str, toggle: str) -> None:
    html = _page(world.supervisor, reverse(name, args=[P]))
    summary = _between(html, '<details class="section-menu">', "</summary>")
    assert summary.split("<summary>")[1] == toggle


def test_booking_is_in_the_menu_of_participants_with_an_individual_engagement(
    world: Any,
) -> None:
    booking = reverse("booking_home", args=[P])
    start = reverse("participant_home", args=[P])
    assert booking not in _page(world.participant_user, start)
    individual(world)
    html = _page(world.participant_user, start)
    assert _primary(html) == [
        "Mina träffar",
        "Kalender",
        "Boka en träff",
        "Min dagbok",
        "Mina mål",
    ]
    # A supervisor who is also a participant, with nothing to book, has no link to it either.
    f.MembershipFactory(user=world.supervisor, practice=world.practice, role=Role.PARTICIPANT)
    account = _between(
        _page(world.supervisor, reverse("dashboard", args=[P])),
        '<nav class="account-nav"',
        "</nav>",
    )
    assert "Som deltagare" in account
    assert booking not in account
