"""A client's Peppol participant identifier (its electronic address, BT-49): a scheme from the
Peppol code list and a value, checked the way the Peppol BIS Billing 3.0 rules check it, so that
an invoice is not refused by the network for a typo."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.se import orgnr

from bollplank.clients.enums import PeppolScheme
from bollplank.core.validators import validate_gln, validate_org_number

# Peppol identifier values are at most 50 characters (Peppol Policy for use of identifiers);
# registers write them with letters, digits and a few separators (a PEC address has an @).
_VALUE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/+@-]{0,49}$")


def normalize_participant(scheme: str, value: str) -> str:
    """The value as the network writes it: a Swedish organisation number as its ten digits
    (212000-0142 → 2120000142), a GLN without spaces, any other value without the blanks
    around it."""
    value = value.strip()
    if scheme == PeppolScheme.SE_ORG:
        return orgnr.compact(value) if value else value
    if scheme == PeppolScheme.GLN:
        return value.replace(" ", "")
    return value


def validate_participant(scheme: str, value: str) -> None:
    """Refuse a value that its scheme's rule would refuse (PEPPOL-COMMON-R049 for 0007, R040
    for 0088); for the other schemes, the characters a participant identifier may hold.
    Errors are keyed by the client's fields."""
    if not scheme and not value:
        return
    if not scheme:
        raise ValidationError({"peppol_scheme": _("Choose the scheme of the Peppol address.")})
    if not value:
        raise ValidationError({"peppol_id": _("Give the Peppol address, or choose no scheme.")})
    if scheme not in PeppolScheme.values:
        raise ValidationError({"peppol_scheme": _("Choose a scheme from the Peppol code list.")})
    try:
        if scheme == PeppolScheme.SE_ORG:
            validate_org_number(value)  # python-stdnum: ten digits, Luhn check digit
        elif scheme == PeppolScheme.GLN:
            validate_gln(value)
        elif not _VALUE.match(value):
            raise ValidationError(
                _(
                    "A Peppol address holds at most 50 letters A–Z, digits and the signs "
                    ". _ - : / + @, and begins with a letter or a digit."
                ),
                code="invalid_peppol_id",
            )
    except ValidationError as exc:
        raise ValidationError({"peppol_id": exc.error_list}) from exc
