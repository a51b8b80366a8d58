"""How an issued invoice reaches its buyer: a transport per channel.

``AccessPointTransport`` hands the UBL document to the practice's Peppol access point over the
provider's HTTP API (the shape is in docs/deploy.md: POST /documents, GET /documents/<id>); a
provider with another shape gets an adapter of its own with the same two methods.
``EmailTransport`` puts a mail with the PDF in the outbox, which sends and retries it itself.

A transport raises ``DeliveryError``: ``permanent`` when sending the same thing again cannot
help (the access point refused the document), else it is tried again later.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from bollplank.billing.models import AccessPoint, BillingSettings, Invoice
from bollplank.billing.pdf import invoice_pdf, pdf_filename
from bollplank.billing.ubl import PROFILE_ID, invoice_ubl
from bollplank.core import crypto
from bollplank.core.mail import queue_mail

TIMEOUT = 30  # seconds
MAX_RESPONSE = 1024 * 1024

# The Peppol document type identifiers of BIS Billing 3.0 (Peppol Code Lists, document types).
DOCUMENT_TYPE_INVOICE = (
    "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice"
    "##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1"
)
DOCUMENT_TYPE_CREDIT_NOTE = (
    "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2::CreditNote"
    "##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1"
)


class DeliveryError(Exception):
    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent


@dataclass(frozen=True)
class Outcome:
    """What the far end says of a sent document: ``state`` is "delivered", "pending" or
    "failed" (then ``error`` says why)."""

    state: str
    error: str = ""


class Transport(Protocol):
    def send(self, invoice: Invoice, recipient: str) -> str:
        """Send the invoice to ``recipient``; the message id to follow it by."""

    def status(self, message_id: str) -> Outcome:
        """Where the sent document is now."""


def document_type(invoice: Invoice) -> str:
    return DOCUMENT_TYPE_CREDIT_NOTE if invoice.is_credit_note else DOCUMENT_TYPE_INVOICE


def _provider_error(body: bytes) -> str:
    """The provider's own explanation ({"error": "..."}) or nothing."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return ""
    message = data.get("error") or data.get("message") if isinstance(data, dict) else ""
    return str(message or "")[:300]


class AccessPointTransport:
    """A provider's REST API: ``POST {base}/documents`` with the UBL document (base64) and the
    sender, receiver and document type; answered with a message id; ``GET
    {base}/documents/{id}`` says whether it reached the buyer's access point."""

    def __init__(self, access_point: AccessPoint) -> None:
        self.base_url = access_point.base_url.rstrip("/")
        self.api_key = crypto.decrypt(access_point.api_key_encrypted)
        self.sender = access_point.sender

    def _call(self, method: str, path: str, payload: dict[str, Any] | None = None) -> Any:
        request = urllib.request.Request(  # noqa: S310  (the admin's https API address)
            self.base_url + path,
            data=json.dumps(payload).encode("utf-8") if payload is not None else None,
            method=method,
            headers={
                "Authorization": f"Bearer {self.api_key}",
                "Accept": "application/json",
                "Content-Type": "application/json",
                "User-Agent": "Bollplank invoice delivery",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
                body = response.read(MAX_RESPONSE)
        except urllib.error.HTTPError as exc:
            said = _provider_error(exc.read(MAX_RESPONSE))
            if exc.code in (401, 403):
                raise DeliveryError(
                    _("The access point did not accept the API key (HTTP %(code)s).")
                    % {"code": exc.code},
                    permanent=True,
                ) from None
            if 400 <= exc.code < 500 and exc.code not in (408, 409, 425, 429):
                raise DeliveryError(
                    _("The access point refused the invoice: %(reason)s")
                    % {"reason": said or f"HTTP {exc.code}"},
                    permanent=True,
                ) from None
            raise DeliveryError(
                _("The access point answered HTTP %(code)s; it is tried again later.")
                % {"code": exc.code},
                permanent=False,
            ) from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise DeliveryError(
                _("The access point could not be reached (%(reason)s).")
                % {"reason": str(reason)[:200]},
                permanent=False,
            ) from None
        try:
            return json.loads(body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            raise DeliveryError(
                _("The access point gave an answer that is not JSON."), permanent=False
            ) from None

    def send(self, invoice: Invoice, recipient: str) -> str:
        try:
            document = invoice_ubl(invoice)
        except ValidationError as exc:
            raise DeliveryError(" ".join(exc.messages), permanent=True) from None
        answer = self._call(
            "POST",
            "/documents",
            {
                "sender": self.sender,
                "receiver": recipient,
                "documentTypeId": document_type(invoice),
                "processId": PROFILE_ID,
                "document": base64.b64encode(document).decode("ascii"),
            },
        )
        message_id = str(answer.get("id", "")) if isinstance(answer, dict) else ""
        if not message_id:
            raise DeliveryError(
                _("The access point gave no message id for the invoice."), permanent=False
            )
        return message_id[:200]

    def status(self, message_id: str) -> Outcome:
        answer = self._call("GET", "/documents/" + urllib.parse.quote(message_id, safe=""))
        state = str(answer.get("status", "")) if isinstance(answer, dict) else ""
        if state == "delivered":
            return Outcome("delivered")
        if state in ("failed", "rejected"):
            said = str(answer.get("error", ""))[:300]
            return Outcome(
                "failed",
                _("The buyer's access point refused the invoice: %(reason)s")
                % {"reason": said or state},
            )
        return Outcome("pending")


class EmailTransport:
    """The PDF by e-mail, in the buyer's language, through the outbox."""

    def send(self, invoice: Invoice, recipient: str) -> str:
        if not recipient:
            raise DeliveryError(
                _(
                    "The client has neither a Peppol address nor a contact with an e-mail "
                    "address: add one and send the invoice again."
                ),
                permanent=True,
            )
        settings = BillingSettings.objects.filter(practice_id=invoice.practice_id).first()
        mail = queue_mail(
            to=recipient,
            template="billing/email/invoice",
            context={"invoice": invoice, "seller": invoice.seller},
            language=invoice.language or "sv",
            kind="invoice",
            practice=invoice.practice,
            attachment=(pdf_filename(invoice), invoice_pdf(invoice, settings), "application/pdf"),
            reply_to=invoice.seller.get("email", ""),
        )
        return f"mail:{mail.pk}" if mail is not None else ""

    def status(self, message_id: str) -> Outcome:
        # The outbox follows the mail from here (and shows a failure to the admin).
        return Outcome("delivered")
