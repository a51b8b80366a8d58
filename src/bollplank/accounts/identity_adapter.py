"""allauth's hooks for an organisation's own sign-in: decide who a sign-in is (accounts.identity),
refuse everyone else with a clear message, keep the level of assurance, and fetch only from
public addresses."""

from __future__ import annotations

import logging
from typing import Any

import jwt
import requests
from allauth.account.signals import user_logged_in
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from allauth.socialaccount.providers.base import AuthProcess
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.dispatch import receiver
from django.http import HttpRequest
from django.shortcuts import render

from bollplank.accounts.identity import (
    LOA_KEY,
    OTHER_IDENTITY,
    has_link,
    identity_linked_by_address,
    loa_of_claims,
    match_person,
    provider_of_app,
    secret_open,
    sign_in_refused,
)
from bollplank.accounts.identity_models import IdentityProvider
from bollplank.accounts.identity_saml import IdentitySAMLProvider, saml_claims, saml_error_kind
from bollplank.core.urlguard import public_session

logger = logging.getLogger(__name__)

# Why a sign-in was refused, for the page that says so (templates/socialaccount/refused.html).
UNKNOWN_PERSON = "unknown_person"
WRONG_AUDIENCE = "wrong_audience"
EXPIRED = "expired"
CLOCK = "clock"
REPLAYED = "replayed"
NOT_OURS = "not_ours"
FAILED = "failed"
# The IdP's metadata address leads into a private network now: it is not fetched.
PRIVATE_ADDRESS = "private_address"


# The claims kept of a sign-in. A broker may send a personal identity number, an address or a
# birth date; Bollplank never needs one (DOMAIN.md), so nothing else is stored.
KEPT_CLAIMS = ("sub", "iss", "acr", "amr", "auth_time", "email", "email_verified", "name")


def _trimmed(extra_data: dict[str, Any]) -> dict[str, Any]:
    return {
        part: {k: v for k, v in (extra_data.get(part) or {}).items() if k in KEPT_CLAIMS}
        for part in ("id_token", "userinfo")
        if extra_data.get(part)
    }


def _claims(sociallogin: SocialLogin) -> dict[str, Any]:
    """The ID token's claims with the userinfo's over them (the address may be in either);
    a SAML sign-in's assertion in the same words."""
    if isinstance(sociallogin.provider, IdentitySAMLProvider):
        return saml_claims(sociallogin)
    data = sociallogin.account.extra_data or {}
    return {**(data.get("id_token") or {}), **(data.get("userinfo") or {})}


def refused(
    request: HttpRequest, reason: str, provider: IdentityProvider | None, status: int = 403
) -> ImmediateHttpResponse:
    """The answer to a refused sign-in: a page saying why and what to do."""
    context = {"reason": reason, "identity_provider": provider}
    return ImmediateHttpResponse(
        render(request, "socialaccount/refused.html", context, status=status)
    )


def _reason_of(error: Any, exception: BaseException | None, extra: dict[str, Any]) -> str:
    """Which refusal an allauth authentication error is."""
    cause = exception.__cause__ if exception is not None else None
    if isinstance(cause, jwt.InvalidAudienceError):
        return WRONG_AUDIENCE
    if isinstance(cause, jwt.ExpiredSignatureError):
        return EXPIRED
    if isinstance(cause, jwt.ImmatureSignatureError):
        # Issued "in the future": one of the two clocks is wrong, nothing has expired.
        return CLOCK
    saml_kind = saml_error_kind(str(extra.get("saml_last_error_reason") or ""))
    if saml_kind == "audience":
        return WRONG_AUDIENCE
    if saml_kind == "expired":
        return EXPIRED
    if exception is None and "state_id" in extra:
        # The sign-in's state is used up (or never was this browser's): the answer from the
        # provider was sent a second time.
        return REPLAYED
    return FAILED


class IdentityAdapter(DefaultSocialAccountAdapter):
    """Nobody signs up through a provider; a sign-in is a known person of the provider's
    practice or it is refused."""

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        provider = provider_of_app(sociallogin.provider.app)
        if provider is None:
            logger.warning("sign-in refused: app %s has no practice", sociallogin.account.provider)
            raise refused(request, NOT_OURS, None)
        if sociallogin.state.get("process") != AuthProcess.LOGIN:
            # Identities are linked by the practice's admin or by a verified address at
            # sign-in, never by a logged-in person connecting one to their own account.
            logger.warning("sign-in refused: %s process", sociallogin.state.get("process"))
            sign_in_refused(provider, FAILED)
            raise refused(request, FAILED, provider)
        claims = _claims(sociallogin)
        linked = sociallogin.user if sociallogin.is_existing else None
        sociallogin.account.extra_data = _trimmed(sociallogin.account.extra_data or {})
        if linked is not None:
            # allauth has just stored everything the provider sent on the linked identity.
            sociallogin.account.save(update_fields=["extra_data"])
        user = match_person(provider, linked_user=linked, claims=claims)
        if user is None:
            # Never the subject in the log: a broker's may be a personal identity number.
            logger.warning("sign-in refused: nobody of provider %s", provider.pk)
            sign_in_refused(provider, UNKNOWN_PERSON)
            raise refused(request, UNKNOWN_PERSON, provider)
        if linked is None and has_link(provider, user):
            # The person already has an identity at this provider: another one never becomes
            # a second link by an address alone.
            logger.warning("sign-in refused: provider %s, another identity linked", provider.pk)
            sign_in_refused(provider, OTHER_IDENTITY)
            raise refused(request, UNKNOWN_PERSON, provider)
        loa = loa_of_claims(claims, provider=provider)
        sociallogin.account.extra_data = {**sociallogin.account.extra_data, LOA_KEY: loa}
        if linked is None:
            # Recognised by the verified address: the identity is linked from now on, so that
            # a later change of address at the provider does not lose the person. connect, not
            # save: save would add the person's addresses as if they had signed up.
            sociallogin.connect(request, user)
            identity_linked_by_address(provider, user)
        else:
            sociallogin.account.save(update_fields=["extra_data"])

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: Any = None,
        exception: BaseException | None = None,
        extra_context: dict[str, Any] | None = None,
    ) -> None:
        reason = _reason_of(error, exception, extra_context or {})
        ours = provider_of_app(getattr(provider, "app", None))
        logger.warning(
            "sign-in failed at provider %s: %s (%s: %r)",
            ours.pk if ours else None,
            reason,
            error,
            exception.__cause__ if exception is not None and exception.__cause__ else exception,
        )
        if ours is not None and exception is not None:
            # Only what came back from the provider: an answer without this browser's state
            # is anyone's request to the callback address, not worth an audit row each.
            sign_in_refused(ours, reason)
        raise refused(request, reason, ours, status=400)

    def list_apps(self, request: Any, provider: Any = None, client_id: Any = None) -> Any:
        apps = super().list_apps(request, provider=provider, client_id=client_id)
        for app in apps:
            # In memory only: allauth sends it to the provider; the row keeps it encrypted.
            app.secret = secret_open(app.secret or "")
            # PKCE always, also for a provider saved before it was switched on.
            app.settings = {**(app.settings or {}), "oauth_pkce_enabled": True}
        return apps

    def get_requests_session(self) -> requests.Session:
        return public_session(allowed=lambda: getattr(settings, "SSO_PRIVATE_HOSTS", False))


@receiver(user_logged_in, dispatch_uid="bollplank_sign_in_assurance")
def _keep_assurance(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Keep the level of assurance of a sign-in through a provider on its login session, where
    "Where I am logged in" shows it."""
    sociallogin = kwargs.get("sociallogin")
    if request is None or sociallogin is None or not hasattr(request, "session"):
        return
    loa = (sociallogin.account.extra_data or {}).get(LOA_KEY)
    if not loa:
        return
    if not request.session.session_key:
        request.session.save()
    row = UserSession.objects.filter(session_key=request.session.session_key).first()
    if row is None:
        UserSession.objects.create_from_request(request)
        row = UserSession.objects.filter(session_key=request.session.session_key).first()
    if row is not None:
        row.data = {**(row.data or {}), LOA_KEY: loa}
        row.save(update_fields=["data"])
