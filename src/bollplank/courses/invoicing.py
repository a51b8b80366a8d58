"""Course registrations in the invoice run (billing/services.py invoice_run).

A confirmed registration for a course with a price is invoiced in the run whose period holds
the course's first day: one invoice per client, one line per registrant saying which course,
when and who. A registration is matched to an existing client by its organisation number
(normalised); an invoice run never creates a client. The registrations no client matches are
listed on the run page, where the admin links each to a client, makes a new client from it,
or leaves it out of the run. Like a meeting, a registration is held
by at most one invoice line that is not credited (a database constraint), so it is never
invoiced twice; a credit note gives it back.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, Min, OuterRef, QuerySet
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from bollplank.billing.enums import VAT_RATE_BP, LineKind, Unit, VatCategory
from bollplank.billing.models import Invoice, InvoiceLine
from bollplank.billing.money import line_amount, totals
from bollplank.billing.selectors import UninvoicedCourse, UnmatchedRegistration
from bollplank.clients.models import Client
from bollplank.core import clock
from bollplank.core.models import Practice
from bollplank.courses.enums import RegistrationStatus
from bollplank.courses.models import CourseDay, Registration


def uninvoiced_registrations(
    practice: Practice, start: dt.datetime, end: dt.datetime
) -> QuerySet[Registration]:
    """Confirmed registrations for priced courses beginning in [start, end) that no invoice
    line holds."""
    taken = InvoiceLine.objects.filter(course_registration=OuterRef("pk"), released=False)
    first_day = (
        CourseDay.objects.filter(course=OuterRef("course"))
        .values("course")
        .annotate(first=Min("starts_at"))
        .values("first")
    )
    return (
        Registration.objects.filter(
            practice=practice, status=RegistrationStatus.CONFIRMED, course__price_ore__gt=0
        )
        .alias(first_start=first_day)
        .filter(first_start__gte=start, first_start__lt=end)
        .exclude(Exists(taken))
    )


def org_key(number: str) -> str:
    """An organisation number as its ten digits, however it was typed (556677-8899,
    5566778899, 16556677-8899); empty when there are not ten."""
    digits = re.sub(r"\D", "", number or "")
    if len(digits) == 12 and digits.startswith("16"):
        digits = digits[2:]
    return digits if len(digits) == 10 else ""


def clients_by_org_number(practice: Practice) -> dict[str, list[Client]]:
    """The practice's clients by organisation number, in name order."""
    found: dict[str, list[Client]] = defaultdict(list)
    for client in (
        Client.objects.filter(practice=practice).exclude(org_number="").order_by("name", "pk")
    ):
        if key := org_key(client.org_number):
            found[key].append(client)
    return found


def matching_client(
    registration: Registration, by_number: dict[str, list[Client]]
) -> Client | None:
    """The client a registration is invoiced to: the one it was linked to, else the existing
    client with its organisation number (the one with the same invoice reference where several
    share it). None when no client matches: an invoice run never creates one, the admin
    decides on the run page."""
    if registration.client_id:
        return registration.client
    candidates = by_number.get(org_key(registration.org_number), [])
    if not candidates:
        return None
    reference = registration.invoice_reference.casefold()
    return next(
        (c for c in candidates if c.invoice_reference.casefold() == reference), candidates[0]
    )


def _dates(days: list[CourseDay]) -> str:
    return ", ".join(
        date_format(timezone.localtime(d.starts_at), "SHORT_DATE_FORMAT") for d in days
    )


def course_drafts(
    *, actor: Any, practice: Practice, period_start: dt.date, period_end: dt.date
) -> list[Invoice]:
    """Draft one invoice per organization for the course registrations of the period. Called
    by the invoice run inside its transaction, after it has locked the practice's run."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(period_start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(period_end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    registrations = list(
        uninvoiced_registrations(practice, start, end)
        .select_related("course", "course__leader", "client")
        .prefetch_related("course__days")
        .order_by("course__title", "created_at", "pk")
    )
    groups: dict[int, list[Registration]] = defaultdict(list)
    clients: dict[int, Client] = {}
    by_number = clients_by_org_number(practice)
    for registration in registrations:
        client = matching_client(registration, by_number)
        if client is None:
            continue  # listed on the run page until the admin links it or makes a client
        if registration.client_id != client.pk:
            registration.client = client
            registration.save(update_fields=["client"])
        clients[client.pk] = client
        groups[client.pk].append(registration)
    drafts = []
    for client_id, regs in sorted(groups.items(), key=lambda kv: clients[kv[0]].name):
        client = clients[client_id]
        invoice = Invoice.objects.create(
            practice=practice,
            client=client,
            period_start=period_start,
            period_end=period_end,
            buyer_reference=client.invoice_reference,
            order_number=client.order_number,
            language=client.language,
            created_by=actor,
        )
        lines = []
        with translation.override(client.language):
            for position, reg in enumerate(regs, start=1):
                course = reg.course
                days = sorted(course.days.all(), key=lambda d: d.starts_at)
                description = _("Course %(title)s, %(dates)s: %(name)s") % {
                    "title": course.title,
                    "dates": _dates(days),
                    "name": reg.name,
                }
                lines.append(
                    InvoiceLine(
                        practice=practice,
                        invoice=invoice,
                        position=position,
                        kind=LineKind.COURSE,
                        course_registration=reg,
                        description=description[:300],
                        delivered_on=timezone.localtime(days[0].starts_at).date(),
                        supervisor_name=course.leader.name if course.leader else "",
                        group_name=course.title[:200],
                        quantity=Decimal(1),
                        unit=Unit.PIECE,
                        unit_price_ore=course.price_ore,
                        amount_ore=line_amount(Decimal(1), course.price_ore),
                        vat_category=course.vat_category,
                        vat_rate_bp=VAT_RATE_BP[VatCategory(course.vat_category)],
                    )
                )
        InvoiceLine.objects.bulk_create(lines)
        t = totals(lines)
        invoice.net_ore, invoice.vat_ore, invoice.total_ore = t.net_ore, t.vat_ore, t.total_ore
        invoice.save(update_fields=["net_ore", "vat_ore", "total_ore"])
        drafts.append(invoice)
    return drafts


def courses_not_invoiced(practice: Practice) -> list[UninvoicedCourse]:
    """Per course that has begun: the confirmed, priced registrations no invoice holds yet
    (the invoice run takes them in the period that holds the course's first day)."""
    since = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    rows = (
        uninvoiced_registrations(practice, since, clock.now())
        .values("course_id", "course__title", "course__price_ore")
        .annotate(n=Count("pk"))
        .order_by("course__title", "course_id")
    )
    return [
        UninvoicedCourse(
            r["course_id"], r["course__title"], r["n"], r["n"] * r["course__price_ore"]
        )
        for r in rows
    ]


def unmatched_registrations(practice: Practice) -> list[UnmatchedRegistration]:
    """The uninvoiced registrations no client matches, for the admin to decide on before the
    invoice run (whatever course they belong to)."""
    since = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    until = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
    by_number = clients_by_org_number(practice)
    return [
        UnmatchedRegistration(
            r.pk, r.name, r.organization, r.org_number, r.invoice_city, r.course.title
        )
        for r in uninvoiced_registrations(practice, since, until)
        .filter(client__isnull=True)
        .select_related("course")
        .order_by("course__title", "created_at", "pk")
        if matching_client(r, by_number) is None
    ]
