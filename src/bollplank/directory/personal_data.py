"""What the directory keeps about people (core/personal_data_registry.py): supervisors' public
profiles, and inquiries, whose senders have no login and are found by the e-mail address of the
person asking. Inquiries not won are deleted by the practice's own retention time: one setting,
kept on the practice's page (PracticePage.retention_days) and shown on the retention page too;
both the privacy app's nightly run and prune_inquiries apply it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from bollplank.core.personal_data_registry import Category, Retention, register
from bollplank.directory.enums import InquiryStatus
from bollplank.directory.models import Inquiry, PracticePage, SupervisorProfile
from bollplank.directory.services import DEFAULT_RETENTION_DAYS


def _export_profiles(user: Any, confidential: bool) -> list[dict[str, Any]]:
    return [
        {
            "practice": p.practice.name,
            "published": p.published,
            "profession": p.profession,
            "training": p.training,
            "sectors": p.sectors,
            "approach": p.approach,
            "forms": p.forms,
            "focuses": p.focuses,
            "languages": p.languages,
            "premises": " ".join(x for x in (p.premises_address, p.premises_city) if x),
            "accessible_entrance": p.accessible_entrance,
            "offers_video": p.offers_video,
            "travels": p.travels,
            "travel_km": p.travel_km,
            "weekly_hours": p.weekly_hours,
            "has_photo": p.has_photo,
        }
        for p in SupervisorProfile.objects.filter(user=user).select_related("practice")
    ]


def _erase_profiles(user: Any) -> int:
    deleted, _by_model = SupervisorProfile.objects.filter(user=user).delete()
    return deleted


def _export_inquiries(user: Any, confidential: bool) -> list[dict[str, Any]]:
    return [
        {
            "practice": q.practice.name,
            "received_at": q.created_at,
            "status": q.get_status_display(),
            "organization": q.organization,
            "name": q.name,
            "email": q.email,
            "phone": q.phone,
            "message": q.message,
            "answers": [r.body for r in q.replies.all()],
        }
        for q in Inquiry.objects.filter(email__iexact=user.email)
        .select_related("practice")
        .prefetch_related("replies")
    ]


def _erase_inquiries(user: Any) -> int:
    deleted, _by_model = Inquiry.objects.filter(email__iexact=user.email).delete()
    return deleted


def _inquiry_days(practice: Any) -> int:
    page = PracticePage.objects.filter(practice=practice).only("retention_days").first()
    return page.retention_days if page else DEFAULT_RETENTION_DAYS


def _set_inquiry_days(practice: Any, days: int | None) -> None:
    assert days is not None  # keep_allowed=False: the form requires a number
    PracticePage.objects.update_or_create(practice=practice, defaults={"retention_days": days})


def _expired_inquiries(practice: Any, cutoff: dt.datetime) -> QuerySet[Inquiry]:
    """Inquiries not won, unchanged since the cutoff (a won one became an engagement)."""
    return Inquiry.objects.filter(practice=practice, updated_at__lt=cutoff).exclude(
        status=InquiryStatus.WON
    )


register(
    Category(
        key="directory.profiles",
        label=gettext_lazy("supervisors' public profiles"),
        purpose=gettext_lazy("to present the practice's supervisors to visitors"),
        legal_basis=gettext_lazy("consent (Art. 6.1 a): the supervisor publishes it"),
        subjects=gettext_lazy("supervisors"),
        recipients=gettext_lazy("the public, when published"),
        export=_export_profiles,
        erase=_erase_profiles,
        erasure=gettext_lazy("Removed."),
        practices=lambda user: set(
            SupervisorProfile.objects.filter(user=user).values_list("practice_id", flat=True)
        ),
    )
)
register(
    Category(
        key="directory.inquiries",
        label=gettext_lazy("inquiries"),
        purpose=gettext_lazy("to answer an inquiry and make an offer"),
        legal_basis=gettext_lazy("consent (Art. 6.1 a), given on the form"),
        subjects=gettext_lazy("people who send an inquiry"),
        recipients=gettext_lazy("the practice"),
        export=_export_inquiries,
        erase=_erase_inquiries,
        erasure=gettext_lazy("Removed, with the practice's answers."),
        by_address=True,
        practices=lambda user: set(
            Inquiry.objects.filter(email__iexact=user.email).values_list("practice_id", flat=True)
        ),
        retention=Retention(
            expired=_expired_inquiries,
            minimum_days=7,
            maximum_days=730,
            keep_allowed=False,
            days_of=_inquiry_days,
            set_days=_set_inquiry_days,
        ),
    )
)
