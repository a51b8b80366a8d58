"""Every read in billing, scoped to what the acting person may see.

Practice admins see every invoice; a supervisor sees the issued invoices that carry a line of
one of their engagements; a client contact sees the issued invoices of their client. Drafts
are the admins' alone. Participants see no invoices.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from bollplank.billing.enums import UNPAID_STATUSES, InvoiceKind, InvoiceStatus
from bollplank.billing.models import (
    Delivery,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentImport,
    Reminder,
)
from bollplank.billing.services.pricing import meeting_lines
from bollplank.billing.services.runs import (
    memberships_of,
    unbilled_fee_months,
    uninvoiced_meetings,
)
from bollplank.billing.services.settings import price_of
from bollplank.billing.sources import invoice_sources
from bollplank.core import clock
from bollplank.core.models import Practice
from bollplank.core.roles import Role
from bollplank.meetings.enums import AttendanceStatus, MeetingStatus


def invoices_visible_to(user: Any, practice: Practice, roles: frozenset[str]) -> QuerySet[Invoice]:
    """The invoices and credit notes the person may open."""
    qs = Invoice.objects.filter(practice=practice)
    if Role.ADMIN in roles:
        return qs
    visible = Q(pk__in=[])
    if Role.SUPERVISOR in roles:
        visible |= Q(
            Exists(InvoiceLine.objects.filter(invoice=OuterRef("pk"), engagement__supervisor=user))
        )
    if Role.CLIENT_CONTACT in roles:
        visible |= Q(client__contacts__user=user)
    qs = qs.exclude(status=InvoiceStatus.DRAFT).filter(visible)
    # Only the join through the client's contacts can repeat a row (the supervisor's test is
    # a subquery): no DISTINCT over every column without it.
    return qs.distinct() if Role.CLIENT_CONTACT in roles else qs


UNPAID = UNPAID_STATUSES
# What the client still owes on an invoice (negative: paid too much); paid by hand owes nothing.
OUTSTANDING = F("total_ore") - F("credited_ore") - F("paid_ore") - F("settled_ore")
# What is paid on an invoice: its payments, or all of it when marked paid by hand.
PAID_BY_HAND = Q(status=InvoiceStatus.PAID, paid_ore=0)
# Invoices whose outstanding amount counts in the client's balance: a credited invoice that
# was paid first leaves the client a credit.
OWING = Q(kind=InvoiceKind.INVOICE) & ~Q(status=InvoiceStatus.DRAFT) & ~PAID_BY_HAND


def invoices_for_list(
    user: Any, practice: Practice, roles: frozenset[str], *, status: str = ""
) -> QuerySet[Invoice]:
    """Invoices with their client and (for credit notes) the credited invoice's number, newest
    first; ``status`` is a status, "overdue", or empty for all."""
    qs = (
        invoices_visible_to(user, practice, roles)
        .select_related("client", "credited_invoice")
        .annotate(reminder_count=Count("reminders"))
    )
    if status == "overdue":
        qs = qs.filter(kind=InvoiceKind.INVOICE, status__in=UNPAID, due_date__lt=clock.today())
    elif status in InvoiceStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("-status", "-issue_date", "-number", "-id")


def invoice_for_page(
    user: Any, practice: Practice, roles: frozenset[str], pk: int
) -> Invoice | None:
    """One invoice with what its page shows: lines, client, credit notes."""
    return (
        invoices_visible_to(user, practice, roles)
        .select_related("client", "credited_invoice", "engagement")
        .prefetch_related("lines", "credit_notes")
        .filter(pk=pk)
        .first()
    )


def invoices_for_export(practice: Practice, start: dt.date, end: dt.date) -> QuerySet[Invoice]:
    """Issued invoices and credit notes dated in [start, end], in number order, with lines."""
    return (
        Invoice.objects.filter(practice=practice, issue_date__gte=start, issue_date__lte=end)
        .exclude(status=InvoiceStatus.DRAFT)
        .prefetch_related("lines")
        .order_by("issue_date", "series", "number")
    )


def fiscal_year(day: dt.date) -> tuple[dt.date, dt.date]:
    """The financial year a day is booked in. Bollplank assumes the calendar year: a practice
    whose year is broken sets its own year in the accounting program when it reads the file."""
    return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)


def voucher_numbers(practice: Practice, invoices: list[Invoice]) -> dict[int, int]:
    """The voucher number of each issued invoice or credit note: its place in the issue order
    of its financial year, from 1.

    Derived, not stored, from what never changes once an invoice is issued (the moment it was
    issued, then its date and number), so exporting a year again gives every voucher the same
    number, and an invoice issued later gets the next one without moving any other. That is
    what lets an accountant import a month, then the next, or the same year twice, and have
    the accounting program recognise the vouchers it already has. Issuing stamps the moment
    while it holds its series' counter lock, so an invoice is visible here only once every
    invoice issued before it in its series is: an export never numbers past one that is still
    committing (a practice that changes its number series while issuing is the exception)."""
    numbers: dict[int, int] = {}
    for year in sorted({i.issue_date.year for i in invoices if i.issue_date is not None}):
        start, end = fiscal_year(dt.date(year, 1, 1))
        ids = (
            Invoice.objects.filter(practice=practice, issue_date__gte=start, issue_date__lte=end)
            .exclude(status=InvoiceStatus.DRAFT)
            .order_by(F("issued_at").asc(nulls_first=True), "issue_date", "number", "id")
            .values_list("id", flat=True)
        )
        numbers.update({pk: place for place, pk in enumerate(ids, start=1)})
    return numbers


@dataclass
class MonthRow:
    month: dt.date
    invoiced_ore: int = 0
    credited_ore: int = 0
    paid_ore: int = 0
    overdue_ore: int = 0


@dataclass
class ClientRow:
    name: str
    invoiced_ore: int = 0
    paid_ore: int = 0
    overdue_ore: int = 0
    open_ore: int = 0  # the client's balance: still owed, negative when paid too much


@dataclass
class Undelivered:
    client: str
    engagement: str
    engagement_id: int
    meetings: int = 0
    late_cancellations: int = 0
    estimate_ore: int = 0
    first: dt.date | None = None
    last: dt.date | None = None


@dataclass
class UninvoicedCourse:
    course_id: int
    title: str
    registrations: int
    estimate_ore: int


@dataclass
class UnmatchedRegistration:
    """A registration to invoice that no client matches by organisation number."""

    pk: int
    name: str
    organization: str
    org_number: str
    city: str
    course_title: str


@dataclass
class Overview:
    months: list[MonthRow] = field(default_factory=list)
    clients: list[ClientRow] = field(default_factory=list)
    uninvoiced: list[Undelivered] = field(default_factory=list)
    courses: list[UninvoicedCourse] = field(default_factory=list)


def billing_overview(practice: Practice, *, months: int = 12) -> Overview:
    """Invoiced, paid and overdue per month (of the invoice date) and per client, and what has
    been delivered but not invoiced yet, with an estimate at today's prices."""
    today = clock.today()
    since = (today.replace(day=1) - dt.timedelta(days=31 * (months - 1))).replace(day=1)
    issued = Invoice.objects.filter(practice=practice, issue_date__gte=since).exclude(
        status=InvoiceStatus.DRAFT
    )
    overdue_q = Q(kind=InvoiceKind.INVOICE, status__in=UNPAID, due_date__lt=today)
    by_month: dict[dt.date, MonthRow] = {}
    rows = (
        issued.annotate(month=TruncMonth("issue_date"))
        .values("month", "kind")
        .annotate(
            total=Sum("total_ore"),
            paid=Sum("paid_ore"),
            paid_by_hand=Sum("total_ore", filter=PAID_BY_HAND),
            settled=Sum("settled_ore"),
            overdue=Sum(OUTSTANDING, filter=overdue_q),
        )
        .order_by("month")
    )
    for r in rows:
        month = r["month"]
        month = month.date() if isinstance(month, dt.datetime) else month
        row = by_month.setdefault(month, MonthRow(month))
        if r["kind"] == InvoiceKind.CREDIT_NOTE:
            row.credited_ore += -(r["total"] or 0)
        else:
            row.invoiced_ore += r["total"] or 0
            row.paid_ore += (r["paid"] or 0) + (r["paid_by_hand"] or 0) + (r["settled"] or 0)
            row.overdue_ore += r["overdue"] or 0
    by_client: dict[str, ClientRow] = {}
    client_rows = (
        issued.values("client__name", "kind")
        .annotate(
            total=Sum("total_ore"),
            paid=Sum("paid_ore"),
            paid_by_hand=Sum("total_ore", filter=PAID_BY_HAND),
            settled=Sum("settled_ore"),
            overdue=Sum(OUTSTANDING, filter=overdue_q),
            open=Sum(OUTSTANDING, filter=OWING),
        )
        .order_by("client__name")
    )
    for r in client_rows:
        crow = by_client.setdefault(r["client__name"], ClientRow(r["client__name"]))
        crow.invoiced_ore += r["total"] or 0
        crow.paid_ore += (r["paid"] or 0) + (r["paid_by_hand"] or 0) + (r["settled"] or 0)
        crow.overdue_ore += r["overdue"] or 0
        crow.open_ore += r["open"] or 0
    return Overview(
        months=sorted(by_month.values(), key=lambda m: m.month, reverse=True),
        clients=list(by_client.values()),
        uninvoiced=delivered_not_invoiced(practice),
        courses=[row for source in invoice_sources() for row in source.not_invoiced(practice)],
    )


def delivered_not_invoiced(practice: Practice) -> list[Undelivered]:
    """Per engagement: meetings held and late cancellations that no invoice holds yet, and the
    fixed monthly fees of months begun that no invoice holds, with an estimate at today's
    prices, priced by the same rules as the invoice run."""
    found: dict[int, Undelivered] = {}
    meetings = list(
        uninvoiced_meetings(practice, clock.now())
        .select_related("engagement", "engagement__client", "engagement__price")
        .annotate(
            present_count=Count("attendance", filter=Q(attendance__status=AttendanceStatus.PRESENT))
        )
        .order_by("engagement__client__name", "engagement__title", "starts_at")
    )
    memberships = memberships_of({m.engagement_id for m in meetings})
    for m in meetings:
        e = m.engagement
        row = found.setdefault(e.pk, Undelivered(e.client.name, e.title, e.pk))
        day = timezone.localdate(m.starts_at)
        row.first = row.first or day
        row.last = day
        if m.status == MeetingStatus.CANCELLED:
            row.late_cancellations += 1
        else:
            row.meetings += 1
        row.estimate_ore += sum(d.amount_ore for d in meeting_lines(m, price_of(e), memberships))
    today = clock.today()
    for engagement, months in unbilled_fee_months(practice, today):
        row = found.setdefault(
            engagement.pk, Undelivered(engagement.client.name, engagement.title, engagement.pk)
        )
        row.first = min(filter(None, [row.first, months[0]]))
        row.last = max(filter(None, [row.last, min(today, months[-1])]))
        row.estimate_ore += price_of(engagement).amount_ore * len(months)
    return sorted(found.values(), key=lambda r: (r.client, r.engagement))


# --- payments from the bank -----------------------------------------------------------------


def client_balance(practice: Practice, client_id: int) -> int:
    """What the client owes on its issued invoices, in öre (negative: paid too much). All time,
    unlike the overview's twelve months."""
    total = (
        Invoice.objects.filter(practice=practice, client_id=client_id)
        .filter(OWING)
        .aggregate(s=Sum(OUTSTANDING))["s"]
    )
    return int(total or 0)


def unmatched_payments(practice: Practice) -> QuerySet[Payment]:
    """Payments from the bank that no invoice holds yet, oldest first, with their file."""
    return (
        Payment.objects.filter(practice=practice, invoice__isnull=True)
        .select_related("bank_import")
        .order_by("paid_on", "id")
    )


def payment_of(practice: Practice, pk: int) -> Payment | None:
    """One of the practice's payments from the bank (None for another practice's)."""
    return Payment.objects.filter(practice=practice, pk=pk).first()


def payment_imports(practice: Practice, *, limit: int = 20) -> list[PaymentImport]:
    """The latest imported BgMax files, newest first."""
    return list(
        PaymentImport.objects.filter(practice=practice)
        .select_related("imported_by")
        .order_by("-imported_at", "-id")[:limit]
    )


def payments_of(invoice: Invoice) -> list[Payment]:
    """The payments matched or assigned to the invoice, in date order."""
    return list(Payment.objects.filter(invoice=invoice).order_by("paid_on", "id"))


def deliveries_of(invoice: Invoice) -> list[Delivery]:
    """The invoice's deliveries to its buyer, the newest first (the first says where it is)."""
    return list(Delivery.objects.filter(invoice=invoice).order_by("-created_at", "-id"))


def reminders_of(invoice: Invoice) -> list[Reminder]:
    """The invoice's reminders, first first."""
    return list(Reminder.objects.filter(invoice=invoice).order_by("number"))


def reminder_of(invoice: Invoice, number: int) -> Reminder | None:
    """The invoice's reminder with that number (the invoice found through a scoped selector)."""
    found = Reminder.objects.filter(
        practice_id=invoice.practice_id, invoice=invoice, number=number
    ).first()
    if found is not None:
        found.invoice = invoice
    return found
