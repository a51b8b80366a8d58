"""What the documents a practice hands out (certificates) share: the practice's letterhead,
the issuer's qualifications, and a verification code anyone can check on the site.

The letterhead and the qualifications live in apps above this floor (billing keeps the address,
organisation number and logo; directory the supervisor's profile), so those apps register how
to read them, like the personal-data registry: each app's ``documents.py`` calls ``register_*``
(core/apps.py imports every such module when Django starts)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from typing import Any

from django.conf import settings

from bollplank.core.models import Practice

_letterhead_parts: list[Callable[[Practice], dict[str, Any]]] = []
_qualification_parts: list[Callable[[Practice, Any], list[str]]] = []

# The kinds of certificate a code can name: one letter each, so that the code stays short.
CERTIFICATE_KINDS = {"H": "hours", "C": "course"}


def register_letterhead(part: Callable[[Practice], dict[str, Any]]) -> None:
    if part not in _letterhead_parts:
        _letterhead_parts.append(part)


def register_qualifications(part: Callable[[Practice, Any], list[str]]) -> None:
    if part not in _qualification_parts:
        _qualification_parts.append(part)


def letterhead(practice: Practice) -> dict[str, Any]:
    """The practice's name, and what the apps know: ``org_number``, ``address``, ``logo`` (a
    data: URI, so that the PDF needs no network)."""
    head: dict[str, Any] = {"name": practice.name}
    for part in _letterhead_parts:
        head.update(part(practice))
    return head


def qualifications(practice: Practice, user: Any) -> list[str]:
    """What the person's profile in this practice says about their training, if anything."""
    return [line for part in _qualification_parts for line in part(practice, user) if line]


def _mac(kind: str, pk: int) -> str:
    key = settings.SECRET_KEY.encode()
    digest = hmac.new(key, f"certificate:{kind}:{pk}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:5]).decode()  # 8 characters, no look-alike padding


def verification_code(kind: str, pk: int) -> str:
    """A short code printed on a certificate, derived (never stored): the kind, the row and a
    keyed hash, e.g. ``H42-K3QZ7ABC``. Guessing a valid one means guessing the hash."""
    letter = next(k for k, v in CERTIFICATE_KINDS.items() if v == kind)
    return f"{letter}{pk}-{_mac(kind, pk)}"


def read_verification_code(code: str) -> tuple[str, int] | None:
    """The kind and row a code names, or None when it is not one this site made."""
    head, _sep, mac = code.strip().upper().partition("-")
    kind = CERTIFICATE_KINDS.get(head[:1])
    if kind is None or not head[1:].isdigit() or len(head) > 12:
        return None
    pk = int(head[1:])
    return (kind, pk) if hmac.compare_digest(mac, _mac(kind, pk)) else None
