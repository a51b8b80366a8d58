"""The certificate of attendance (kursintyg) as PDF, through WeasyPrint like the invoices."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.text import slugify

from bollplank.core import clock
from bollplank.core.documents import letterhead, qualifications, verification_code
from bollplank.courses.models import Course, Registration


def certificate_html(course: Course, registration: Registration) -> str:
    """The certificate in the participant's language: the course, its days, the days present."""
    days = list(course.days.order_by("starts_at"))
    present = set(registration.attendance.filter(present=True).values_list("day_id", flat=True))
    hours = sum((d.ends_at - d.starts_at).total_seconds() / 3600 for d in days if d.pk in present)
    practice = course.practice
    code = verification_code("course", registration.pk)
    with translation.override(registration.language or "sv"):
        return render_to_string(
            "courses/certificate.html",
            {
                "course": course,
                "registration": registration,
                "days": [(d, d.pk in present) for d in days],
                "days_present": len(present & {d.pk for d in days}),
                "hours": round(hours, 1),
                "practice": practice,
                "issued_on": clock.today(practice.timezone),
                "head": letterhead(practice),
                "qualifications": qualifications(practice, course.leader) if course.leader else [],
                "code": code,
                "verify_url": settings.SITE_URL + reverse("certificate_verify", args=[code]),
            },
        )


def certificate_pdf(course: Course, registration: Registration) -> bytes:
    from weasyprint import HTML  # late: loads Pango, which the web pages never need

    return HTML(string=certificate_html(course, registration), base_url=None).write_pdf()


def certificate_filename(registration: Registration) -> str:
    return f"kursintyg-{slugify(registration.name) or registration.pk}.pdf"
