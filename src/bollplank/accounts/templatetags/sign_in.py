"""The level of assurance of a sign-in through an organisation's provider, in words."""

from __future__ import annotations

from typing import Any

from django import template

from bollplank.accounts.identity import LOA_KEY, loa_words

register = template.Library()


@register.filter
def assurance(data: dict[str, Any] | None) -> str:
    """A login session's (or a linked identity's) level of assurance: "" for a password."""
    return loa_words((data or {}).get(LOA_KEY))


@register.filter
def signed_in_through(data: dict[str, Any] | None) -> str:
    """The provider a login session was signed in through: "" for a password."""
    return str(((data or {}).get(LOA_KEY) or {}).get("provider") or "")
