"""docs/security.md's "who can see what" table is the permission matrix's
(tests/matrix/table.py)."""

from __future__ import annotations

from tests.matrix.table import DOC, END, START, replace_table, table


def test_security_doc_table_matches_the_permission_matrix():
    text = DOC.read_text(encoding="utf-8")
    assert START in text and END in text
    assert text == replace_table(text, table()), (
        "docs/security.md differs from the permission matrix: run `python tests/matrix/table.py`"
    )


def test_security_doc_says_how_to_report_and_how_fast_we_answer():
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Reporting a vulnerability", 1)[1].split("\n## ", 1)[0]
    assert "security@bollplank.se" in section
    assert "Report a vulnerability" in section  # GitHub private vulnerability reporting
    assert "2 working days" in section and "5 working days" in section
    assert ".example" not in section  # no placeholder address
