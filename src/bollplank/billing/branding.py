"""The practice's logo outside invoices: at a public address, so that mail can show it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django_scopes import scope

from bollplank.billing.models import BillingSettings
from bollplank.core.models import Practice


def logo_of(practice: Practice) -> tuple[bytes, str] | None:
    """The practice's current logo and its content type, or None."""
    with scope(practice=practice):
        row = (
            BillingSettings.objects.filter(practice=practice)
            .exclude(logo=None)
            .values_list("logo", "logo_content_type")
            .first()
        )
    if row is None or not row[0]:
        return None
    return bytes(row[0]), row[1]


def mail_branding(practice: Any) -> dict[str, str]:
    """What mail shows of the practice beyond its name: the logo's public address."""
    if practice is None:
        return {}
    with scope(practice=practice):
        has_logo = BillingSettings.objects.filter(practice=practice).exclude(logo=None).exists()
    if not has_logo:
        return {}
    return {"logo_url": settings.SITE_URL + reverse("practice_logo", args=[practice.slug])}
