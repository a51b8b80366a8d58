"""Course registrations (core/personal_data_registry.py). A registrant has no login: their rows
are found by the e-mail address of the person asking."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bollplank.core import clock
from bollplank.core.personal_data_registry import Category, Retention, register
from bollplank.courses.enums import RegistrationStatus
from bollplank.courses.models import CourseDay, Registration
from bollplank.courses.services import registration_end_for_erasure


def _export(user: Any, confidential: bool) -> list[dict[str, Any]]:
    return [
        {
            "practice": r.practice.name,
            "course": r.course.title,
            "status": r.get_status_display(),
            "name": r.name,
            "email": r.email,
            "organization": r.organization,
            "org_number": r.org_number,
            "invoice_address": " ".join(
                x for x in (r.invoice_street, r.invoice_postal_code, r.invoice_city) if x
            ),
            "invoice_reference": r.invoice_reference,
            "dietary_needs": r.dietary_needs,
            "registered_at": r.created_at.isoformat(),
        }
        for r in Registration.objects.filter(email__iexact=user.email).select_related(
            "practice", "course"
        )
    ]


def _pseudonymize(rows: QuerySet[Registration]) -> int:
    count = 0
    for r in rows:
        r.name = _("Erased participant")
        r.email = f"erased-registration-{r.pk}@invalid.invalid"
        r.dietary_needs = r.invoice_reference = ""
        r.save(update_fields=["name", "email", "dietary_needs", "invoice_reference"])
        count += 1
    return count


def _erase(user: Any) -> int:
    """A registration that can still act ends first: a place on the waitlist (it could be
    promoted, mailed and invoiced) and a confirmed place on a course not yet over (it could
    be invoiced). The rows then stay without the person's details."""
    rows = Registration.objects.filter(email__iexact=user.email)
    ongoing = CourseDay.objects.filter(course=OuterRef("course"), ends_at__gte=clock.now())
    live = rows.filter(
        Q(status=RegistrationStatus.WAITLISTED)
        | Q(Exists(ongoing), status=RegistrationStatus.CONFIRMED)
    )
    for registration in live:
        registration_end_for_erasure(registration=registration)
    return _pseudonymize(rows)


def _expired(practice: Any, cutoff: dt.datetime) -> QuerySet[Registration]:
    """Registrations for courses whose every day ended before the cutoff."""
    later = CourseDay.objects.filter(course=OuterRef("course"), ends_at__gte=cutoff)
    return Registration.objects.filter(practice=practice, created_at__lt=cutoff).exclude(
        Exists(later)
    )


def _purge(rows: QuerySet[Registration]) -> int:
    """Delete, except registrations an invoice line holds (bookkeeping keeps invoices):
    those lose the person's details instead."""
    invoiced = rows.filter(invoice_lines__isnull=False).distinct()
    count = _pseudonymize(invoiced)
    deleted, _by_model = rows.exclude(pk__in=invoiced.values("pk")).delete()
    return count + deleted


register(
    Category(
        key="courses.registrations",
        label=gettext_lazy("course registrations"),
        purpose=gettext_lazy("to run courses and invoice them"),
        legal_basis=gettext_lazy("contract (Art. 6.1 b)"),
        subjects=gettext_lazy("course participants"),
        recipients=gettext_lazy("the practice; the paying organization gets the invoice"),
        export=_export,
        erase=_erase,
        erasure=gettext_lazy(
            "Places on the waitlist and on courses not yet over are cancelled (a freed place "
            "goes to the next on the waitlist). Kept without name, address or dietary needs: "
            "invoices may rest on the row."
        ),
        by_address=True,
        practices=lambda user: set(
            Registration.objects.filter(email__iexact=user.email).values_list(
                "practice_id", flat=True
            )
        ),
        retention=Retention(expired=_expired, purge=_purge),
    )
)
