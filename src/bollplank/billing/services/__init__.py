"""Every write in billing, by topic: the settings and prices (settings.py), what lines come to
(pricing.py, pure functions), the invoice run (runs.py), editing drafts (drafts.py),
issuing, paying, crediting and sending (issuing.py), delivering issued invoices to buyers by
Peppol or e-mail (delivery.py), and payments from the bank (payments.py). Callers use the
names here (``services.invoice_run(...)``)."""

from bollplank.billing.services.delivery import (
    access_point_remove,
    access_point_save,
    deliveries_due,
    delivery_attempt,
    delivery_check,
    delivery_queue,
    delivery_resend,
)
from bollplank.billing.services.drafts import (
    invoice_discard,
    invoice_line_remove,
    invoice_line_save,
    invoice_references_save,
    missing_references,
)
from bollplank.billing.services.issuing import (
    buyer_snapshot,
    invoice_credit,
    invoice_issue,
    invoice_mark_paid,
    invoice_send,
    ocr_for,
    seller_snapshot,
)
from bollplank.billing.services.payments import (
    bgmax_import,
    bgmax_import_folder,
    bgmax_refused,
    ensure_bgmax_chain,
    payment_assign,
)
from bollplank.billing.services.runs import invoice_run
from bollplank.billing.services.settings import (
    billing_settings_of,
    billing_settings_save,
    engagement_price_save,
    price_of,
)

__all__ = [
    "access_point_remove",
    "access_point_save",
    "deliveries_due",
    "delivery_attempt",
    "delivery_check",
    "delivery_queue",
    "delivery_resend",
    "bgmax_import",
    "bgmax_import_folder",
    "bgmax_refused",
    "ensure_bgmax_chain",
    "payment_assign",
    "billing_settings_of",
    "billing_settings_save",
    "buyer_snapshot",
    "engagement_price_save",
    "invoice_credit",
    "invoice_discard",
    "invoice_issue",
    "invoice_line_remove",
    "invoice_line_save",
    "invoice_mark_paid",
    "invoice_references_save",
    "invoice_run",
    "invoice_send",
    "missing_references",
    "ocr_for",
    "price_of",
    "seller_snapshot",
]
