"""The letterhead parts billing knows: the seller's organisation number, address and logo."""

from __future__ import annotations

import base64
from typing import Any

from django_scopes import scope

from bollplank.billing.branding import logo_of
from bollplank.billing.models import BillingSettings
from bollplank.core.documents import register_letterhead
from bollplank.core.models import Practice


def _letterhead(practice: Practice) -> dict[str, Any]:
    head: dict[str, Any] = {}
    with scope(practice=practice):
        billing = BillingSettings.objects.filter(practice=practice).first()
    if billing is not None:
        head["org_number"] = billing.org_number
        place = " ".join(p for p in (billing.postal_code, billing.city) if p)
        head["address"] = ", ".join(p for p in (billing.street, place) if p)
    logo = logo_of(practice)
    if logo is not None:
        data, content_type = logo
        head["logo"] = f"data:{content_type};base64,{base64.b64encode(data).decode()}"
    return head


register_letterhead(_letterhead)
