"""A client contact's pages of their organisation's own log-in: its providers, adding and
changing one (the secret is never shown back), and the staff linked to it with the level of
assurance of their latest sign-in. Another client's log-ins and the practice's own answer 404."""

from __future__ import annotations

from allauth.socialaccount.models import SocialAccount
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from bollplank.accounts.enums import IdentityProviderKind
from bollplank.accounts.identity import (
    identity_link,
    identity_unlink,
    linked_people,
    people_of,
)
from bollplank.accounts.identity_forms import IdentityLinkForm
from bollplank.accounts.identity_models import IdentityProvider
from bollplank.accounts.identity_views import provider_initial
from bollplank.accounts.mails import public_url
from bollplank.clients.identity import (
    client_identity_provider_remove,
    client_identity_provider_save,
    client_providers_visible_to,
    clients_of_contact,
)
from bollplank.clients.identity_forms import ClientIdentityProviderForm
from bollplank.core.forms import apply_errors
from bollplank.core.roles import Role
from bollplank.core.tenancy import PracticeRequest, practice_view, who


@practice_view(Role.CLIENT_CONTACT)
def client_identity_providers(request: PracticeRequest) -> HttpResponse:
    """The log-ins of the contact's organisations."""
    user, practice, _roles = who(request)
    return render(
        request,
        "clients/identity_providers.html",
        {"identity_providers": list(client_providers_visible_to(user, practice))},
    )


# The client secret must not reach an error report.
@sensitive_post_parameters("secret")
@practice_view(Role.CLIENT_CONTACT)
def client_identity_provider_edit(request: PracticeRequest, pk: int | None = None) -> HttpResponse:
    """Add or change the organisation's OpenID Connect log-in, or remove it."""
    user, practice, _roles = who(request)
    provider: IdentityProvider | None = None
    if pk is not None:
        provider = get_object_or_404(
            client_providers_visible_to(user, practice).filter(kind=IdentityProviderKind.OIDC),
            pk=pk,
        )
    if provider is not None and request.method == "POST" and request.POST.get("action") == "remove":
        client_identity_provider_remove(actor=user, practice=practice, provider=provider)
        messages.success(request, _("The log-in %(name)s is removed.") % {"name": provider.name})
        return redirect("client_identity_providers", practice.slug)
    form = ClientIdentityProviderForm(
        request.POST or None,
        initial=provider_initial(provider),
        has_secret=provider is not None,
        clients=clients_of_contact(user, practice),
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = client_identity_provider_save(
                actor=user, practice=practice, provider=provider, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The log-in %(name)s is saved.") % {"name": saved.name})
            return redirect("client_identity_provider_people", practice.slug, saved.pk)
    return render(
        request,
        "clients/identity_provider_edit.html",
        {"form": form, "identity_provider": provider},
        status=400 if form.errors else 200,
    )


@practice_view(Role.CLIENT_CONTACT)
def client_identity_provider_people(request: PracticeRequest, pk: int) -> HttpResponse:
    """The organisation's staff linked to its log-in, with the level of assurance of their
    latest sign-in; link one to the identity the provider knows them by, or remove a link."""
    user, practice, _roles = who(request)
    provider = get_object_or_404(client_providers_visible_to(user, practice), pk=pk)
    form = IdentityLinkForm(
        request.POST if request.POST.get("action") == "link" else None,
        people=people_of(provider),
    )
    if request.method == "POST" and request.POST.get("action") == "unlink":
        account = get_object_or_404(
            SocialAccount, pk=request.POST.get("account"), provider=provider.app.provider_id
        )
        identity_unlink(actor=user, provider=provider, account=account)
        messages.success(request, _("The link is removed."))
        return redirect("client_identity_provider_people", practice.slug, provider.pk)
    if request.method == "POST" and form.is_valid():
        try:
            identity_link(actor=user, provider=provider, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s can now log in through %(provider)s.")
                % {"name": form.cleaned_data["user"].name, "provider": provider.name},
            )
            return redirect("client_identity_provider_people", practice.slug, provider.pk)
    return render(
        request,
        "clients/identity_provider_people.html",
        {
            "identity_provider": provider,
            "people": linked_people(provider),
            "form": form,
            "redirect_uri": public_url(provider.callback_path),
        },
        status=400 if form.errors else 200,
    )
