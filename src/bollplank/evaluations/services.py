"""Every write of the evaluations app: questionnaires, rounds, invitations and answers.

Audit events carry ids and counts only, never an answer.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from bollplank.accounts.models import hash_token
from bollplank.core import clock
from bollplank.core.audit import audit
from bollplank.core.mail import queue_mail
from bollplank.core.models import Practice
from bollplank.core.tasking import task_at
from bollplank.engagements.models import Engagement
from bollplank.engagements.selectors import members_on
from bollplank.evaluations.enums import REMIND_HOURS_BEFORE, SCALE_RANGE, Kind, Phase, Scale
from bollplank.evaluations.models import (
    Answer,
    Goal,
    GoalProgress,
    GoalRevisit,
    HoursSignoff,
    Invitation,
    Question,
    Questionnaire,
    ReportShare,
    Response,
    Round,
    Section,
)
from bollplank.evaluations.selectors import hours_of
from bollplank.meetings.models import Meeting
from bollplank.notifications.enums import MailKind

MAX_TEXT = 4000
AFTER_MEETING_DAYS = 7
# The worker's tasks (evaluations/tasks.py), enqueued by reference (core/tasking.py).
SEND_ROUND = "bollplank.evaluations.tasks.send_round"
REMIND_ROUND = "bollplank.evaluations.tasks.remind_round"


# --- questionnaires -------------------------------------------------------------------------


def questionnaire_create(
    *, actor: Any, practice: Practice, kind: str, name_sv: str, name_en: str = "", **fields: Any
) -> Questionnaire:
    """A practice's own questionnaire. A licensed instrument needs its licence recorded first:
    holder, reference and a validity date that has not passed."""
    q = Questionnaire(practice=practice, kind=kind, name_sv=name_sv, name_en=name_en, **fields)
    if kind == Kind.LICENSED:
        errors: dict[str, str] = {}
        if not q.instrument:
            errors["instrument"] = _("Choose the instrument.")
        if not q.licence_holder.strip():
            errors["licence_holder"] = _("Record who holds the licence.")
        if not q.licence_reference.strip():
            errors["licence_reference"] = _("Record the licence's reference or agreement number.")
        if q.licence_valid_until is None or q.licence_valid_until < clock.today():
            errors["licence_valid_until"] = _("Record a licence that is valid today.")
        if errors:
            raise ValidationError(errors)
    else:
        q.instrument = ""
        q.licence_holder = q.licence_reference = ""
        q.licence_valid_until = None
    q.full_clean()
    q.save()
    audit(actor, "evaluations.questionnaire.created", q, {"kind": kind})
    return q


def questionnaire_copy(*, actor: Any, practice: Practice, source: Questionnaire) -> Questionnaire:
    """A practice's own editable copy of a questionnaire (shipped or its own)."""
    if source.kind == Kind.LICENSED:
        raise ValidationError(_("A licensed instrument cannot be copied."))
    with transaction.atomic():
        copy = Questionnaire.objects.create(
            practice=practice,
            kind=source.kind,
            name_sv=_("Copy of %(name)s") % {"name": source.name_sv},
            name_en=source.name_en,
            intro_sv=source.intro_sv,
            intro_en=source.intro_en,
            copied_from=source,
        )
        sections: dict[int, Section] = {}
        for s in source.sections.all():
            sections[s.pk] = Section.objects.create(
                questionnaire=copy, position=s.position, title_sv=s.title_sv, title_en=s.title_en
            )
        for question in source.questions.all():
            question.pk = None
            question.questionnaire = copy
            question.section = sections.get(question.section_id or 0)
            question.save()
        audit(actor, "evaluations.questionnaire.copied", copy, {"from": source.pk})
    return copy


def _editable(questionnaire: Questionnaire) -> None:
    if questionnaire.is_shipped:
        raise ValidationError(_("A shipped questionnaire cannot be changed. Copy it first."))
    if questionnaire.rounds.exists():
        raise ValidationError(
            _("This questionnaire has been sent; changing it would change the meaning of answers.")
        )


def section_add(
    *, actor: Any, questionnaire: Questionnaire, title_sv: str, title_en: str = ""
) -> Section:
    _editable(questionnaire)
    last = questionnaire.sections.order_by("-position").first()
    section = Section(
        questionnaire=questionnaire,
        position=(last.position if last else 0) + 1,
        title_sv=title_sv,
        title_en=title_en,
    )
    section.full_clean()
    section.save()
    audit(actor, "evaluations.section.added", questionnaire, {"section": section.pk})
    return section


def question_add(*, actor: Any, questionnaire: Questionnaire, **fields: Any) -> Question:
    """Add a question at the end. The section, if any, must be the questionnaire's own."""
    _editable(questionnaire)
    section = fields.get("section")
    if section is not None and section.questionnaire_id != questionnaire.pk:
        raise ValidationError({"section": _("Choose a section of this questionnaire.")})
    last = questionnaire.questions.order_by("-position").first()
    question = Question(
        questionnaire=questionnaire, position=(last.position if last else 0) + 1, **fields
    )
    question.full_clean()
    question.save()
    audit(actor, "evaluations.question.added", questionnaire, {"question": question.pk})
    return question


def question_remove(*, actor: Any, question: Question) -> None:
    _editable(question.questionnaire)
    audit(actor, "evaluations.question.removed", question.questionnaire, {"question": question.pk})
    question.delete()


def check_sendable(questionnaire: Questionnaire) -> None:
    """A questionnaire can go out when it has questions and, if licensed, a valid licence."""
    if not questionnaire.questions.exists():
        raise ValidationError(_("The questionnaire has no questions. Add at least one first."))
    if questionnaire.kind == Kind.LICENSED and (
        questionnaire.licence_valid_until is None
        or questionnaire.licence_valid_until < clock.today()
    ):
        raise ValidationError(_("The licence for this instrument has expired. Renew it first."))


# --- rounds and invitations -----------------------------------------------------------------


def invitation_token(invitation: Invitation) -> str:
    """The link's token, rebuilt from the stored nonce with the site's secret key, so that a
    reminder can repeat the same link while the database alone does not reveal it."""
    return salted_hmac("bollplank.evaluations.invitation", invitation.nonce).hexdigest()


def answer_link(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse(
        "evaluation_answer_link", args=[invitation_token(invitation)]
    )


def round_create(
    *,
    actor: Any,
    engagement: Engagement,
    questionnaire: Questionnaire,
    phase: str,
    anonymous: bool,
    send_on: dt.datetime,
    closes_at: dt.datetime,
    meeting: Meeting | None = None,
    now: dt.datetime | None = None,
) -> Round:
    """Plan a round. It goes out ``now`` if ``send_on`` has come, otherwise the task worker
    sends it then."""
    now = now or clock.now()
    check_sendable(questionnaire)
    if questionnaire.practice_id not in (None, engagement.practice_id):
        raise ValidationError(_("Choose a questionnaire of this practice."))
    if closes_at <= max(send_on, now):
        raise ValidationError({"closes_at": _("The last day to answer must come after sending.")})
    if meeting is not None and meeting.engagement_id != engagement.pk:
        raise ValidationError(_("The meeting belongs to another engagement."))
    with transaction.atomic():
        rnd = Round(
            practice=engagement.practice,
            engagement=engagement,
            questionnaire=questionnaire,
            meeting=meeting,
            phase=phase,
            anonymous=anonymous,
            send_on=send_on,
            closes_at=closes_at,
            created_by=actor,
        )
        rnd.full_clean()
        rnd.save()
        audit(actor, "evaluations.round.created", rnd, {"engagement": engagement.pk})
        if send_on <= now:
            round_send(rnd=rnd, now=now)
        else:
            _schedule(rnd)
    return rnd


def _schedule(rnd: Round) -> None:
    from django_tasks import default_task_backend

    if default_task_backend.supports_defer:
        transaction.on_commit(
            lambda: (
                task_at(SEND_ROUND)
                .using(run_after=rnd.send_on)
                .enqueue(practice_id=rnd.practice_id, round_id=rnd.pk)
            )
        )


def after_meeting_send(
    *, actor: Any, meeting: Meeting, anonymous: bool, now: dt.datetime | None = None
) -> Round:
    """The after-meeting check for one meeting's group, open for a week from ``now``."""
    if Round.objects.filter(meeting=meeting, phase=Phase.AFTER_MEETING).exists():
        raise ValidationError(_("The after-meeting check has already been sent for this meeting."))
    if meeting.is_cancelled:
        raise ValidationError(_("The meeting was cancelled."))
    questionnaire = Questionnaire.objects.filter(
        practice=meeting.practice, kind=Kind.AFTER_MEETING
    ).order_by("-created_at").first() or Questionnaire.shipped.get(key="after-meeting")
    now = now or clock.now()
    return round_create(
        actor=actor,
        engagement=meeting.engagement,
        questionnaire=questionnaire,
        phase=Phase.AFTER_MEETING,
        anonymous=anonymous,
        send_on=now,
        closes_at=now + dt.timedelta(days=AFTER_MEETING_DAYS),
        meeting=meeting,
        now=now,
    )


def round_send(*, rnd: Round, now: dt.datetime | None = None) -> int:
    """Invite everyone in the group on the day (of the meeting, or of sending) and e-mail each
    their own link. Sending twice invites no one twice. Returns how many were invited."""
    if rnd.sent_at is not None:
        return 0
    now = now or clock.now()
    day = timezone.localdate(rnd.meeting.starts_at if rnd.meeting else now)
    made = 0
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=rnd.pk)
        if locked.sent_at is not None:
            return 0
        for membership in members_on(rnd.engagement, day):
            invitation = Invitation(
                practice=rnd.practice, round=rnd, participant=membership.participant
            )
            invitation.nonce = secrets.token_hex(16)
            invitation.token_hash = hash_token(invitation_token(invitation))
            invitation.save()
            _mail(invitation, "evaluations/email/invitation")
            made += 1
        rnd.sent_at = locked.sent_at = now
        locked.save(update_fields=["sent_at"])
        audit(None, "evaluations.round.sent", rnd, {"invited": made}, practice=rnd.practice)
    _schedule_reminder(rnd, now)
    return made


def _schedule_reminder(rnd: Round, now: dt.datetime) -> None:
    from django_tasks import default_task_backend

    at = rnd.closes_at - dt.timedelta(hours=REMIND_HOURS_BEFORE)
    if default_task_backend.supports_defer and at > now:
        transaction.on_commit(
            lambda: (
                task_at(REMIND_ROUND)
                .using(run_after=at)
                .enqueue(practice_id=rnd.practice_id, round_id=rnd.pk)
            )
        )


def _mail(invitation: Invitation, template: str) -> None:
    """The invitation or reminder, in the participant's language, as an optional kind
    (questionnaire: it carries an unsubscribe link, and a participant who turned these off is
    not mailed) that the practice admin sees on the outbox page."""
    rnd = invitation.round
    participant = invitation.participant
    user = participant.user if participant.user_id else None
    language = user.language if user is not None else "sv"
    questionnaire = rnd.questionnaire
    queue_mail(
        to=participant.email,
        template=template,
        context={
            "name": participant.name,
            "practice_name": rnd.practice.name,
            "engagement": rnd.engagement.title,
            "questionnaire": (
                questionnaire.name_en
                if language == "en" and questionnaire.name_en
                else questionnaire.name_sv
            ),
            "anonymous": rnd.anonymous,
            "closes_at": rnd.closes_at,
            "link": answer_link(invitation),
        },
        language=language,
        kind=MailKind.QUESTIONNAIRE,
        practice=rnd.practice,
    )


def round_remind(*, rnd: Round) -> int:
    """Remind, once, everyone who has not answered a round that is still open."""
    if rnd.closes_at <= clock.now() or rnd.sent_at is None:
        return 0
    count = 0
    with transaction.atomic():
        for invitation in rnd.invitations.select_related("participant__user").filter(
            answered_at__isnull=True, reminded_at__isnull=True
        ):
            invitation.reminded_at = clock.now()
            invitation.save(update_fields=["reminded_at"])
            _mail(invitation, "evaluations/email/reminder")
            count += 1
        audit(None, "evaluations.round.reminded", rnd, {"reminded": count}, practice=rnd.practice)
    return count


# --- answering ------------------------------------------------------------------------------


def check_answerable(invitation: Invitation, user: Any, now: dt.datetime | None = None) -> None:
    """Refuse a closed round, an answered invitation, and a link used by someone else: a
    signed-in person who is not the invited participant."""
    if user is not None and user.is_authenticated and invitation.participant.user_id != user.pk:
        raise ValidationError(
            _("This link was sent to someone else. Use the link in your own e-mail."),
            code="other_person",
        )
    if invitation.answered_at is not None:
        raise ValidationError(_("You have already answered. Thank you!"), code="answered")
    if invitation.round.closes_at <= (now or clock.now()):
        raise ValidationError(_("The time to answer has passed."), code="closed")


def clean_answers(questions: list[Question], data: dict[int, Any]) -> dict[int, int | str]:
    """Check each answer against its question: required ones given, numbers in the scale's
    range, texts not too long. Unknown questions are ignored."""
    errors: dict[str, list[str]] = {}
    clean: dict[int, int | str] = {}
    for q in questions:
        value = data.get(q.pk)
        key = f"q{q.pk}"
        if value in (None, ""):
            if q.required:
                errors[key] = [_("Answer this question.")]
            continue
        if q.scale == Scale.TEXT:
            text = str(value).strip()
            if len(text) > MAX_TEXT:
                errors[key] = [_("Keep the answer under %(n)s characters.") % {"n": MAX_TEXT}]
            elif text:
                clean[q.pk] = text
            continue
        low, high = SCALE_RANGE[Scale(q.scale)]
        try:
            number = int(str(value))
        except (TypeError, ValueError):
            number = None
        if number is None or not low <= number <= high:
            errors[key] = [
                _("Choose a value from %(low)s to %(high)s.") % {"low": low, "high": high}
            ]
            continue
        clean[q.pk] = number
    if not clean and not errors:
        errors["__all__"] = [_("Answer at least one question.")]
    if errors:
        raise ValidationError(errors)
    return clean


def response_submit(
    *, invitation: Invitation, user: Any, data: dict[int, Any], now: dt.datetime | None = None
) -> Response:
    """Save one person's answers, once. Two posts at the same moment: one wins, the other is
    told it has already answered (a conditional update claims the invitation)."""
    now = now or clock.now()
    check_answerable(invitation, user, now)
    rnd = invitation.round
    questions = list(rnd.questionnaire.questions.all())
    clean = clean_answers(questions, data)
    with transaction.atomic():
        claimed = Invitation.objects.filter(pk=invitation.pk, answered_at__isnull=True).update(
            answered_at=now
        )
        if not claimed:
            raise ValidationError(_("You have already answered. Thank you!"), code="answered")
        if rnd.closes_at <= now:
            raise ValidationError(_("The time to answer has passed."), code="closed")
        response = Response.objects.create(
            practice=rnd.practice,
            round=rnd,
            participant=None if rnd.anonymous else invitation.participant,
            submitted_on=timezone.localdate(now),
        )
        Answer.objects.bulk_create(
            Answer(
                response=response,
                question_id=qid,
                number=value if isinstance(value, int) else None,
                text=value if isinstance(value, str) else "",
            )
            for qid, value in clean.items()
        )
        # The event names the round, not the response: an anonymous answer stays unlinked.
        audit(
            user if user is not None and user.is_authenticated else None,
            "evaluations.round.answered",
            rnd,
            {},
            practice=rnd.practice,
        )
    invitation.answered_at = now
    return response


# --- the client's report --------------------------------------------------------------------


def report_share(*, actor: Any, engagement: Engagement) -> ReportShare:
    """Share the engagement's report with the client as it stands now (what the preview shows)."""
    now = clock.now()
    share, _created = ReportShare.objects.update_or_create(
        engagement=engagement,
        defaults={"practice": engagement.practice, "shared_by": actor, "shared_at": now},
    )
    audit(actor, "evaluations.report.shared", engagement, {})
    return share


# --- goals ----------------------------------------------------------------------------------


def goal_create(*, actor: Any, engagement: Engagement, title: str, participant: Any = None) -> Goal:
    """A goal for the group (no participant) or for one participant of the engagement."""
    if (
        participant is not None
        and not engagement.memberships.filter(participant=participant).exists()
    ):
        raise ValidationError({"participant": _("Choose someone in this engagement.")})
    goal = Goal(
        practice=engagement.practice,
        engagement=engagement,
        participant=participant,
        title=title.strip(),
        created_by=actor,
    )
    goal.full_clean()
    goal.save()
    audit(actor, "evaluations.goal.created", goal, {"engagement": engagement.pk})
    return goal


def goal_set_reached(*, actor: Any, goal: Goal, reached: bool) -> Goal:
    goal.reached_on = clock.today() if reached else None
    goal.save(update_fields=["reached_on"])
    audit(actor, "evaluations.goal.reached" if reached else "evaluations.goal.reopened", goal, {})
    return goal


def progress_add(
    *, actor: Any, goal: Goal, rating: int, comment: str = "", meeting: Meeting | None = None
) -> GoalProgress:
    """A rating of how far the goal is reached, with a comment. The caller has checked that the
    actor may see the goal; the rating must be 0–10."""
    if not 0 <= rating <= 10:
        raise ValidationError(
            {"rating": _("Choose a value from %(low)s to %(high)s.") % {"low": 0, "high": 10}}
        )
    if meeting is not None and meeting.engagement_id != goal.engagement_id:
        raise ValidationError(_("The meeting belongs to another engagement."))
    progress = GoalProgress(
        practice=goal.practice,
        goal=goal,
        author=actor,
        rating=rating,
        comment=comment.strip(),
        meeting=meeting,
    )
    progress.full_clean()
    progress.save()
    audit(actor, "evaluations.goal.progress", goal, {})
    return progress


def revisits_set(*, actor: Any, engagement: Engagement, meetings: list[Meeting]) -> None:
    """Choose the meetings at which the goals are revisited (replacing the earlier choice)."""
    if any(m.engagement_id != engagement.pk for m in meetings):
        raise ValidationError(_("The meeting belongs to another engagement."))
    with transaction.atomic():
        GoalRevisit.objects.filter(meeting__engagement=engagement).delete()
        GoalRevisit.objects.bulk_create(
            GoalRevisit(practice=engagement.practice, meeting=m) for m in meetings
        )
        audit(actor, "evaluations.goal.revisits", engagement, {"meetings": len(meetings)})


# --- hours ----------------------------------------------------------------------------------


def hours_sign_off(*, actor: Any, engagement: Engagement, participant: Any) -> HoursSignoff:
    """The supervisor confirms the participant's hours so far (present at held meetings)."""
    if engagement.supervisor_id != actor.pk:
        raise ValidationError(_("Only the engagement's supervisor can sign off hours."))
    row = next((r for r in hours_of(engagement) if r.participant.pk == participant.pk), None)
    if row is None:
        raise ValidationError(_("There are no attended meetings to sign off yet."))
    signoff = HoursSignoff.objects.create(
        practice=engagement.practice,
        engagement=engagement,
        participant=participant,
        meetings=row.meetings,
        minutes=row.minutes,
        first_day=row.first_day,
        through=row.last_day or clock.today(),
        signed_by=actor,
        signed_at=clock.now(),
    )
    audit(actor, "evaluations.hours.signed", signoff, {"participant": participant.pk})
    return signoff
