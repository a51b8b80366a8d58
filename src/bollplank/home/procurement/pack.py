"""The procurement pack's files, rendered in Swedish from the personal-data registry, the
deployment's settings and the security answers (templates/procurement/*.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django_scopes import scope

from bollplank.billing.models import BillingSettings
from bollplank.core.personal_data_registry import Category, categories
from bollplank.home.procurement.deployment import Deployment, blank, storage, sub_processors
from bollplank.home.procurement.questions import QUESTIONS, Question
from bollplank.home.views import ACCESSIBILITY_REVIEWED
from bollplank.privacy.services import retention_days

FILES = (
    "README.md",
    "pub-avtal.md",
    "underbitraden.md",
    "lagring.md",
    "tillganglighet.md",
    "sakerhetsfragor.md",
)

# The accessibility statement's own texts (templates/home/accessibility.html), so that the
# pack says what the page says; tests/home/test_procurement.py checks they are the page's.
STATEMENT_TITLE = "Accessibility statement"
STATEMENT_AIM = (
    "Bollplank is made to be used by everyone, including people who use a screen reader, only a "
    "keyboard, or a phone. It aims to meet WCAG 2.1 level AA, which the Swedish law on "
    "accessibility to digital public services (DOS-lagen, 2018:1937) requires of public bodies."
)
STATEMENT_CHECK = (
    "Every page is tested in a real browser with the automatic checker axe-core, and the main "
    "tasks are tested by keyboard only. Automatic tests do not find every problem."
)
STATEMENT_KNOWN = "None known at the moment. If you find one, tell us."
STATEMENT_DIGG = (
    'The Agency for Digital Government (<a href="https://www.digg.se/">DIGG</a>) supervises the '
    "law on accessibility to digital public services. If you are not satisfied with how we "
    "handle your report, you can complain to DIGG: on digg.se you report the deficiency in "
    "digital accessibility and tell what you reported to us and what answer you got."
)
# What axe-core is run with in every browser test (tests/browser/conftest.py AXE_TAGS).
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")


@dataclass(frozen=True)
class Party:
    """The controller in the agreement: a practice's name and organisation number, or blanks."""

    name: str
    org_number: str


@dataclass(frozen=True)
class Row:
    """One kind of personal data, as the agreement states it."""

    label: str
    purpose: str
    legal_basis: str
    subjects: str
    recipients: str
    encrypted: bool
    kept: str


def _kept(cat: Category, practice: Any) -> str:
    """How long the kind is kept: the practice's rule, or what a practice may choose."""
    ret = cat.retention
    if ret is None:
        return "ingen automatisk gallring"
    if practice is not None:
        days = retention_days(practice, cat)
        return f"{days} dagar" if days else _("until deleted")
    least = f" (minst {ret.minimum_days} dagar)" if ret.minimum_days > 1 else ""
    if ret.default_days:
        return f"{ret.default_days} dagar, om verksamheten inte väljer annat{least}"
    if not ret.keep_allowed:
        return f"det antal dagar verksamheten väljer{least}"
    return f"tills den raderas, eller det antal dagar verksamheten väljer{least}"


def processing_rows(practice: Any = None) -> list[Row]:
    """The record of processing activities, one row per registered kind of personal data."""
    return [
        Row(
            label=str(c.label),
            purpose=str(c.purpose),
            legal_basis=str(c.legal_basis),
            subjects=str(c.subjects),
            recipients=str(c.recipients),
            encrypted=c.encrypted,
            kept=_kept(c, practice),
        )
        for c in categories()
    ]


def _evidence(item: str) -> str:
    if re.fullmatch(r"[A-Z][A-Z0-9_]+", item):
        return f"inställningen `{item}`"
    if "::" in item:
        path, test = item.split("::", 1)
        return f"`{path}` (`{test}`)"
    if "#" in item:
        path, heading = item.split("#", 1)
        return f"`{path}` § {heading}"
    return f"`{item}`"


def _questions() -> list[tuple[Question, list[str]]]:
    return [(q, [_evidence(e) for e in q.evidence]) for q in QUESTIONS]


def _party(practice: Any) -> Party:
    if practice is None:
        return Party(blank(), blank())
    with scope(practice=practice):
        billing = BillingSettings.objects.filter(practice=practice).first()
    if billing is None:
        return Party(practice.name, blank())
    return Party(billing.legal_name or practice.name, billing.org_number or blank())


def _tidy(text: str) -> str:
    """Template tags leave blank lines and trailing spaces: Markdown wants neither."""
    lines = [line.rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def _context(deployment: Deployment | None, practice: Any) -> dict[str, Any]:
    rows = processing_rows(practice)
    return {
        "deployment": deployment,
        "practice": practice,
        "controller": _party(practice),
        "rows": rows,
        "subjects": sorted({r.subjects for r in rows}),
        "encrypted": [r.label for r in rows if r.encrypted],
        "sub_processors": sub_processors(deployment),
        "stores": storage(deployment),
        "questions": _questions(),
        "blank": blank(),
        "operator_email": deployment.operator_email if deployment else "",
        "statement": {
            "title": _(STATEMENT_TITLE),
            "aim": _(STATEMENT_AIM),
            "check": _(STATEMENT_CHECK),
            "known": _(STATEMENT_KNOWN),
            "digg": re.sub(r'<a href="([^"]+)">([^<]+)</a>', r"[\2](\1)", _(STATEMENT_DIGG)),
            "reviewed": formats.date_format(ACCESSIBILITY_REVIEWED, "DATE_FORMAT"),
        },
        "axe_tags": ", ".join(AXE_TAGS),
    }


def pack(
    deployment: Deployment | None, practice: Any = None, names: tuple[str, ...] = FILES
) -> dict[str, str]:
    """The pack's files by name. ``deployment=None`` writes the committed, neutral pack."""
    with translation.override("sv"):
        context = _context(deployment, practice)
        return {name: _tidy(render_to_string(f"procurement/{name}", context)) for name in names}


def practice_agreement(practice: Any) -> str:
    """The data processing agreement filled in for one practice, from this deployment."""
    deployment = Deployment.from_settings(practice)
    return pack(deployment, practice, ("pub-avtal.md",))["pub-avtal.md"]


def pack_write(out: Path, deployment: Deployment | None, practice: Any = None) -> list[Path]:
    """Write the pack's files into ``out``; returns the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in pack(deployment, practice).items():
        path = out / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
