"""Invoices as personal data (core/personal_data_registry.py). Issued invoices are kept as
issued for the bookkeeping law (7 years): an erasure leaves them, and the buyer stays as
invoiced."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from bollplank.billing.models import Delivery, InvoiceLine
from bollplank.core.personal_data_registry import Category, register


def _export(user: Any, confidential: bool) -> list[dict[str, Any]]:
    lines = InvoiceLine.objects.filter(meeting__supervisor=user).select_related("invoice")
    return [
        {"invoice": line.invoice.display_number, "supervisor_as_invoiced": line.supervisor_name}
        for line in lines
        if line.invoice.issued_at is not None
    ]


register(
    Category(
        key="billing.invoices",
        label=gettext_lazy("issued invoices"),
        purpose=gettext_lazy("to invoice supervision"),
        legal_basis=gettext_lazy("legal obligation: the Swedish Bookkeeping Act (Art. 6.1 c)"),
        subjects=gettext_lazy("supervisors named on invoice lines; client organisations"),
        recipients=gettext_lazy("the client organisation; the practice's accountant"),
        export=_export,
    )
)

# Payers as Bankgirot names them in its payment files: usually the client organisation, now
# and then a person paying a course. Kept with the payments as bookkeeping records.
register(
    Category(
        key="billing.payments",
        label=gettext_lazy("payments from Bankgirot"),
        purpose=gettext_lazy("to see which invoices are paid"),
        legal_basis=gettext_lazy("legal obligation: the Swedish Bookkeeping Act (Art. 6.1 c)"),
        subjects=gettext_lazy("payers named in the bank's payment files"),
        recipients=gettext_lazy("the practice's accountant"),
    )
)


# A delivery by e-mail names the client contact it went to. The delivery stays with the issued
# invoice as its record; erasure blanks the address.
def _deliveries(user: Any) -> Any:
    if not user.email:
        return Delivery.objects.none()
    return Delivery.objects.filter(recipient__iexact=user.email)


register(
    Category(
        key="billing.deliveries",
        label=gettext_lazy("addresses invoices were delivered to"),
        purpose=gettext_lazy("to deliver invoices and show where they went"),
        legal_basis=gettext_lazy("contract and legitimate interest (Art. 6.1 b, f)"),
        subjects=gettext_lazy("client contacts who receive invoices by e-mail"),
        recipients=gettext_lazy("the practice's admins"),
        export=lambda user, confidential: [
            {"invoice": d.invoice.display_number, "channel": d.channel, "queued": d.created_at}
            for d in _deliveries(user).select_related("invoice").order_by("created_at", "pk")
        ],
        erase=lambda user: _deliveries(user).update(recipient=""),
        erasure=gettext_lazy("The address is removed; the delivery stays with the invoice."),
        by_address=True,
        practices=lambda user: set(_deliveries(user).values_list("practice_id", flat=True)),
    )
)


# A reminder keeps the address it was e-mailed to (a client contact's), with the invoice it
# reminds of, for as long as that invoice is kept.
register(
    Category(
        key="billing.reminders",
        label=gettext_lazy("payment reminders"),
        purpose=gettext_lazy("to remind clients of overdue invoices"),
        legal_basis=gettext_lazy(
            "legitimate interest: being paid what the client owes (Art. 6.1 f)"
        ),
        subjects=gettext_lazy("client contacts the reminders were e-mailed to"),
        recipients=gettext_lazy("the client organisation"),
    )
)
