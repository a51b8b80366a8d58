"""The demo firm "Ekbacken handledning": fictional people, clients and a year of meetings.

Everything is written through the services, so the demo holds only what a real user could
have made (holidays skipped, no double bookings, audit events). Randomness is seeded: the
same day gives the same demo.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django_scopes import scope
from stdnum import luhn
from stdnum.se import orgnr

from bollplank.accounts.enums import Role
from bollplank.accounts.models import User
from bollplank.accounts.services import membership_grant
from bollplank.clients.enums import Sector
from bollplank.clients.models import Client, ClientContact
from bollplank.clients.services import client_create, contact_create
from bollplank.core import clock
from bollplank.core.audit import audit
from bollplank.core.models import Practice
from bollplank.engagements.enums import DEFAULT_MINUTES, Focus, Form, Venue
from bollplank.engagements.models import Engagement, GroupMembership, Participant
from bollplank.engagements.services import (
    PersonInput,
    engagement_create,
    engagement_update,
    participant_join,
    participant_leave,
)
from bollplank.meetings.enums import AttendanceStatus, MeetingStatus
from bollplank.meetings.models import Meeting
from bollplank.meetings.services import (
    ChosenMeeting,
    Proposal,
    attendance_record,
    meeting_cancel,
    meeting_set_focus,
    meetings_create_series,
    series_propose,
)

DEMO_SLUG = "ekbacken"
DEMO_NAME = "Ekbacken handledning"
# Long enough for the password validators (12 characters); the same for every demo login.
DEMO_PASSWORD = "demo-lösenord-2026"  # noqa: S105  (a published demo password)
SEED = 2026
HALF_YEAR = dt.timedelta(weeks=26)


@dataclass(frozen=True)
class DemoLogin:
    role: str
    name: str
    email: str


def org_number(nine_digits: str) -> str:
    """A valid organisation number made from nine digits plus the Luhn check digit."""
    number = nine_digits + luhn.calc_check_digit(nine_digits)
    assert orgnr.is_valid(number), number
    return orgnr.format(number)


# --- the firm -------------------------------------------------------------------------------

# (key, name, e-mail, roles)
STAFF: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("karin", "Karin Ekholm", "karin@ekbacken.example", (Role.ADMIN, Role.SUPERVISOR)),
    ("johan", "Johan Lindqvist", "johan@ekbacken.example", (Role.SUPERVISOR,)),
    ("amira", "Amira Haddad", "amira@ekbacken.example", (Role.SUPERVISOR,)),
]


@dataclass(frozen=True)
class ClientSpec:
    key: str
    name: str
    org_base: str  # nine digits; public bodies start with 2
    sector: str
    street: str
    postal_code: str
    city: str
    invoice_reference: str
    mission: str
    contact: str
    contact_title: str
    domain: str
    contact_login: bool = False


CLIENTS: list[ClientSpec] = [
    ClientSpec(
        key="bjork",
        name="Björkskolan, Ekby kommun",
        org_base="212000470",
        sector=Sector.SCHOOL,
        street="Skolvägen 4",
        postal_code="745 31",
        city="Ekby",
        invoice_reference="BJK-4410",
        mission="Björkskolan ger eleverna i förskoleklass till årskurs 9 en undervisning som "
        "främjar lärande och utveckling, i en trygg miljö där alla elever når målen.",
        contact="Maria Sandberg",
        contact_title="Rektor",
        domain="bjorkskolan.example",
        contact_login=True,
    ),
    ClientSpec(
        key="larkan",
        name="Förskolan Lärkan, Ekby kommun",
        org_base="212000471",
        sector=Sector.PRESCHOOL,
        street="Lärkstigen 12",
        postal_code="745 35",
        city="Ekby",
        invoice_reference="LRK-2203",
        mission="Förskolan lägger grunden för ett livslångt lärande: omsorg, utveckling och "
        "lärande bildar en helhet, i nära samarbete med hemmen.",
        contact="Elin Berg",
        contact_title="Förskolechef",
        domain="larkan.example",
    ),
    ClientSpec(
        key="soc",
        name="Socialtjänsten Ekby, barn och familj",
        org_base="212000472",
        sector=Sector.SOCIAL_SERVICES,
        street="Storgatan 20",
        postal_code="745 30",
        city="Ekby",
        invoice_reference="SOC-BOF-118",
        mission="Att värna barns och ungas rätt till trygga uppväxtvillkor: utreda, stödja och "
        "följa upp, med barnets bästa i främsta rummet.",
        contact="Anders Holm",
        contact_title="Enhetschef",
        domain="ekby-soc.example",
        contact_login=True,
    ),
    ClientSpec(
        key="vc",
        name="Vårdcentralen Norrbacka, Region Mälardal",
        org_base="232100019",
        sector=Sector.HEALTH_CARE,
        street="Norrbackavägen 2",
        postal_code="752 20",
        city="Mälarstad",
        invoice_reference="RM-VC-NB-77",
        mission="En god och nära vård på lika villkor för hela befolkningen, med patientens "
        "behov i centrum.",
        contact="Sofia Nyström",
        contact_title="Verksamhetschef",
        domain="norrbacka-vc.example",
    ),
    ClientSpec(
        key="friv",
        name="Frivården Mälarstad",
        org_base="202100431",
        sector=Sector.PRISON_PROBATION,
        street="Kungsgatan 41",
        postal_code="752 21",
        city="Mälarstad",
        invoice_reference="FV-MST-009",
        mission="Att minska återfall i brott och öka tryggheten i samhället genom "
        "verkställighet, påverkansarbete och stöd till ett liv utan kriminalitet.",
        contact="Peter Åberg",
        contact_title="Kriminalvårdschef",
        domain="frivarden-mst.example",
    ),
    ClientSpec(
        key="sol",
        name="Solgårdens vård- och omsorgsboende, Ekby kommun",
        org_base="212000473",
        sector=Sector.ELDER_CARE,
        street="Solgårdsvägen 1",
        postal_code="745 38",
        city="Ekby",
        invoice_reference="SOL-5512",
        mission="Att ge de äldre en värdig tillvaro och ett gott välbefinnande, med respekt för "
        "självbestämmande och integritet.",
        contact="Lena Forsberg",
        contact_title="Enhetschef",
        domain="solgarden.example",
        contact_login=True,
    ),
]


@dataclass(frozen=True)
class EngagementSpec:
    key: str
    client: str
    supervisor: str
    title: str
    form: str
    focus: str
    size: int  # participants at the start
    weekday: int  # Monday 0
    time: dt.time
    every: int  # weeks between meetings
    venue: str
    price_kr: int
    expectations: str
    goals: str
    late_start_weeks: int = 0  # so that the engagements do not all start in one week
    logins: int = 0  # how many of the participants get a demo login


ENGAGEMENTS: list[EngagementSpec] = [
    EngagementSpec(
        key="bjork-group",
        client="bjork",
        supervisor="karin",
        title="Lärarlaget åk 4–6",
        form=Form.GROUP,
        focus=Focus.PROCESS,
        size=5,
        weekday=1,
        time=dt.time(14, 0),
        every=3,
        venue=Venue.CLIENT_PREMISES,
        price_kr=4800,
        expectations="Handledning för lärarlaget i åk 4–6 om bemötande, samarbete och "
        "arbetsbelastning.",
        goals="Ett gemensamt förhållningssätt i svåra elevsituationer och mindre stress i laget.",
        logins=1,
    ),
    EngagementSpec(
        key="bjork-individual",
        client="bjork",
        supervisor="johan",
        title="Biträdande rektor – enskild handledning",
        form=Form.INDIVIDUAL,
        focus=Focus.PROCESS,
        size=1,
        weekday=0,
        time=dt.time(15, 30),
        every=4,
        venue=Venue.SUPERVISOR_PREMISES,
        price_kr=1900,
        expectations="Enskild handledning i ledarskapsfrågor.",
        goals="Stöd i rollen som pedagogisk ledare under en omorganisation.",
        late_start_weeks=1,
    ),
    EngagementSpec(
        key="larkan-group",
        client="larkan",
        supervisor="amira",
        title="Arbetslaget Blåsippan – kollegial handledning",
        form=Form.GROUP,
        focus=Focus.MIXED,
        size=4,
        weekday=2,
        time=dt.time(13, 0),
        every=3,
        venue=Venue.CLIENT_PREMISES,
        price_kr=4200,
        expectations="Handledning av arbetslaget om barngruppen och det kollegiala lärandet.",
        goals="Arbetslaget ska själva kunna leda kollegiala samtal enligt en samtalsmodell.",
    ),
    EngagementSpec(
        key="soc-group",
        client="soc",
        supervisor="karin",
        title="Barn- och familjegruppen – ärendehandledning",
        form=Form.GROUP,
        focus=Focus.CASE,
        size=6,
        weekday=3,
        time=dt.time(9, 0),
        every=2,
        venue=Venue.SUPERVISOR_PREMISES,
        price_kr=5200,
        expectations="Ärendehandledning för socialsekreterare i barnutredningar, varannan vecka.",
        goals="Säkrare bedömningar, ett gemensamt språk i gruppen och förebyggande av utmattning.",
        logins=1,
    ),
    EngagementSpec(
        key="soc-individual",
        client="soc",
        supervisor="amira",
        title="Gruppledare – enskild handledning",
        form=Form.INDIVIDUAL,
        focus=Focus.MIXED,
        size=1,
        weekday=0,
        time=dt.time(10, 0),
        every=4,
        venue=Venue.VIDEO,
        price_kr=1800,
        expectations="Enskild handledning på video.",
        goals="Hållbart ledarskap i en verksamhet med hög personalomsättning.",
    ),
    EngagementSpec(
        key="vc-group",
        client="vc",
        supervisor="johan",
        title="Distriktssköterskorna – processhandledning",
        form=Form.GROUP,
        focus=Focus.PROCESS,
        size=4,
        weekday=2,
        time=dt.time(8, 30),
        every=3,
        venue=Venue.CLIENT_PREMISES,
        price_kr=4500,
        expectations="Processhandledning om mötet med svårt sjuka patienter och deras anhöriga.",
        goals="Arbetsglädje, mindre risk för utbrändhet och bättre samarbete i teamet.",
        late_start_weeks=1,
    ),
    EngagementSpec(
        key="friv-group",
        client="friv",
        supervisor="johan",
        title="Frivårdsinspektörerna – uppdragsrelaterad handledning",
        form=Form.GROUP,
        focus=Focus.MIXED,
        size=5,
        weekday=1,
        time=dt.time(9, 0),
        every=3,
        venue=Venue.SUPERVISOR_PREMISES,
        price_kr=5000,
        expectations="Uppdragsrelaterad handledning med det återfallsförebyggande uppdraget som "
        "referenspunkt.",
        goals="Tydligare koppling mellan det egna arbetet och uppdraget att minska återfall.",
        logins=1,
    ),
    EngagementSpec(
        key="sol-group",
        client="sol",
        supervisor="amira",
        title="Undersköterskorna – grupphandledning",
        form=Form.GROUP,
        focus=Focus.PROCESS,
        size=3,
        weekday=3,
        time=dt.time(14, 0),
        every=4,
        venue=Venue.CLIENT_PREMISES,
        price_kr=3900,
        expectations="Grupphandledning om bemötande i livets slutskede.",
        goals="Att orka i arbetet och ta vara på varandras erfarenheter.",
    ),
    EngagementSpec(
        key="sol-individual",
        client="sol",
        supervisor="karin",
        title="Sjuksköterska – enskild handledning",
        form=Form.INDIVIDUAL,
        focus=Focus.PROCESS,
        size=1,
        weekday=4,
        time=dt.time(10, 0),
        every=4,
        venue=Venue.SUPERVISOR_PREMISES,
        price_kr=1900,
        expectations="Enskild handledning för den medicinskt ansvariga sjuksköterskan.",
        goals="Stöd i svåra etiska avvägningar och i samarbetet med läkarna.",
        late_start_weeks=2,
        logins=1,  # she books her own meetings (booking/demo.py)
    ),
]
# The group where one person leaves and a newcomer joins, and the meetings that get cancelled.
TURNOVER = "soc-group"
CANCELLED_LATE_IN_PAST = "vc-group"
CANCELLED_AHEAD = "larkan-group"

FIRST_NAMES = [
    "Anna", "Erik", "Sara", "Lars", "Eva", "Mohammed", "Karin", "Per", "Lina", "Ali",
    "Maja", "Nils", "Hanna", "Oskar", "Fatima", "Jonas", "Ida", "Mikael", "Emma", "Ahmed",
    "Sofia", "Gustav", "Elsa", "Viktor", "Linnea", "Daniel", "Amanda", "Tobias", "Julia", "Leo",
]  # fmt: skip
LAST_NAMES = [
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
    "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson",
    "Bengtsson", "Jönsson", "Lindberg", "Jakobsson", "Magnusson", "Olofsson", "Lindström",
    "Lindgren", "Axelsson", "Berglund", "Sundberg", "Hedlund", "Öberg", "Ali", "Yilmaz",
]  # fmt: skip
SUPERVISOR_ADDRESS = "Ekbackevägen 7, 745 32 Ekby"


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _email(name: str, domain: str) -> str:
    first, last = name.split(" ", 1)
    return f"{_ascii(first)}.{_ascii(last).replace(' ', '')}@{domain}"


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
            _email(c.contact, c.domain),
        )
        for c in CLIENTS
        if c.contact_login
    ]
    names = _participant_names()
    for index, spec in enumerate(ENGAGEMENTS):
        client = _client_spec(spec.client)
        for name in names[index][: spec.logins]:
            logins.append(DemoLogin("participant", name, _email(name, client.domain)))
    return logins


def _role_label(role: str) -> str:
    return {
        Role.ADMIN: "practice admin",
        Role.SUPERVISOR: "supervisor",
        Role.CLIENT_CONTACT: "client contact",
        Role.PARTICIPANT: "participant",
    }[Role(role)]


def _client_spec(key: str) -> ClientSpec:
    return next(c for c in CLIENTS if c.key == key)


def _participant_names() -> list[list[str]]:
    """Names per engagement (plus one newcomer each), unique across the practice."""
    rng = random.Random(SEED)  # noqa: S311  (demo names, not secrets)
    pool = [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES]
    chosen = rng.sample(pool, sum(spec.size + 1 for spec in ENGAGEMENTS))
    out: list[list[str]] = []
    for spec in ENGAGEMENTS:
        out.append(chosen[: spec.size + 1])
        chosen = chosen[spec.size + 1 :]
    return out


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


def demo_load(*, now: dt.datetime | None = None) -> tuple[Practice, bool]:
    """Create the demo firm unless a practice with its slug exists.

    Returns the practice and whether it was created now. Meetings run from about six months
    before ``now`` to six months after it; the past ones have attendance.
    """
    existing = Practice.objects.filter(slug=DEMO_SLUG).first()
    if existing is not None:
        return existing, False
    now = now or clock.now()
    with transaction.atomic():
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
        self._staff()
        self._clients()
        names = _participant_names()
        for index, spec in enumerate(ENGAGEMENTS):
            self._engagement(spec, names[index])
        self._turnover(names)
        _demo_courses(self)
        self._cancellations()
        self._focus_and_attendance()
        self._protected_room()
        self._billing()
        self._booking()
        self._directory()
        self._mentoring()
        self._evaluations()

    def _billing(self) -> None:
        _demo_billing(self)

    def _booking(self) -> None:
        from bollplank.booking.demo import demo_booking

        demo_booking(self.practice, self.staff["karin"], self.engagements["sol-individual"])

    def _directory(self) -> None:
        from bollplank.directory.demo import demo_directory

        demo_directory(self.practice, self.staff, self.today)

    def _mentoring(self) -> None:
        from bollplank.mentoring.demo import demo_programme

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

    def _evaluations(self) -> None:
        from bollplank.evaluations.demo import demo_evaluations

        demo_evaluations(engagement=self.engagements["bjork-group"], now=self.now, seed=SEED)

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
            client = client_create(
                actor=self.admin,
                practice=self.practice,
                name=spec.name,
                org_number=org_number(spec.org_base),
                sector=spec.sector,
                street=spec.street,
                postal_code=spec.postal_code,
                city=spec.city,
                invoice_reference=spec.invoice_reference,
                mission=spec.mission,
            )
            self.clients[spec.key] = client
            contact = contact_create(
                actor=self.admin,
                client=client,
                name=spec.contact,
                email=_email(spec.contact, spec.domain),
                title=spec.contact_title,
                phone=f"0171-{self.rng.randint(10, 99)} {self.rng.randint(10, 99)} "
                f"{self.rng.randint(10, 99)}",
            )
            if spec.contact_login:
                user = self._user(contact.name, contact.email)
                membership_grant(
                    actor=self.admin, practice=self.practice, user=user, role=Role.CLIENT_CONTACT
                )
                # What accepting an invitation does (invitation_accept), without the e-mail.
                ClientContact.objects.filter(pk=contact.pk).update(user=user)

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
        domain = _client_spec(spec.client).domain
        engagement = engagement_create(
            actor=self.admin,
            practice=self.practice,
            participants=[PersonInput(name, _email(name, domain)) for name in names[: spec.size]],
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
        # As a supervisor plans: the dates that fall on a holiday or collide with another
        # engagement (travel buffer included) are left out.
        proposals = series_propose(
            engagement=engagement,
            first_day=first_day,
            time=spec.time,
            interval_weeks=spec.every,
            until=until,
        )
        chosen = [ChosenMeeting(p.day, p.time) for p in proposals if p.status == Proposal.OK]
        meetings_create_series(
            actor=supervisor,
            engagement=engagement,
            chosen=chosen,
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
            self._participant_login(engagement, _email(name, domain))

    def _participant_login(self, engagement: Engagement, email: str) -> None:
        participant = Participant.objects.get(practice=self.practice, email=email)
        user = self._user(participant.name, participant.email)
        membership_grant(
            actor=engagement.supervisor, practice=self.practice, user=user, role=Role.PARTICIPANT
        )
        # What accepting an invitation does (invitation_accept), without the e-mail.
        Participant.objects.filter(pk=participant.pk).update(user=user)

    def _turnover(self, names: list[list[str]]) -> None:
        """In one group one person left two months ago and a newcomer joined: the
        history shows in attendance and in who sees which meetings."""
        index = next(i for i, spec in enumerate(ENGAGEMENTS) if spec.key == TURNOVER)
        spec = ENGAGEMENTS[index]
        engagement = self.engagements[spec.key]
        domain = _client_spec(spec.client).domain
        newcomer = names[index][spec.size]
        joined = self.today - dt.timedelta(weeks=9)
        participant_join(
            actor=engagement.supervisor,
            engagement=engagement,
            name=newcomer,
            email=_email(newcomer, domain),
            joined_on=joined,
        )
        # The last of the original members, so that the members with logins stay.
        leaving = (
            GroupMembership.objects.filter(engagement=engagement, left_on__isnull=True)
            .exclude(participant__email=_email(newcomer, domain))
            .order_by("-pk")
            .first()
        )
        assert leaving is not None
        participant_leave(
            actor=engagement.supervisor, membership=leaving, left_on=joined + dt.timedelta(days=7)
        )

    def _cancellations(self) -> None:
        """One meeting in the past that was cancelled late, one in the future cancelled well
        ahead of time."""
        now = self.now
        past = list(
            Meeting.objects.filter(
                engagement=self.engagements[CANCELLED_LATE_IN_PAST],
                ends_at__lte=now - dt.timedelta(weeks=6),
            ).order_by("-starts_at")[:1]
        )
        for meeting in past:
            meeting_cancel(
                actor=meeting.supervisor,
                meeting=meeting,
                now=meeting.starts_at - dt.timedelta(hours=20),
            )
        future = list(
            Meeting.objects.filter(
                engagement=self.engagements[CANCELLED_AHEAD],
                starts_at__gte=now + dt.timedelta(weeks=3),
            ).order_by("starts_at")[:1]
        )
        for meeting in future:
            meeting_cancel(actor=meeting.supervisor, meeting=meeting, now=now)

    def _focus_and_attendance(self) -> None:
        statuses = [AttendanceStatus.PRESENT] * 17 + [AttendanceStatus.ABSENT] * 2
        statuses += [AttendanceStatus.LATE_CANCELLED]
        for engagement in self.engagements.values():
            memberships = list(GroupMembership.objects.filter(engagement=engagement))
            meetings = Meeting.objects.filter(
                engagement=engagement, ends_at__lte=self.now, status=MeetingStatus.PLANNED
            ).select_related("engagement", "practice")
            for meeting in meetings:
                if engagement.focus == Focus.MIXED:
                    focus = self.rng.choice([Focus.PROCESS, Focus.CASE])
                    meeting_set_focus(actor=engagement.supervisor, meeting=meeting, focus=focus)
                day = timezone.localtime(meeting.starts_at).date()
                present: dict[int, str] = {
                    m.participant_id: self.rng.choice(statuses)
                    for m in memberships
                    if m.joined_on <= day and (m.left_on is None or m.left_on > day)
                }
                attendance_record(
                    actor=engagement.supervisor, meeting=meeting, statuses=present, now=self.now
                )

    def _protected_room(self) -> None:
        """What is said and written around the meetings of the groups whose participants can
        log in: summaries of the last two meetings, a private note, questions sent in for the
        next meeting, the case rota ahead, and a journal entry."""
        from bollplank.records import services as records

        for engagement in self.engagements.values():
            if engagement.form != "group":
                continue
            member = (
                GroupMembership.objects.filter(
                    engagement=engagement, left_on__isnull=True, participant__user__isnull=False
                )
                .select_related("participant__user")
                .first()
            )
            if member is None:
                continue
            supervisor = engagement.supervisor
            held = list(
                Meeting.objects.filter(
                    engagement=engagement, ends_at__lte=self.now, status=MeetingStatus.PLANNED
                ).order_by("-starts_at")[:2]
            )
            for meeting in held:
                records.summary_save(
                    actor=supervisor,
                    meeting=meeting,
                    body=SUMMARY_TEXT,
                    publish=True,
                    now=self.now,
                )
            if held:
                records.note_create(
                    actor=supervisor,
                    engagement=engagement,
                    meeting=held[0],
                    body=NOTE_TEXT,
                    confirmed=True,
                )
            ahead = list(
                Meeting.objects.filter(
                    engagement=engagement, starts_at__gte=self.now, status=MeetingStatus.PLANNED
                ).order_by("starts_at")[:4]
            )
            records.rota_apply(actor=supervisor, engagement=engagement, meetings=ahead)
            user = member.participant.user
            open_for_questions = [m for m in ahead if records.submission_deadline(m) > self.now][:1]
            for meeting in open_for_questions:
                records.submission_create(
                    actor=user,
                    meeting=meeting,
                    participant=member.participant,
                    body=QUESTION_TEXT,
                    visibility="group",
                    confirmed=True,
                    now=self.now,
                )
            records.journal_write(
                actor=user,
                practice=self.practice,
                body=JOURNAL_TEXT,
                meeting=held[0] if held else None,
            )


SUMMARY_TEXT = (
    "Vi pratade om hur vi tar emot varandras berättelser utan att genast ge råd. "
    "Till nästa gång: tänk på en situation där du stod kvar i det svåra."
)
NOTE_TEXT = "Gruppen var tystare än vanligt. Följ upp arbetsbelastningen nästa gång."
QUESTION_TEXT = "Hur sätter jag gränser när en förälder ringer efter arbetstid?"
JOURNAL_TEXT = "Jag märkte att jag ville lösa allt själv. Att lyssna först var svårt men gav mer."


def _demo_billing(builder: _Builder) -> None:
    """The firm's billing settings, and the month before last invoiced and issued, so that the
    billing pages show invoices and last month is left for the user's own first run."""
    from bollplank.billing import services as billing

    practice, admin = builder.practice, builder.admin
    billing.billing_settings_save(
        actor=admin,
        practice=practice,
        legal_name="Ekbacken handledning AB",
        org_number=org_number("559123456"),
        vat_number="SE" + org_number("559123456").replace("-", "") + "01",
        f_tax=True,
        street="Ekbackevägen 7",
        postal_code="745 32",
        city="Enköping",
        email="faktura@ekbacken.example",
        phone="0171-12 34 56",
        bankgiro="5050-1055",
        payment_terms_days=30,
        number_series="",
        first_number=1001,
    )
    first_of_month = builder.today.replace(day=1)
    last_month_end = first_of_month - dt.timedelta(days=1)
    start = (last_month_end.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    end = last_month_end.replace(day=1) - dt.timedelta(days=1)
    for draft in billing.invoice_run(
        actor=admin, practice=practice, period_start=start, period_end=end, now=builder.now
    ):
        billing.invoice_issue(actor=admin, invoice=draft, today=end + dt.timedelta(days=2))


def demo_summary(practice: Practice) -> dict[str, Any]:
    """Counts for the one-line summary of the command."""
    with scope(practice=practice):
        return {
            "clients": Client.objects.filter(practice=practice).count(),
            "engagements": Engagement.objects.filter(practice=practice).count(),
            "meetings": Meeting.objects.filter(practice=practice).count(),
        }


def _demo_courses(builder: _Builder) -> None:
    """An upcoming course, one place left (courses/demo.py)."""
    from bollplank.courses.demo import demo_courses

    demo_courses(builder.practice, builder.staff["johan"], builder.today)
