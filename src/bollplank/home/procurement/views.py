"""The practice's own data processing agreement (Settings → Data processing agreement)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from bollplank.core.roles import Role
from bollplank.core.tenancy import PracticeRequest, practice_view, who
from bollplank.home.procurement.pack import practice_agreement


@practice_view(Role.ADMIN)
def processing_agreement(request: PracticeRequest) -> HttpResponse:
    """The agreement template filled in with the practice's legal name, organisation number and
    retention rules, to read here or download as Markdown (``?download=1``)."""
    _user, practice, _roles = who(request)
    text = practice_agreement(practice)
    if request.GET.get("download"):
        response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="pub-avtal-{practice.slug}.md"'
        return response
    return render(request, "home/processing_agreement.html", {"text": text})
