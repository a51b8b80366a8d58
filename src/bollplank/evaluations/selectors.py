"""Every read of the evaluations app, scoped to what the acting person may see."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django_scopes import scopes_disabled

from bollplank.accounts.models import hash_token
from bollplank.core import clock
from bollplank.core.models import Practice
from bollplank.core.roles import Role
from bollplank.engagements.enums import AttendanceVisibility
from bollplank.engagements.models import Engagement, Participant
from bollplank.engagements.selectors import engagements_visible_to
from bollplank.evaluations import report as report_module
from bollplank.evaluations.enums import MIN_ANONYMOUS, MIN_GROUP, Kind, Phase, Scale
from bollplank.evaluations.models import (
    Answer,
    Goal,
    GoalRevisit,
    HoursSignoff,
    Invitation,
    Question,
    Questionnaire,
    ReportShare,
    Round,
)
from bollplank.meetings.enums import AttendanceStatus, MeetingStatus
from bollplank.meetings.models import Attendance, Meeting


def questionnaires_visible_to(practice: Practice) -> QuerySet[Questionnaire]:
    """The shipped questionnaires and the practice's own."""
    with scopes_disabled():
        return (
            Questionnaire.objects.filter(Q(practice__isnull=True) | Q(practice=practice))
            .annotate(question_count=Count("questions"))
            .order_by("practice_id", "kind", "name_sv")
        )


def questionnaire_detail(practice: Practice, pk: int) -> Questionnaire:
    with scopes_disabled():
        q = (
            Questionnaire.objects.filter(Q(practice__isnull=True) | Q(practice=practice))
            .prefetch_related("sections", "questions__section")
            .filter(pk=pk)
            .first()
        )
    if q is None:
        raise Http404
    return q


def sendable_questionnaires(practice: Practice) -> QuerySet[Questionnaire]:
    today = clock.today()
    with_questions = Question.objects.values("questionnaire")
    return (
        questionnaires_visible_to(practice)
        .filter(pk__in=with_questions)
        .exclude(kind=Kind.LICENSED, licence_valid_until__lt=today)
    )


def rounds_of(engagement: Engagement) -> QuerySet[Round]:
    return (
        Round.objects.filter(engagement=engagement)
        .select_related("questionnaire", "meeting")
        .annotate(
            invited=Count("invitations", distinct=True),
            answered=Count(
                "invitations", filter=Q(invitations__answered_at__isnull=False), distinct=True
            ),
        )
        .order_by("send_on", "pk")
    )


def open_invitations(user: Any, practice: Practice) -> QuerySet[Invitation]:
    """The person's invitations that can still be answered, soonest deadline first."""
    return (
        Invitation.objects.filter(
            practice=practice,
            participant__user=user,
            answered_at__isnull=True,
            round__sent_at__isnull=False,
            round__closes_at__gt=clock.now(),
        )
        .select_related("round__questionnaire", "round__engagement", "round__meeting")
        # Only what the participant's start page shows of each: every column of four tables
        # cost more to build and read than the query.
        .only(
            "id",
            "round__id",
            "round__anonymous",
            "round__closes_at",
            "round__questionnaire__id",
            "round__questionnaire__name_sv",
            "round__questionnaire__name_en",
            "round__engagement__id",
            "round__engagement__title",
            "round__meeting__id",
            "round__meeting__starts_at",
        )
        .order_by("round__closes_at")
    )


def own_invitation(user: Any, practice: Practice, pk: int) -> Invitation:
    """One of the person's own invitations; 404 for anyone else's."""
    inv = (
        Invitation.objects.filter(practice=practice, participant__user=user, pk=pk)
        .select_related(
            "round__questionnaire", "round__engagement", "participant", "round__meeting"
        )
        .first()
    )
    if inv is None:
        raise Http404
    return inv


def invitation_by_token(token: str) -> Invitation:
    with scopes_disabled():
        inv = (
            Invitation.objects.filter(token_hash=hash_token(token))
            .select_related(
                "practice",
                "round__questionnaire",
                "round__engagement",
                "round__meeting",
                "participant",
            )
            .first()
        )
    if inv is None or inv.round.sent_at is None:
        raise Http404
    return inv


def questions_of(questionnaire: Questionnaire) -> list[Question]:
    return list(questionnaire.questions.select_related("section").order_by("position"))


# --- the supervisor's view ------------------------------------------------------------------


@dataclass
class RoundFigures:
    round: Round
    n: int
    # question id -> (mean, answers) ; None when withheld
    means: dict[int, tuple[float, int]] = field(default_factory=dict)
    withheld: bool = False
    texts: list[str] = field(default_factory=list)


def _figures(rounds: list[Round], participant: Participant | None = None) -> list[RoundFigures]:
    """Per round: the mean of each numeric question. Anonymous rounds with fewer than
    MIN_ANONYMOUS answers are withheld, so that two people cannot read each other's answers."""
    answers = Answer.objects.filter(response__round__in=[r.pk for r in rounds])
    if participant is not None:
        answers = answers.filter(response__participant=participant)
    numbers = (
        answers.filter(number__isnull=False)
        .values("response__round", "question")
        .annotate(n=Count("id"), total=Sum("number"))
    )
    responses = dict(
        answers.values("response__round")
        .annotate(n=Count("response", distinct=True))
        .values_list("response__round", "n")
    )
    by_round: dict[int, dict[int, tuple[float, int]]] = defaultdict(dict)
    for row in numbers:
        by_round[row["response__round"]][row["question"]] = (row["total"] / row["n"], row["n"])
    texts: dict[int, list[str]] = defaultdict(list)
    for rid, text in (
        answers.exclude(text="").order_by("text").values_list("response__round", "text")
    ):
        texts[rid].append(text)
    out = []
    for r in rounds:
        n = responses.get(r.pk, 0)
        withheld = participant is None and r.anonymous and n < MIN_ANONYMOUS
        out.append(
            RoundFigures(
                round=r,
                n=n,
                means={} if withheld else by_round.get(r.pk, {}),
                withheld=withheld,
                texts=[] if withheld else texts.get(r.pk, []),
            )
        )
    return out


@dataclass
class Trend:
    questions: list[Question]
    rounds: list[RoundFigures]


def after_meeting_trend(engagement: Engagement, participant: Participant | None = None) -> Trend:
    """The after-meeting checks of an engagement in meeting order (one participant's named
    answers when ``participant`` is given)."""
    rounds = [
        r
        for r in rounds_of(engagement).filter(phase=Phase.AFTER_MEETING, sent_at__isnull=False)
        if participant is None or not r.anonymous
    ]
    questions: dict[int, Question] = {}
    # One query for the questions of every questionnaire used, not one per round.
    used = {r.questionnaire_id for r in rounds}
    for q in Question.objects.filter(questionnaire__in=used).exclude(scale=Scale.TEXT):
        questions.setdefault(q.position, q)
    return Trend(
        questions=[questions[k] for k in sorted(questions)],
        rounds=_figures(rounds, participant),
    )


def evaluations_side_by_side(
    engagement: Engagement, participant: Participant | None = None
) -> list[tuple[Questionnaire, list[Question], list[RoundFigures]]]:
    """The engagement evaluations (mid-point, end, …) per questionnaire, rounds side by side."""
    rounds = [
        r
        for r in rounds_of(engagement)
        .exclude(phase=Phase.AFTER_MEETING)
        .filter(sent_at__isnull=False)
        if participant is None or not r.anonymous
    ]
    by_q: dict[int, list[Round]] = defaultdict(list)
    for r in rounds:
        by_q[r.questionnaire_id].append(r)
    out = []
    for rs in by_q.values():
        q = rs[0].questionnaire
        out.append((q, questions_of(q), _figures(rs, participant)))
    return out


def named_participants(engagement: Engagement) -> list[Participant]:
    """Participants who have answered at least one named round of the engagement."""
    return list(
        Participant.objects.filter(
            practice=engagement.practice,
            memberships__engagement=engagement,
        )
        .distinct()
        .order_by("name")
    )


# --- the client's report --------------------------------------------------------------------


def report_engagements(
    user: Any, practice: Practice, roles: frozenset[str], client_id: int | None = None
) -> QuerySet[Engagement]:
    """Engagements a report may cover: a client contact's client's; a supervisor's own; an
    admin's all (of one client)."""
    qs = engagements_visible_to(user, practice, roles).select_related("client")
    if client_id is not None:
        qs = qs.filter(client_id=client_id)
    return qs.order_by("title")


def report_units(
    engagements: list[Engagement], cutoff: dict[int, dt.datetime]
) -> list[report_module.Unit]:
    """Numeric answers per question and round of the engagements, of the rounds closed by the
    engagement's cutoff (the moment its report was shared, or now in the preview)."""
    closed = Q(pk__in=[])
    for e in engagements:
        closed |= Q(response__round__engagement=e.pk, response__round__closes_at__lte=cutoff[e.pk])
    rows = (
        Answer.objects.filter(closed, number__isnull=False)
        .values(
            "response__round",
            "response__round__engagement",
            "response__round__phase",
            "question",
        )
        .annotate(n=Count("id"), total=Sum("number"))
    )
    return [
        report_module.Unit(
            engagement_id=r["response__round__engagement"],
            round_id=r["response__round"],
            phase=r["response__round__phase"],
            question_id=r["question"],
            n=r["n"],
            total=r["total"],
        )
        for r in rows
    ]


@dataclass
class ClientReport:
    engagements: list[Engagement]
    report: report_module.Report
    rows: list[tuple[str, Question, report_module.Cell]]
    meetings_held: int
    attended: int
    expected: int
    generated_at: dt.datetime
    goals: GoalCounts | None = None
    phase: str = ""
    # False when no engagement in the report lets the client see attendance.
    attendance_shown: bool = True

    @property
    def attendance_pct(self) -> int | None:
        return round(100 * self.attended / self.expected) if self.expected else None


def shared_engagements(engagements: list[Engagement]) -> tuple[list[Engagement], dict[int, Any]]:
    """The engagements whose report the supervisor has shared, with the moment of sharing."""
    shares = dict(
        ReportShare.objects.filter(engagement__in=[e.pk for e in engagements]).values_list(
            "engagement", "shared_at"
        )
    )
    return [e for e in engagements if e.pk in shares], shares


def client_report(
    engagements: list[Engagement], phase: str = "", cutoff: dict[int, dt.datetime] | None = None
) -> ClientReport:
    """The report over ``engagements`` (already scoped by the caller) and an optional phase,
    as it stood at each engagement's cutoff (default: now, the supervisor's preview)."""
    now = clock.now()
    cutoff = cutoff if cutoff is not None else {e.pk: now for e in engagements}
    units = report_units(engagements, cutoff)
    rep = report_module.build(
        units,
        engagements=frozenset(e.pk for e in engagements),
        phases=frozenset({phase}) if phase else None,
    )
    questions = {
        q.pk: q
        for q in Question.objects.filter(pk__in={qid for _p, qid in rep.cells}).select_related(
            "questionnaire"
        )
    }
    order = {p.value: i for i, p in enumerate(Phase)}
    rows = sorted(
        ((p, questions[qid], cell) for (p, qid), cell in rep.cells.items()),
        key=lambda row: (order.get(row[0], 9), row[1].questionnaire_id, row[1].position),
    )
    done = Q(pk__in=[])
    for e in engagements:
        done |= Q(engagement=e.pk, ends_at__lte=cutoff[e.pk])
    held = Meeting.objects.filter(done, status=MeetingStatus.PLANNED)
    # Attendance only of the engagements whose client was promised to see it.
    counted = [e.pk for e in engagements if e.attendance_visibility != AttendanceVisibility.NOTHING]
    counts = Attendance.objects.filter(meeting__in=held.filter(engagement__in=counted)).aggregate(
        expected=Count("id"), attended=Count("id", filter=Q(status=AttendanceStatus.PRESENT))
    )
    return ClientReport(
        engagements=engagements,
        report=rep,
        rows=rows,
        meetings_held=held.count(),
        attended=counts["attended"] or 0,
        expected=counts["expected"] or 0,
        generated_at=now,
        goals=goal_counts(engagements),
        phase=phase,
        attendance_shown=bool(counted),
    )


# --- goals ----------------------------------------------------------------------------------


def goals_visible_to(user: Any, practice: Practice, roles: frozenset[str]) -> QuerySet[Goal]:
    """The supervisor: the goals of the engagements they lead. A participant: the group goals
    of their engagements and their own goals, never another participant's. Nobody else."""
    visible = Q(pk__in=[])
    if Role.SUPERVISOR in roles:
        visible |= Q(engagement__supervisor=user)
    if Role.PARTICIPANT in roles:
        mine = Q(engagement__memberships__participant__user=user)
        visible |= (mine & Q(participant__isnull=True)) | Q(participant__user=user)
    return (
        Goal.objects.filter(practice=practice)
        .filter(visible)
        .distinct()
        .select_related("engagement", "participant")
        .prefetch_related("progress__author", "progress__meeting")
        .order_by("engagement__title", "participant__name", "created_at")
    )


def revisit_meetings(engagement: Engagement) -> set[int]:
    return set(
        GoalRevisit.objects.filter(meeting__engagement=engagement).values_list(
            "meeting_id", flat=True
        )
    )


@dataclass
class GoalCounts:
    group_total: int
    group_reached: int
    personal_people: int
    personal_total: int
    personal_reached: int

    @property
    def personal_shown(self) -> bool:
        """Personal goals are counted only over at least MIN_GROUP people, so that one
        person's goals never show (DOMAIN.md, rule 3)."""
        return self.personal_people >= MIN_GROUP


def goal_counts(engagements: list[Engagement]) -> GoalCounts:
    rows = Goal.objects.filter(engagement__in=[e.pk for e in engagements]).values_list(
        "participant_id", "reached_on"
    )
    group = [r for r in rows if r[0] is None]
    personal = [r for r in rows if r[0] is not None]
    return GoalCounts(
        group_total=len(group),
        group_reached=sum(1 for r in group if r[1] is not None),
        personal_people=len({r[0] for r in personal}),
        personal_total=len(personal),
        personal_reached=sum(1 for r in personal if r[1] is not None),
    )


# --- hours ----------------------------------------------------------------------------------


@dataclass
class HoursRow:
    participant: Participant
    meetings: int
    minutes: int
    first_day: dt.date | None
    last_day: dt.date | None
    signoff: Any = None

    @property
    def hours(self) -> float:
        return self.minutes / 60


def hours_of(engagement: Engagement, through: dt.datetime | None = None) -> list[HoursRow]:
    """Supervision time per participant: the held meetings they were recorded present at."""
    through = through or clock.now()
    present = (
        Attendance.objects.filter(
            meeting__engagement=engagement,
            meeting__status=MeetingStatus.PLANNED,
            meeting__ends_at__lte=through,
            status=AttendanceStatus.PRESENT,
        )
        .select_related("participant", "meeting")
        .order_by("participant__name", "meeting__starts_at")
    )
    rows: dict[int, HoursRow] = {}
    for a in present:
        row = rows.setdefault(a.participant_id, HoursRow(a.participant, 0, 0, None, None))
        day = timezone.localdate(a.meeting.starts_at)
        row.meetings += 1
        row.minutes += int((a.meeting.ends_at - a.meeting.starts_at).total_seconds() // 60)
        row.first_day = row.first_day or day
        row.last_day = day
    latest: dict[int, HoursSignoff] = {}
    for s in HoursSignoff.objects.filter(engagement=engagement).order_by("signed_at"):
        latest[s.participant_id] = s
    for pid, row in rows.items():
        row.signoff = latest.get(pid)
    return list(rows.values())


def signoff_visible_to(user: Any, practice: Practice, pk: int) -> HoursSignoff:
    """A sign-off for its supervisor or the participant it is about; 404 for anyone else."""
    found = (
        HoursSignoff.objects.filter(practice=practice, pk=pk)
        .filter(Q(engagement__supervisor=user) | Q(participant__user=user))
        .select_related("engagement__client", "participant", "signed_by", "practice")
        .first()
    )
    if found is None:
        raise Http404
    return found


def signoffs_of(user: Any, practice: Practice) -> QuerySet[HoursSignoff]:
    return HoursSignoff.objects.filter(practice=practice, participant__user=user).select_related(
        "engagement"
    )
