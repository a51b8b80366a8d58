"""Permission matrix rows of the Bankgiro payments pages (collected by tests/matrix/__init__.py):
practice admins only; another practice's payment is not found."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django_scopes import scopes_disabled

from tests.conftest import World
from tests.matrix import ADMIN_ONLY, Case, P


def _payment(w: World, practice: Any = None) -> int:
    """A payment that names no invoice, in the world's practice (or another one)."""
    from bollplank.billing.models import Payment, PaymentImport
    from bollplank.core import clock

    practice = practice or w.practice
    with scopes_disabled():
        done = PaymentImport.objects.create(
            practice=practice,
            sha256="0" * 64,
            filename="bgmax.txt",
            source="upload",
            imported_at=clock.now(),
        )
        return Payment.objects.create(
            practice=practice,
            bank_import=done,
            paid_on=clock.today(),
            bank_reference="000000000001",
            amount_ore=10000,
            line=3,
        ).pk


MATRIX: list[Case] = [
    ("bgmax_import", "get", lambda w: [P], ADMIN_ONLY),
    ("payment_assign", "post", lambda w: [P, _payment(w)], {**ADMIN_ONLY, "admin": 302}),
]
FOREIGN_OBJECTS: list[tuple[str, Callable[[World], list[Any]]]] = [
    ("payment_assign", lambda w: [P, _payment(w, w.other_practice)]),
]
