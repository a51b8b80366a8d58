"""Every write in billing: settings, prices, the invoice run, drafts, issue, payment, credit."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from bollplank.billing.enums import (
    VAT_RATE_BP,
    InvoiceKind,
    InvoiceStatus,
    LateCancellation,
    LineKind,
    PriceModel,
    Travel,
    Unit,
    VatCategory,
)
from bollplank.billing.models import (
    DEFAULT_EXEMPTION_TEXT,
    DEFAULT_LATE_INTEREST,
    BillingSettings,
    EngagementPrice,
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    InvoiceLogo,
)
from bollplank.billing.money import line_amount, totals
from bollplank.billing.ocr import ocr_reference
from bollplank.billing.sources import invoice_sources
from bollplank.clients.models import Client
from bollplank.core import clock
from bollplank.core.audit import audit
from bollplank.core.models import Practice
from bollplank.core.validators import normalize_org_number
from bollplank.engagements.models import Engagement, GroupMembership
from bollplank.meetings.enums import AttendanceStatus, MeetingStatus
from bollplank.meetings.models import Meeting

MAX_RUN_DAYS = 366
SETTINGS_FIELDS = (
    "legal_name",
    "org_number",
    "vat_number",
    "f_tax",
    "street",
    "postal_code",
    "city",
    "email",
    "phone",
    "bankgiro",
    "plusgiro",
    "iban",
    "bic",
    "payment_terms_days",
    "late_interest_text",
    "exemption_text",
    "number_series",
    "first_number",
    "account_receivable",
    "account_output_vat",
    "account_sales",
    "account_sales_exempt",
)
PRICE_FIELDS = (
    "model",
    "amount_ore",
    "late_cancellation",
    "late_cancellation_percent",
    "travel",
    "travel_amount_ore",
    "travel_km",
    "vat_category",
    "separate_invoice",
)
LOGO_TYPES = {"image/png", "image/jpeg"}
MAX_LOGO_BYTES = 500_000


# --- settings and prices -----------------------------------------------------------------------


def billing_settings_of(practice: Practice) -> BillingSettings:
    """The practice's billing settings, or unsaved defaults named after the practice."""
    found = BillingSettings.objects.filter(practice=practice).first()
    if found is not None:
        return found
    return BillingSettings(
        practice=practice,
        legal_name=practice.name,
        late_interest_text=str(DEFAULT_LATE_INTEREST),
        exemption_text=str(DEFAULT_EXEMPTION_TEXT),
    )


@transaction.atomic
def billing_settings_save(
    *,
    actor: Any,
    practice: Practice,
    logo: tuple[bytes, str] | None = None,
    remove_logo: bool = False,
    **fields: Any,
) -> BillingSettings:
    """Save the seller's details, payment terms, number series and accounts.

    ``logo`` is the image's bytes and content type (PNG or JPEG, at most 500 kB)."""
    current = billing_settings_of(practice)
    changed = [k for k in SETTINGS_FIELDS if k in fields and getattr(current, k) != fields[k]]
    for key in SETTINGS_FIELDS:
        if key in fields:
            setattr(current, key, fields[key])
    current.vat_number = current.vat_number.replace(" ", "").upper()
    current.iban = current.iban.replace(" ", "").upper()
    current.bic = current.bic.replace(" ", "").upper()
    if logo is not None:
        data, content_type = logo
        if content_type not in LOGO_TYPES or len(data) > MAX_LOGO_BYTES:
            raise ValidationError(
                {"logo": _("The logo must be a PNG or JPEG file of at most 500 kB.")}
            )
        current.logo, current.logo_content_type = data, content_type
        changed.append("logo")
    elif remove_logo:
        current.logo, current.logo_content_type = None, ""
        changed.append("logo")
    current.full_clean()
    current.org_number = normalize_org_number(current.org_number)
    current.save()
    audit(actor, "billing.settings.updated", current, {"fields": changed})
    return current


def price_of(engagement: Engagement) -> EngagementPrice:
    """How the engagement is charged: its own price model, or the price per meeting."""
    try:
        return engagement.price  # type: ignore[attr-defined]
    except EngagementPrice.DoesNotExist:
        return EngagementPrice(
            practice_id=engagement.practice_id,
            engagement=engagement,
            model=PriceModel.PER_MEETING,
            amount_ore=engagement.price_per_meeting_ore,
        )


@transaction.atomic
def engagement_price_save(*, actor: Any, engagement: Engagement, **fields: Any) -> EngagementPrice:
    """Set how an engagement is charged. Invoices already drafted or issued keep their lines."""
    price = price_of(engagement)
    changed = [k for k in PRICE_FIELDS if k in fields and getattr(price, k) != fields[k]]
    for key in PRICE_FIELDS:
        if key in fields:
            setattr(price, key, fields[key])
    price.full_clean()
    price.save()
    audit(actor, "billing.price.updated", engagement, {"fields": changed})
    return price


# --- the invoice run -------------------------------------------------------------------------


@dataclass
class LineDraft:
    kind: str
    engagement: Engagement
    description: str
    delivered_on: dt.date | None
    quantity: Decimal
    unit: str
    unit_price_ore: int
    vat_category: str
    meeting: Meeting | None = None
    fee_month: dt.date | None = None

    @property
    def amount_ore(self) -> int:
        return line_amount(self.quantity, self.unit_price_ore)


def _hours(meeting: Meeting) -> Decimal:
    seconds = Decimal((meeting.ends_at - meeting.starts_at).total_seconds())
    return (seconds / 3600).quantize(Decimal("0.01"))


def _members_on(engagement_id: int, day: dt.date, memberships: dict[int, list[Any]]) -> int:
    return sum(
        1
        for joined, left in memberships.get(engagement_id, [])
        if joined <= day and (left is None or left > day)
    )


def meeting_lines(
    meeting: Meeting, price: EngagementPrice, memberships: dict[int, list[Any]]
) -> list[LineDraft]:
    engagement = meeting.engagement
    day = timezone.localdate(meeting.starts_at)
    late = meeting.status == MeetingStatus.CANCELLED
    what = f"{engagement.get_form_display().capitalize()}, {engagement.meeting_minutes} min"
    common: dict[str, Any] = {
        "engagement": engagement,
        "delivered_on": day,
        "vat_category": price.vat_category,
        "meeting": meeting,
    }
    if price.model == PriceModel.PER_HOUR:
        quantity, unit, unit_price = _hours(meeting), Unit.HOUR, price.amount_ore
    elif price.model == PriceModel.PER_PARTICIPANT:
        present = getattr(meeting, "present_count", 0)
        count = present if present else _members_on(engagement.pk, day, memberships)
        quantity, unit, unit_price = Decimal(count), Unit.PIECE, price.amount_ore
        what = _("%(what)s, %(count)s participants") % {"what": what, "count": count}
    elif price.model == PriceModel.FIXED_MONTHLY:
        quantity, unit, unit_price = Decimal(1), Unit.PIECE, 0
        what = _("%(what)s (included in the monthly fee)") % {"what": what}
    else:
        quantity, unit, unit_price = Decimal(1), Unit.PIECE, price.amount_ore
    if late:
        if price.late_cancellation == LateCancellation.NONE or price.model == (
            PriceModel.FIXED_MONTHLY
        ):
            return []
        share = (
            100
            if price.late_cancellation == LateCancellation.FULL
            else (price.late_cancellation_percent)
        )
        description = _("Late cancellation, %(share)s %% of %(what)s") % {
            "share": share,
            "what": what[0].lower() + what[1:],
        }
        return [
            LineDraft(
                kind=LineKind.LATE_CANCELLATION,
                description=description,
                quantity=(quantity * share / 100).quantize(Decimal("0.01")),
                unit=unit,
                unit_price_ore=unit_price,
                **common,
            )
        ]
    lines = [
        LineDraft(
            kind=LineKind.MEETING,
            description=what,
            quantity=quantity,
            unit=unit,
            unit_price_ore=unit_price,
            **common,
        )
    ]
    if price.travel == Travel.FIXED and price.travel_amount_ore:
        lines.append(
            LineDraft(
                kind=LineKind.TRAVEL,
                description=_("Travel"),
                quantity=Decimal(1),
                unit=Unit.PIECE,
                unit_price_ore=price.travel_amount_ore,
                **common,
            )
        )
    elif price.travel == Travel.KM and price.travel_amount_ore and price.travel_km:
        lines.append(
            LineDraft(
                kind=LineKind.TRAVEL,
                description=_("Travel, %(km)s km") % {"km": price.travel_km},
                quantity=Decimal(price.travel_km),
                unit=Unit.KILOMETRE,
                unit_price_ore=price.travel_amount_ore,
                **common,
            )
        )
    return lines


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first days of the months whose first day lies in [start, end]."""
    first = start.replace(day=1)
    if first < start:
        first = (first + dt.timedelta(days=32)).replace(day=1)
    months = []
    while first <= end:
        months.append(first)
        first = (first + dt.timedelta(days=32)).replace(day=1)
    return months


def _month_end(first: dt.date) -> dt.date:
    return (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def memberships_of(engagement_ids: set[int]) -> dict[int, list[Any]]:
    """(joined, left) of every group membership of these engagements, per engagement: what a
    per-participant price counts when attendance was not taken."""
    memberships: dict[int, list[Any]] = defaultdict(list)
    for eid, joined, left in GroupMembership.objects.filter(
        engagement__in=engagement_ids
    ).values_list("engagement_id", "joined_on", "left_on"):
        memberships[eid].append((joined, left))
    return memberships


def unbilled_fee_months(
    practice: Practice, today: dt.date
) -> list[tuple[Engagement, list[dt.date]]]:
    """Engagements at a fixed monthly fee, with the months begun by ``today`` (within the
    engagement's dates) that no invoice line holds yet."""
    first_of_month = today.replace(day=1)
    engagements = list(
        Engagement.objects.filter(
            practice=practice,
            price__model=PriceModel.FIXED_MONTHLY,
            start_date__lte=today,
        )
        .select_related("client", "price")
        .order_by("pk")
    )
    taken: dict[int, set[dt.date]] = defaultdict(set)
    for eid, month in InvoiceLine.objects.filter(
        engagement__in=engagements, fee_month__isnull=False, released=False
    ).values_list("engagement_id", "fee_month"):
        if month is not None:
            taken[eid].add(month)
    result = []
    for e in engagements:
        start = e.start_date.replace(day=1)
        last = min(first_of_month, e.end_date.replace(day=1))
        months = [m for m in _months(start, last) if m not in taken[e.pk]]
        if months:
            result.append((e, months))
    return result


def uninvoiced_meetings(practice: Practice, until: dt.datetime) -> Any:
    """Meetings delivered before ``until`` (held, or cancelled late) that no invoice line holds."""
    taken = InvoiceLine.objects.filter(
        meeting=OuterRef("pk"),
        released=False,
        kind__in=[LineKind.MEETING, LineKind.LATE_CANCELLATION],
    )
    return (
        Meeting.objects.filter(practice=practice, ends_at__lte=until)
        .filter(
            Q(status=MeetingStatus.PLANNED)
            | Q(status=MeetingStatus.CANCELLED, late_cancellation=True)
        )
        .exclude(Exists(taken))
    )


def _lock_run(practice: Practice) -> BillingSettings:
    """Serialise invoice runs of one practice on its settings row (PostgreSQL row lock; SQLite's
    IMMEDIATE transactions serialise writers already)."""
    found = BillingSettings.objects.select_for_update().filter(practice=practice).first()
    if found is None:
        raise ValidationError(_("Fill in the billing settings before the first invoice run."))
    return found


@transaction.atomic
def invoice_run(
    *,
    actor: Any,
    practice: Practice,
    period_start: dt.date,
    period_end: dt.date,
    now: dt.datetime | None = None,
) -> list[Invoice]:
    """Draft one invoice per client (or per engagement invoiced on its own) from the meetings
    held and the late cancellations in the period that no invoice holds yet, and the fixed
    monthly fees of the months that begin in the period, and the course registrations of
    courses that begin in it (one invoice per organization). Nothing is issued: the drafts
    are reviewed first."""
    if period_end < period_start:
        raise ValidationError({"period_end": _("The period ends before it starts.")})
    if (period_end - period_start).days > MAX_RUN_DAYS:
        raise ValidationError({"period_end": _("An invoice run covers at most one year.")})
    _lock_run(practice)
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(period_start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(period_end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    now = now or clock.now()
    meetings = list(
        uninvoiced_meetings(practice, min(now, end))
        .filter(starts_at__gte=start, starts_at__lt=end)
        .select_related(
            "engagement", "engagement__client", "engagement__price", "engagement__supervisor"
        )
        .annotate(
            present_count=Count("attendance", filter=Q(attendance__status=AttendanceStatus.PRESENT))
        )
        .order_by("starts_at")
    )
    memberships = memberships_of({m.engagement_id for m in meetings})

    groups: dict[tuple[int, int | None], list[LineDraft]] = defaultdict(list)

    def key(engagement: Engagement) -> tuple[int, int | None]:
        separate = price_of(engagement).separate_invoice
        return (engagement.client_id, engagement.pk if separate else None)

    clients: dict[int, Client] = {}
    for meeting in meetings:
        engagement = meeting.engagement
        clients[engagement.client_id] = engagement.client
        with translation.override(engagement.client.language):
            groups[key(engagement)] += meeting_lines(meeting, price_of(engagement), memberships)

    months = _months(period_start, period_end)
    if months:
        fixed = (
            Engagement.objects.filter(
                practice=practice,
                price__model=PriceModel.FIXED_MONTHLY,
                start_date__lte=_month_end(months[-1]),
                end_date__gte=months[0],
            )
            .select_related("client", "price", "supervisor")
            .order_by("pk")
        )
        for engagement in fixed:
            taken = set(
                InvoiceLine.objects.filter(
                    engagement=engagement, fee_month__in=months, released=False
                ).values_list("fee_month", flat=True)
            )
            clients[engagement.client_id] = engagement.client
            for month in months:
                if month in taken or not (
                    engagement.start_date <= _month_end(month) and engagement.end_date >= month
                ):
                    continue
                with translation.override(engagement.client.language):
                    label = date_format(month, "YEAR_MONTH_FORMAT")
                    groups[key(engagement)].append(
                        LineDraft(
                            kind=LineKind.FIXED_FEE,
                            engagement=engagement,
                            description=_("Fixed monthly fee, %(month)s") % {"month": label},
                            delivered_on=_month_end(month),
                            quantity=Decimal(1),
                            unit=Unit.MONTH,
                            unit_price_ore=price_of(engagement).amount_ore,
                            vat_category=price_of(engagement).vat_category,
                            fee_month=month,
                        )
                    )

    drafts: list[Invoice] = []
    for (client_id, engagement_id), lines in sorted(
        groups.items(), key=lambda kv: (clients[kv[0][0]].name, kv[0][1] or 0)
    ):
        if not lines:
            continue
        client = clients[client_id]
        invoice = Invoice.objects.create(
            practice=practice,
            client=client,
            engagement_id=engagement_id,
            period_start=period_start,
            period_end=period_end,
            buyer_reference=client.invoice_reference,
            language=client.language,
            created_by=actor,
        )
        lines.sort(key=lambda d: (d.delivered_on or period_end, d.engagement.title, d.kind))
        InvoiceLine.objects.bulk_create(
            InvoiceLine(
                practice=practice,
                invoice=invoice,
                position=i,
                kind=d.kind,
                engagement=d.engagement,
                meeting=d.meeting,
                fee_month=d.fee_month,
                description=d.description[:300],
                delivered_on=d.delivered_on,
                supervisor_name=d.engagement.supervisor.name,
                group_name=d.engagement.title,
                quantity=d.quantity,
                unit=d.unit,
                unit_price_ore=d.unit_price_ore,
                amount_ore=d.amount_ore,
                vat_category=d.vat_category,
                vat_rate_bp=VAT_RATE_BP[VatCategory(d.vat_category)],
            )
            for i, d in enumerate(lines, start=1)
        )
        _store_totals(invoice)
        drafts.append(invoice)
    # What other apps invoice (course registrations: one invoice per organization).
    for source in invoice_sources():
        drafts += source.drafts(
            actor=actor, practice=practice, period_start=period_start, period_end=period_end
        )
    audit(
        actor,
        "billing.run.drafted",
        practice,
        {
            "period": [period_start.isoformat(), period_end.isoformat()],
            "invoices": [i.pk for i in drafts],
        },
    )
    return drafts


def _store_totals(invoice: Invoice) -> None:
    t = totals(invoice.lines.all())
    invoice.net_ore, invoice.vat_ore, invoice.total_ore = t.net_ore, t.vat_ore, t.total_ore
    invoice.save(update_fields=["net_ore", "vat_ore", "total_ore"])


# --- editing a draft -------------------------------------------------------------------------


def _draft(invoice: Invoice) -> Invoice:
    locked = Invoice.objects.select_for_update().filter(pk=invoice.pk).first()
    if locked is None or not locked.is_draft:
        raise ValidationError(_("Only a draft can be changed; an issued invoice is credited."))
    return locked


@transaction.atomic
def invoice_line_save(
    *,
    actor: Any,
    invoice: Invoice,
    line: InvoiceLine | None = None,
    description: str,
    delivered_on: dt.date | None,
    quantity: Decimal,
    unit: str,
    unit_price_ore: int,
    vat_category: str,
) -> InvoiceLine:
    """Add a line to a draft (``line`` None) or change one of its lines."""
    invoice = _draft(invoice)
    if line is None:
        last = invoice.lines.order_by("-position").first()
        line = InvoiceLine(
            practice=invoice.practice,
            invoice=invoice,
            kind=LineKind.MANUAL,
            position=(last.position + 1) if last else 1,
        )
    elif line.invoice_id != invoice.pk:
        raise ValidationError(_("That line belongs to another invoice."))
    line.description = description
    line.delivered_on = delivered_on
    line.quantity = quantity
    line.unit = unit
    line.unit_price_ore = unit_price_ore
    line.amount_ore = line_amount(quantity, unit_price_ore)
    line.vat_category = vat_category
    line.vat_rate_bp = VAT_RATE_BP[VatCategory(vat_category)]
    line.full_clean(exclude=["invoice", "practice", "engagement", "meeting", "credits_line"])
    line.save()
    _store_totals(invoice)
    audit(actor, "billing.line.saved", invoice, {"line": line.pk})
    return line


@transaction.atomic
def invoice_line_remove(*, actor: Any, invoice: Invoice, line: InvoiceLine) -> None:
    """Take a line off a draft; its meeting can be invoiced again."""
    invoice = _draft(invoice)
    if line.invoice_id != invoice.pk:
        raise ValidationError(_("That line belongs to another invoice."))
    line_id = line.pk
    line.delete()
    _store_totals(invoice)
    audit(actor, "billing.line.removed", invoice, {"line": line_id})


@transaction.atomic
def invoice_discard(*, actor: Any, invoice: Invoice) -> None:
    """Throw a draft away; its meetings can be invoiced again. Issued invoices are credited."""
    invoice = _draft(invoice)
    audit(actor, "billing.invoice.discarded", invoice, {"client": invoice.client_id})
    invoice.delete()


# --- issue, pay, credit, send ----------------------------------------------------------------


def _take_number(practice: Practice, series: str, first_number: int) -> tuple[int, int]:
    """The next number of the series, under a row lock held until the transaction ends: a
    concurrent issuer waits, and a rollback gives the number back (no gap, no duplicate).
    Also the series' place among the practice's series (1 for the first one used)."""
    counter = InvoiceCounter.objects.select_for_update().filter(practice=practice, series=series)
    found = counter.first()
    if found is None:
        try:
            with transaction.atomic():
                InvoiceCounter.objects.create(
                    practice=practice, series=series, last_number=first_number - 1
                )
        except IntegrityError:
            pass  # someone else created it first: lock theirs
        found = counter.first()
        assert found is not None
    found.last_number += 1
    found.save(update_fields=["last_number"])
    place = InvoiceCounter.objects.filter(practice=practice, pk__lte=found.pk).count()
    return found.last_number, place


def ocr_for(number: int, series_place: int) -> str:
    """The OCR reference of an invoice: its number and its series' place as two digits, so that
    a practice that starts a new series (say one per year, numbered from 1 again) never gives
    two invoices the same reference. The place always takes two digits, so the split is
    unambiguous: 1001 in the first series → 1001 01 → "10010189"."""
    return ocr_reference(f"{number}{series_place % 100:02d}")


def seller_snapshot(s: BillingSettings) -> dict[str, Any]:
    return {
        "name": s.legal_name,
        "org_number": s.org_number,
        "vat_number": s.vat_number,
        "f_tax": s.f_tax,
        "street": s.street,
        "postal_code": s.postal_code,
        "city": s.city,
        "country": "SE",
        "email": s.email,
        "phone": s.phone,
        "bankgiro": s.bankgiro,
        "plusgiro": s.plusgiro,
        "iban": s.iban,
        "bic": s.bic,
        "late_interest_text": s.late_interest_text,
        "exemption_text": s.exemption_text,
        "payment_terms_days": s.payment_terms_days,
    }


def _keep_logo(practice: Practice, settings: BillingSettings) -> str:
    """The SHA-256 of the practice's logo as it is now, stored once per practice: an issued
    invoice shows this logo for ever, whatever the settings say later. Empty: no logo."""
    if not settings.logo:
        return ""
    data = bytes(settings.logo)
    digest = hashlib.sha256(data).hexdigest()
    InvoiceLogo.objects.get_or_create(
        practice=practice,
        sha256=digest,
        defaults={"data": data, "content_type": settings.logo_content_type},
    )
    return digest


def buyer_snapshot(client: Client) -> dict[str, Any]:
    return {
        "name": client.name,
        "org_number": client.org_number,
        "street": client.street,
        "postal_code": client.postal_code,
        "city": client.city,
        "country": "SE",
    }


def _issue(actor: Any, invoice: Invoice, settings: BillingSettings, today: dt.date) -> Invoice:
    lines = list(invoice.lines.all())
    if not lines:
        raise ValidationError(_("An invoice without lines cannot be issued."))
    t = totals(lines)
    if invoice.kind == InvoiceKind.INVOICE and t.total_ore < 0:
        raise ValidationError(
            _("The total is negative. Only a credit note can have a negative total.")
        )
    if invoice.kind == InvoiceKind.CREDIT_NOTE and t.total_ore > 0:
        raise ValidationError(_("A credit note cannot have a positive total."))
    client = invoice.client
    if not client.org_number:
        raise ValidationError(
            _(
                "%(client)s has no organisation number. Add it to the client before issuing: "
                "it must be on the invoice."
            )
            % {"client": client.name}
        )
    if not settings.is_complete:
        raise ValidationError(
            _(
                "The billing settings lack the practice's legal name, organisation number, "
                "address or a way to pay (Bankgiro, Plusgiro or IBAN)."
            )
        )
    if any(r.category == VatCategory.EXEMPT for r in t.rows) and not settings.exemption_text:
        raise ValidationError(
            _("Lines without VAT need the legal ground for the exemption in the settings.")
        )
    invoice.series = settings.number_series
    invoice.number, series_place = _take_number(
        invoice.practice, settings.number_series, settings.first_number
    )
    invoice.status = InvoiceStatus.OPEN
    invoice.issue_date = today
    invoice.due_date = today + dt.timedelta(days=settings.payment_terms_days)
    invoice.ocr = (
        ocr_for(invoice.number, series_place) if invoice.kind == InvoiceKind.INVOICE else ""
    )
    invoice.seller = {**seller_snapshot(settings), "logo": _keep_logo(invoice.practice, settings)}
    invoice.buyer = buyer_snapshot(client)
    invoice.buyer_reference = client.invoice_reference
    invoice.language = client.language
    invoice.net_ore, invoice.vat_ore, invoice.total_ore = t.net_ore, t.vat_ore, t.total_ore
    invoice.issued_at = clock.now()
    invoice.full_clean(exclude=["seller", "buyer", "engagement", "credited_invoice"])
    invoice.save()
    audit(
        actor,
        "billing.invoice.issued",
        invoice,
        {"number": invoice.display_number, "kind": invoice.kind, "total_ore": invoice.total_ore},
    )
    return invoice


@transaction.atomic
def invoice_issue(*, actor: Any, invoice: Invoice, today: dt.date | None = None) -> Invoice:
    """Give a draft its number, copy the seller and the buyer onto it, and freeze it."""
    invoice = _draft(invoice)
    settings = billing_settings_of(invoice.practice)
    return _issue(actor, invoice, settings, today or clock.today())


@transaction.atomic
def invoice_mark_paid(*, actor: Any, invoice: Invoice, paid_on: dt.date) -> Invoice:
    """Record the payment of an open invoice."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.kind != InvoiceKind.INVOICE or invoice.status != InvoiceStatus.OPEN:
        raise ValidationError(_("Only an open invoice can be marked as paid."))
    assert invoice.issue_date is not None
    if paid_on < invoice.issue_date or paid_on > clock.today():
        raise ValidationError(
            {"paid_on": _("The payment date lies between the invoice date and today.")}
        )
    invoice.status = InvoiceStatus.PAID
    invoice.paid_on = paid_on
    invoice.save(update_fields=["status", "paid_on"])
    audit(actor, "billing.invoice.paid", invoice, {"paid_on": paid_on.isoformat()})
    return invoice


@transaction.atomic
def invoice_credit(
    *,
    actor: Any,
    invoice: Invoice,
    line_ids: list[int] | None = None,
    today: dt.date | None = None,
) -> Invoice:
    """Issue a credit note that negates the chosen lines of an issued invoice (all of them when
    ``line_ids`` is None). The credited meetings can be invoiced again."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.kind != InvoiceKind.INVOICE or invoice.is_draft:
        raise ValidationError(_("Only an issued invoice can be credited."))
    open_lines = list(invoice.lines.filter(released=False))
    chosen = open_lines if line_ids is None else [x for x in open_lines if x.pk in set(line_ids)]
    if not chosen:
        raise ValidationError(_("Choose at least one line that is not credited yet."))
    settings = billing_settings_of(invoice.practice)
    note = Invoice.objects.create(
        practice=invoice.practice,
        kind=InvoiceKind.CREDIT_NOTE,
        client=invoice.client,
        engagement=invoice.engagement,
        credited_invoice=invoice,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        buyer_reference=invoice.buyer_reference,
        language=invoice.language,
        created_by=actor,
    )
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            practice=invoice.practice,
            invoice=note,
            position=i,
            kind=line.kind,
            engagement=line.engagement,
            credits_line=line,
            description=line.description,
            delivered_on=line.delivered_on,
            supervisor_name=line.supervisor_name,
            group_name=line.group_name,
            quantity=-line.quantity,
            unit=line.unit,
            unit_price_ore=line.unit_price_ore,
            amount_ore=-line.amount_ore,
            vat_category=line.vat_category,
            vat_rate_bp=line.vat_rate_bp,
        )
        for i, line in enumerate(chosen, start=1)
    )
    note = _issue(actor, note, settings, today or clock.today())
    InvoiceLine.objects.filter(pk__in=[x.pk for x in chosen]).update(released=True)
    invoice.credited_ore += -note.total_ore
    fully = len(chosen) == len(open_lines)
    if fully:
        invoice.status = InvoiceStatus.CREDITED
    invoice.save(update_fields=["credited_ore", "status"])
    audit(
        actor,
        "billing.invoice.credited",
        invoice,
        {"credit_note": note.pk, "lines": [x.pk for x in chosen], "fully": fully},
    )
    return note


@transaction.atomic
def invoice_send(*, actor: Any, invoice: Invoice, to: str) -> Invoice:
    """E-mail the invoice's PDF to ``to`` (after the transaction commits)."""
    from bollplank.billing.tasks import send_invoice

    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.is_draft:
        raise ValidationError(_("Issue the invoice before sending it."))
    invoice.sent_at = clock.now()
    invoice.save(update_fields=["sent_at"])
    practice_id, invoice_id = invoice.practice_id, invoice.pk
    transaction.on_commit(
        lambda: send_invoice.enqueue(practice_id=practice_id, invoice_id=invoice_id, to=to)
    )
    audit(actor, "billing.invoice.sent", invoice, {"number": invoice.display_number})
    return invoice
