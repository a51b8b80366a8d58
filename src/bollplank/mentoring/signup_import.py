"""The coordinator's import of sign-ups from a CSV file (a list from the organisation's own
survey or HR system), all or nothing.

Every row is checked first; duplicates are reported with row numbers (the same e-mail twice in
the file, or an e-mail already signed up to the programme). A file with any error imports
nothing and gets the full list, so it can be fixed and uploaded again without anything half
done; a clean file is written in bulk in one transaction. Row numbers are the spreadsheet's:
the header is row 1.
"""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import override as language_override

from bollplank.accounts.models import hash_token
from bollplank.core.audit import audit
from bollplank.core.tasking import task_at
from bollplank.mentoring.enums import AVAILABILITY, Side
from bollplank.mentoring.models import Programme, SignUp

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
# The error list shown is cut here (the count is always given in full).
MAX_ERRORS_SHOWN = 500
BATCH = 1000

# Column → accepted headings (case and surrounding spaces do not matter). The first Swedish one
# is what the page shows and the template file uses.
COLUMNS: dict[str, tuple[str, ...]] = {
    "side": ("som", "side", "mentor/adept"),
    "name": ("namn", "name"),
    "email": ("e-post", "epost", "email", "e-mail"),
    "unit": ("enhet", "unit"),
    "role_title": ("befattning", "roll", "role"),
    "manager_email": ("chefens e-post", "manager e-mail", "manager_email"),
    "years": ("års erfarenhet", "år", "years"),
    "topics": ("områden", "areas", "topics"),
    "goals": ("mål", "goals"),
    "languages": ("språk", "languages"),
    "location": ("ort", "location"),
    "availability": ("tider", "tillgänglighet", "availability"),
    "capacity": ("antal adepter", "capacity"),
    "prefer": ("gärna med", "prefer"),
    "avoid": ("helst inte med", "avoid"),
    "free_text": ("övrigt", "free text", "free_text"),
}
# The model's lengths, checked here since rows are not validated one by one by the model.
LIMITS: dict[str, int] = {
    name: getattr(SignUp._meta.get_field(name), "max_length", None) or 0
    for name in COLUMNS
    if name not in ("side", "availability")
}
REQUIRED_COLUMNS = ("side", "name", "email", "languages")
HEADINGS = {alias: name for name, aliases in COLUMNS.items() for alias in aliases}
SIDES = {"mentor": Side.MENTOR, "adept": Side.MENTEE, "mentee": Side.MENTEE}
FIELD_LABELS = {
    "side": gettext_lazy("as mentor or mentee"),
    "name": gettext_lazy("name"),
    "email": gettext_lazy("e-mail"),
    "unit": gettext_lazy("unit"),
    "role_title": gettext_lazy("role"),
    "manager_email": gettext_lazy("your manager's e-mail"),
    "years": gettext_lazy("years of experience"),
    "topics": gettext_lazy("areas"),
    "goals": gettext_lazy("goals"),
    "languages": gettext_lazy("languages"),
    "location": gettext_lazy("location"),
    "availability": gettext_lazy("availability"),
    "capacity": gettext_lazy("how many mentees"),
    "prefer": gettext_lazy("people I would like"),
    "avoid": gettext_lazy("people I would rather not"),
    "free_text": gettext_lazy("anything else"),
}


def _availability_codes() -> dict[str, str]:
    """Half-days by code ("mon-am") or by name in Swedish or English ("måndag förmiddag")."""
    codes = {code: code for code, _label in AVAILABILITY}
    for language in ("sv", "en"):
        with language_override(language):
            codes.update({str(label).casefold(): code for code, label in AVAILABILITY})
    return codes


@dataclass
class ImportResult:
    """What an import did: the number written, or every problem found (then nothing is)."""

    created: int = 0
    rows: int = 0
    errors: list[str] = field(default_factory=list)
    error_count: int = 0

    @property
    def ok(self) -> bool:
        return not self.error_count

    def add(self, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_SHOWN:
            self.errors.append(message)


def check_size(size: int) -> None:
    if size > MAX_BYTES:
        raise ValidationError(
            _("The file is larger than %(mb)d MB. Split it into smaller files and import each.")
            % {"mb": MAX_BYTES // (1024 * 1024)}
        )


def read_csv(data: bytes) -> tuple[list[str], list[list[str]]]:
    """The header and rows of a CSV file: UTF-8 (with or without Excel's BOM) or Windows-1252,
    separated by semicolons (Swedish Excel) or commas. Raises ValidationError with a clear
    message for anything else."""
    check_size(len(data))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise ValidationError(
                _("The file could not be read. Save it as CSV (UTF-8) and try again.")
            ) from exc
    if "\0" in text:
        raise ValidationError(
            _("The file could not be read. Save it as CSV (UTF-8) and try again.")
        )
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    try:
        table = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise ValidationError(
            _("The file could not be read as CSV: %(error)s") % {"error": str(exc)}
        ) from exc
    if not table or not any(cell.strip() for cell in table[0]):
        raise ValidationError(_("The file is empty."))
    header, rows = table[0], table[1:]
    if len(rows) > MAX_ROWS:
        raise ValidationError(
            _("The file has %(n)s rows; at most %(max)s can be imported at a time.")
            % {
                "n": number_format(len(rows), force_grouping=True),
                "max": number_format(MAX_ROWS, force_grouping=True),
            }
        )
    return header, rows


def _columns(header: list[str]) -> dict[str, int]:
    """Column name → position. Unknown, doubled or missing required headings are refused, so
    that no column is silently dropped."""
    found: dict[str, int] = {}
    problems: list[str] = []
    for index, heading in enumerate(header):
        key = " ".join(heading.split()).casefold()
        if not key:
            continue
        name = HEADINGS.get(key)
        if name is None:
            problems.append(
                _("Unknown column “%(heading)s” (row 1, column %(col)d).")
                % {"heading": heading.strip(), "col": index + 1}
            )
        elif name in found:
            problems.append(
                _("The column “%(heading)s” appears twice (row 1).") % {"heading": heading.strip()}
            )
        else:
            found[name] = index
    missing = [COLUMNS[name][0] for name in REQUIRED_COLUMNS if name not in found]
    if missing:
        problems.append(
            _("Columns missing in row 1: %(columns)s.") % {"columns": ", ".join(missing)}
        )
    if problems:
        raise ValidationError(problems)
    return found


def _parse_row(
    cells: dict[str, str], programme: Programme, codes: dict[str, str]
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """One row's values for a SignUp, and its problems as (field, message)."""
    values: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for name in COLUMNS:
        value = (
            " ".join(cells.get(name, "").split()) if name != "free_text" else cells.get(name, "")
        )
        value = value.strip()
        limit = LIMITS.get(name)
        if limit and len(value) > limit:
            problems.append((name, _("at most %(n)d characters") % {"n": limit}))
        values[name] = value
    side = SIDES.get(values["side"].casefold())
    if side is None:
        problems.append(("side", _("write mentor or adept")))
    values["side"] = side
    if not values["name"]:
        problems.append(("name", _("missing")))
    values["email"] = values["email"].lower()
    for name in ("email", "manager_email"):
        if values[name]:
            try:
                validate_email(values[name])
            except ValidationError:
                problems.append((name, _("not a valid e-mail address")))
        elif name == "email":
            problems.append((name, _("missing")))
    values["manager_email"] = values["manager_email"].lower()
    if not values["languages"]:
        problems.append(("languages", _("missing")))
    years = values["years"] or "0"
    if years.isdigit() and int(years) <= 70:
        values["years"] = int(years)
    else:
        problems.append(("years", _("a whole number from 0 to 70")))
    capacity = values["capacity"] or "1"
    if side == Side.MENTEE:
        values["capacity"] = 1
    elif capacity.isdigit() and 1 <= int(capacity) <= programme.max_mentees:
        values["capacity"] = int(capacity)
    else:
        problems.append(
            ("capacity", _("a whole number from 1 to %(k)d") % {"k": programme.max_mentees})
        )
    availability = []
    for word in values["availability"].replace(";", ",").split(","):
        if not word.strip():
            continue
        code = codes.get(" ".join(word.split()).casefold())
        if code is None:
            problems.append(("availability", _("unknown time “%(x)s”") % {"x": word.strip()}))
        elif code not in availability:
            availability.append(code)
    values["availability"] = availability
    return values, problems


def signups_import(
    *, actor: Any, programme: Programme, data: bytes, send_links: bool = True
) -> ImportResult:
    """Check a CSV file of sign-ups and, if every row is right, create them all at once.

    Refused as a whole, with every problem by row: bad values, the same e-mail twice in the
    file, an e-mail already signed up. After the pairs are published nothing can be imported.
    With ``send_links`` each new person is e-mailed their personal link (by the task worker,
    after the import is committed)."""
    if programme.published_at:
        raise ValidationError(_("The pairs are published; no more sign-ups can be imported."))
    header, rows = read_csv(data)
    columns = _columns(header)
    return _import_rows(
        actor=actor, programme=programme, columns=columns, rows=rows, send_links=send_links
    )


def _import_rows(
    *,
    actor: Any,
    programme: Programme,
    columns: dict[str, int],
    rows: Iterable[list[str]],
    send_links: bool,
) -> ImportResult:
    result = ImportResult()
    codes = _availability_codes()
    taken = {
        e.casefold(): True
        for e in SignUp.objects.filter(programme=programme).values_list("email", flat=True)
    }
    first_row: dict[str, int] = {}
    parsed: list[dict[str, Any]] = []
    for index, cells in enumerate(rows):
        row = index + 2  # the header is row 1
        if not any(c.strip() for c in cells):
            continue  # an empty line, as spreadsheets leave at the end
        result.rows += 1
        named = {name: cells[pos] if pos < len(cells) else "" for name, pos in columns.items()}
        values, problems = _parse_row(named, programme, codes)
        for name, message in problems:
            result.add(
                _("Row %(row)d: %(field)s: %(problem)s.")
                % {"row": row, "field": FIELD_LABELS[name], "problem": message}
            )
        email = values["email"]
        if email and not any(name == "email" for name, _m in problems):
            if email in taken:
                result.add(
                    _("Row %(row)d: %(email)s has already signed up to this programme.")
                    % {"row": row, "email": email}
                )
            elif email in first_row:
                result.add(
                    _("Row %(row)d: %(email)s is also on row %(first)d.")
                    % {"row": row, "email": email, "first": first_row[email]}
                )
            else:
                first_row[email] = row
        parsed.append(values)
    if not result.rows:
        raise ValidationError(_("The file has a header but no rows to import."))
    if not result.ok:
        return result
    signups = []
    for values in parsed:
        signup = SignUp(
            practice=programme.practice,
            programme=programme,
            # A random token nobody is shown: the person's link is a signed one (mentoring.links).
            token_hash=hash_token(secrets.token_urlsafe(24)),
            **values,
        )
        signups.append(signup)
    try:
        with transaction.atomic():
            created = SignUp.objects.bulk_create(signups, batch_size=BATCH)
            audit(
                actor,
                "mentoring.signups.imported",
                programme,
                {
                    "signups": len(created),
                    "mentors": sum(1 for s in created if s.side == Side.MENTOR),
                    "mentees": sum(1 for s in created if s.side == Side.MENTEE),
                },
            )
    except IntegrityError as exc:  # someone signed up through the form meanwhile
        raise ValidationError(
            _("Someone in the file signed up meanwhile. Upload the file again to see who.")
        ) from exc
    result.created = len(created)
    if send_links:
        _send_links_later(programme, created)
    return result


def _send_links_later(programme: Programme, created: list[SignUp]) -> None:
    ids = [s.pk for s in created if s.pk is not None]
    if len(ids) < len(created):  # a database that does not return ids from a bulk insert
        emails = [s.email for s in created]
        ids = list(
            SignUp.objects.filter(programme=programme, email__in=emails).values_list(
                "pk", flat=True
            )
        )
    practice_id, programme_id = programme.practice_id, programme.pk
    transaction.on_commit(
        lambda: task_at("bollplank.mentoring.tasks.mail_personal_links").enqueue(
            practice_id=practice_id, programme_id=programme_id, signup_ids=ids
        )
    )
