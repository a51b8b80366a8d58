"""SAML 2.0 sign-in: the practice admin's page for a SAML provider, and allauth's SAML pages with
two things of ours: the sign-in's first page may send its form on to the IdP, and a response
posted a second time gets the page that says so."""

from __future__ import annotations

import logging

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.providers.saml import views as saml_views
from allauth.socialaccount.providers.saml.utils import get_app_or_404
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse

from bollplank.accounts.enums import IdentityProviderKind
from bollplank.accounts.identity import provider_of_app
from bollplank.accounts.identity_adapter import FAILED, PRIVATE_ADDRESS, REPLAYED, refused
from bollplank.accounts.identity_models import IdentityProvider
from bollplank.accounts.identity_saml import (
    VERIFIES_EMAIL,
    MetadataRefused,
    saml_provider_save,
    sso_origin,
)
from bollplank.accounts.identity_saml_forms import SamlProviderForm
from bollplank.accounts.identity_views import _clients, provider_form_page
from bollplank.accounts.mails import public_url
from bollplank.core.roles import Role
from bollplank.core.tenancy import PracticeRequest, practice_view, who

logger = logging.getLogger(__name__)


def service_addresses(provider: IdentityProvider) -> dict[str, str]:
    """What the IdP's administrator registers for Bollplank: its entity id (the metadata
    address, as allauth names the service), where answers are posted (ACS), the metadata."""
    slug = provider.app.client_id
    metadata = public_url(reverse("saml_metadata", kwargs={"organization_slug": slug}))
    return {
        "entity_id": metadata,
        "acs_url": public_url(reverse("saml_acs", kwargs={"organization_slug": slug})),
        "metadata_url": metadata,
    }


@practice_view(Role.ADMIN)
def saml_provider_edit(request: PracticeRequest, pk: int | None = None) -> HttpResponse:
    """Add or change a SAML 2.0 provider, or remove it; shows the addresses to give the IdP."""
    _user, practice, _roles = who(request)
    provider = (
        get_object_or_404(
            IdentityProvider.objects.select_related("app"),
            pk=pk,
            kind=IdentityProviderKind.SAML,
        )
        if pk
        else None
    )
    initial: dict[str, object] = {}
    if provider is not None:
        app_settings = provider.app.settings or {}
        idp = app_settings.get("idp") or {}
        initial = {
            "name": provider.name,
            "client": provider.client_id,
            "entity_id": idp.get("entity_id", ""),
            "metadata_url": idp.get("metadata_url", ""),
            "sso_url": idp.get("sso_url", ""),
            "x509cert": idp.get("x509cert", ""),
            "verifies_email": bool(app_settings.get(VERIFIES_EMAIL)),
            "required_for": provider.required_for,
        }
    form = SamlProviderForm(
        request.POST or None,
        initial=initial,
        clients=_clients(practice),  # type: ignore[arg-type]
    )
    return provider_form_page(
        request,
        provider,
        form,
        save=saml_provider_save,
        saved_name="identity_saml_edit",
        template="accounts/saml_provider_edit.html",
        context={"service": service_addresses(provider) if provider is not None else None},
    )


def _refusal(
    request: HttpRequest, organization_slug: str, reason: str, status: int
) -> HttpResponse:
    provider = provider_of_app(get_app_or_404(request, organization_slug))
    error: ImmediateHttpResponse = refused(request, reason, provider, status=status)
    return error.response


def _metadata_refusal(request: HttpRequest, organization_slug: str, exc: Exception) -> HttpResponse:
    """The refusal page for an IdP whose metadata may not or could not be fetched now."""
    logger.warning("SAML sign-in at %s without the IdP's metadata: %r", organization_slug, exc)
    reason = PRIVATE_ADDRESS if isinstance(exc, MetadataRefused) else FAILED
    return _refusal(request, organization_slug, reason, 502)


def login(request: HttpRequest, organization_slug: str) -> HttpResponse:
    """allauth's "Log in with …" page and its form, which allauth answers with a redirect to the
    IdP: a browser follows that redirect only to an address the page's form-action names."""
    try:
        response: HttpResponse = saml_views.login(request, organization_slug=organization_slug)
        origin = sso_origin(get_app_or_404(request, organization_slug))
    except (MetadataRefused, OSError) as exc:
        return _metadata_refusal(request, organization_slug, exc)
    if origin:
        response._csp_update = {"form-action": [origin]}  # type: ignore[attr-defined]
    return response


def finish_acs(request: HttpRequest, organization_slug: str) -> HttpResponse:
    """allauth's end of a SAML sign-in. A valid response whose sign-in this browser no longer
    has (used once already, or started elsewhere) is refused by allauth with a bare 403; it is
    a replay, and the person gets the page that says so."""
    try:
        response: HttpResponse = saml_views.finish_acs(request, organization_slug=organization_slug)
    except PermissionDenied:
        return _refusal(request, organization_slug, REPLAYED, 400)
    except (MetadataRefused, OSError) as exc:
        return _metadata_refusal(request, organization_slug, exc)
    return response
