"""allauth's SAML pages, with two things of ours: the sign-in's first page may send its form on
to the IdP, and a response posted a second time gets the page that says so."""

from __future__ import annotations

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.providers.saml import views as saml_views
from allauth.socialaccount.providers.saml.utils import get_app_or_404
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from bollplank.accounts.identity import provider_of_app
from bollplank.accounts.identity_adapter import REPLAYED, refused
from bollplank.accounts.identity_saml import sso_origin


def login(request: HttpRequest, organization_slug: str) -> HttpResponse:
    """allauth's "Log in with …" page and its form, which allauth answers with a redirect to the
    IdP: a browser follows that redirect only to an address the page's form-action names."""
    response: HttpResponse = saml_views.login(request, organization_slug=organization_slug)
    origin = sso_origin(get_app_or_404(request, organization_slug))
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
        provider = provider_of_app(get_app_or_404(request, organization_slug))
        error: ImmediateHttpResponse = refused(request, REPLAYED, provider, status=400)
        return error.response
    return response
