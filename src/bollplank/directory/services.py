"""Every write of the directory: the public page, profiles, inquiries and their end."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from bollplank.accounts.models import Membership
from bollplank.clients.services import client_create, contact_create
from bollplank.core import clock
from bollplank.core.audit import audit
from bollplank.core.identity import guard_identity_numbers
from bollplank.core.mail import queue_mail
from bollplank.core.models import Practice
from bollplank.core.roles import Role
from bollplank.core.services import model_update
from bollplank.directory.enums import (
    INQUIRIES_PER_DAY_PER_ADDRESS,
    INQUIRIES_PER_HOUR_PER_ADDRESS,
    PHOTO_MAX_BYTES,
    PHOTO_MAX_PIXELS,
    PHOTO_TYPES,
    InquiryFocus,
    InquiryStatus,
    Place,
    Rhythm,
)
from bollplank.directory.models import Inquiry, InquiryReply, PracticePage, SupervisorProfile
from bollplank.engagements.enums import DEFAULT_MINUTES, Focus, Form, Venue
from bollplank.engagements.models import Engagement
from bollplank.engagements.services import PersonInput, engagement_create

PAGE_FIELDS = (
    "published",
    "intro",
    "city",
    "contact_email",
    "offers_coaching",
    "offers_mentoring",
    "retention_days",
)
PROFILE_FIELDS = (
    "published",
    "profession",
    "training",
    "sectors",
    "approach",
    "forms",
    "focuses",
    "languages",
    "premises_address",
    "premises_city",
    "accessible_entrance",
    "offers_video",
    "travels",
    "travel_km",
    "weekly_hours",
)
INQUIRY_FIELDS = (
    "organization",
    "sector",
    "form",
    "group_size",
    "focus",
    "place",
    "city",
    "language",
    "wished_start",
    "rhythm",
    "message",
    "name",
    "email",
    "phone",
)


DEFAULT_RETENTION_DAYS = 90


class RateLimited(Exception):
    """Too many inquiries from one address."""


@transaction.atomic
def page_update(*, actor: Any, practice: Practice, **fields: Any) -> PracticePage:
    """Change what the practice shows in public, and whether it is published at all."""
    page = PracticePage.objects.filter(practice=practice).first() or PracticePage(practice=practice)
    changed = model_update(instance=page, fields=PAGE_FIELDS, data=fields)
    page.full_clean()
    page.save()
    audit(actor, "directory.page.updated", page, {"fields": changed}, practice=practice)
    return page


def photo_check(data: bytes) -> str:
    """The MIME type of an acceptable portrait; a ValidationError for anything else."""
    from PIL import Image, UnidentifiedImageError

    if len(data) > PHOTO_MAX_BYTES:
        raise ValidationError(
            {
                "photo": _("The photo is larger than %(mb)d MB. Choose a smaller one.")
                % {"mb": PHOTO_MAX_BYTES // (1024 * 1024)}
            },
            code="photo_too_large",
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format or ""
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            {"photo": _("This file is not a picture we can show. Use JPEG, PNG or WebP.")},
            code="photo_unreadable",
        ) from exc
    if kind not in PHOTO_TYPES:
        raise ValidationError(
            {"photo": _("This file is not a picture we can show. Use JPEG, PNG or WebP.")},
            code="photo_type",
        )
    if width > PHOTO_MAX_PIXELS or height > PHOTO_MAX_PIXELS:
        raise ValidationError(
            {
                "photo": _("The photo is larger than %(px)d pixels on a side.")
                % {"px": PHOTO_MAX_PIXELS}
            },
            code="photo_pixels",
        )
    return PHOTO_TYPES[kind]


@transaction.atomic
def profile_update(
    *,
    actor: Any,
    practice: Practice,
    photo: bytes | None = None,
    remove_photo: bool = False,
    **fields: Any,
) -> SupervisorProfile:
    """A supervisor writes their own public profile (and may upload a photo)."""
    if not Membership.objects.filter(practice=practice, user=actor, role=Role.SUPERVISOR).exists():
        raise ValidationError(_("Only supervisors have a public profile."), code="not_supervisor")
    profile = SupervisorProfile.objects.filter(practice=practice, user=actor).first()
    if profile is None:
        profile = SupervisorProfile(practice=practice, user=actor)
    changed = model_update(instance=profile, fields=PROFILE_FIELDS, data=fields)
    if not profile.travels:
        profile.travel_km = None
    if photo is not None:
        profile.photo_type = photo_check(photo)
        profile.photo = photo
        changed.append("photo")
    elif remove_photo and profile.has_photo:
        profile.photo, profile.photo_type = None, ""
        changed.append("photo")
    profile.full_clean()
    profile.save()
    audit(actor, "directory.profile.updated", profile, {"fields": changed})
    return profile


def _check_rate(source: str, now: dt.datetime) -> None:
    # Across practices: one sender flooding many firms is as unwelcome as flooding one.
    with scopes_disabled():
        recent = Inquiry.objects.filter(source=source, created_at__gte=now - dt.timedelta(days=1))
        last_day = recent.count()
        last_hour = recent.filter(created_at__gte=now - dt.timedelta(hours=1)).count()
    if last_hour >= INQUIRIES_PER_HOUR_PER_ADDRESS or last_day >= INQUIRIES_PER_DAY_PER_ADDRESS:
        raise RateLimited


@transaction.atomic
def inquiry_submit(
    *, practice: Practice, source: str, confirmed: bool = False, **fields: Any
) -> Inquiry:
    """Store a visitor's inquiry (the form has already passed the spam checks) and tell the
    practice. Raises RateLimited when the sender's address has sent too many lately."""
    now = clock.now()
    guard_identity_numbers({"message": fields.get("message") or ""}, confirmed=confirmed)
    _check_rate(source, now)
    inquiry = Inquiry(
        practice=practice,
        source=source,
        consented_at=now,
        **{k: v for k, v in fields.items() if k in INQUIRY_FIELDS},
    )
    if inquiry.form == Form.INDIVIDUAL:
        inquiry.group_size = None
    elif inquiry.group_size is None:
        raise ValidationError(
            {"group_size": _("How many are in the group? A group has at least 2.")},
            code="group_size_missing",
        )
    inquiry.email = inquiry.email.strip().lower()
    inquiry.full_clean()
    inquiry.save()
    audit(None, "directory.inquiry.received", inquiry)
    with scope(practice=practice):
        admins = list(
            Membership.objects.filter(practice=practice, role=Role.ADMIN)
            .select_related("user")
            .order_by("user__email")
        )
    for membership in admins:
        queue_mail(
            to=membership.user.email,
            template="directory/email/new_inquiry",
            context={
                "practice": practice,
                "link": settings.SITE_URL
                + reverse("inquiry_detail", args=[practice.slug, inquiry.pk]),
            },
            language=membership.user.language,
            practice=practice,
        )
    return inquiry


@transaction.atomic
def inquiry_set_status(*, actor: Any, inquiry: Inquiry, status: str) -> Inquiry:
    """Move an inquiry along (new, in dialogue, offer sent, won, lost)."""
    if status not in InquiryStatus.values:
        raise ValidationError(_("Choose a status from the list."), code="bad_status")
    previous = inquiry.status
    inquiry.status = status
    inquiry.save(update_fields=["status", "updated_at"])
    audit(actor, "directory.inquiry.status", inquiry, {"from": previous, "to": status})
    return inquiry


@transaction.atomic
def inquiry_reply(
    *, actor: Any, inquiry: Inquiry, body: str, confirmed: bool = False
) -> InquiryReply:
    """Answer the inquirer by e-mail from Bollplank; the answer is kept with the inquiry."""
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write a message.")}, code="empty")
    guard_identity_numbers({"body": body}, confirmed=confirmed)
    reply = InquiryReply(practice=inquiry.practice, inquiry=inquiry, author=actor, body=body)
    reply.full_clean()
    reply.save()
    if inquiry.status == InquiryStatus.NEW:
        inquiry.status = InquiryStatus.DIALOGUE
    inquiry.save(update_fields=["status", "updated_at"])
    queue_mail(
        to=inquiry.email,
        template="directory/email/reply",
        context={
            "practice": inquiry.practice,
            "name": inquiry.name,
            "body": body,
            "sender": actor.name,
            "contact_email": _public_email(inquiry.practice),
        },
        language=inquiry.language if inquiry.language in {"sv", "en"} else "sv",
        practice=inquiry.practice,
    )
    audit(actor, "directory.inquiry.replied", inquiry, {"reply": reply.pk})
    return reply


def _public_email(practice: Practice) -> str:
    page = PracticePage.objects.filter(practice=practice).only("contact_email").first()
    return page.contact_email if page else ""


def _months_later(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def _engagement_terms(inquiry: Inquiry, today: dt.date) -> dict[str, Any]:
    """What the inquiry already says about the engagement, so that nothing is typed again: the
    practice's price for the form, and a period from the wished start (or today) that holds
    the ordered meetings at the wished rhythm."""
    start = (
        inquiry.wished_start if inquiry.wished_start and inquiry.wished_start >= today else today
    )
    rhythm = Rhythm(inquiry.rhythm)
    per_half_year = {Rhythm.WEEKLY: 20, Rhythm.BIWEEKLY: 10, Rhythm.MONTHLY: 5}
    meetings = per_half_year.get(rhythm, 10)
    if rhythm == Rhythm.MONTHLY:
        end = _months_later(start, meetings) - dt.timedelta(days=1)
    else:
        weeks_apart = 1 if rhythm == Rhythm.WEEKLY else 2
        end = start + dt.timedelta(weeks=weeks_apart * meetings, days=-1)
    venue = {
        Place.CLIENT: Venue.CLIENT_PREMISES,
        Place.SUPERVISOR: Venue.SUPERVISOR_PREMISES,
        Place.VIDEO: Venue.VIDEO,
    }.get(Place(inquiry.place), Venue.CLIENT_PREMISES)
    focus = {InquiryFocus.PROCESS: Focus.PROCESS, InquiryFocus.CASE: Focus.CASE}.get(
        InquiryFocus(inquiry.focus), Focus.MIXED
    )
    form_label = Form(inquiry.form).label
    return {
        "title": f"{inquiry.organization or inquiry.name}: {form_label}"[:200],
        "form": inquiry.form,
        "focus": focus,
        "meeting_minutes": DEFAULT_MINUTES[Form(inquiry.form)],
        "meetings_ordered": meetings,
        "start_date": start,
        "end_date": end,
        "price_per_meeting_ore": inquiry.practice.price_for_form(inquiry.form),
        "venue": venue,
        "venue_address": inquiry.city if venue == Venue.CLIENT_PREMISES else "",
        "expectations": inquiry.message,
    }


@transaction.atomic
def inquiry_convert(*, actor: Any, inquiry: Inquiry, supervisor: Any) -> Engagement:
    """Turn an inquiry into a client, its contact person and an engagement in one step.

    The inquirer becomes the client's contact; in individual supervision also the participant.
    A group's members are named later. The inquiry is marked won and kept, linked to both."""
    locked = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
    if locked.engagement_id is not None:
        raise ValidationError(
            _("This inquiry has already become an engagement."), code="already_converted"
        )
    practice = inquiry.practice
    client = client_create(
        actor=actor,
        practice=practice,
        name=inquiry.organization or inquiry.name,
        sector=inquiry.sector,
        city=inquiry.city,
        language=inquiry.language if inquiry.language in {"sv", "en"} else "sv",
    )
    contact_create(
        actor=actor, client=client, name=inquiry.name, email=inquiry.email, phone=inquiry.phone
    )
    participants = (
        [PersonInput(name=inquiry.name, email=inquiry.email)]
        if inquiry.form == Form.INDIVIDUAL
        else []
    )
    engagement = engagement_create(
        actor=actor,
        practice=practice,
        participants=participants,
        members_later=True,
        client=client,
        supervisor=supervisor,
        **_engagement_terms(inquiry, clock.today()),
    )
    inquiry.client, inquiry.engagement, inquiry.status = client, engagement, InquiryStatus.WON
    inquiry.save(update_fields=["client", "engagement", "status", "updated_at"])
    audit(
        actor,
        "directory.inquiry.converted",
        inquiry,
        {"client": client.pk, "engagement": engagement.pk, "supervisor": supervisor.pk},
    )
    return engagement


def inquiries_prune(*, now: dt.datetime | None = None) -> int:
    """Delete every inquiry not won that has not changed within its practice's retention time.
    Returns how many were deleted."""
    now = now or clock.now()
    deleted = 0
    for practice in Practice.objects.order_by("pk"):
        with scope(practice=practice), transaction.atomic():
            page = PracticePage.objects.filter(practice=practice).first()
            days = page.retention_days if page else DEFAULT_RETENTION_DAYS
            stale = Inquiry.objects.filter(
                practice=practice, updated_at__lt=now - dt.timedelta(days=days)
            ).exclude(status=InquiryStatus.WON)
            count = stale.count()
            if count:
                stale.delete()
                audit(
                    None,
                    "directory.inquiries.pruned",
                    practice=practice,
                    data={"count": count, "days": days},
                )
                deleted += count
    return deleted
