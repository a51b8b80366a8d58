"""Every read in the room: models a practice may use, a meeting's run, the mission's parts, and
the counts over time (focus per meeting, mission parts touched)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from bollplank.clients.models import Client
from bollplank.core import clock
from bollplank.core.models import Practice
from bollplank.engagements.models import Engagement, GroupMembership, Participant
from bollplank.facilitation.enums import RunStatus
from bollplank.facilitation.models import (
    ConversationModel,
    MeetingTheme,
    MissionPart,
    MissionShare,
    Run,
    Step,
)
from bollplank.meetings.enums import MeetingStatus
from bollplank.meetings.models import Meeting


def models_for(practice: Practice) -> list[ConversationModel]:
    """The shipped models and the practice's own, with their steps: two queries and a prefetch.
    Shipped models are shared by every practice, so they are read outside the scope on purpose."""
    steps = Prefetch("steps", queryset=Step.objects.order_by("position"))
    shipped = list(ConversationModel.shipped.prefetch_related(steps).order_by("language", "name"))
    own = list(
        ConversationModel.objects.filter(practice=practice).prefetch_related(steps).order_by("name")
    )
    return own + shipped


def model_for(practice: Practice, pk: int) -> ConversationModel:
    """One model the practice may use (its own or a shipped one); 404 otherwise."""
    found = (
        ConversationModel._base_manager.filter(Q(practice=practice) | Q(practice__isnull=True))
        .filter(pk=pk)
        .prefetch_related(Prefetch("steps", queryset=Step.objects.order_by("position")))
        .first()
    )
    if found is None:
        raise Http404
    return found


def own_model(practice: Practice, pk: int) -> ConversationModel:
    model = model_for(practice, pk)
    if model.practice_id != practice.pk:
        raise Http404
    return model


def run_of(meeting: Meeting) -> Run | None:
    return (
        Run.objects.filter(meeting=meeting)
        .select_related("case_owner", "leader", "meeting", "meeting__supervisor")
        .first()
    )


@dataclass
class RunForMe:
    run: Run
    leads: bool  # the person leads it (it is running)
    writes_takeaway: bool  # the person is its case owner and has not saved a takeaway yet


def runs_for_participant(user: Any, practice: Practice) -> list[RunForMe]:
    """For a participant's start page, in one query: the runs they lead that are going now, and
    the runs of the last two weeks where they are the case owner and have a takeaway to write."""
    since = clock.now() - dt.timedelta(days=14)
    runs = (
        Run.objects.filter(practice=practice, started_at__gte=since)
        .filter(
            Q(leader__user=user, status=RunStatus.RUNNING)
            | Q(case_owner__user=user, takeaway_saved_at__isnull=True)
        )
        .select_related("meeting", "meeting__engagement", "leader", "case_owner")
        # Only what the start page shows and tests: every column of five tables cost more to
        # build and read than the query (the page is read on every visit, nearly always with
        # no run at all).
        .only(
            "id",
            "model_name",
            "status",
            "started_at",
            "meeting__id",
            "meeting__engagement__id",
            "meeting__engagement__title",
            "leader__id",
            "leader__user_id",
            "case_owner__id",
            "case_owner__user_id",
        )
        .order_by("-started_at")
    )
    return [
        RunForMe(
            run=r,
            leads=r.status == RunStatus.RUNNING
            and r.leader is not None
            and r.leader.user_id == user.pk,
            writes_takeaway=r.case_owner is not None and r.case_owner.user_id == user.pk,
        )
        for r in runs
    ]


def current_parts(client: Client) -> QuerySet[MissionPart]:
    return MissionPart.objects.filter(client=client, closed_at__isnull=True).order_by(
        "position", "lineage"
    )


def part_history(client: Client) -> dict[int, list[MissionPart]]:
    """Every version of every part, newest first, by lineage."""
    history: dict[int, list[MissionPart]] = defaultdict(list)
    for part in MissionPart.objects.filter(client=client).order_by("lineage", "-version"):
        history[part.lineage].append(part)
    return dict(history)


def themes_of(meeting: Meeting) -> set[int]:
    return set(MeetingTheme.objects.filter(meeting=meeting).values_list("part_id", flat=True))


# --- over time ------------------------------------------------------------------------------


def _quarter(day: dt.date) -> str:
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"


@dataclass
class MissionRow:
    lineage: int
    title: str
    current: bool
    by_period: list[int]
    total: int


@dataclass
class MissionCounts:
    periods: list[str]
    rows: list[MissionRow]
    meetings_with_themes: int


def mission_counts(engagement: Engagement) -> MissionCounts:
    """How often the group's reflection touched each part of the client's mission, by quarter."""
    return mission_counts_of([engagement])[engagement.pk]


def mission_counts_of(engagements: list[Engagement]) -> dict[int, MissionCounts]:
    """Counts per engagement: one query for the parts of all their clients, one for the themes,
    however many engagements. Counts only, never words."""
    if not engagements:
        return {}
    parts = list(
        MissionPart.objects.filter(client_id__in={e.client_id for e in engagements}).order_by(
            "-version"
        )
    )
    latest: dict[tuple[int, int], MissionPart] = {}
    for part in parts:
        latest.setdefault((part.client_id, part.lineage), part)
    lineage_of = {p.pk: p.lineage for p in parts}
    themes: dict[int, list[tuple[int, int, dt.datetime]]] = defaultdict(list)
    for part_id, meeting_id, at, engagement_id in MeetingTheme.objects.filter(
        meeting__engagement__in=[e.pk for e in engagements],
        meeting__status=MeetingStatus.PLANNED,
    ).values_list("part_id", "meeting_id", "meeting__starts_at", "meeting__engagement_id"):
        themes[engagement_id].append((part_id, meeting_id, at))
    result = {}
    for engagement in engagements:
        mine = themes.get(engagement.pk, [])
        periods = sorted({_quarter(timezone.localdate(at)) for _p, _m, at in mine})
        index = {label: i for i, label in enumerate(periods)}
        own = [p for (client_id, _lin), p in latest.items() if client_id == engagement.client_id]
        counts: dict[int, list[int]] = {p.lineage: [0] * len(periods) for p in own}
        for part_id, _meeting_id, at in mine:
            counts[lineage_of[part_id]][index[_quarter(timezone.localdate(at))]] += 1
        ordered = sorted(own, key=lambda p: (p.closed_at is not None, p.position))
        rows = [
            MissionRow(
                lineage=p.lineage,
                title=p.title,
                current=p.closed_at is None,
                by_period=counts[p.lineage],
                total=sum(counts[p.lineage]),
            )
            for p in ordered
            if p.closed_at is None or any(counts[p.lineage])
        ]
        result[engagement.pk] = MissionCounts(periods, rows, len({m for _p, m, _at in mine}))
    return result


def shared_engagements(user: Any, practice: Practice) -> list[Engagement]:
    """The engagements of the contact's client whose supervisor shares the mission counts."""
    shared = MissionShare.objects.filter(engagement__client__contacts__user=user).values(
        "engagement_id"
    )
    return list(
        Engagement.objects.filter(practice=practice, pk__in=shared)
        .select_related("client", "supervisor")
        .order_by("title")
    )


def is_shared(engagement: Engagement) -> bool:
    return MissionShare.objects.filter(engagement=engagement).exists()


def meeting_members(meeting: Meeting) -> list[Participant]:
    """The group on the day of the meeting, by name."""
    day = timezone.localdate(meeting.starts_at)
    return [
        m.participant
        for m in GroupMembership.objects.filter(engagement=meeting.engagement, joined_on__lte=day)
        .exclude(left_on__lte=day)
        .select_related("participant")
        .order_by("participant__name")
    ]


def default_case_owner(
    model: ConversationModel | None,
    members: list[Participant],
    turn_owner_id: int | None,
    absent: Callable[[], set[int]],
) -> int | None:
    """Who the start form offers as case owner: the case rota's turn; else, when the model
    cannot start without one, the first in the group who is coming, so that the form's
    defaults start the run (the supervisor changes it to whoever brings the case)."""
    if turn_owner_id is not None or model is None or not model.needs_case_owner:
        return turn_owner_id
    away = absent()
    return next((p.pk for p in members if p.pk not in away), None)
