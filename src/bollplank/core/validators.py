"""Validators for Swedish identifiers, backed by python-stdnum (no hand-rolled checksums)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import ean
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


# C0 control characters and DEL. PostgreSQL refuses NUL in text outright (the request would
# fail with a server error); the others are never typed by a person and only hide or break
# text in pages, mail headers and exports. Tab, newline and carriage return are text in a
# multi-line field, and nowhere else.
_LINE_BREAKS = frozenset("\t\n\r")
_CONTROL = frozenset(chr(c) for c in range(32)) | {"\x7f"}


def control_characters_in(value: str, *, multiline: bool) -> bool:
    """Whether ``value`` holds a control character a field of this kind may not hold."""
    refused = _CONTROL - _LINE_BREAKS if multiline else _CONTROL
    return not refused.isdisjoint(value)


def validate_no_control_characters(value: str, *, multiline: bool = False) -> None:
    """The one check every way in uses: forms (core/apps.py installs it on every text field)
    and the API's input schemas (api/base.py ``Strict``)."""
    if isinstance(value, str) and control_characters_in(value, multiline=multiline):
        raise ValidationError(
            _(
                "The text holds control characters (such as a null byte) that cannot be saved. "
                "Remove them and try again."
            )
            if multiline
            else _(
                "The text holds control characters (such as a null byte or a line break) that "
                "cannot be saved here. Remove them and try again."
            ),
            code="control_characters",
        )


def validate_gln(value: str) -> None:
    """A GS1 Global Location Number: thirteen digits, the last a GS1 check digit."""
    if not value:
        return
    if not (len(value) == 13 and value.isdigit() and ean.is_valid(value)):
        raise ValidationError(
            _(
                "“%(value)s” is not a valid GLN. A GLN has thirteen digits, e.g. "
                "7350053850019, and the last one is a check digit."
            ),
            code="invalid_gln",
            params={"value": value[:20]},
        )
