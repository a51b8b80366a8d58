"""Every write of a mentoring programme. Audit data holds ids and counts, never anyone's words."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from bollplank.accounts.models import hash_token
from bollplank.core import clock
from bollplank.core.audit import audit
from bollplank.core.models import Practice
from bollplank.core.services import model_update
from bollplank.mentoring.enums import PairStatus, ResponseKind, Side
from bollplank.mentoring.links import signup_by_signed_token
from bollplank.mentoring.meetings import meetings_cancel_ahead
from bollplank.mentoring.models import MatchRun, Pair, PairRule, Programme, Response, SignUp
from bollplank.mentoring.reminders import schedule_checkin_reminders

if TYPE_CHECKING:
    from bollplank.mentoring import matching

PROGRAMME_FIELDS = (
    "name",
    "description",
    "client",
    "starts_on",
    "ends_on",
    "signup_closes_on",
    "max_mentees",
    "checkin_every_weeks",
    "meeting_minutes",
    "rule_different_unit",
    "rule_not_manager",
    "rule_shared_language",
    "rule_min_years_more",
    "weight_expertise",
    "weight_goals",
    "weight_location",
    "weight_availability",
    "weight_preferences",
)
SIGNUP_FIELDS = (
    "side",
    "name",
    "email",
    "unit",
    "role_title",
    "manager_email",
    "years",
    "topics",
    "goals",
    "languages",
    "location",
    "availability",
    "free_text",
    "prefer",
    "avoid",
    "capacity",
)


# --- programme ----------------------------------------------------------------------------------


def programme_save(
    *, actor: Any, practice: Practice, programme: Programme | None = None, **fields: Any
) -> Programme:
    """Create or change a programme (name, dates, rules and weights)."""
    creating = programme is None
    if programme is None:
        programme = Programme(
            practice=practice, created_by=actor, signup_token=secrets.token_urlsafe(16)
        )
    model_update(instance=programme, fields=PROGRAMME_FIELDS, data=fields)
    programme.full_clean()
    programme.save()
    audit(actor, "mentoring.programme." + ("created" if creating else "changed"), programme)
    return programme


# --- sign-up ------------------------------------------------------------------------------------


def split_list(text: str) -> frozenset[str]:
    """Comma-, semicolon- or line-separated words → a set (matching normalises case)."""
    return frozenset(w.strip() for w in re.split(r"[,;\n]", text or "") if w.strip())


def signup_create(
    *, programme: Programme, today: dt.date | None = None, **fields: Any
) -> tuple[SignUp, str]:
    """A public sign-up. Refused after the closing date and for an e-mail already signed up.
    Returns the sign-up and the personal link's token (only its hash is stored)."""
    today = today or clock.today()
    if today > programme.signup_closes_on:
        raise ValidationError(
            _("Sign-up for this programme closed on %(day)s.")
            % {"day": programme.signup_closes_on.isoformat()}
        )
    email = (fields.get("email") or "").strip().lower()
    if SignUp.objects.filter(programme=programme, email__iexact=email).exists():
        raise ValidationError({"email": _("This e-mail address has already signed up.")})
    token = secrets.token_urlsafe(24)
    signup = SignUp(practice=programme.practice, programme=programme, token_hash=hash_token(token))
    model_update(instance=signup, fields=SIGNUP_FIELDS, data=fields)
    signup.email = email
    if signup.side == Side.MENTEE:
        signup.capacity = 1
    elif not 1 <= signup.capacity <= programme.max_mentees:
        raise ValidationError(
            {"capacity": _("Choose between 1 and %(k)d mentees.") % {"k": programme.max_mentees}}
        )
    signup.full_clean(exclude=["token_hash"])
    try:
        with transaction.atomic():
            signup.save()
    except IntegrityError as exc:  # two sign-ups with the same e-mail at the same moment
        raise ValidationError({"email": _("This e-mail address has already signed up.")}) from exc
    audit(None, "mentoring.signup.created", signup, {"side": signup.side})
    return signup, token


def signup_by_token(token: str) -> SignUp | None:
    """The sign-up a personal link opens: its own random token, or a signed link written
    later for an e-mail (mentoring.links)."""
    found = (
        SignUp.objects.select_related("programme", "practice")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if found is None and ":" in token:
        found = signup_by_signed_token(token)
    return found


# --- matching -----------------------------------------------------------------------------------


def engine_input(
    programme: Programme,
) -> tuple[list[matching.Participant], list[matching.Participant], dict[int, SignUp]]:
    """The programme's sign-ups as the engine's participants (keys are sign-up ids).
    Preferences name people by e-mail or name; names that match nobody are ignored."""
    from bollplank.mentoring import matching  # here: NumPy loads only when matching is used

    signups = list(SignUp.objects.filter(programme=programme).order_by("pk"))
    by_id = {s.pk: s for s in signups}
    lookup: dict[str, dict[str, str]] = {Side.MENTOR: {}, Side.MENTEE: {}}
    for s in signups:
        lookup[s.side][s.email.casefold()] = s.key
        lookup[s.side].setdefault(s.name.strip().casefold(), s.key)

    def people(s: SignUp, text: str) -> frozenset[str]:
        other = lookup[Side.MENTEE if s.side == Side.MENTOR else Side.MENTOR]
        return frozenset(other[w.casefold()] for w in split_list(text) if w.casefold() in other)

    def participant(s: SignUp) -> matching.Participant:
        return matching.Participant(
            key=s.key,
            unit=s.unit,
            person=s.email,
            manager=s.manager_email,
            years=s.years,
            topics=split_list(s.topics),
            goals=split_list(s.goals),
            languages=split_list(s.languages),
            location=s.location,
            availability=frozenset(s.availability),
            prefer=people(s, s.prefer),
            avoid=people(s, s.avoid),
            capacity=s.capacity if s.side == Side.MENTOR else 1,
        )

    mentors = [participant(s) for s in signups if s.side == Side.MENTOR]
    mentees = [participant(s) for s in signups if s.side == Side.MENTEE]
    return mentors, mentees, by_id


def programme_rules(programme: Programme) -> tuple[matching.Rules, matching.Weights]:
    from bollplank.mentoring import matching  # here: NumPy loads only when matching is used

    return (
        matching.Rules(
            different_unit=programme.rule_different_unit,
            not_manager=programme.rule_not_manager,
            shared_language=programme.rule_shared_language,
            min_years_more=programme.rule_min_years_more,
        ),
        matching.Weights(
            expertise=programme.weight_expertise,
            goals=programme.weight_goals,
            location=programme.weight_location,
            availability=programme.weight_availability,
            preferences=programme.weight_preferences,
        ),
    )


def matching_run(*, actor: Any, programme: Programme) -> MatchRun:
    """Run the engine on the sign-ups with the coordinator's locks and bans, and keep the
    proposal. A lock that breaks a rule (or another lock) is refused with the names."""
    from bollplank.mentoring import matching  # here: NumPy loads only when matching is used

    if programme.published_at:
        raise ValidationError(_("The pairs are published; matching can no longer be re-run."))
    mentors, mentees, by_id = engine_input(programme)
    if not mentees:
        raise ValidationError(_("Nobody has signed up as a mentee yet."))
    rules = list(PairRule.objects.filter(programme=programme))
    locked = [(str(r.mentee_id), str(r.mentor_id)) for r in rules if r.kind == PairRule.LOCK]
    forbidden = [(str(r.mentee_id), str(r.mentor_id)) for r in rules if r.kind == PairRule.FORBID]
    rule_set, weights = programme_rules(programme)
    try:
        result = matching.match(
            mentors, mentees, rule_set, weights, locked=locked, forbidden=forbidden
        )
    except matching.MatchingError as exc:
        raise ValidationError(
            [_lock_message(code, detail, by_id) for code, detail in exc.problems]
        ) from exc
    run = MatchRun.objects.create(
        practice=programme.practice,
        programme=programme,
        created_by=actor,
        matched=result.matched,
        unmatched=len(result.unmatched),
        total=result.total,
        method=result.method,
        seconds=result.seconds,
        result={
            "pairs": [
                [int(p.mentee), int(p.mentor), p.score, p.parts, p.locked] for p in result.pairs
            ],
            "unmatched": [[int(u.mentee), u.reason, u.eligible] for u in result.unmatched],
        },
    )
    audit(
        actor,
        "mentoring.matching.run",
        programme,
        {"run": run.pk, "matched": run.matched, "unmatched": run.unmatched, "total": run.total},
    )
    return run


def _lock_message(code: str, detail: str, by_id: dict[int, SignUp]) -> str:
    def name(key: str) -> str:
        s = by_id.get(int(key)) if key.isdigit() else None
        return s.name if s else key

    if code == "lock_rule":
        pair, _sep, broken = detail.partition(": ")
        mentee, _d, mentor = pair.partition("–")
        labels = {
            "self": _("the same person"),
            "language": _("no shared language"),
            "experience": _("too little difference in experience"),
            "unit": _("same unit"),
            "manager": _("manager and direct report"),
            "forbidden": _("also forbidden"),
        }
        why = ", ".join(str(labels.get(b.strip(), b)) for b in broken.split(","))
        return _("The locked pair %(mentee)s – %(mentor)s breaks a rule: %(why)s.") % {
            "mentee": name(mentee),
            "mentor": name(mentor),
            "why": why,
        }
    if code == "lock_twice":
        return _("%(mentee)s is locked to more than one mentor.") % {"mentee": name(detail)}
    if code == "lock_capacity":
        return _("%(mentor)s has more locked mentees than places.") % {"mentor": name(detail)}
    return _("A locked or forbidden pair names someone who is not in the programme.")


def pair_rule_set(
    *, actor: Any, programme: Programme, mentee: SignUp, mentor: SignUp, kind: str
) -> None:
    """Lock or forbid a pair, or clear the coordinator's rule ("clear")."""
    if programme.published_at:
        raise ValidationError(_("The pairs are published; they can no longer be changed here."))
    if (
        mentee.programme_id != programme.pk
        or mentor.programme_id != programme.pk
        or mentee.side != Side.MENTEE
        or mentor.side != Side.MENTOR
    ):
        raise ValidationError(_("That is not a mentee and a mentor of this programme."))
    with transaction.atomic():
        PairRule.objects.filter(programme=programme, mentee=mentee, mentor=mentor).delete()
        if kind == PairRule.LOCK:
            # One lock per mentee: a new lock replaces an older one.
            PairRule.objects.filter(programme=programme, mentee=mentee, kind=kind).delete()
        if kind in (PairRule.LOCK, PairRule.FORBID):
            PairRule.objects.create(
                practice=programme.practice,
                programme=programme,
                mentee=mentee,
                mentor=mentor,
                kind=kind,
            )
    audit(
        actor,
        "mentoring.pair_rule." + kind,
        programme,
        {"mentee": mentee.pk, "mentor": mentor.pk},
    )


def programme_publish(*, actor: Any, programme: Programme, run: MatchRun) -> int:
    """Turn the latest run's proposal into pairs. Returns the number of pairs."""
    with transaction.atomic():
        locked = Programme.objects.select_for_update().get(pk=programme.pk)
        if locked.published_at:
            raise ValidationError(_("The pairs are already published."))
        latest = MatchRun.objects.filter(programme=programme).latest()
        if latest.pk != run.pk:
            raise ValidationError(_("A newer matching exists; publish that one."))
        Pair.objects.bulk_create(
            [
                Pair(
                    practice=programme.practice,
                    programme=programme,
                    mentee_id=mentee,
                    mentor_id=mentor,
                    score=score,
                    parts=parts,
                )
                for mentee, mentor, score, parts, _locked in run.result.get("pairs", [])
            ]
        )
        locked.published_at = clock.now()
        locked.save(update_fields=["published_at"])
        programme.published_at = locked.published_at
        schedule_checkin_reminders(programme)
    count = len(run.result.get("pairs", []))
    audit(actor, "mentoring.programme.published", programme, {"run": run.pk, "pairs": count})
    return count


# --- the pair at work (the personal link is the permission) -------------------------------------


def _side_of(pair: Pair, signup: SignUp) -> str:
    if signup.pk == pair.mentee_id:
        return Side.MENTEE
    if signup.pk == pair.mentor_id:
        return Side.MENTOR
    raise ValidationError(_("This is not your pair."))


def agreement_save(*, signup: SignUp, pair: Pair, goals: str) -> Pair:
    """Change the agreement's goals. A change after a signature asks both to sign again."""
    _side_of(pair, signup)
    if pair.status != PairStatus.ACTIVE:
        raise ValidationError(_("This mentoring has ended."))
    if goals.strip() != pair.agreement_goals.strip():
        pair.agreement_goals = goals.strip()
        pair.mentee_signed_at = pair.mentor_signed_at = None
        pair.full_clean()
        pair.save()
        audit(None, "mentoring.agreement.changed", pair, {"by": signup.pk})
    return pair


def agreement_sign(*, signup: SignUp, pair: Pair) -> Pair:
    side = _side_of(pair, signup)
    if not pair.agreement_goals.strip():
        raise ValidationError(_("Write the goals of the agreement before signing."))
    now = clock.now()
    if side == Side.MENTEE:
        pair.mentee_signed_at = pair.mentee_signed_at or now
    else:
        pair.mentor_signed_at = pair.mentor_signed_at or now
    pair.save(update_fields=["mentee_signed_at", "mentor_signed_at"])
    audit(None, "mentoring.agreement.signed", pair, {"by": signup.pk, "side": side})
    return pair


def response_add(*, signup: SignUp, pair: Pair, kind: str, progress: int, comment: str) -> Response:
    """A check-in (numbered 1, 2, …) or the end evaluation (once per side)."""
    side = _side_of(pair, signup)
    if kind == ResponseKind.CHECKIN and pair.status != PairStatus.ACTIVE:
        raise ValidationError(_("This mentoring has ended."))
    done = Response.objects.filter(pair=pair, side=side, kind=kind).count()
    if kind == ResponseKind.END and done:
        raise ValidationError(_("You have already answered the end evaluation."))
    response = Response(
        practice=pair.practice,
        pair=pair,
        side=side,
        kind=kind,
        number=done + 1,
        progress=progress,
        comment=comment.strip(),
    )
    response.full_clean()
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError as exc:
        raise ValidationError(_("That answer is already saved.")) from exc
    audit(None, f"mentoring.{kind}.answered", pair, {"by": signup.pk, "number": response.number})
    return response


@transaction.atomic
def pair_end_early(*, signup: SignUp, pair: Pair, reason: str) -> Pair:
    _side_of(pair, signup)
    if pair.status != PairStatus.ACTIVE:
        raise ValidationError(_("This mentoring has already ended."))
    if not reason.strip():
        raise ValidationError({"end_reason": _("Say briefly why the mentoring ends.")})
    pair.status = PairStatus.ENDED_EARLY
    pair.ended_at = clock.now()
    pair.end_reason = reason.strip()
    pair.full_clean()
    pair.save()
    audit(None, "mentoring.pair.ended_early", pair, {"by": signup.pk})
    meetings_cancel_ahead(pair=pair, person=signup, now=pair.ended_at)
    return pair
