"""The public page that confirms a certificate by the code printed on it: who it is about, what
kind, which dates and which practice issued it; nothing else about the supervision (no client,
no engagement, nothing said in it)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from bollplank.core.documents import read_verification_code
from bollplank.courses.enums import RegistrationStatus
from bollplank.courses.models import Registration
from bollplank.evaluations.certificates import signoff_meeting_days
from bollplank.evaluations.models import HoursSignoff


def _hours(pk: int) -> dict[str, Any]:
    signoff = HoursSignoff.objects.filter(pk=pk).select_related("participant", "practice").first()
    if signoff is None:
        raise Http404
    return {
        "person": signoff.participant.name,
        "kind": _("Certificate of supervision hours"),
        "practice": signoff.practice.name,
        "days": signoff_meeting_days(signoff),
        "issued": signoff.signed_at,
    }


def _course(pk: int) -> dict[str, Any]:
    registration = (
        Registration.objects.filter(pk=pk, status=RegistrationStatus.CONFIRMED)
        .select_related("course", "practice")
        .first()
    )
    if registration is None:
        raise Http404
    present = registration.attendance.filter(present=True).select_related("day")
    tz = ZoneInfo(registration.practice.timezone)
    days: list[dt.date] = sorted({a.day.starts_at.astimezone(tz).date() for a in present})
    return {
        "person": registration.name,
        "kind": _("Certificate of attendance"),
        "course": registration.course.title,
        "practice": registration.practice.name,
        "days": days,
        "issued": None,
    }


def certificate_verify(request: HttpRequest, code: str) -> HttpResponse:
    """Anyone holding a certificate's code sees that the practice issued it; a code this site
    did not make, or of a certificate withdrawn since, answers 404."""
    found = read_verification_code(code)
    if found is None:
        raise Http404
    kind, pk = found
    with scopes_disabled():
        certificate = _hours(pk) if kind == "hours" else _course(pk)
    return render(request, "home/verify.html", {"c": certificate, "code": code.strip().upper()})
