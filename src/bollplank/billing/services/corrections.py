"""A held meeting's time corrected (meetings.corrections): what was invoiced at the old time is
credited, so that the next invoice run invoices the meeting as it now stands."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from bollplank.billing.models import InvoiceLine
from bollplank.billing.services.drafts import invoice_line_remove
from bollplank.billing.services.issuing import invoice_credit
from bollplank.core.audit import audit
from bollplank.meetings.models import Meeting


def invoiced_meeting_corrected(*, actor: Any, meeting: Meeting) -> list[Any]:
    """Credit the meeting's lines on issued invoices (a credit note per invoice, through the
    usual crediting) and take them off drafts. The meeting is then free for the next run.
    Returns the credit notes issued."""
    lines = list(
        InvoiceLine.objects.filter(meeting=meeting, released=False).select_related("invoice")
    )
    by_invoice: dict[int, list[InvoiceLine]] = defaultdict(list)
    for line in lines:
        by_invoice[line.invoice_id].append(line)
    notes = []
    for found in by_invoice.values():
        invoice = found[0].invoice
        if invoice.is_draft:
            for line in found:
                invoice_line_remove(actor=actor, invoice=invoice, line=line)
        else:
            notes.append(
                invoice_credit(actor=actor, invoice=invoice, line_ids=[x.pk for x in found])
            )
    if lines:
        audit(
            actor,
            "billing.meeting.corrected",
            meeting,
            {"lines": [x.pk for x in lines], "credit_notes": [n.pk for n in notes]},
        )
    return notes


def on_held_meeting_corrected(sender: Any, meeting: Meeting, actor: Any, **kwargs: Any) -> None:
    """meetings' ``held_meeting_corrected``."""
    invoiced_meeting_corrected(actor=actor, meeting=meeting)
