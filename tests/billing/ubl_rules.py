"""The EN 16931 / Peppol rules we can check without an XSLT 2 processor.

pyschematron (which runs CEN-EN16931-UBL.sch) needs Python 3.12; the machines run 3.11. So the
rules that carry an e-invoice are asserted here: required elements (BR-01…BR-16), the sums
(BR-CO-10, -13, -14, -15, -16, -17, BR-S-08), the buyer's reference (BT-10, PEPPOL-EN16931-R003),
no empty elements (PEPPOL-EN16931-R008), for Swedish parties the organisation number under scheme
0007 (BT-30, BT-47, endpoints), and the electronic addresses as the Peppol layer checks them:
the scheme from its code list (PEPPOL-EN16931-CL008, read from the official file), 0007 with its
Luhn digit (PEPPOL-COMMON-R049), 0088 with its GS1 check digit (PEPPOL-COMMON-R040).
The same checker runs on the official Peppol examples, so that it is known to accept what the
official rules accept and to catch a broken sum.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from stdnum import luhn
from stdnum.se import orgnr

CAC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2}"
CBC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"


def _dec(el: ET.Element | None) -> Decimal:
    return Decimal(el.text.strip()) if el is not None and el.text else Decimal(0)


def _text(root: ET.Element, path: str) -> str:
    el = root.find(path)
    return (el.text or "").strip() if el is not None else ""


def check_en16931(data: bytes) -> list[str]:
    """The failed rule ids (empty when every checked rule holds)."""
    root = ET.fromstring(data)  # noqa: S314  (our own output and the official examples)
    credit = root.tag.endswith("}CreditNote")
    line_tag = "CreditNoteLine" if credit else "InvoiceLine"
    failed: list[str] = []

    seller = f"{CAC}AccountingSupplierParty/{CAC}Party/"
    buyer = f"{CAC}AccountingCustomerParty/{CAC}Party/"
    country = f"{CAC}PostalAddress/{CAC}Country/{CBC}IdentificationCode"
    required = {
        "BR-01": f"{CBC}CustomizationID",
        "BR-02": f"{CBC}ID",
        "BR-03": f"{CBC}IssueDate",
        "BR-04": f"{CBC}CreditNoteTypeCode" if credit else f"{CBC}InvoiceTypeCode",
        "BR-05": f"{CBC}DocumentCurrencyCode",
        "BR-06": f"{seller}{CAC}PartyLegalEntity/{CBC}RegistrationName",
        "BR-07": f"{buyer}{CAC}PartyLegalEntity/{CBC}RegistrationName",
        "BR-09": seller + country,
        "BR-11": buyer + country,
        "BR-13": f"{CAC}LegalMonetaryTotal/{CBC}TaxExclusiveAmount",
        "BR-14": f"{CAC}LegalMonetaryTotal/{CBC}TaxInclusiveAmount",
        "BR-15": f"{CAC}LegalMonetaryTotal/{CBC}PayableAmount",
        "PEPPOL-EN16931-R001": f"{CBC}ProfileID",
    }
    for rule, path in required.items():
        if not _text(root, path):
            failed.append(rule)
    if any(not len(el) and not (el.text or "").strip() for el in root.iter()):
        failed.append("PEPPOL-EN16931-R008")
    lines = root.findall(f"{CAC}{line_tag}")
    if not lines:
        failed.append("BR-16")
    if not (_text(root, f"{CBC}BuyerReference") or _text(root, f"{CAC}OrderReference/{CBC}ID")):
        failed.append("PEPPOL-EN16931-R003")
    for party in ("AccountingSupplierParty", "AccountingCustomerParty"):
        endpoint = root.find(f"{CAC}{party}/{CAC}Party/{CBC}EndpointID")
        if endpoint is None or not endpoint.get("schemeID") or not (endpoint.text or "").strip():
            failed.append("PEPPOL-EN16931-R020" if party.startswith("AccountingS") else "R010")

    money = root.find(f"{CAC}LegalMonetaryTotal")
    assert money is not None
    line_sum = sum((_dec(x.find(f"{CBC}LineExtensionAmount")) for x in lines), Decimal(0))
    line_ext = _dec(money.find(f"{CBC}LineExtensionAmount"))
    allowances = _dec(money.find(f"{CBC}AllowanceTotalAmount"))
    charges = _dec(money.find(f"{CBC}ChargeTotalAmount"))
    tax_exclusive = _dec(money.find(f"{CBC}TaxExclusiveAmount"))
    tax_inclusive = _dec(money.find(f"{CBC}TaxInclusiveAmount"))
    prepaid = _dec(money.find(f"{CBC}PrepaidAmount"))
    rounding = _dec(money.find(f"{CBC}PayableRoundingAmount"))
    payable = _dec(money.find(f"{CBC}PayableAmount"))
    currency = _text(root, f"{CBC}DocumentCurrencyCode")
    tax_totals = [
        t
        for t in root.findall(f"{CAC}TaxTotal")
        if (t.find(f"{CBC}TaxAmount") is not None)
        and t.find(f"{CBC}TaxAmount").get("currencyID") == currency  # type: ignore[union-attr]
    ]
    tax = _dec(tax_totals[0].find(f"{CBC}TaxAmount")) if tax_totals else Decimal(0)

    if line_ext != line_sum:
        failed.append("BR-CO-10")
    if tax_exclusive != line_ext - allowances + charges:
        failed.append("BR-CO-13")
    if tax_inclusive != tax_exclusive + tax:
        failed.append("BR-CO-15")
    if payable != tax_inclusive - prepaid + rounding:
        failed.append("BR-CO-16")
    subtotals = tax_totals[0].findall(f"{CAC}TaxSubtotal") if tax_totals else []
    if not subtotals:
        failed.append("BR-CO-18")
    if tax != sum((_dec(s.find(f"{CBC}TaxAmount")) for s in subtotals), Decimal(0)):
        failed.append("BR-CO-14")
    for sub in subtotals:
        category = sub.find(f"{CAC}TaxCategory")
        assert category is not None
        code = _text(category, f"{CBC}ID")
        rate = _dec(category.find(f"{CBC}Percent"))
        base = _dec(sub.find(f"{CBC}TaxableAmount"))
        expected = (base * rate / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if _dec(sub.find(f"{CBC}TaxAmount")) != expected:
            failed.append("BR-CO-17")
        if code == "E" and not (
            _text(category, f"{CBC}TaxExemptionReason")
            or _text(category, f"{CBC}TaxExemptionReasonCode")
        ):
            failed.append("BR-E-10")
        # BR-S-08 / BR-E-08: the base of a category is the sum of its lines (plus document
        # charges and minus allowances of that category).
        of_lines = sum(
            (
                _dec(x.find(f"{CBC}LineExtensionAmount"))
                for x in lines
                if _text(x, f"{CAC}Item/{CAC}ClassifiedTaxCategory/{CBC}ID") == code
                and _dec(x.find(f"{CAC}Item/{CAC}ClassifiedTaxCategory/{CBC}Percent")) == rate
            ),
            Decimal(0),
        )
        doc_level = Decimal(0)
        for ac in root.findall(f"{CAC}AllowanceCharge"):
            if (
                _text(ac, f"{CAC}TaxCategory/{CBC}ID") == code
                and _dec(ac.find(f"{CAC}TaxCategory/{CBC}Percent")) == rate
            ):
                sign = 1 if _text(ac, f"{CBC}ChargeIndicator") == "true" else -1
                doc_level += sign * _dec(ac.find(f"{CBC}Amount"))
        if base != of_lines + doc_level:
            failed.append(f"BR-{code}-08")
    for line in lines:
        if _dec(line.find(f"{CAC}Price/{CBC}PriceAmount")) < 0:
            failed.append("BR-27")
    return failed


def check_swedish_parties(data: bytes) -> list[str]:
    """Seller and buyer identified by a valid Swedish organisation number under scheme 0007,
    as endpoint and as legal registration (BT-30, BT-47)."""
    root = ET.fromstring(data)  # noqa: S314
    failed = []
    for party, bt in (("AccountingSupplierParty", "BT-30"), ("AccountingCustomerParty", "BT-47")):
        base = f"{CAC}{party}/{CAC}Party/"
        for path, rule in (
            (f"{CAC}PartyLegalEntity/{CBC}CompanyID", bt),
            (f"{CBC}EndpointID", f"{bt}-endpoint"),
        ):
            el = root.find(base + path)
            if el is None or el.get("schemeID") != "0007" or not orgnr.is_valid(el.text or ""):
                failed.append(rule)
    return failed


PEPPOL_SCH = Path(__file__).resolve().parents[3] / "shared" / "peppol" / "PEPPOL-EN16931-UBL.sch"


def peppol_address_schemes() -> set[str] | None:
    """The "Electronic Address Identifier Scheme" code list of the official Peppol rules
    (the ``eaid`` variable of rule CL008); None where the file is not on this machine."""
    if not PEPPOL_SCH.exists():
        return None
    found = re.search(r'name="eaid" value="tokenize\(\'([^\']*)\'', PEPPOL_SCH.read_text())
    assert found, "the code list moved in the Peppol rules file"
    return set(found.group(1).split())


def _gs1_check_digit_holds(value: str) -> bool:
    """GS1 mod 10: weights 3 and 1 from the right, the check digit included (weight 1)."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(reversed(value)))
    return total % 10 == 0


def check_endpoints(data: bytes) -> list[str]:
    """The failed Peppol rules on the seller's and the buyer's EndpointID."""
    root = ET.fromstring(data)  # noqa: S314
    codes = peppol_address_schemes()
    failed = []
    for party in ("AccountingSupplierParty", "AccountingCustomerParty"):
        el = root.find(f"{CAC}{party}/{CAC}Party/{CBC}EndpointID")
        if el is None:
            failed.append(f"{party}: no EndpointID")
            continue
        scheme, value = el.get("schemeID", ""), (el.text or "").strip()
        if codes is not None and scheme not in codes:
            failed.append("PEPPOL-EN16931-CL008")
        if scheme == "0007" and not (len(value) == 10 and value.isdigit() and luhn.is_valid(value)):
            failed.append("PEPPOL-COMMON-R049")
        if scheme == "0088" and not (value.isdigit() and _gs1_check_digit_holds(value)):
            failed.append("PEPPOL-COMMON-R040")
    return failed
