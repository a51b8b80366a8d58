"""The agreement as PDF, through WeasyPrint like the invoices and certificates, with the
practice's letterhead (core/documents.py)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from bollplank.agreements.models import Acceptance, Agreement
from bollplank.agreements.terms import terms_for_display
from bollplank.core.documents import letterhead


def agreement_html(agreement: Agreement, acceptance: Acceptance | None = None) -> str:
    """The document in the agreement's language. Without an acceptance it is the document as
    made (the one whose hash the agreement keeps); with one, the same text with a verification
    line naming who accepted it, when, from where, and that hash."""
    with translation.override(agreement.language or "sv"):
        context: dict[str, Any] = {
            "agreement": agreement,
            "terms": terms_for_display(agreement.terms),
            "head": letterhead(agreement.practice),
            "acceptance": acceptance,
        }
        return render_to_string("agreements/document.html", context)


def agreement_pdf(agreement: Agreement, acceptance: Acceptance | None = None) -> bytes:
    from weasyprint import HTML  # late: loads Pango, which the web pages never need

    return HTML(string=agreement_html(agreement, acceptance), base_url=None).write_pdf()


def pdf_filename(agreement: Agreement, *, accepted: bool) -> str:
    suffix = "-godkant" if accepted else ""
    return f"handledningsavtal-{agreement.engagement_id}-v{agreement.version}{suffix}.pdf"
