"""Generated data for the benchmark: a large supervision firm over five years.

At ``large`` scale the installation holds 150 supervisors, 400 clients, 6,000 participants,
300,000 meetings and about 1.2 million attendance rows; one busy practice ("bench") holds half
of it and a second practice ("bench-rest") the other half, so that every query also has to
leave another tenant's rows alone. ``medium`` is a tenth of that, ``small`` a hundredth.

Rows go in with ``bulk_create`` in large batches inside one transaction, skipping the services
on purpose: the services write one audited row at a time, which would take hours here. The
shape is still what the services would make: meetings sit on a weekly rhythm per engagement in
Europe/Stockholm wall-clock time, skip Swedish holidays, never double-book a supervisor (every
engagement owns a weekday-and-time slot of its supervisor), and attendance exists only for
meetings that were held, for the people in the group on that day.

Everything is drawn from one seeded random generator and dated relative to ``anchor`` (a day,
default today): the same anchor gives the same data.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django_scopes import scopes_disabled

from bollplank.accounts.models import Membership, User
from bollplank.clients.enums import Sector
from bollplank.clients.models import Client, ClientContact
from bollplank.core import clock
from bollplank.core.models import Practice
from bollplank.core.roles import Role
from bollplank.core.timeutils import HOLIDAY_CATEGORIES
from bollplank.engagements.enums import DEFAULT_MINUTES, Focus, Form, Status, Venue
from bollplank.engagements.models import Engagement, GroupMembership, Participant
from bollplank.meetings.enums import AttendanceStatus, MeetingStatus
from bollplank.meetings.models import Attendance, Meeting

BENCH_SLUG = "bench"
REST_SLUG = "bench-rest"
SEED = 11
# Every bench login has this password: the data is for measuring, never for a real install.
BENCH_PASSWORD = "bench-lösenord-2026"  # noqa: S105  (a published bench password)
TZ = ZoneInfo("Europe/Stockholm")

YEARS_BACK = 5
WEEKS_AHEAD = 26
# Start times that leave two hours plus a travel buffer between neighbours.
SLOT_TIMES = (dt.time(8, 0), dt.time(10, 30), dt.time(13, 0), dt.time(15, 30))
GROUP_SHARE = 0.7
GROUP_SIZE = (4, 9)
BATCH = 5000
# The tables the generator fills, in the order their rows refer to each other.
TABLES: list[type[models.Model]] = [
    User,
    Membership,
    Client,
    ClientContact,
    Participant,
    Engagement,
    GroupMembership,
    Meeting,
    Attendance,
]


@dataclass(frozen=True)
class Sizes:
    """Totals over both bench practices. ``attendance`` is a target the group sizes aim at."""

    supervisors: int
    clients: int
    participants: int
    meetings: int
    attendance: int


LARGE = Sizes(
    supervisors=150, clients=400, participants=6000, meetings=300_000, attendance=1_200_000
)
SCALES = {"small": 0.01, "medium": 0.1, "large": 1.0}


def sizes_for(scale: str) -> Sizes:
    """The sizes of a named scale; at least two of each person so both practices get some."""
    factor = SCALES[scale]
    return Sizes(
        supervisors=max(2, round(LARGE.supervisors * factor)),
        clients=max(2, round(LARGE.clients * factor)),
        participants=max(8, round(LARGE.participants * factor)),
        meetings=max(20, round(LARGE.meetings * factor)),
        attendance=round(LARGE.attendance * factor),
    )


def _halves(n: int) -> tuple[int, int]:
    return n - n // 2, n // 2


@dataclass
class Summary:
    practices: int = 0
    users: int = 0
    supervisors: int = 0
    clients: int = 0
    participants: int = 0
    engagements: int = 0
    memberships: int = 0
    meetings: int = 0
    attendance: int = 0


SECTORS = [s.value for s in Sector]
FIRST = [
    "Anna",
    "Erik",
    "Maria",
    "Karl",
    "Sara",
    "Lars",
    "Elin",
    "Johan",
    "Fatima",
    "Ali",
    "Lena",
    "Per",
    "Ingrid",
    "Mohammed",
    "Sofia",
    "Nils",
    "Emma",
    "Olof",
    "Aisha",
    "Björn",
]
LAST = [
    "Andersson",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
    "Svensson",
    "Gustafsson",
    "Lindberg",
    "Haddad",
    "Ekström",
    "Holm",
    "Berg",
]
ORGS = [
    "skola",
    "förskola",
    "socialtjänst",
    "vårdcentral",
    "frivård",
    "behandlingshem",
    "äldreboende",
    "psykiatrisk mottagning",
]
TOWNS = ["Ekby", "Mälarstad", "Norrvik", "Sjöholm", "Granlunda", "Åsbacka", "Lindköping"]


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


class _Inserter:
    """Buffers model instances and writes them with bulk_create in large batches."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.rows: list[Any] = []
        self.count = 0

    def add(self, obj: Any) -> None:
        self.rows.append(obj)
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            # Primary keys come back (RETURNING on PostgreSQL and SQLite) for rows that need them.
            self.model.objects.bulk_create(self.rows, batch_size=BATCH)  # type: ignore[attr-defined]
            self.count += len(self.rows)
            self.rows = []


def _holiday_dates(first: dt.date, last: dt.date) -> set[dt.date]:
    import holidays

    years = range(first.year, last.year + 1)
    found = holidays.country_holidays("SE", years=years, categories=HOLIDAY_CATEGORIES)
    # Python-holidays counts every Sunday as a Swedish holiday; meetings are on weekdays anyway.
    return set(found.keys())


def _local(day: dt.date, time: dt.time) -> dt.datetime:
    # The slots are daytime, so never inside a daylight-saving gap or fold.
    return dt.datetime.combine(day, time, tzinfo=TZ).astimezone(dt.UTC)


def generate(
    *,
    sizes: Sizes,
    anchor: dt.date | None = None,
    seed: int = SEED,
    label: str = "",
    progress: Callable[[str], None] | None = None,
) -> Summary:
    """Create the two bench practices with ``sizes`` in total. Refuses if they exist."""
    anchor = anchor or clock.today()
    rng = random.Random(seed)
    summary = Summary()
    say = progress or (lambda _msg: None)
    with scopes_disabled(), transaction.atomic():
        if Practice.objects.filter(slug__in=[BENCH_SLUG, REST_SLUG]).exists():
            raise ValueError("The bench practices exist already; use a fresh database.")
        password = make_password(BENCH_PASSWORD)
        shares = zip(
            (BENCH_SLUG, REST_SLUG),
            _halves(sizes.supervisors),
            _halves(sizes.clients),
            _halves(sizes.participants),
            _halves(sizes.meetings),
            strict=True,
        )
        for slug, n_sup, n_cli, n_par, n_meet in shares:
            name = "Bench handledning" if slug == BENCH_SLUG else "Bench övriga"
            practice = Practice.objects.create(
                name=f"{name} {label}".strip(), slug=slug, travel_buffer_minutes=30
            )
            summary.practices += 1
            _practice(
                practice=practice,
                n_sup=n_sup,
                n_cli=n_cli,
                n_par=n_par,
                n_meet=n_meet,
                attendance_per_meeting=sizes.attendance / max(sizes.meetings, 1),
                anchor=anchor,
                rng=rng,
                password=password,
                summary=summary,
                say=say,
            )
        reset_sequences()
    # Fresh table statistics, as a maintained database has them (autovacuum on PostgreSQL);
    # the plans measured are then the plans a real installation gets.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return summary


def reset_sequences() -> None:
    """Move PostgreSQL's id sequences of the bench tables past their highest ids. The
    generator's rows come with their ids from RETURNING, so this only keeps that true should a
    future Django version stop returning them; the copier (demo/many.py) chooses ids itself."""
    if connection.vendor != "postgresql":
        return
    from django.core.management.color import no_style

    sql = connection.ops.sequence_reset_sql(no_style(), TABLES)
    with connection.cursor() as cursor:
        for statement in sql:
            cursor.execute(statement)


def _users(
    practice: Practice, role: str, people: list[tuple[str, str]], password: str
) -> list[User]:
    users = User.objects.bulk_create(
        [User(email=email, name=name, password=password) for name, email in people],
        batch_size=BATCH,
    )
    Membership.objects.bulk_create(
        [Membership(practice=practice, user=u, role=role) for u in users], batch_size=BATCH
    )
    return users


def _practice(
    *,
    practice: Practice,
    n_sup: int,
    n_cli: int,
    n_par: int,
    n_meet: int,
    attendance_per_meeting: float,
    anchor: dt.date,
    rng: random.Random,
    password: str,
    summary: Summary,
    say: Callable[[str], None],
) -> None:
    slug = practice.slug
    domain = f"{slug}.bench.example"
    _users(practice, Role.ADMIN, [("Bench Byråansvarig", f"admin@{domain}")], password)
    supervisors = _users(
        practice,
        Role.SUPERVISOR,
        [(_name(rng), f"handledare{i}@{domain}") for i in range(n_sup)],
        password,
    )
    summary.users += 1 + n_sup
    summary.supervisors += n_sup

    clients = Client.objects.bulk_create(
        [
            Client(
                practice=practice,
                name=f"{rng.choice(TOWNS)} {rng.choice(ORGS)} {i + 1}",
                sector=rng.choice(SECTORS),
                street=f"Storgatan {i + 1}",
                postal_code="745 31",
                city=rng.choice(TOWNS),
                invoice_reference=f"REF-{i + 1:04d}",
                mission="Verksamhetens uppdrag, så som uppdragsgivaren formulerar det.",
            )
            for i in range(n_cli)
        ],
        batch_size=BATCH,
    )
    contact_users = _users(
        practice,
        Role.CLIENT_CONTACT,
        [(_name(rng), f"kontakt{i}@{domain}") for i in range(n_cli)],
        password,
    )
    ClientContact.objects.bulk_create(
        [
            ClientContact(practice=practice, client=c, name=u.name, email=u.email, user=u)
            for c, u in zip(clients, contact_users, strict=True)
        ],
        batch_size=BATCH,
    )
    summary.clients += n_cli
    summary.users += n_cli

    participant_users = _users(
        practice,
        Role.PARTICIPANT,
        [(_name(rng), f"deltagare{i}@{domain}") for i in range(n_par)],
        password,
    )
    participants = Participant.objects.bulk_create(
        [
            Participant(
                practice=practice, client=clients[i % n_cli], name=u.name, email=u.email, user=u
            )
            for i, u in enumerate(participant_users)
        ],
        batch_size=BATCH,
    )
    summary.participants += n_par
    summary.users += n_par
    pools: dict[int, list[Participant]] = {}
    for p in participants:
        pools.setdefault(p.client_id, []).append(p)  # type: ignore[arg-type]
    say(f"{slug}: {n_sup} supervisors, {n_cli} clients, {n_par} participants")

    first_monday = (
        anchor - dt.timedelta(days=anchor.weekday()) - dt.timedelta(weeks=52 * YEARS_BACK)
    )
    total_weeks = 52 * YEARS_BACK + WEEKS_AHEAD
    holidays = _holiday_dates(first_monday, first_monday + dt.timedelta(weeks=total_weeks))
    now = _local(anchor, dt.time(12, 0))
    # Group sizes aim at the attendance target: the average group is chosen so that the held
    # meetings (most of them, minus the future and the cancelled) carry that many rows each.
    held_share = 0.97 * (52 * YEARS_BACK) / total_weeks
    mean_group = max(2.0, (attendance_per_meeting / held_share - (1 - GROUP_SHARE)) / GROUP_SHARE)
    spread = GROUP_SIZE[1] - GROUP_SIZE[0]
    group_low = max(2, round(mean_group - spread / 2))

    attendance = _Inserter(Attendance)
    pending: list[tuple[Meeting, list[GroupMembership]]] = []
    written = 0

    def flush_meetings() -> None:
        nonlocal written
        # Meetings first, for their ids; then the attendance of those that were held.
        Meeting.objects.bulk_create([m for m, _members in pending], batch_size=BATCH)
        written += len(pending)
        for meeting, members in pending:
            if meeting.status != MeetingStatus.PLANNED or meeting.ends_at > now:
                continue
            day = meeting.starts_at.astimezone(TZ).date()
            for m in members:
                if m.joined_on <= day and (m.left_on is None or m.left_on > day):
                    draw = rng.random()
                    status = (
                        AttendanceStatus.PRESENT
                        if draw < 0.88
                        else AttendanceStatus.ABSENT
                        if draw < 0.97
                        else AttendanceStatus.LATE_CANCELLED
                    )
                    attendance.add(
                        Attendance(
                            practice=practice,
                            meeting_id=meeting.pk,
                            participant_id=m.participant_id,
                            status=status,
                        )
                    )
        pending.clear()

    quotas = [n_meet // n_sup + (1 if i < n_meet % n_sup else 0) for i in range(n_sup)]
    for supervisor, quota in zip(supervisors, quotas, strict=True):
        for engagement, members, dates in _engagements_of(
            practice=practice,
            supervisor=supervisor,
            quota=quota,
            clients=clients,
            pools=pools,
            first_monday=first_monday,
            total_weeks=total_weeks,
            holidays=holidays,
            anchor=anchor,
            group_low=group_low,
            rng=rng,
        ):
            summary.engagements += 1
            summary.memberships += len(members)
            minutes = engagement.meeting_minutes
            for day, time in dates:
                starts = _local(day, time)
                meeting = Meeting(
                    practice=practice,
                    engagement=engagement,
                    supervisor=supervisor,
                    starts_at=starts,
                    ends_at=starts + dt.timedelta(minutes=minutes),
                    focus=rng.choice([Focus.PROCESS, Focus.CASE]) if rng.random() < 0.2 else "",
                    location=engagement.location_text,
                    uid=uuid.UUID(int=rng.getrandbits(128), version=4),
                )
                if rng.random() < 0.03:
                    meeting.status = MeetingStatus.CANCELLED
                    late = rng.random() < 0.3
                    meeting.late_cancellation = late
                    meeting.cancelled_at = starts - dt.timedelta(
                        hours=rng.randint(2, 47) if late else rng.randint(49, 24 * 14)
                    )
                    meeting.sequence = 1
                pending.append((meeting, members))
                if len(pending) >= BATCH:
                    flush_meetings()
    flush_meetings()
    attendance.flush()
    summary.meetings += written
    summary.attendance += attendance.count
    say(f"{slug}: {written} meetings, {attendance.count} attendance rows")


def _engagements_of(
    *,
    practice: Practice,
    supervisor: User,
    quota: int,
    clients: list[Client],
    pools: dict[int, list[Participant]],
    first_monday: dt.date,
    total_weeks: int,
    holidays: set[dt.date],
    anchor: dt.date,
    group_low: int,
    rng: random.Random,
) -> Iterator[tuple[Engagement, list[GroupMembership], list[tuple[dt.date, dt.time]]]]:
    """One supervisor's engagements, each on its own weekday-and-time slot, one after another,
    until the supervisor has ``quota`` meetings. Yields saved engagements with their saved
    memberships and the meeting dates."""
    slots = [(weekday, time) for weekday in range(5) for time in SLOT_TIMES]
    rng.shuffle(slots)
    remaining = quota
    # A slot repeats every 1–3 weeks; a busy supervisor with many meetings needs the short
    # rhythms, so the intervals follow how full the week must be.
    per_week = quota / total_weeks
    intervals = [1, 1, 2] if per_week > len(slots) / 2.5 else [1, 2, 2, 3]
    for weekday, time in slots:
        if remaining <= 0:
            return
        interval = rng.choice(intervals)
        week = rng.randint(0, interval)
        while remaining > 0 and week < total_weeks:
            ordered = rng.randint(8, 40)
            weeks = [week + k * interval for k in range(ordered)]
            weeks = [w for w in weeks if w < total_weeks]
            all_days = [first_monday + dt.timedelta(weeks=w, days=weekday) for w in weeks]
            days = [d for d in all_days if d not in holidays][:remaining]
            week = weeks[-1] + interval + rng.randint(1, 8)
            if not days:
                continue
            remaining -= len(days)
            yield _engagement(
                practice=practice,
                supervisor=supervisor,
                clients=clients,
                pools=pools,
                days=days,
                ordered=ordered,
                end=all_days[-1],
                anchor=anchor,
                group_low=group_low,
                rng=rng,
            ) + ([(d, time) for d in days],)
    if remaining > 0:
        raise ValueError(f"Could not fit {quota} meetings for one supervisor ({remaining} left).")


def _engagement(
    *,
    practice: Practice,
    supervisor: User,
    clients: list[Client],
    pools: dict[int, list[Participant]],
    days: list[dt.date],
    ordered: int,
    end: dt.date,
    anchor: dt.date,
    group_low: int,
    rng: random.Random,
) -> tuple[Engagement, list[GroupMembership]]:
    client = rng.choice(clients)
    pool = pools.get(client.pk) or pools[next(iter(pools))]
    group = rng.random() < GROUP_SHARE and len(pool) >= 2
    form = Form.GROUP if group else Form.INDIVIDUAL
    venue = rng.choice([Venue.CLIENT_PREMISES, Venue.SUPERVISOR_PREMISES, Venue.VIDEO])
    start, last = days[0], max(end, days[-1])
    engagement = Engagement.objects.create(
        practice=practice,
        client=client,
        supervisor=supervisor,
        title=f"{'Grupphandledning' if group else 'Enskild handledning'} {client.name}"[:200],
        form=form,
        focus=rng.choice([Focus.PROCESS, Focus.CASE, Focus.MIXED]),
        meeting_minutes=DEFAULT_MINUTES[form],
        expectations="Handledning om bemötande, samarbete och arbetsbelastning.",
        goals="Ett gemensamt förhållningssätt och mindre stress.",
        meetings_ordered=ordered,
        start_date=start,
        end_date=last,
        venue=venue,
        venue_address="Storgatan 1, Ekby" if venue != Venue.VIDEO else "",
        video_url="https://video.example/rum" if venue == Venue.VIDEO else "",
        price_per_meeting_ore=rng.choice([190000, 350000, 480000]),
        status=Status.ACTIVE if last >= anchor else Status.ENDED,
    )
    size = min(len(pool), rng.randint(group_low, group_low + GROUP_SIZE[1] - GROUP_SIZE[0]))
    chosen = rng.sample(pool, size) if group else [rng.choice(pool)]
    members = []
    for p in chosen:
        left = None
        # Some leave a group part-way; their history stays.
        if group and len(days) > 4 and rng.random() < 0.1:
            left = days[rng.randint(len(days) // 2, len(days) - 1)]
        members.append(
            GroupMembership(
                practice=practice,
                engagement=engagement,
                participant=p,
                joined_on=start,
                left_on=left,
            )
        )
    GroupMembership.objects.bulk_create(members)
    return engagement, members
