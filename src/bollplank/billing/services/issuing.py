"""Issuing, paying, crediting and sending invoices. An issued invoice is never changed: it
takes the next number of its series (gap-free), copies the seller and the buyer, and is
cancelled by a credit note that negates it."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from bollplank.billing.enums import InvoiceKind, InvoiceStatus, VatCategory
from bollplank.billing.models import (
    BillingSettings,
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    InvoiceLogo,
)
from bollplank.billing.money import totals
from bollplank.billing.ocr import ocr_reference
from bollplank.billing.services.delivery import delivery_queue
from bollplank.billing.services.drafts import draft_locked, missing_references
from bollplank.billing.services.payments import invoice_settle
from bollplank.billing.services.settings import billing_settings_of
from bollplank.clients.models import Client
from bollplank.core import clock
from bollplank.core.audit import audit
from bollplank.core.models import Practice
from bollplank.core.tasking import task_at

# The worker's task (billing/tasks.py), enqueued by reference (core/tasking.py).
SEND_INVOICE = "bollplank.billing.tasks.send_invoice"


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
        # The electronic address the invoice is sent to (BT-49).
        "peppol_scheme": client.peppol_scheme,
        "peppol_id": client.peppol_id,
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
    if missing := missing_references(invoice):
        raise ValidationError(missing)
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
    # To the buyer: by Peppol or by e-mail, from the worker once this transaction commits.
    delivery_queue(invoice=invoice, actor=actor)
    return invoice


@transaction.atomic
def invoice_issue(*, actor: Any, invoice: Invoice, today: dt.date | None = None) -> Invoice:
    """Give a draft its number, copy the seller and the buyer onto it, and freeze it."""
    invoice = draft_locked(invoice)
    settings = billing_settings_of(invoice.practice)
    return _issue(actor, invoice, settings, today or clock.today())


@transaction.atomic
def invoice_mark_paid(*, actor: Any, invoice: Invoice, paid_on: dt.date) -> Invoice:
    """Record the payment of an open invoice, or settle by hand what is left of a part-paid
    one (a payment the bank file did not bring, a small rest written off)."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.kind != InvoiceKind.INVOICE or invoice.status not in (
        InvoiceStatus.OPEN,
        InvoiceStatus.PART_PAID,
    ):
        raise ValidationError(_("Only an open invoice can be marked as paid."))
    assert invoice.issue_date is not None
    if paid_on < invoice.issue_date or paid_on > clock.today():
        raise ValidationError(
            {"paid_on": _("The payment date lies between the invoice date and today.")}
        )
    before = invoice.status
    # Part paid: the rest is settled by hand; open: the whole invoice is paid by hand.
    invoice.settled_ore = invoice.amount_due_ore - invoice.paid_ore if invoice.paid_ore else 0
    invoice.status = InvoiceStatus.PAID
    invoice.paid_on = paid_on
    invoice.save(update_fields=["status", "paid_on", "settled_ore"])
    audit(
        actor,
        "billing.invoice.paid",
        invoice,
        {"paid_on": paid_on.isoformat(), "from": before, "settled_ore": invoice.settled_ore},
    )
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
        order_number=invoice.order_number,
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
    if not fully and invoice.paid_ore:
        # Less is due now: what was paid may now be all of it, or more.
        invoice_settle(invoice)
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
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.is_draft:
        raise ValidationError(_("Issue the invoice before sending it."))
    invoice.sent_at = clock.now()
    invoice.save(update_fields=["sent_at"])
    practice_id, invoice_id = invoice.practice_id, invoice.pk
    transaction.on_commit(
        lambda: task_at(SEND_INVOICE).enqueue(practice_id=practice_id, invoice_id=invoice_id, to=to)
    )
    audit(actor, "billing.invoice.sent", invoice, {"number": invoice.display_number})
    return invoice
