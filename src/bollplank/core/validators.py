"""Validators for Swedish identifiers, backed by python-stdnum (no hand-rolled checksums)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.se import orgnr


def validate_org_number(value: str) -> None:
    if not value:
        return
    try:
        orgnr.validate(value)
    except Exception as exc:  # stdnum raises its own ValidationError subclasses
        raise ValidationError(
            _(
                "“%(value)s” is not a valid Swedish organisation number. It has ten digits, "
                "e.g. 212000-0142, and the last one is a check digit."
            ),
            code="invalid_org_number",
            params={"value": value[:20]},
        ) from exc


def normalize_org_number(value: str) -> str:
    """212000-0142 form, or the input unchanged when it is empty."""
    return orgnr.format(value) if value else value
