"""First talks: a visitor who sent an inquiry gets a one-time link, books a first talk with a
supervisor (no engagement, no quota: the supervisor's own first-talk length and place), and
moves or cancels it on the same link page. Both get the calendar invitation by e-mail
(notifications' invitation code: REQUEST, moved with the same UID and a higher SEQUENCE,
CANCEL)."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_scopes import scope

from bollplank.accounts.models import hash_token
from bollplank.booking.models import BookingLink, FirstTalk, FirstTalkStatus
from bollplank.booking.refusals import booking_refusal
from bollplank.booking.selectors import first_talk_free_times, link_find, settings_of
from bollplank.core import clock
from bollplank.core.audit import audit
from bollplank.core.mail import queue_mail
from bollplank.directory.enums import InquiryStatus
from bollplank.directory.models import InquiryReply
from bollplank.notifications.meetings import Recipient, send_invitation

LINK_DAYS = 30


def _lock_supervisor(supervisor_id: int) -> None:
    # The same row lock meetings and self-booking take: every writer that books this person
    # queues here, so of two bookings of the same time exactly one gets it.
    from django.contrib.auth import get_user_model

    get_user_model().objects.select_for_update().filter(pk=supervisor_id).first()


def _language(value: str) -> str:
    return value if value in {"sv", "en"} else "sv"


@transaction.atomic
def link_send(
    *, actor: Any, inquiry: Any, supervisor: Any, now: dt.datetime | None = None
) -> tuple[BookingLink, str]:
    """Create a one-time link for a first talk with ``supervisor``, e-mail it to the inquirer,
    and note on the inquiry that it was sent (status "in dialogue" if it was new)."""
    now = now or clock.now()
    practice = inquiry.practice
    free = first_talk_free_times(practice, supervisor, now=now)
    if not free.slots():
        raise ValidationError(
            _(
                "%(name)s has no free time for a first talk in the coming weeks. Set weekly "
                "hours for first talks (%(place)s) under Booking first."
            )
            % {
                "name": supervisor.name or supervisor.email,
                "place": settings_of(practice, supervisor).get_first_talk_place_display(),
            },
            code="no_free_time",
        )
    token = secrets.token_urlsafe(24)
    language = _language(inquiry.language)
    link = BookingLink(
        practice=practice,
        supervisor=supervisor,
        inquiry=inquiry,
        created_by=actor,
        label=inquiry.name,
        email=inquiry.email,
        language=language,
        token_hash=hash_token(token),
        expires_at=now + dt.timedelta(days=LINK_DAYS),
    )
    link.full_clean()
    link.save()
    url = settings.SITE_URL + reverse("booking_link", args=[token])
    queue_mail(
        to=inquiry.email,
        template="booking/email/first_talk_link",
        context={
            "name": inquiry.name,
            "practice_name": practice.name,
            "supervisor": supervisor.name,
            "minutes": int(free.length.total_seconds() // 60),
            "url": url,
            "days": LINK_DAYS,
            "sender": actor.name,
        },
        language=language,
        practice=practice,
    )
    # Kept with the inquiry's answers (never the link itself: only its hash is stored).
    with translation.override(language):
        body = _("A link to book a first talk with %(name)s was sent by e-mail.") % {
            "name": supervisor.name
        }
    InquiryReply.objects.create(practice=practice, inquiry=inquiry, author=actor, body=body)
    if inquiry.status == InquiryStatus.NEW:
        inquiry.status = InquiryStatus.DIALOGUE
    inquiry.save(update_fields=["status", "updated_at"])
    audit(actor, "booking.first_talk.link_sent", link, {"inquiry": inquiry.pk})
    return link, token


def _locked_link(token: str) -> BookingLink:
    found = link_find(token)
    if found is None or not found.is_first_talk:
        raise ValidationError(_("This booking link does not exist."), code="no_link")
    with scope(practice=found.practice):
        return (
            # Only the link's row: PostgreSQL locks no nullable side of an outer join.
            BookingLink.objects.select_for_update(of=("self",))
            .select_related("practice", "supervisor", "first_talk")
            .get(pk=found.pk)
        )


def book(*, link: BookingLink, token: str, starts_at: dt.datetime, now: dt.datetime) -> FirstTalk:
    """Book the first talk of a (locked, unused) link. Called by services.link_book inside
    its transaction and scope."""
    practice = link.practice
    assert link.supervisor_id is not None
    _lock_supervisor(link.supervisor_id)
    free = first_talk_free_times(practice, link.supervisor_id, now=now)
    reason = free.why_not(starts_at)
    if reason:
        raise booking_refusal(reason, practice, link.supervisor_id)
    config = settings_of(practice, link.supervisor_id)
    talk = FirstTalk(
        practice=practice,
        supervisor_id=link.supervisor_id,
        inquiry_id=link.inquiry_id,
        name=link.label,
        email=link.email,
        language=link.language,
        starts_at=starts_at,
        ends_at=starts_at + free.length,
        place=config.first_talk_place,
    )
    talk.full_clean(exclude=["uid"])
    talk.save()
    link.used_at = now
    link.first_talk = talk
    link.save(update_fields=["used_at", "first_talk"])
    audit(None, "booking.first_talk.booked", talk, {"link": link.pk})
    notify(talk, "planned", token=token)
    return talk


def _talk_of(link: BookingLink, now: dt.datetime) -> FirstTalk:
    talk = link.first_talk
    if talk is None:
        raise ValidationError(_("No first talk is booked with this link yet."), code="not_booked")
    talk = (
        FirstTalk.objects.select_for_update()
        .select_related("practice", "supervisor")
        .get(pk=talk.pk)
    )
    if talk.is_cancelled:
        raise ValidationError(_("The first talk is already cancelled."), code="cancelled")
    if talk.ends_at <= now:
        raise ValidationError(
            _("The first talk has already taken place and cannot be changed."), code="in_past"
        )
    return talk


@transaction.atomic
def move(*, token: str, starts_at: dt.datetime, now: dt.datetime | None = None) -> FirstTalk:
    """Move the link's first talk to another free time, outside the practice's notice."""
    now = now or clock.now()
    link = _locked_link(token)
    with scope(practice=link.practice):
        talk = _talk_of(link, now)
        _lock_supervisor(talk.supervisor_id)
        hours = link.practice.late_cancellation_hours
        if talk.starts_at - now < dt.timedelta(hours=hours):
            raise ValidationError(
                _(
                    "Less than %(hours)d hours remain: the first talk can no longer be moved, "
                    "only cancelled."
                )
                % {"hours": hours},
                code="too_late_to_move",
            )
        free = first_talk_free_times(
            link.practice, talk.supervisor_id, now=now, exclude_talk=talk.pk
        )
        reason = free.why_not(starts_at)
        if reason:
            raise booking_refusal(reason, link.practice, talk.supervisor_id)
        old = talk.starts_at.isoformat()
        length = talk.ends_at - talk.starts_at
        talk.starts_at, talk.ends_at = starts_at, starts_at + length
        talk.sequence += 1
        talk.save()
        audit(None, "booking.first_talk.moved", talk, {"from": old, "to": starts_at.isoformat()})
        notify(talk, "moved", token=token)
    return talk


@transaction.atomic
def cancel(*, token: str, now: dt.datetime | None = None) -> FirstTalk:
    """Cancel the link's first talk (flagged late inside the practice's notice period)."""
    now = now or clock.now()
    link = _locked_link(token)
    with scope(practice=link.practice):
        talk = _talk_of(link, now)
        notice = dt.timedelta(hours=link.practice.late_cancellation_hours)
        talk.status = FirstTalkStatus.CANCELLED
        talk.cancelled_at = now
        talk.late_cancellation = talk.starts_at - now < notice
        talk.sequence += 1
        talk.save()
        audit(None, "booking.first_talk.cancelled", talk, {"late": talk.late_cancellation})
        notify(talk, "cancelled", token=token)
    return talk


def notify(talk: FirstTalk, change: str, *, token: str) -> int:
    """The invitation (or its update or cancellation) to the visitor and to the supervisor,
    through notifications' meeting invitation."""
    practice = talk.practice
    supervisor = talk.supervisor
    visitor_link = settings.SITE_URL + reverse("booking_link", args=[token])
    staff_link = settings.SITE_URL + reverse("booking_links", args=[practice.slug])
    sent = 0
    sent += send_invitation(
        talk,
        Recipient(talk.name, talk.email, _language(talk.language)),
        change,
        visitor_link,
        key="first-talk",
    )
    if supervisor.email:
        sent += send_invitation(
            talk,
            Recipient(
                supervisor.name, supervisor.email, _language(getattr(supervisor, "language", ""))
            ),
            change,
            staff_link,
            key="first-talk",
        )
    return sent
