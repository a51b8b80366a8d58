"""Acceptances of supervision agreements (core/personal_data_registry.py): who accepted,
when, from which address and browser. They are the evidence of a contract, so erasure keeps
the acceptance and its name but drops the address and the browser."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from bollplank.agreements.models import Acceptance
from bollplank.core.personal_data_registry import Category, register


def _rows(user: Any) -> QuerySet[Acceptance]:
    return Acceptance.objects.filter(accepted_by=user)


def _export(user: Any, confidential: bool) -> list[dict[str, Any]]:
    return [
        {
            "practice": a.practice.name,
            "engagement": a.agreement.engagement.title,
            "agreement_version": a.agreement.version,
            "name": a.name,
            "at": a.accepted_at.isoformat(),
            "ip": a.ip_address or "",
            "browser": a.user_agent,
        }
        for a in _rows(user).select_related("practice", "agreement__engagement")
    ]


def _erase(user: Any) -> int:
    return _rows(user).update(ip_address=None, user_agent="")


register(
    Category(
        key="agreements.acceptances",
        label=gettext_lazy("acceptances of supervision agreements"),
        purpose=gettext_lazy("to show who accepted which version of an agreement, and when"),
        legal_basis=gettext_lazy("contract (Art. 6.1 b)"),
        subjects=gettext_lazy("client contacts"),
        recipients=gettext_lazy("the practice and the client"),
        export=_export,
        erase=_erase,
        erasure=gettext_lazy(
            "The acceptance stays, with the name, as evidence of the contract; the IP address "
            "and the browser are removed."
        ),
        practices=lambda user: set(_rows(user).values_list("practice_id", flat=True)),
    )
)
