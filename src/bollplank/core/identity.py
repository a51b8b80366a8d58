"""Find what looks like a Swedish personal identity or coordination number in free text.

Case supervision is about people who are not in the room: the text must not identify them.
We warn and let the writer decide; nothing is changed silently. One guard for every free
text that can hold a case: notes, summaries, questions, takeaways, journals, evaluation
answers and inquiries.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import luhn

# 6 or 8 digits of date, an optional - or +, and 4 digits; not inside a longer number.
_CANDIDATE = re.compile(r"(?<!\d)(\d{2})?(\d{2})(\d{2})(\d{2})\s?[-+]?\s?(\d{4})(?!\d)")


def _valid_date(yy: str, mm: str, dd: str, century: str | None) -> bool:
    day = int(dd)
    if day > 60:  # a coordination number (samordningsnummer) adds 60 to the day
        day -= 60
    year = int((century or "19") + yy)
    try:
        dt.date(year, int(mm), day)
    except ValueError:
        # Without a century, 29 February may belong to another century's leap year.
        return century is None and int(mm) == 2 and day == 29
    return True


def find_identity_numbers(text: str) -> list[str]:
    """Every substring of ``text`` that is a checksum-valid personnummer or samordningsnummer."""
    found: list[str] = []
    for match in _CANDIDATE.finditer(text or ""):
        century, yy, mm, dd, last4 = match.groups()
        if not _valid_date(yy, mm, dd, century):
            continue
        if luhn.is_valid(yy + mm + dd + last4):
            found.append(match.group(0))
    return found


IDENTITY_NUMBER = "identity_number"


def guard_identity_numbers(texts: Mapping[str, str], *, confirmed: bool) -> None:
    """Every free text that can hold a case goes through here, whatever the meeting's focus: a
    text that looks like it holds a personal identity number needs the writer's confirmation,
    since the people discussed are not in the room and must not be identifiable.

    ``texts`` maps form field names to what was typed; the error sits on each field that holds
    a number, with the code ``identity_number`` so that the form can offer the confirmation."""
    if confirmed:
        return
    errors = {}
    for field, text in texts.items():
        found = find_identity_numbers(text)
        if found:
            message = _(
                "The text contains what looks like a personal identity number (%(found)s). "
                "Case texts must not identify anyone: rephrase, or confirm that it is "
                "not an identity number."
            ) % {"found": ", ".join(found[:3])}
            errors[field] = ValidationError(message, code=IDENTITY_NUMBER)
    if errors:
        raise ValidationError(errors)
