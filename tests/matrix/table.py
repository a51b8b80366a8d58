"""The "who can see what" table in docs/security.md, generated from the permission matrix so
that it cannot drift: `python tests/matrix/table.py` rewrites it, and
tests/privacy/test_security_doc.py fails when the committed table differs."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "security.md"
START, END = "<!-- matrix:start -->", "<!-- matrix:end -->"
HEADINGS = {
    "anonymous": "not logged in",
    "admin": "practice admin",
    "supervisor": "supervisor (own)",
    "other_supervisor": "other supervisor",
    "contact": "client contact",
    "participant": "participant",
    "outsider": "participant elsewhere in the firm",
    "foreign": "member of another practice",
}
SIGNS = {200: "✓", 204: "✓", 302: "login", 301: "→", 403: "–", 404: "–", 405: "–", 410: "gone"}


def table() -> str:
    from tests.test_permissions import MATRIX, ROLES

    lines = [
        "| page (URL name) | " + " | ".join(HEADINGS[r] for r in ROLES) + " |",
        "| --- |" + " :-: |" * len(ROLES),
    ]
    seen = set()
    for name, method, _args, expected in sorted(MATRIX, key=lambda c: (c[0], c[1])):
        key = (name, method)
        if key in seen:
            continue
        seen.add(key)
        label = name if method == "get" else f"{name} ({method.upper()})"
        # A redirect is the login page only for the anonymous visitor; for a member it is a
        # POST that did its work and went back to a page (it read "login" before, wrongly).
        cells = [
            "✓"
            if expected[r] == 302 and r != "anonymous"
            else SIGNS.get(expected[r], str(expected[r]))
            for r in ROLES
        ]
        lines.append(f"| `{label}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def replace_table(text: str, new: str) -> str:
    head, rest = text.split(START, 1)
    _old, tail = rest.split(END, 1)
    return f"{head}{START}\n{new}\n{END}{tail}"


def main() -> None:
    sys.path[:0] = [str(ROOT), str(ROOT / "src")]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bollplank.settings")
    os.environ.setdefault("PYTEST_VERSION", "table")  # the test settings: no keys needed
    import django

    django.setup()
    DOC.write_text(replace_table(DOC.read_text(encoding="utf-8"), table()), encoding="utf-8")
    print(f"wrote the table to {DOC}")


if __name__ == "__main__":
    main()
