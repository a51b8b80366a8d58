"""Every read of the directory: what a visitor may see, the inbox, and the recommendation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from bollplank.accounts.models import Membership
from bollplank.clients.enums import Sector
from bollplank.core import clock
from bollplank.core.models import Practice
from bollplank.core.roles import Role
from bollplank.directory.enums import (
    RHYTHM_PER_WEEK,
    InquiryFocus,
    InquiryStatus,
    Language,
    Place,
    Rhythm,
)
from bollplank.directory.models import Inquiry, PracticePage, SupervisorProfile
from bollplank.engagements.enums import DEFAULT_MINUTES, Form
from bollplank.meetings.enums import MeetingStatus
from bollplank.meetings.models import Meeting

# The period whose calendar shows whether a supervisor has room for a new engagement.
CAPACITY_WEEKS = 4


def published_practice(slug: str) -> tuple[Practice, PracticePage]:
    """A practice whose page is published; 404 for every other, so nothing is discoverable."""
    # The practice is not known before this query: look it up by its public slug, one query.
    with scopes_disabled():
        found = (
            PracticePage.objects.select_related("practice")
            .filter(practice__slug=slug, published=True)
            .first()
        )
    if found is None:
        raise Http404
    return found.practice, found


def _supervisor_ids(practice: Practice) -> Any:
    return Membership.objects.filter(practice=practice, role=Role.SUPERVISOR).values("user_id")


def public_profiles(practice: Practice) -> list[SupervisorProfile]:
    """The practice's supervisors who publish their profile, by name (photos left unread)."""
    return list(
        SupervisorProfile.objects.filter(
            practice=practice, published=True, user_id__in=_supervisor_ids(practice)
        )
        .select_related("user")
        .defer("photo")
        .order_by("user__name")
    )


def public_profile(practice: Practice, pk: int) -> SupervisorProfile:
    return get_object_or_404(
        SupervisorProfile.objects.select_related("user").defer("photo"),
        practice=practice,
        pk=pk,
        published=True,
        user_id__in=_supervisor_ids(practice),
    )


def public_photo(practice: Practice, pk: int) -> SupervisorProfile:
    return get_object_or_404(
        SupervisorProfile.objects.only("photo", "photo_type", "updated_at"),
        practice=practice,
        pk=pk,
        published=True,
        user_id__in=_supervisor_ids(practice),
        photo_type__gt="",
    )


def practice_page(practice: Practice) -> PracticePage:
    """The practice's page settings (an unsaved default before the first save)."""
    return PracticePage.objects.filter(practice=practice).first() or PracticePage(practice=practice)


def own_profile(practice: Practice, user: Any) -> SupervisorProfile:
    """The supervisor's own profile (an unsaved empty one before the first save)."""
    found = SupervisorProfile.objects.filter(practice=practice, user=user).defer("photo").first()
    return found or SupervisorProfile(practice=practice, user=user)


def inquiries_for(practice: Practice, status: str = "") -> QuerySet[Inquiry]:
    """The practice's inbox, newest first, with the number of replies sent."""
    qs = Inquiry.objects.filter(practice=practice).annotate(reply_count=Count("replies"))
    if status in InquiryStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at")


def inquiry_counts(practice: Practice) -> dict[str, int]:
    rows = (
        Inquiry.objects.filter(practice=practice)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return dict(rows)


def inquiry_for(practice: Practice, pk: int) -> Inquiry:
    return get_object_or_404(
        Inquiry.objects.select_related("engagement", "client").prefetch_related("replies__author"),
        practice=practice,
        pk=pk,
    )


# --- the recommendation ---------------------------------------------------------------------


@dataclass
class Reason:
    good: bool | None  # True for, False against, None neutral
    text: str


@dataclass
class Ranked:
    user: Any
    profile: SupervisorProfile | None
    score: int = 0
    reasons: list[Reason] = field(default_factory=list)
    rank: int = 0

    def add(self, points: int, text: str) -> None:
        self.score += points
        self.reasons.append(Reason(True if points > 0 else False if points < 0 else None, text))


def _booked_hours(practice: Practice, start: dt.date) -> dict[int, float]:
    """Hours of planned meetings per supervisor in the weeks from ``start``: one query."""
    begin = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    end = begin + dt.timedelta(weeks=CAPACITY_WEEKS)
    hours: dict[int, float] = {}
    rows = (
        Meeting.objects.filter(practice=practice, starts_at__gte=begin, starts_at__lt=end)
        .exclude(status=MeetingStatus.CANCELLED)
        .values_list("supervisor_id", "starts_at", "ends_at")
    )
    for supervisor_id, starts, ends in rows:
        length = (ends - starts).total_seconds() / 3600
        hours[supervisor_id] = hours.get(supervisor_id, 0.0) + length
    return hours


def _same_city(a: str, b: str) -> bool:
    return bool(a.strip()) and a.strip().casefold() == b.strip().casefold()


def _rank_one(row: Ranked, inquiry: Inquiry, booked_per_week: float) -> None:
    p = row.profile
    if p is None:
        row.add(-1, _("Has not filled in a profile: nothing to compare."))
        p = SupervisorProfile()
    sector = Sector(inquiry.sector).label
    if inquiry.sector in p.sectors:
        row.add(3, _("Has worked in %(sector)s.") % {"sector": sector})
    else:
        row.add(0, _("No experience in %(sector)s stated.") % {"sector": sector})
    form = Form(inquiry.form).label
    if inquiry.form in p.forms:
        row.add(2, _("Offers %(form)s supervision.") % {"form": form})
    elif p.forms:
        row.add(-3, _("Does not offer %(form)s supervision.") % {"form": form})
    if inquiry.focus != InquiryFocus.UNSURE:
        focus = InquiryFocus(inquiry.focus).label
        if inquiry.focus in p.focuses:
            row.add(1, _("Works with %(focus)s.") % {"focus": focus})
        elif p.focuses:
            row.add(-1, _("Does not state %(focus)s.") % {"focus": focus})
    language = Language(inquiry.language).label
    if inquiry.language in p.languages:
        row.add(2, _("Speaks %(language)s.") % {"language": language})
    elif inquiry.language != Language.SWEDISH or p.languages:
        row.add(-3, _("Does not state %(language)s among the languages.") % {"language": language})
    _rank_place(row, p, inquiry)
    _rank_capacity(row, p, inquiry, booked_per_week)


def _rank_place(row: Ranked, p: SupervisorProfile, inquiry: Inquiry) -> None:
    place, city = inquiry.place, inquiry.city
    if place in {Place.VIDEO, Place.ANY} and p.offers_video:
        row.add(1, _("Meets by video."))
    elif place == Place.VIDEO:
        row.add(-2, _("Does not offer video."))
    if place in {Place.SUPERVISOR, Place.ANY} and p.premises_address:
        if _same_city(p.premises_city, city):
            row.add(2, _("Has premises in %(city)s.") % {"city": p.premises_city})
        elif place == Place.SUPERVISOR:
            row.add(0, _("Premises in %(city)s.") % {"city": p.premises_city or "–"})
    elif place == Place.SUPERVISOR:
        row.add(-2, _("Has no premises of their own stated."))
    if place in {Place.CLIENT, Place.ANY}:
        if _same_city(p.premises_city, city):
            row.add(2, _("Is based in %(city)s.") % {"city": city})
        elif p.travels and p.travel_km:
            row.add(1, _("Travels up to %(km)d km.") % {"km": p.travel_km})
        elif p.travels:
            row.add(1, _("Travels to the client."))
        elif place == Place.CLIENT:
            row.add(-2, _("Does not travel to clients."))


def _hours(value: float) -> str:
    return floatformat(value, -1)


def _rank_capacity(
    row: Ranked, p: SupervisorProfile, inquiry: Inquiry, booked_per_week: float
) -> None:
    need = DEFAULT_MINUTES[Form(inquiry.form)] / 60 * RHYTHM_PER_WEEK[Rhythm(inquiry.rhythm)]
    # Figures go into a sentence, so they are formatted here in the reader's language (9,2).
    booked = _hours(booked_per_week)
    if p.weekly_hours is None:
        row.add(
            0,
            _("Booked %(booked)s h a week in the wished period; capacity not stated.")
            % {"booked": booked},
        )
        return
    free = round(p.weekly_hours - booked_per_week, 1)
    if free >= need:
        row.add(
            2,
            _("About %(free)s h a week free in the wished period (%(booked)s of %(cap)s booked).")
            % {"free": _hours(free), "booked": booked, "cap": _hours(p.weekly_hours)},
        )
    else:
        row.add(
            -3,
            _("Too little free time in the wished period (%(booked)s of %(cap)s h a week booked).")
            % {"booked": booked, "cap": _hours(p.weekly_hours)},
        )


def supervisors_ranked(inquiry: Inquiry) -> list[Ranked]:
    """The practice's supervisors by fit for the inquiry, each with the reasons for its place.

    Fit is sector, form, focus, language, place and travel, and free time in the calendar over
    the weeks from the wished start. A recommendation only: the practice chooses."""
    practice = inquiry.practice
    users = [
        m.user
        for m in Membership.objects.filter(practice=practice, role=Role.SUPERVISOR)
        .select_related("user")
        .order_by("user__name")
    ]
    profiles = {
        p.user_id: p for p in SupervisorProfile.objects.filter(practice=practice).defer("photo")
    }
    start = inquiry.wished_start or clock.today()
    booked = _booked_hours(practice, start)
    rows = []
    for user in users:
        row = Ranked(user=user, profile=profiles.get(user.pk))
        _rank_one(row, inquiry, booked.get(user.pk, 0.0) / CAPACITY_WEEKS)
        rows.append(row)
    rows.sort(key=lambda r: (-r.score, r.user.name))
    for index, row in enumerate(rows, start=1):
        row.rank = index
    return rows
