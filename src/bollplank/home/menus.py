"""The menus of a practice's pages, by role.

Each role gets a short primary menu (at most seven sections), the practice's administration
under one settings section with its own sub-navigation, and the person's own things (profile,
login, data, e-mail, calendar link) under an account menu. A section's sub-navigation shows on
every page of the section; which section a page belongs to follows from its address, so that
an engagement's own page marks "Engagements" without each view saying so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

MAX_PRIMARY = 7


class Flags(NamedTuple):
    """The roles a person holds in the practice, as the menus need them."""

    admin: bool
    supervisor: bool
    participant: bool
    client_contact: bool
    # The participant has an individual engagement to book meetings in: the booking page has
    # nothing for anyone else, so its link would only lead to "nothing to book".
    books: bool = False

    @property
    def staff(self) -> bool:
        return self.admin or self.supervisor


@dataclass(frozen=True)
class Link:
    name: str  # the URL's name
    label: str | Promise
    in_practice: bool = True  # False: a page outside the practice (the login's own pages)
    short: str | Promise | None = None  # in a sub-navigation, where the section says the rest
    also: tuple[str, ...] = ()  # other pages that are this one seen another way (URL names)

    def path(self, slug: str) -> str:
        return reverse(self.name, args=[slug]) if self.in_practice else reverse(self.name)


@dataclass(frozen=True)
class Group:
    heading: str | Promise | None
    links: tuple[Link, ...]


@dataclass(frozen=True)
class Section:
    """A primary menu item: the page it opens, the pages of its sub-navigation, and the
    address prefixes (under the practice) of the pages that belong to it."""

    label: str | Promise
    home: Link
    groups: tuple[Group, ...] = ()
    prefixes: tuple[str, ...] = ()
    home_lists_links: bool = False  # the home page lists the section's pages itself

    @property
    def links(self) -> tuple[Link, ...]:
        return tuple(link for group in self.groups for link in group.links)


@dataclass(frozen=True)
class Menu:
    primary: tuple[Section, ...]
    account: tuple[Group, ...]


def _section(
    label: str | Promise,
    home: Link,
    *links: Link,
    prefixes: tuple[str, ...] = (),
) -> Section:
    # A section with pages of its own lists its home page first in its sub-navigation.
    return Section(label, home, (Group(None, (home, *links)),) if links else (), prefixes)


# The practice's administration: the settings page lists these groups, and every page of them
# shows them as its sub-navigation.
SETTINGS_GROUPS = (
    Group(
        _("The practice"),
        (
            Link("practice_settings", _("Practice settings"), short=_("The practice")),
            Link(
                "directory_settings",
                _("The practice's public page and inquiries"),
                short=_("Public page"),
            ),
            Link("people", _("People")),
            Link("video_settings", _("Video meetings"), short=_("Video")),
            Link("identity_providers", _("Log-in through an organisation"), short=_("Log-in")),
        ),
    ),
    Group(
        _("Billing and mail"),
        (
            Link("billing_settings", _("Billing settings")),
            Link("access_point_settings", _("Peppol access point"), short=_("Peppol")),
            Link("notifications_outbox", _("Outbox")),
        ),
    ),
    Group(
        _("Data protection"),
        (
            Link("audit_log", _("Audit log")),
            Link("privacy_retention", _("Retention")),
            Link("privacy_processing", _("Processing record")),
            Link("processing_agreement", _("Data processing agreement")),
            Link("privacy_erase_find", _("Erase a person")),
        ),
    ),
)
SETTINGS_HOME = Link("settings_index", _("Settings"))
SETTINGS = Section(
    _("Settings"),
    SETTINGS_HOME,
    (Group(None, (Link("settings_index", _("Overview")),)), *SETTINGS_GROUPS),
    (
        "settings/",
        "directory/settings/",
        "people/",
        "billing/settings/",
        "outbox/",
        "audit/",
        "privacy/",
    ),
    home_lists_links=True,
)


# The month is the same calendar as the week, so the calendar's link marks either.
CALENDAR = Link("calendar_week", _("Calendar"), also=("calendar_month",))


def _staff_sections(flags: Flags) -> list[Section]:
    supervisor = flags.supervisor
    calendar_links = [Link("meeting_list", _("Meetings"))]
    if supervisor:
        calendar_links.append(Link("booking_availability", _("Booking")))
    engagement_links = [Link("notes_search", _("My notes"))] if supervisor else []
    engagement_links += [
        Link("model_list", _("Conversation models")),
        Link("questionnaire_list", _("Questionnaires")),
        Link("mentoring_programmes", _("Mentoring")),
    ]
    # The admin's billing page runs the practice's invoicing; a supervisor sees their invoices.
    billing = Link("billing_overview" if flags.admin else "invoice_list", _("Billing"))
    sections = [
        Section(_("My day"), Link("dashboard", _("My day"))),
        _section(
            _("Calendar"),
            CALENDAR,
            *calendar_links,
            prefixes=("calendar/", "meetings/", "booking/"),
        ),
        _section(
            _("Engagements"),
            Link("engagement_list", _("Engagements")),
            *engagement_links,
            prefixes=(
                "engagements/",
                "agreements/",
                "notes/",
                "models/",
                "evaluations/",
                "mentoring/",
            ),
        ),
        _section(
            _("Clients"),
            Link("client_list", _("Clients")),
            Link("inquiry_list", _("Inquiries")),
            prefixes=("clients/", "inquiries/"),
        ),
        Section(billing.label, billing, prefixes=("billing/",)),
        Section(_("Courses"), Link("course_list", _("Courses")), prefixes=("courses/",)),
    ]
    if flags.admin:
        sections.append(SETTINGS)
    return sections


BOOKING = Link("booking_home", _("Book a meeting"))
PARTICIPANT_LINKS = (
    Link("participant_home", _("My meetings")),
    CALENDAR,
    BOOKING,
    Link("journal", _("My journal")),
    Link("my_goals", _("My goals")),
)
CLIENT_CONTACT_LINKS = (
    Link("client_home", _("Our engagements")),
    CALENDAR,
    Link("client_mission", _("Our mission")),
    Link("client_agreements", _("Agreements")),
    Link("client_report", _("Evaluations")),
    Link("mentoring_programmes", _("Mentoring")),
    Link("client_identity_providers", _("Our log-in")),
)
_PREFIXES = {
    # A questionnaire after a meeting is answered from the person's meetings.
    "participant_home": ("me/", "meetings/", "evaluations/answer/"),
    "calendar_week": ("calendar/",),
    "booking_home": ("booking/",),
    "journal": ("journal/",),
    "my_goals": ("evaluations/my-goals/",),
    "client_home": ("client/",),
    "client_mission": ("client/mission/",),
    "client_identity_providers": ("client/log-in/",),
    "client_agreements": ("client/agreements/", "agreements/"),
    "client_report": ("evaluations/report/",),
    "mentoring_programmes": ("mentoring/",),
}


def _plain(links: tuple[Link, ...]) -> list[Section]:
    return [Section(link.label, link, prefixes=_PREFIXES.get(link.name, ())) for link in links]


def _participant_links(flags: Flags) -> tuple[Link, ...]:
    return PARTICIPANT_LINKS if flags.books else tuple(x for x in PARTICIPANT_LINKS if x != BOOKING)


def menu_for(flags: Flags) -> Menu:
    """The menus of a person with these roles. The primary menu follows the person's first
    role (staff, then participant, then client contact); a second role's pages are listed in
    the account menu, so that the primary menu stays short whatever the roles."""
    extra: list[Group] = []
    if flags.staff:
        primary = _staff_sections(flags)
        if flags.participant:
            extra.append(Group(_("As a participant"), _participant_links(flags)))
        if flags.client_contact:
            extra.append(Group(_("As a client contact"), CLIENT_CONTACT_LINKS))
    elif flags.participant:
        primary = _plain(_participant_links(flags))
        if flags.client_contact:
            extra.append(Group(_("As a client contact"), CLIENT_CONTACT_LINKS))
    else:
        primary = _plain(CLIENT_CONTACT_LINKS)
    in_primary = {s.home.name for s in primary}
    extra = [
        Group(g.heading, tuple(link for link in g.links if link.name not in in_primary))
        for g in extra
    ]
    own = [Link("profile_edit", _("My profile"))] if flags.supervisor else []
    own += [
        Link("feed_settings", _("Calendar link")),
        Link("notifications_preferences", _("E-mail choices")),
        Link("mfa_index", _("Two-factor login"), in_practice=False),
        Link("usersessions_list", _("Where I am logged in"), in_practice=False),
        Link("my_data", _("My data"), in_practice=False),
        Link("access_log", _("Who has read about me")),
    ]
    # Tokens are for the people who run the practice or commission its work from their own
    # systems; a participant has nothing to automate, and the link only confused them.
    if flags.staff or flags.client_contact:
        own.append(Link("api_tokens", _("API tokens")))
    return Menu(tuple(primary[:MAX_PRIMARY]), (Group(None, tuple(own)), *extra))
