"""The page where a person creates, names, scopes and revokes their API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bollplank.api import selectors, services
from bollplank.api.forms import TokenForm
from bollplank.core.forms import apply_errors
from bollplank.core.roles import Role
from bollplank.core.tenancy import PracticeRequest, practice_view, who


@practice_view(*Role)
def token_list(request: PracticeRequest) -> HttpResponse:
    """The person's own tokens; POST creates one and shows its secret once."""
    user, practice, _roles = who(request)
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, secret = services.token_create(
                user=user,
                practice=practice,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            form = TokenForm()
    return render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "secret": secret,
            "tokens": selectors.tokens_of(user, practice),
            "api_base": request.build_absolute_uri("/api/v1/"),
            "docs_url": reverse("api-v1:openapi-view"),
        },
        status=400 if form.errors else 200,
    )


@require_POST
@practice_view(*Role)
def token_revoke(request: PracticeRequest, pk: int) -> HttpResponse:
    user, practice, _roles = who(request)
    token = selectors.token_of(user, practice, pk)
    services.token_revoke(user=user, token=token)
    messages.success(request, _("The token is revoked. It no longer opens anything."))
    return redirect("api_tokens", practice.slug)
