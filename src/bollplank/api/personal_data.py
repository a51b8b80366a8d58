"""Personal API tokens (core/personal_data_registry.py): their names and use, never the hash."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from bollplank.api.models import ApiToken
from bollplank.core.personal_data_registry import Category, register


def _export(user: Any, confidential: bool) -> list[dict[str, Any]]:
    return [
        {
            "practice": t.practice.name,
            "name": t.name,
            "access": t.get_scope_display(),
            "starts_with": t.prefix,
            "created": t.created_at,
            "last_used": t.last_used_at,
            "revoked": t.revoked_at,
        }
        for t in ApiToken.objects.filter(user=user).select_related("practice")
    ]


register(
    Category(
        key="api.tokens",
        label=gettext_lazy("personal API tokens"),
        purpose=gettext_lazy("to let a person's own programs read or write their data"),
        legal_basis=gettext_lazy("contract (Art. 6.1 b)"),
        subjects=gettext_lazy("people with a login who create a token"),
        recipients=gettext_lazy("the person alone (only a hash is stored)"),
        export=_export,
        erase=lambda user: ApiToken.objects.filter(user=user).delete()[0],
        erasure=gettext_lazy("Removed: the tokens stop working."),
        practices=lambda user: set(
            ApiToken.objects.filter(user=user).values_list("practice_id", flat=True)
        ),
    )
)
