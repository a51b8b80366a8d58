"""Rounds of a questionnaire: planned or sent now, after a meeting or in a phase of the
engagement; each participant gets a personal link, and a reminder before the round closes.
Audit events carry ids and counts only, never an answer."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from bollplank.accounts.models import hash_token
from bollplank.core import clock
from bollplank.core.audit import audit
from bollplank.core.mail import queue_mail
from bollplank.core.tasking import task_at
from bollplank.engagements.models import Engagement
from bollplank.engagements.selectors import members_on
from bollplank.evaluations.enums import REMIND_HOURS_BEFORE, Kind, Phase
from bollplank.evaluations.models import (
    Invitation,
    Questionnaire,
    Round,
)
from bollplank.evaluations.services.questionnaires import check_sendable
from bollplank.meetings.models import Meeting
from bollplank.notifications.enums import MailKind

AFTER_MEETING_DAYS = 7
# The worker's tasks (evaluations/tasks.py), enqueued by reference (core/tasking.py).
SEND_ROUND = "bollplank.evaluations.tasks.send_round"
REMIND_ROUND = "bollplank.evaluations.tasks.remind_round"


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
            _mail(invitation, "evaluations/email/invitation", now=now)
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


def meeting_named(rnd: Round, language: str, now: dt.datetime) -> tuple[str, str]:
    """How a mail sent at ``now`` names the round's meeting: ("today" | "yesterday" |
    "earlier", the day as the recipient reads it), or ("", "") for a round of no meeting.
    A round sent or reminded days after the meeting must not call it today's."""
    if rnd.meeting is None:
        return "", ""
    zone = ZoneInfo(rnd.practice.timezone)
    day = timezone.localtime(rnd.meeting.starts_at, zone).date()
    today = timezone.localtime(now, zone).date()
    when = {today: "today", today - dt.timedelta(days=1): "yesterday"}.get(day, "earlier")
    with translation.override(language):
        shown = formats.date_format(day, "j F" if day.year == today.year else "j F Y")
    return when, shown


def _mail(invitation: Invitation, template: str, *, now: dt.datetime | None = None) -> None:
    """The invitation or reminder, in the participant's language, as an optional kind
    (questionnaire: it carries an unsubscribe link, and a participant who turned these off is
    not mailed) that the practice admin sees on the outbox page."""
    rnd = invitation.round
    participant = invitation.participant
    user = participant.user if participant.user_id else None
    language = user.language if user is not None else "sv"
    questionnaire = rnd.questionnaire
    meeting_when, meeting_day = meeting_named(rnd, language, now or clock.now())
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
            "meeting_when": meeting_when,
            "meeting_day": meeting_day,
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
