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
