"""E-invoices: Peppol BIS Billing 3.0 (UBL 2.1, EN 16931) for invoices and credit notes.

Public-sector buyers must receive invoices electronically (SFS 2018:1277). Swedish parties are
identified by organisation number under scheme 0007 (ISO 6523 ICD for Swedish organisation
numbers) as legal registration; the buyer's Peppol endpoint is the client's Peppol address in
whichever scheme it is registered (0007, 0088 GLN, …), the seller's its organisation number.
The buyer's reference (BT-10) and the order number (BT-13) are written when the invoice has
them; Peppol needs at least one. A credit note is a UBL CreditNote
with positive amounts: the document type carries the sign.
"""

from __future__ import annotations

import threading
import xml.etree.ElementTree as ET
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from bollplank.billing.enums import VatCategory
from bollplank.billing.models import Invoice, InvoiceLine
from bollplank.billing.money import kronor, totals

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
NS_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
SCHEME_SE_ORG = "0007"
CURRENCY = "SEK"

_NAMESPACE_LOCK = threading.Lock()
ET.register_namespace("cac", CAC)
ET.register_namespace("cbc", CBC)


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def _cbc(parent: ET.Element, name: str, text: Any = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{CBC}}}{name}", attrs)
    if text is not None:
        el.text = str(text)
    return el


def _cac(parent: ET.Element, name: str) -> ET.Element:
    return ET.SubElement(parent, f"{{{CAC}}}{name}")


def _amount(parent: ET.Element, name: str, ore: int) -> ET.Element:
    return _cbc(parent, name, kronor(ore), currencyID=CURRENCY)


def _quantity(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral() else f"{value:.2f}"


def endpoint_of(data: dict[str, Any]) -> tuple[str, str]:
    """(scheme, value) of a party's electronic address (BT-34, BT-49): the Peppol address
    copied from the client at issue, else the organisation number under 0007 (the seller, and
    buyers of invoices issued before clients had a Peppol address)."""
    if data.get("peppol_scheme") and data.get("peppol_id"):
        return data["peppol_scheme"], data["peppol_id"]
    return SCHEME_SE_ORG, _digits(data.get("org_number", ""))


def _party(parent: ET.Element, data: dict[str, Any], *, seller: bool) -> None:
    party = _cac(parent, "Party")
    org = _digits(data.get("org_number", ""))
    scheme, endpoint = endpoint_of(data)
    _cbc(party, "EndpointID", endpoint, schemeID=scheme)
    _cbc(_cac(party, "PartyName"), "Name", data["name"])
    address = _cac(party, "PostalAddress")
    if data.get("street"):
        _cbc(address, "StreetName", data["street"])
    if data.get("city"):
        _cbc(address, "CityName", data["city"])
    if data.get("postal_code"):
        _cbc(address, "PostalZone", data["postal_code"].replace(" ", ""))
    _cbc(_cac(address, "Country"), "IdentificationCode", data.get("country", "SE"))
    if seller and data.get("vat_number"):
        tax = _cac(party, "PartyTaxScheme")
        _cbc(tax, "CompanyID", data["vat_number"])
        _cbc(_cac(tax, "TaxScheme"), "ID", "VAT")
    if seller and data.get("f_tax"):
        # Swedish rule SE-R-005: the F-tax approval is the seller's tax registration (BT-32).
        tax = _cac(party, "PartyTaxScheme")
        _cbc(tax, "CompanyID", "Godkänd för F-skatt")
        _cbc(_cac(tax, "TaxScheme"), "ID", "TAX")
    legal = _cac(party, "PartyLegalEntity")
    _cbc(legal, "RegistrationName", data["name"])
    _cbc(legal, "CompanyID", org, schemeID=SCHEME_SE_ORG)
    if seller and data.get("email"):
        _cbc(_cac(party, "Contact"), "ElectronicMail", data["email"])


def _tax_category(parent: ET.Element, name: str, category: str, rate_bp: int, reason: str) -> None:
    el = _cac(parent, name)
    _cbc(el, "ID", category)
    _cbc(el, "Percent", f"{Decimal(rate_bp) / 100:.2f}")
    if category == VatCategory.EXEMPT and reason:
        _cbc(el, "TaxExemptionReason", reason)
    _cbc(_cac(el, "TaxScheme"), "ID", "VAT")


def check_exportable(invoice: Invoice) -> None:
    """What EN 16931 and Peppol need that a Swedish paper invoice may lack."""
    problems = []
    if invoice.is_draft:
        problems.append(_("Issue the invoice before exporting it."))
    if not (invoice.buyer_reference or invoice.order_number):
        # PEPPOL-EN16931-R003: one of them identifies the invoice at the buyer.
        problems.append(
            _("The buyer's reference and the order number are missing: public buyers require one.")
        )
    if not invoice.seller.get("vat_number"):
        problems.append(_("The practice's VAT number is missing in the billing settings."))
    if not invoice.buyer.get("org_number"):
        problems.append(_("The buyer's organisation number is missing."))
    if problems:
        raise ValidationError(problems)


def invoice_ubl(invoice: Invoice) -> bytes:
    """The invoice or credit note as Peppol BIS Billing 3.0 UBL XML (UTF-8)."""
    check_exportable(invoice)
    credit = invoice.is_credit_note
    sign = -1 if credit else 1
    ns = NS_CREDIT_NOTE if credit else NS_INVOICE
    root = ET.Element(f"{{{ns}}}{'CreditNote' if credit else 'Invoice'}")
    _cbc(root, "CustomizationID", CUSTOMIZATION_ID)
    _cbc(root, "ProfileID", PROFILE_ID)
    _cbc(root, "ID", invoice.display_number)
    assert invoice.issue_date is not None
    _cbc(root, "IssueDate", invoice.issue_date.isoformat())
    if not credit and invoice.due_date:
        _cbc(root, "DueDate", invoice.due_date.isoformat())
    _cbc(root, "CreditNoteTypeCode" if credit else "InvoiceTypeCode", "381" if credit else "380")
    _cbc(root, "DocumentCurrencyCode", CURRENCY)
    if invoice.buyer_reference:  # an empty element breaks PEPPOL-EN16931-R008
        _cbc(root, "BuyerReference", invoice.buyer_reference)
    period = _cac(root, "InvoicePeriod")
    _cbc(period, "StartDate", invoice.period_start.isoformat())
    _cbc(period, "EndDate", invoice.period_end.isoformat())
    if invoice.order_number:
        _cbc(_cac(root, "OrderReference"), "ID", invoice.order_number)
    if credit and invoice.credited_invoice is not None:
        original = invoice.credited_invoice
        ref = _cac(_cac(root, "BillingReference"), "InvoiceDocumentReference")
        _cbc(ref, "ID", original.display_number)
        if original.issue_date:
            _cbc(ref, "IssueDate", original.issue_date.isoformat())
    seller, buyer = invoice.seller, invoice.buyer
    _party(_cac(root, "AccountingSupplierParty"), seller, seller=True)
    _party(_cac(root, "AccountingCustomerParty"), buyer, seller=False)
    if not credit:
        _payment_means(root, invoice)
        terms = _cac(root, "PaymentTerms")
        _cbc(
            terms,
            "Note",
            _("%(days)s days net. %(interest)s")
            % {
                "days": seller.get("payment_terms_days", 30),
                "interest": seller.get("late_interest_text", ""),
            },
        )

    lines: list[InvoiceLine] = list(invoice.lines.all())
    t = totals(lines)
    tax_total = _cac(root, "TaxTotal")
    _amount(tax_total, "TaxAmount", sign * t.vat_ore)
    for row in t.rows:
        sub = _cac(tax_total, "TaxSubtotal")
        _amount(sub, "TaxableAmount", sign * row.base_ore)
        _amount(sub, "TaxAmount", sign * row.vat_ore)
        _tax_category(
            sub, "TaxCategory", row.category, row.rate_bp, seller.get("exemption_text", "")
        )
    monetary = _cac(root, "LegalMonetaryTotal")
    _amount(monetary, "LineExtensionAmount", sign * t.net_ore)
    _amount(monetary, "TaxExclusiveAmount", sign * t.net_ore)
    _amount(monetary, "TaxInclusiveAmount", sign * t.total_ore)
    _amount(monetary, "PayableAmount", sign * t.total_ore)

    for i, line in enumerate(lines, start=1):
        el = _cac(root, "CreditNoteLine" if credit else "InvoiceLine")
        _cbc(el, "ID", i)
        quantity, price = sign * line.quantity, line.unit_price_ore
        if price < 0:  # BR-27: the price is never negative; the quantity carries the sign
            quantity, price = -quantity, -price
        _cbc(
            el,
            "CreditedQuantity" if credit else "InvoicedQuantity",
            _quantity(quantity),
            unitCode=line.unit,
        )
        _amount(el, "LineExtensionAmount", sign * line.amount_ore)
        if line.delivered_on:
            line_period = _cac(el, "InvoicePeriod")
            _cbc(line_period, "StartDate", line.delivered_on.isoformat())
            _cbc(line_period, "EndDate", line.delivered_on.isoformat())
        item = _cac(el, "Item")
        details = " · ".join(x for x in (line.group_name, line.supervisor_name) if x)
        if details:
            _cbc(item, "Description", details)
        _cbc(item, "Name", line.description[:100])
        _tax_category(item, "ClassifiedTaxCategory", line.vat_category, line.vat_rate_bp, "")
        _amount(_cac(el, "Price"), "PriceAmount", price)
    ET.indent(root)
    # ElementTree's prefixes are global; the document's own namespace is the default one
    # (as in the Peppol examples), so registering it and writing happen under one lock.
    with _NAMESPACE_LOCK:
        ET.register_namespace("", ns)
        return ET.tostring(root, encoding="UTF-8", xml_declaration=True)


def _payment_means(root: ET.Element, invoice: Invoice) -> None:
    seller = invoice.seller
    accounts = [
        ("30", _digits(seller.get("bankgiro", "")), "SE:BANKGIRO"),
        ("30", _digits(seller.get("plusgiro", "")), "SE:PLUSGIRO"),
        ("58", seller.get("iban", ""), seller.get("bic", "")),
    ]
    for code, account, branch in accounts:
        if not account:
            continue
        means = _cac(root, "PaymentMeans")
        _cbc(means, "PaymentMeansCode", code)
        _cbc(means, "PaymentID", invoice.ocr)
        payee = _cac(means, "PayeeFinancialAccount")
        _cbc(payee, "ID", account)
        if branch:
            _cbc(_cac(payee, "FinancialInstitutionBranch"), "ID", branch)


def ubl_filename(invoice: Invoice) -> str:
    prefix = "kreditfaktura" if invoice.is_credit_note else "faktura"
    return f"{prefix}-{invoice.display_number}.xml"
