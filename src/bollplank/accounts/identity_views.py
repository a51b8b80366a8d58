"""Log-in through an organisation: the practice admin's providers and linked identities, and
the pages where a person chooses their organisation's log-in."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from typing import Any

import requests
from allauth.socialaccount.models import SocialAccount, SocialApp
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.openid_connect import views as oidc_views
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django_scopes import scope

from bollplank.accounts.assurance import DEFAULT_STRONG_ACR, strong_acr_of
from bollplank.accounts.enums import IdentityProviderKind
from bollplank.accounts.identity import (
    identity_link,
    identity_provider_remove,
    identity_provider_save,
    identity_unlink,
    linked_people,
    people_of,
    practice_for_login,
    provider_of_app,
    provider_origins,
    providers_for_address,
    providers_of,
)
from bollplank.accounts.identity_adapter import FAILED
from bollplank.accounts.identity_forms import (
    IdentityLinkForm,
    IdentityProviderForm,
    OrganisationForm,
    SignInAddressForm,
)
from bollplank.accounts.identity_models import IdentityProvider
from bollplank.accounts.mails import public_url
from bollplank.core.forms import apply_errors
from bollplank.core.roles import Role
from bollplank.core.tenancy import PracticeRequest, practice_view, who

logger = logging.getLogger(__name__)


def _clients(practice: object) -> object:
    # The client organisations to choose from; accounts sits below clients, so the model is
    # reached through the provider's own relation to it.
    client_model = IdentityProvider._meta.get_field("client").related_model
    return client_model._default_manager.filter(practice=practice).order_by("name")  # type: ignore[union-attr]


@practice_view(Role.ADMIN)
def identity_providers(request: PracticeRequest) -> HttpResponse:
    """The practice's log-ins through organisations, its own and its clients'."""
    _user, practice, _roles = who(request)
    return render(
        request, "accounts/identity_providers.html", {"identity_providers": providers_of(practice)}
    )


# The client secret must not reach an error report.
@sensitive_post_parameters("secret")
@practice_view(Role.ADMIN)
def identity_provider_edit(request: PracticeRequest, pk: int | None = None) -> HttpResponse:
    """Add or change an OpenID Connect provider (the secret is never shown back), or remove it."""
    _user, practice, _roles = who(request)
    provider = (
        get_object_or_404(IdentityProvider.objects.select_related("app"), pk=pk) if pk else None
    )
    if provider is not None and provider.kind == IdentityProviderKind.SAML:
        return redirect("identity_saml_edit", practice.slug, provider.pk)
    form = IdentityProviderForm(
        request.POST or None,
        initial=provider_initial(provider),
        has_secret=provider is not None,
        clients=_clients(practice),  # type: ignore[arg-type]
    )
    return provider_form_page(
        request,
        provider,
        form,
        save=identity_provider_save,
        saved_name="identity_provider_people",
        template="accounts/identity_provider_edit.html",
    )


def provider_form_page(
    request: PracticeRequest,
    provider: IdentityProvider | None,
    form: forms.Form,
    *,
    save: Callable[..., IdentityProvider],
    saved_name: str,
    template: str,
    context: dict[str, object] | None = None,
    remove: Callable[[IdentityProvider], object] | None = None,
    list_name: str = "identity_providers",
) -> HttpResponse:
    """A provider's settings page, the admin's or a client contact's, OpenID Connect or SAML:
    "remove" removes it (``remove(provider)``, by default as the practice's admin) and leads to
    ``list_name``; a valid form is saved (``save(actor, practice, provider, **cleaned_data)``)
    and leads to ``saved_name``."""
    user, practice, _roles = who(request)
    if provider is not None and request.method == "POST" and request.POST.get("action") == "remove":
        if remove is None:
            identity_provider_remove(actor=user, provider=provider)
        else:
            remove(provider)
        messages.success(request, _("The log-in %(name)s is removed.") % {"name": provider.name})
        return redirect(list_name, practice.slug)
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(actor=user, practice=practice, provider=provider, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The log-in %(name)s is saved.") % {"name": saved.name})
            return redirect(saved_name, practice.slug, saved.pk)
    return render(
        request,
        template,
        {"form": form, "identity_provider": provider, **(context or {})},
        status=400 if form.errors else 200,
    )


def provider_initial(provider: IdentityProvider | None) -> dict[str, object]:
    """The provider's settings as its form shows them (never the secret)."""
    if provider is None:
        return {"strong_acr": "\n".join(DEFAULT_STRONG_ACR)}
    return {
        "name": provider.name,
        "client": provider.client_id,
        "server_url": (provider.app.settings or {}).get("server_url", ""),
        "client_id": provider.app.client_id,
        "required_for": provider.required_for,
        "strong_acr": "\n".join(strong_acr_of(provider)),
    }


@practice_view(Role.ADMIN)
def identity_provider_people(request: PracticeRequest, pk: int) -> HttpResponse:
    """A provider's linked people with the assurance of their latest sign-in; link a person to
    the identity the provider knows them by, or remove a link."""
    provider: IdentityProvider = get_object_or_404(
        IdentityProvider.objects.select_related("app", "client"), pk=pk
    )
    return provider_people_page(
        request,
        provider,
        here="identity_provider_people",
        template="accounts/identity_provider_people.html",
    )


def provider_people_page(
    request: PracticeRequest, provider: IdentityProvider, *, here: str, template: str
) -> HttpResponse:
    """The linked people of a provider the acting person may manage (the admin's, or a client
    contact's own): "unlink" removes a link, "link" links a person; either leads back to
    ``here``, the page's own name."""
    user, practice, _roles = who(request)
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
        return redirect(here, practice.slug, provider.pk)
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
            return redirect(here, practice.slug, provider.pk)
    return render(
        request,
        template,
        {
            "identity_provider": provider,
            "people": linked_people(provider),
            "form": form,
            # The public address, as every link Bollplank gives out (not the request's Host).
            "redirect_uri": public_url(provider.callback_path),
        },
        status=400 if form.errors else 200,
    )


def sign_in_organisation(request: HttpRequest) -> HttpResponse:
    """ "Log in through your organisation": the practice is named first, then the person's
    address. Any short name leads on: the next page does not tell whether it is a practice."""
    form = OrganisationForm(request.GET or None)
    if form.is_valid():
        return redirect("sign_in_practice", form.cleaned_data["practice"])
    return render(
        request,
        "accounts/sign_in_organisation.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def sign_in_practice(request: HttpRequest, practice_slug: str) -> HttpResponse:
    """The log-ins of the person's organisation, a button each, once they give their address.
    The same page for any short name, a practice's or not, and without the practice's name:
    nobody learns from it which practices there are or whom they serve."""
    form = SignInAddressForm(request.GET or None)
    providers: list[IdentityProvider] = []
    practice = practice_for_login(practice_slug)
    if form.is_valid() and practice is not None:
        with scope(practice=practice):
            providers = providers_for_address(practice, form.cleaned_data["email"])
    response = render(
        request,
        "accounts/sign_in_practice.html",
        {
            "form": form,
            "identity_providers": providers,
            "redirect_field_value": request.GET.get("next", ""),
        },
    )
    return allow_forms_to(response, providers)


def allow_forms_to(response: HttpResponse, providers: Iterable[IdentityProvider]) -> HttpResponse:
    """Let the page's "Log in with …" forms lead on to the providers: the browser holds a form
    whose answer redirects elsewhere to the Content-Security-Policy's form-action."""
    origins = provider_origins(providers)
    if origins:
        response._csp_update = {"form-action": origins}  # type: ignore[attr-defined]
    return response


def with_required_buttons(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """allauth's log-in page, whose refusal of a password shows the required provider's
    button (accounts.adapter sets which on the request)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        required = getattr(request, "required_identity_providers", None)
        return allow_forms_to(response, required) if required else response

    return wrapped


def oidc_login_start(request: HttpRequest, provider_id: str) -> HttpResponse:
    """allauth's start of an OpenID Connect sign-in, answering a provider that cannot be
    reached (or may not be: a private address) with the refusal page instead of an error:
    allauth reads the provider's discovery document here and lets its failure through."""
    try:
        return oidc_views.login(request, provider_id)
    except (requests.RequestException, OAuth2Error) as exc:
        provider = provider_of_app(SocialApp.objects.filter(provider_id=provider_id).first())
        logger.warning("sign-in could not start at provider %s: %r", provider_id, exc)
        return render(
            request,
            "socialaccount/refused.html",
            {"reason": FAILED, "identity_provider": provider},
            status=502,
        )


def connections_gone(request: HttpRequest) -> HttpResponse:
    """allauth's own page of a person's linked identities: it would list every practice's
    providers to anyone logged in and let a person remove a link their admin made. The
    practice's admin manages the links; the page is not there."""
    raise Http404
