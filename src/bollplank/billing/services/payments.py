"""Payments from Bankgirot: importing BgMax files (uploaded, or from the folder the task worker
watches), matching each payment to the invoice its OCR reference names, and assigning by hand
what could not be matched.

An import is one transaction: a file that cannot be read changes nothing, and a file read
before (same SHA-256) or a payment seen before (same serial number on the same day) is not
counted twice. An invoice's state follows from what is paid against what is due: part paid,
paid or overpaid; the client's balance is what its invoices still owe (selectors).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from bollplank.billing import bgmax
from bollplank.billing.enums import (
    PAYABLE_STATUSES,
    ImportSource,
    InvoiceKind,
    InvoiceStatus,
    PaymentKind,
)
from bollplank.billing.models import BillingSettings, Invoice, Payment, PaymentImport
from bollplank.billing.ocr import ocr_is_valid
from bollplank.billing.validators import bankgiro_digits
from bollplank.core import clock
from bollplank.core.audit import audit
from bollplank.core.models import Practice
from bollplank.core.periodic import ensure_pending
from bollplank.core.tasking import task_at

logger = logging.getLogger(__name__)

# The worker's task (billing/tasks.py), enqueued by reference (core/tasking.py).
IMPORT_FOLDER = "bollplank.billing.tasks.import_bgmax_folder"
# Bankgirot stamps its files in Swedish time.
BANKGIROT_TZ = ZoneInfo("Europe/Stockholm")
# How often the worker looks in the folder.
CHAIN_INTERVAL = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class ImportResult:
    bank_import: PaymentImport
    repeated_file: bool  # the same file was imported before: nothing changed


def _refusal(exc: bgmax.BgMaxError) -> ValidationError:
    return ValidationError(
        _("The file was not imported. %(fault)s") % {"fault": str(exc)}, code="bad_file"
    )


def _check_file(practice: Practice, parsed: bgmax.BgMaxFile) -> None:
    if parsed.test:
        # A test file's payments never happened: they must not mark anything paid.
        raise ValidationError(
            _("The file was not imported: Bankgirot marks it as a test file (T in line 1)."),
            code="test_file",
        )
    own = BillingSettings.objects.filter(practice=practice).values_list("bankgiro", flat=True)
    mine = bankgiro_digits(own.first() or "")
    others = sorted(bg for bg in parsed.bankgiros if bg != mine)
    if others:
        raise ValidationError(
            _(
                "The file was not imported. It is for bankgiro %(file)s, but the practice's "
                "bankgiro in the billing settings is %(own)s."
            )
            % {"file": ", ".join(others), "own": mine or _("not set")},
            code="other_bankgiro",
        )


def invoice_settle(invoice: Invoice) -> Invoice:
    """Set the invoice's paid amount and state from its payments. Called with the invoice
    locked. Marked paid by hand (all of it, or the rest of a part payment): stays paid, and
    what the bank has not paid of it stays settled by hand; paid in full by the bank after
    all, it is simply paid."""
    paid = Payment.objects.filter(invoice=invoice).aggregate(s=Sum("amount_ore"))["s"] or 0
    due = invoice.amount_due_ore
    last = (
        Payment.objects.filter(invoice=invoice)
        .order_by("-paid_on")
        .values_list("paid_on", flat=True)
        .first()
    )
    by_hand = invoice.status == InvoiceStatus.PAID and (
        invoice.paid_ore == 0 or invoice.settled_ore > 0
    )
    if paid == 0 and by_hand:
        status = InvoiceStatus.PAID  # marked paid by hand
    elif paid == 0:
        status = InvoiceStatus.OPEN
    elif paid < due:
        status = InvoiceStatus.PAID if by_hand else InvoiceStatus.PART_PAID
    elif paid == due:
        status = InvoiceStatus.PAID
    else:
        status = InvoiceStatus.OVERPAID
    # Settled by hand is the part the bank has not paid; with no payment at all the invoice is
    # paid by hand as a whole (paid_ore 0), as before any payment.
    settled = due - paid if by_hand and 0 < paid < due else 0
    invoice.paid_ore = paid
    invoice.settled_ore = settled
    invoice.status = status
    if paid and not settled:
        invoice.paid_on = last if status in (InvoiceStatus.PAID, InvoiceStatus.OVERPAID) else None
    invoice.save(update_fields=["paid_ore", "settled_ore", "status", "paid_on"])
    return invoice


def _invoice_for(practice: Practice, reference: str) -> Invoice | None:
    """The practice's issued invoice whose OCR reference this is, while payments count on it."""
    if not ocr_is_valid(reference):
        return None
    return (
        Invoice.objects.select_for_update()
        .filter(
            practice=practice,
            kind=InvoiceKind.INVOICE,
            ocr=reference,
            status__in=PAYABLE_STATUSES,
        )
        .first()
    )


def _payment_row(
    practice: Practice, bank_import: PaymentImport, deposit: bgmax.BgMaxDeposit, p: Any
) -> Payment:
    assert deposit.date is not None
    deduction = p.kind == "deduction"
    return Payment(
        practice=practice,
        bank_import=bank_import,
        kind=PaymentKind.DEDUCTION if deduction else PaymentKind.PAYMENT,
        paid_on=deposit.date,
        bank_reference=p.serial,
        reference=p.reference,
        reference_is_ocr=p.reference_code == bgmax.REFERENCE_CODE_OCR,
        amount_ore=p.signed_ore,
        payer_name=p.payer_name[:70],
        payer_bankgiro=p.sender_bankgiro,
        payer_org_number=p.payer_org_number[:12],
        extra_references=p.extra_references,
        information=" ".join(p.information)[:500],
        line=p.line,
    )


@transaction.atomic
def bgmax_import(
    *,
    actor: Any,
    practice: Practice,
    data: bytes,
    filename: str,
    source: str = ImportSource.UPLOAD,
) -> ImportResult:
    """Import a BgMax file into the practice: every new payment is recorded and matched to
    the invoice its OCR reference names; the rest wait for a practice admin. Raises
    ValidationError (nothing imported) for a file that cannot be read, is a test file or is
    for another bankgiro."""
    digest = hashlib.sha256(data).hexdigest()
    seen = PaymentImport.objects.filter(practice=practice, sha256=digest).first()
    if seen is not None:
        audit(actor, "billing.bgmax.repeated", seen, {"filename": filename[:200]})
        return ImportResult(seen, repeated_file=True)
    try:
        parsed = bgmax.parse(data)
    except bgmax.BgMaxError as exc:
        raise _refusal(exc) from None
    _check_file(practice, parsed)
    try:
        with transaction.atomic():
            bank_import = PaymentImport.objects.create(
                practice=practice,
                sha256=digest,
                filename=filename[:200],
                source=source,
                written_at=parsed.written_at.replace(tzinfo=BANKGIROT_TZ),
                imported_by=actor if getattr(actor, "is_authenticated", False) else None,
                imported_at=clock.now(),
            )
    except IntegrityError:
        # The same file imported at this very moment (an upload while the worker reads the
        # folder): theirs counts, this one changes nothing.
        seen = PaymentImport.objects.get(practice=practice, sha256=digest)
        audit(actor, "billing.bgmax.repeated", seen, {"filename": filename[:200]})
        return ImportResult(seen, repeated_file=True)
    touched: dict[int, Invoice] = {}
    for deposit in parsed.deposits:
        paid_on = deposit.date
        assert paid_on is not None  # the reader refuses a deposit without its date
        for p in deposit.payments:
            bank_import.payments += 1
            bank_import.total_ore += p.signed_ore
            if Payment.objects.filter(
                practice=practice, paid_on=paid_on, bank_reference=p.serial
            ).exists():
                bank_import.repeated += 1
                continue
            row = _payment_row(practice, bank_import, deposit, p)
            row.invoice = _invoice_for(practice, p.reference)
            row.full_clean(exclude=["bank_import", "invoice"])
            row.save()
            if row.invoice is not None:
                bank_import.matched += 1
                touched[row.invoice.pk] = row.invoice
    bank_import.save()
    for invoice in touched.values():
        before = invoice.status
        invoice_settle(invoice)
        audit(
            actor,
            "billing.invoice.payment_matched",
            invoice,
            {"import": bank_import.pk, "from": before, "to": invoice.status},
        )
    audit(
        actor,
        "billing.bgmax.imported",
        bank_import,
        {
            "filename": bank_import.filename,
            "sha256": digest,
            "source": source,
            "payments": bank_import.payments,
            "matched": bank_import.matched,
            "repeated": bank_import.repeated,
        },
    )
    return ImportResult(bank_import, repeated_file=False)


def bgmax_refused(*, actor: Any, practice: Practice | None, filename: str, error: str) -> None:
    """Record a refused file (after its transaction rolled back, so that the record stays)."""
    audit(
        actor,
        "billing.bgmax.refused",
        practice,
        {"filename": filename[:200], "error": error[:500]},
        practice=practice,
    )


@transaction.atomic
def payment_assign(*, actor: Any, payment: Payment, invoice_number: str) -> Payment:
    """Assign an unmatched payment to one of the practice's issued invoices by its number
    (series and number as printed, e.g. A1001)."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.invoice_id is not None:
        raise ValidationError(_("This payment is already assigned to an invoice."))
    wanted = invoice_number.strip().upper().replace(" ", "")
    # A series is up to six letters or digits before the number: try each split.
    splits = Q(pk__in=[])
    for cut in range(0, min(6, len(wanted) - 1) + 1):
        # ASCII digits only: isdigit() also takes "²", which int() refuses.
        if wanted[cut:].isascii() and wanted[cut:].isdigit() and len(wanted[cut:]) <= 9:
            splits |= Q(series=wanted[:cut], number=int(wanted[cut:]))
    invoice = (
        Invoice.objects.select_for_update()
        .filter(splits, practice=payment.practice, kind=InvoiceKind.INVOICE)
        .first()
    )
    if invoice is None:
        raise ValidationError(
            {"invoice": _("No invoice has the number %(number)s.") % {"number": wanted}}
        )
    if invoice.status not in PAYABLE_STATUSES:
        raise ValidationError(
            {
                "invoice": _("Invoice %(number)s is credited; a payment cannot be put on it.")
                % {"number": wanted}
            }
        )
    payment.invoice = invoice
    payment.assigned_by = actor
    payment.assigned_at = clock.now()
    payment.save(update_fields=["invoice", "assigned_by", "assigned_at"])
    before = invoice.status
    invoice_settle(invoice)
    audit(
        actor,
        "billing.payment.assigned",
        payment,
        {"invoice": invoice.pk, "from": before, "to": invoice.status},
    )
    return payment


# --- the watched folder ---------------------------------------------------------------------


def bgmax_folder() -> Path | None:
    """The folder the worker reads BgMax files from (BOLLPLANK_BGMAX_DIR), or None."""
    value = getattr(settings, "BGMAX_DIR", "")
    return Path(value) if value else None


def _practice_for(parsed: bgmax.BgMaxFile) -> Practice | None:
    """The one practice whose bankgiro receives every deposit of the file."""
    if len(parsed.bankgiros) != 1:
        return None
    [bankgiro] = parsed.bankgiros
    with scopes_disabled():
        found = [
            s.practice
            for s in BillingSettings.objects.exclude(bankgiro="").select_related("practice")
            if bankgiro_digits(s.bankgiro) == bankgiro
        ]
    return found[0] if len(found) == 1 else None


def _move(path: Path, to: Path, reason: str = "") -> None:
    to.mkdir(exist_ok=True)
    target = to / path.name
    n = 1
    while target.exists():
        target = to / f"{path.stem}.{n}{path.suffix}"
        n += 1
    shutil.move(str(path), target)
    if reason:
        target.with_name(target.name + ".fel.txt").write_text(reason + "\n", encoding="utf-8")


def bgmax_import_folder(*, folder: Path | None = None) -> dict[str, int]:
    """Import every file in the watched folder: each is moved to ``imported/`` once read (a
    file seen before included) or to ``refused/`` with a ``.fel.txt`` beside it that says
    why. Files whose name begins with a dot are being written and are left for next time."""
    folder = folder or bgmax_folder()
    done = {"imported": 0, "refused": 0}
    if folder is None or not folder.is_dir():
        return done
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.name.startswith("."):
            continue
        practice: Practice | None = None
        try:
            data = path.read_bytes()
            try:
                parsed = bgmax.parse(data)
            except bgmax.BgMaxError as exc:
                raise _refusal(exc) from None
            practice = _practice_for(parsed)
            if practice is None:
                raise ValidationError(
                    _(
                        "The file was not imported: no single practice has bankgiro %(bankgiro)s "
                        "in its billing settings."
                    )
                    % {"bankgiro": ", ".join(sorted(parsed.bankgiros)) or "-"}
                )
            with scope(practice=practice):
                bgmax_import(
                    actor=None,
                    practice=practice,
                    data=data,
                    filename=path.name,
                    source=ImportSource.FOLDER,
                )
        except ValidationError as exc:
            reason = " ".join(exc.messages)
            bgmax_refused(actor=None, practice=practice, filename=path.name, error=reason)
            _move(path, folder / "refused", reason)
            done["refused"] += 1
            logger.warning("BgMax file %s refused: %s", path.name, reason)
        except Exception as exc:
            # A fault of ours must not stop the task, nor leave the file in the folder to fail
            # again every run and hold up the files after it: it is set aside like a bad one
            # (its import rolled back), and logged with its traceback for us to mend.
            logger.exception("BgMax file %s could not be imported", path.name)
            reason = _(
                "The file was not imported because of an unexpected error (%(error)s). "
                "Contact support and keep the file."
            ) % {"error": type(exc).__name__}
            bgmax_refused(actor=None, practice=practice, filename=path.name, error=reason)
            _move(path, folder / "refused", reason)
            done["refused"] += 1
        else:
            _move(path, folder / "imported")
            done["imported"] += 1
    return done


def ensure_bgmax_chain(*, delay: dt.timedelta = CHAIN_INTERVAL) -> bool:
    """Make sure a run of ``import_bgmax_folder`` is waiting, when a folder is set."""
    if bgmax_folder() is None:
        return False
    return ensure_pending(task_at(IMPORT_FOLDER), delay=delay)
