"""Background work for courses: the registrant's e-mails, the confirmation with the course
days as a calendar file."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scope
from django_tasks import task

from bollplank.core.models import Practice
from bollplank.courses.ics import course_calendar_bytes
from bollplank.courses.models import Registration

KINDS = ("confirmed", "waitlisted", "promoted", "cancelled")


@task()
def send_registration_mail(*, practice_id: int, registration_id: int, kind: str) -> int:
    """E-mail the registrant in the language they registered in. A confirmed place (at once
    or from the waitlist) comes with an .ics file of the course days."""
    assert kind in KINDS
    practice = Practice.objects.get(pk=practice_id)
    with scope(practice=practice), timezone.override(practice.timezone):
        registration = Registration.objects.select_related("course").get(
            pk=registration_id, practice=practice
        )
        course = registration.course
        days = list(course.days.order_by("starts_at"))
        page = settings.SITE_URL + reverse("course_public", args=[practice.slug, course.pk])
        cancel = settings.SITE_URL + reverse("registration_cancel", args=[registration.token])
        context = {
            "registration": registration,
            "course": course,
            "days": days,
            "practice": practice,
            "kind": kind,
            "course_url": page,
            "cancel_url": cancel,
        }
        with translation.override(registration.language):
            subject = " ".join(
                render_to_string("courses/email/registration_subject.txt", context).split()
            )
            text = render_to_string("courses/email/registration.txt", context)
        message = EmailMultiAlternatives(subject=subject, body=text, to=[registration.email])
        if kind in ("confirmed", "promoted"):
            ics = course_calendar_bytes(course, days, url=page)
            message.attach("kurs.ics", ics, "text/calendar; charset=utf-8; method=PUBLISH")
    return message.send()
