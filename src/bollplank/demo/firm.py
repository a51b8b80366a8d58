"""The demo firm "Ekbacken handledning": fictional people, clients and a year of meetings.

Everything is written through the services, so the demo holds only what a real user could
have made (holidays skipped, no double bookings, audit events). Randomness is seeded: the
same day gives the same demo.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django_scopes import scope

from bollplank.accounts.models import User
from bollplank.accounts.services import membership_grant
from bollplank.billing.demo import demo_billing
from bollplank.booking.demo import demo_booking
from bollplank.clients.demo import demo_client, demo_contact_login
from bollplank.clients.models import Client
from bollplank.core import clock
from bollplank.core.audit import audit
from bollplank.core.mail import mail_muted
from bollplank.core.models import Practice
from bollplank.core.roles import Role
from bollplank.courses.demo import demo_courses
from bollplank.demo.ekbacken import (
    CANCELLED_AHEAD,
    CANCELLED_LATE_IN_PAST,
    CLIENTS,
    ENGAGEMENTS,
    SEED,
    STAFF,
    SUPERVISOR_ADDRESS,
    TURNOVER,
    EngagementSpec,
    client_spec,
    email_for,
    participant_names,
)
from bollplank.directory.demo import demo_directory
from bollplank.engagements.demo import demo_participant_login, demo_turnover
from bollplank.engagements.enums import DEFAULT_MINUTES, Focus, Form, Venue
from bollplank.engagements.models import Engagement, Participant
from bollplank.engagements.services import PersonInput, engagement_create, engagement_update
from bollplank.evaluations.demo import demo_evaluations
from bollplank.meetings.demo import demo_attendance, demo_cancellations, demo_series
from bollplank.meetings.models import Meeting
from bollplank.mentoring.demo import demo_programme
from bollplank.records.demo import demo_protected_room

DEMO_SLUG = "ekbacken"
DEMO_NAME = "Ekbacken handledning"
# Long enough for the password validators (12 characters); the same for every demo login.
DEMO_PASSWORD = "demo-lösenord-2026"  # noqa: S105  (a published demo password)
HALF_YEAR = dt.timedelta(weeks=26)


@dataclass(frozen=True)
class DemoLogin:
    role: str
    name: str
    email: str


# --- the logins -----------------------------------------------------------------------------


def demo_logins() -> list[DemoLogin]:
    """Every demo login, staff first. The data is fixed, so this needs no database."""
    logins = [
        DemoLogin(" + ".join(_role_label(r) for r in roles), name, email)
        for _key, name, email, roles in STAFF
    ]
    logins += [
        DemoLogin(
            "client contact",
            c.contact,
            email_for(c.contact, c.domain),
        )
        for c in CLIENTS
        if c.contact_login
    ]
    names = participant_names()
    for index, spec in enumerate(ENGAGEMENTS):
        client = client_spec(spec.client)
        for name in names[index][: spec.logins]:
            logins.append(DemoLogin("participant", name, email_for(name, client.domain)))
    return logins


def _role_label(role: str) -> str:
    return {
        Role.ADMIN: "practice admin",
        Role.SUPERVISOR: "supervisor",
        Role.CLIENT_CONTACT: "client contact",
        Role.PARTICIPANT: "participant",
    }[Role(role)]


def format_logins(logins: list[DemoLogin], url: str) -> str:
    """The logins as a plain-text table for the terminal."""
    rows = [("Role", "Name", "E-mail", "Password")]
    rows += [(login.role, login.name, login.email, DEMO_PASSWORD) for login in logins]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [f"Demo logins for {DEMO_NAME} ({url}):", ""]
    for n, row in enumerate(rows):
        lines.append("  " + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if n == 0:
            lines.append("  " + "  ".join("-" * w for w in widths))
    return "\n".join(lines)


# --- building the firm ----------------------------------------------------------------------


def demo_load(*, now: dt.datetime | None = None, mail: bool = False) -> tuple[Practice, bool]:
    """Create the demo firm unless a practice with its slug exists.

    Returns the practice and whether it was created now. Meetings run from about six months
    before ``now`` to six months after it; the past ones have attendance. A made-up firm's year
    of meetings does not fill the outbox with invitations and reminders unless ``mail`` says
    so (a test that reads what the demo would have sent).
    """
    existing = Practice.objects.filter(slug=DEMO_SLUG).first()
    if existing is not None:
        return existing, False
    now = now or clock.now()
    with transaction.atomic(), contextlib.nullcontext() if mail else mail_muted():
        practice = Practice.objects.create(name=DEMO_NAME, slug=DEMO_SLUG)
        audit(None, "core.practice.created", practice, {"demo": True})
        with scope(practice=practice):
            _Builder(practice, now).build()
    return practice, True


class _Builder:
    def __init__(self, practice: Practice, now: dt.datetime) -> None:
        self.practice = practice
        self.now = now
        self.today = timezone.localtime(now).date()
        self.rng = random.Random(SEED)  # noqa: S311  (demo data, not secrets)
        self.staff: dict[str, User] = {}
        self.clients: dict[str, Client] = {}
        self.engagements: dict[str, Engagement] = {}
        self._password_hash: str | None = None

    @property
    def admin(self) -> User:
        return self.staff["karin"]

    def build(self) -> None:
        # The order is part of the demo: every step draws from the one seeded generator.
        self._staff()
        self._clients()
        names = participant_names()
        for index, spec in enumerate(ENGAGEMENTS):
            self._engagement(spec, names[index])
        self._turnover(names)
        # An upcoming course, one place left.
        demo_courses(self.practice, self.staff["johan"], self.today)
        demo_cancellations(
            late_in_past=self.engagements[CANCELLED_LATE_IN_PAST],
            ahead=self.engagements[CANCELLED_AHEAD],
            now=self.now,
        )
        demo_attendance(engagements=self.engagements.values(), rng=self.rng, now=self.now)
        demo_protected_room(
            practice=self.practice, engagements=self.engagements.values(), now=self.now
        )
        demo_billing(practice=self.practice, admin=self.admin, today=self.today, now=self.now)
        demo_booking(self.practice, self.staff["karin"], self.engagements["sol-individual"])
        demo_directory(self.practice, self.staff, self.today)
        self._mentoring()
        demo_evaluations(engagement=self.engagements["bjork-group"], now=self.now, seed=SEED)

    def _mentoring(self) -> None:
        demo_programme(practice=self.practice, actor=self.admin, today=self.today)
        # A programme run for a client: its contact (Anders Holm) coordinates it himself.
        demo_programme(
            practice=self.practice,
            actor=self.admin,
            today=self.today,
            mentors=8,
            mentees=12,
            seed=9,
            name="Mentorskap för nya socialsekreterare",
            client=self.clients["soc"],
        )

    def _user(self, name: str, email: str) -> User:
        user = User.objects.create_user(email, None, name=name)
        # Every demo login has the same password: hash it once, not once per person (Argon2
        # takes a good part of a second by design).
        if self._password_hash is None:
            self._password_hash = make_password(DEMO_PASSWORD)
        user.password = self._password_hash
        user.save(update_fields=["password"])
        return user

    def _staff(self) -> None:
        for key, name, email, roles in STAFF:
            user = self._user(name, email)
            self.staff[key] = user
            for role in roles:
                membership_grant(actor=None, practice=self.practice, user=user, role=role)

    def _clients(self) -> None:
        for spec in CLIENTS:
            client, contact = demo_client(
                actor=self.admin,
                practice=self.practice,
                spec=spec,
                contact_email=email_for(spec.contact, spec.domain),
                rng=self.rng,
            )
            self.clients[spec.key] = client
            if spec.contact_login:
                user = self._user(contact.name, contact.email)
                membership_grant(
                    actor=self.admin, practice=self.practice, user=user, role=Role.CLIENT_CONTACT
                )
                demo_contact_login(contact, user)

    def _engagement(self, spec: EngagementSpec, names: list[str]) -> None:
        client = self.clients[spec.client]
        supervisor = self.staff[spec.supervisor]
        start = self.today - HALF_YEAR + dt.timedelta(weeks=spec.late_start_weeks)
        first_day = start + dt.timedelta(days=(spec.weekday - start.weekday()) % 7)
        until = self.today + HALF_YEAR
        venue_address = {
            Venue.CLIENT_PREMISES: f"{client.street}, {client.postal_code} {client.city}",
            Venue.SUPERVISOR_PREMISES: SUPERVISOR_ADDRESS,
            Venue.VIDEO: "",
        }[Venue(spec.venue)]
        video_url = ""
        if spec.venue == Venue.VIDEO:
            video_url = f"https://video.ekbacken.example/{spec.key}"
        domain = client_spec(spec.client).domain
        engagement = engagement_create(
            actor=self.admin,
            practice=self.practice,
            participants=[
                PersonInput(name, email_for(name, domain)) for name in names[: spec.size]
            ],
            client=client,
            supervisor=supervisor,
            title=spec.title,
            form=spec.form,
            focus=spec.focus,
            meeting_minutes=DEFAULT_MINUTES[Form(spec.form)],
            expectations=spec.expectations,
            goals=spec.goals,
            meetings_ordered=(until - first_day).days // (7 * spec.every) + 1,
            start_date=first_day,
            end_date=until,
            venue=spec.venue,
            venue_address=venue_address,
            video_url=video_url,
            price_per_meeting_ore=spec.price_kr * 100,
        )
        self.engagements[spec.key] = engagement
        chosen = demo_series(
            actor=supervisor,
            engagement=engagement,
            first_day=first_day,
            time=spec.time,
            interval_weeks=spec.every,
            until=until,
            focus="" if spec.focus == Focus.MIXED else spec.focus,
            now=self.now,
        )
        # The client ordered what could be planned, and on some engagements a little more.
        engagement_update(
            actor=self.admin,
            engagement=engagement,
            meetings_ordered=len(chosen) + self.rng.choice([0, 0, 2]),
        )
        for name in names[: spec.logins]:
            self._participant_login(engagement, email_for(name, domain))

    def _participant_login(self, engagement: Engagement, email: str) -> None:
        participant = Participant.objects.get(practice=self.practice, email=email)
        user = self._user(participant.name, participant.email)
        membership_grant(
            actor=engagement.supervisor, practice=self.practice, user=user, role=Role.PARTICIPANT
        )
        demo_participant_login(participant, user)

    def _turnover(self, names: list[list[str]]) -> None:
        """In one group one person left two months ago and a newcomer joined: the
        history shows in attendance and in who sees which meetings."""
        index = next(i for i, spec in enumerate(ENGAGEMENTS) if spec.key == TURNOVER)
        spec = ENGAGEMENTS[index]
        newcomer = names[index][spec.size]
        demo_turnover(
            engagement=self.engagements[spec.key],
            newcomer=newcomer,
            email=email_for(newcomer, client_spec(spec.client).domain),
            joined=self.today - dt.timedelta(weeks=9),
        )


def demo_summary(practice: Practice) -> dict[str, Any]:
    """Counts for the one-line summary of the command."""
    with scope(practice=practice):
        return {
            "clients": Client.objects.filter(practice=practice).count(),
            "engagements": Engagement.objects.filter(practice=practice).count(),
            "meetings": Meeting.objects.filter(practice=practice).count(),
        }
