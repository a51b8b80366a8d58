"""Every read of the mentoring app: scoped to the practice, prefetching what pages show."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from bollplank.clients.selectors import clients_visible_to
from bollplank.core.models import Practice
from bollplank.core.roles import STAFF_ROLES, Role
from bollplank.mentoring.enums import PART_LABELS, REASONS, PairStatus, ResponseKind, Side
from bollplank.mentoring.meetings import meeting_counts
from bollplank.mentoring.models import MatchRun, Pair, PairRule, Programme, Response, SignUp
from bollplank.mentoring.services import split_list


def programmes_visible_to(
    user: Any, practice: Practice, roles: frozenset[str]
) -> QuerySet[Programme]:
    """The programmes the person coordinates: staff every programme of the practice, a client
    contact only those run for their own client (never the practice's own ones)."""
    qs = Programme.objects.filter(practice=practice)
    if roles & STAFF_ROLES:
        return qs
    if Role.CLIENT_CONTACT in roles:
        mine = clients_visible_to(user, practice, frozenset({Role.CLIENT_CONTACT}))
        return qs.filter(client__in=mine.values("pk"))
    return qs.none()


def programmes_for(user: Any, practice: Practice, roles: frozenset[str]) -> list[Programme]:
    """The programmes the person coordinates, with their sign-up counts (one query)."""
    return list(
        programmes_visible_to(user, practice, roles)
        .select_related("client")
        .annotate(
            n_mentors=Count("signups", filter=Q(signups__side=Side.MENTOR)),
            n_mentees=Count("signups", filter=Q(signups__side=Side.MENTEE)),
        )
    )


def programme_visible_to(
    user: Any, practice: Practice, roles: frozenset[str], pk: int
) -> Programme:
    """One programme the person coordinates; any other answers 404 (as another practice's)."""
    return get_object_or_404(
        programmes_visible_to(user, practice, roles).select_related("client"), pk=pk
    )


def signups_of(programme: Programme) -> QuerySet[SignUp]:
    return SignUp.objects.filter(programme=programme).order_by("side", "name", "pk")


def signups_for(programme: Programme) -> list[SignUp]:
    return list(signups_of(programme))


def latest_run(programme: Programme) -> MatchRun | None:
    return MatchRun.objects.filter(programme=programme).order_by("-created_at", "-pk").first()


@dataclass
class PairView:
    mentee: SignUp
    mentor: SignUp
    score: int
    parts: list[tuple[str, int]]
    locked: bool

    @property
    def why(self) -> list[str]:
        # In words only when shown: the coordinator's page shows a hundred pairs at a time,
        # and a national programme has thousands.
        return explain(self.mentor, self.mentee)


@dataclass
class UnmatchedView:
    mentee: SignUp
    reason: str
    eligible: int


def run_view(run: MatchRun, signups: list[SignUp]) -> tuple[list[PairView], list[UnmatchedView]]:
    """The run's proposal with names, each pair's score part by part and in words."""
    by_id = {s.pk: s for s in signups}
    pairs = []
    for mentee_id, mentor_id, score, parts, locked in run.result.get("pairs", []):
        e, r = by_id.get(mentee_id), by_id.get(mentor_id)
        if e is None or r is None:
            continue
        pairs.append(
            PairView(
                mentee=e,
                mentor=r,
                score=score,
                parts=[(str(PART_LABELS[k]), v) for k, v in parts.items()],
                locked=locked,
            )
        )
    unmatched = [
        UnmatchedView(by_id[i], str(REASONS.get(reason, reason)), eligible)
        for i, reason, eligible in run.result.get("unmatched", [])
        if i in by_id
    ]
    pairs.sort(key=lambda p: (p.mentee.name.casefold(), p.mentee.pk))
    unmatched.sort(key=lambda u: (u.mentee.name.casefold(), u.mentee.pk))
    return pairs, unmatched


def _common(a: str, b: str) -> list[str]:
    left = {w.casefold(): w for w in split_list(a)}
    right = {w.casefold() for w in split_list(b)}
    return sorted(v for k, v in left.items() if k in right)


def explain(mentor: SignUp, mentee: SignUp) -> list[str]:
    """What the two share, in plain words (the basis of the score parts)."""
    from django.utils.translation import gettext as _

    out = []
    if shared := _common(mentee.topics, mentor.topics):
        out.append(_("Mentor's expertise meets the needs: %(x)s") % {"x": ", ".join(shared)})
    if shared := _common(mentee.goals, mentor.goals):
        out.append(_("Shared goals: %(x)s") % {"x": ", ".join(shared)})
    if shared := _common(mentee.languages, mentor.languages):
        out.append(_("Shared languages: %(x)s") % {"x": ", ".join(shared)})
    if mentee.location and mentee.location.casefold() == mentor.location.casefold():
        out.append(_("Both in %(x)s") % {"x": mentee.location})
    common = [a for a in mentee.availability_labels() if a in mentor.availability_labels()]
    if common:
        out.append(_("Both free: %(x)s") % {"x": ", ".join(common)})
    out.append(
        _("Experience: mentor %(r)d years, mentee %(e)d years")
        % {"r": mentor.years, "e": mentee.years}
    )
    return out


def pair_rules_for(programme: Programme) -> dict[tuple[int, int], str]:
    return {
        (r.mentee_id, r.mentor_id): r.kind for r in PairRule.objects.filter(programme=programme)
    }


def progress_counts(programme: Programme) -> dict[str, int]:
    """What the coordinator sees of the pairs at work: counts, never content."""
    pairs = Pair.objects.filter(programme=programme).aggregate(
        pairs=Count("pk"),
        signed=Count(
            "pk", filter=Q(mentee_signed_at__isnull=False, mentor_signed_at__isnull=False)
        ),
        ended_early=Count("pk", filter=Q(status=PairStatus.ENDED_EARLY)),
    )
    responses = Response.objects.filter(pair__programme=programme).aggregate(
        checkins=Count("pk", filter=Q(kind=ResponseKind.CHECKIN)),
        evaluations=Count("pk", filter=Q(kind=ResponseKind.END)),
    )
    return {**pairs, **responses, **meeting_counts(programme)}


def pairs_of(signup: SignUp) -> list[Any]:
    return list(
        Pair.objects.filter(Q(mentee=signup) | Q(mentor=signup))
        .select_related("mentee", "mentor")
        .prefetch_related("responses")
        .order_by("pk")
    )
