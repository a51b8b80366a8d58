"""The registrant's e-mails, through the outbox (core.mail.queue_mail): confirmed, waitlisted,
promoted from the waitlist, cancelled. A confirmed place (at once or from the waitlist) comes
with the course days as a calendar file."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from bollplank.core.mail import queue_mail
from bollplank.courses.ics import course_calendar_bytes, course_method
from bollplank.courses.models import Registration
from bollplank.notifications.enums import MailKind

KINDS = ("confirmed", "waitlisted", "promoted", "cancelled")


def registration_mail(registration: Registration, kind: str) -> None:
    """Queue the mail in the registrant's language, in the caller's transaction (a rolled-back
    registration sends nothing)."""
    assert kind in KINDS
    course = registration.course
    practice = course.practice
    with timezone.override(practice.timezone):
        days = list(course.days.order_by("starts_at"))
        page = settings.SITE_URL + reverse("course_public", args=[practice.slug, course.pk])
        ics = ""
        if kind in ("confirmed", "promoted"):
            ics = course_calendar_bytes(course, days, url=page).decode()
        queue_mail(
            to=registration.email,
            template="courses/email/registration",
            context={
                "registration": registration,
                "course": course,
                "days": days,
                "practice": practice,
                "kind": kind,
                "course_url": page,
                "cancel_url": settings.SITE_URL
                + reverse("registration_cancel", args=[registration.token]),
            },
            language=registration.language,
            kind=MailKind.COURSE,
            practice=practice,
            ics=ics,
            ics_method=course_method(course) if ics else "",
        )
