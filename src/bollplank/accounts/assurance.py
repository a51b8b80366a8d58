"""A strong sign-in counts as the second factor: when an organisation's provider reports that
the person proved who they are with more than a password (BankID, a smart card, a one-time
code), the required two-factor login of the provider's practice is satisfied for that login
session. Of that practice only: another practice the person belongs to did not choose to trust
the provider (a client's provider is in the hands of the client).

A strong sign-in is one whose OIDC ``amr`` names a multi-factor method, or whose ``acr`` is one
of the levels the provider's settings mark as strong (by default the Swedish framework's
levels 3 and 4 and eIDAS substantial and high, which all require two factors). It holds for the
login session only: an API token or a calendar feed outlives the session and still needs a set-up
second factor.
"""

from __future__ import annotations

from typing import Any

from allauth.account.signals import user_logged_in
from allauth.mfa.stages import AuthenticateStage
from django.dispatch import receiver
from django.http import HttpRequest
from django_scopes import scopes_disabled

from bollplank.accounts.identity_models import IdentityProvider
from bollplank.accounts.models import Membership
from bollplank.core.tenancy import STRONG_SIGN_IN

# RFC 8176 methods that prove more than something the person knows: "mfa" itself, a one-time
# code, a hardware key, a smart card, proof of possession of a key. A software key counts only
# together with a PIN (some providers report the pair as one value).
STRONG_AMR = frozenset({"mfa", "otp", "hwk", "sc", "pop", "swk+pin"})

# The levels of assurance that require two factors: the Swedish e-identification framework's
# levels 3 (BankID, Freja eID+) and 4, and eIDAS substantial and high as Sweden Connect and
# the EU report them. A provider's settings may name others.
DEFAULT_STRONG_ACR: tuple[str, ...] = (
    "http://id.elegnamnden.se/loa/1.0/loa3",
    "http://id.elegnamnden.se/loa/1.0/loa4",
    "http://id.elegnamnden.se/loa/1.0/eidas-sub",
    "http://id.elegnamnden.se/loa/1.0/eidas-high",
    "http://id.elegnamnden.se/loa/1.0/eidas-nf-sub",
    "http://id.elegnamnden.se/loa/1.0/eidas-nf-high",
    "http://eidas.europa.eu/LoA/substantial",
    "http://eidas.europa.eu/LoA/high",
)

# Where the provider's strong levels are kept: its SocialApp's settings, beside the issuer.
STRONG_ACR_SETTING = "strong_acr"


def strong_acr_of(provider: IdentityProvider) -> list[str]:
    """The levels of assurance this provider's settings count as two-factor."""
    stored = (provider.app.settings or {}).get(STRONG_ACR_SETTING)
    return list(DEFAULT_STRONG_ACR) if stored is None else [str(v) for v in stored]


def strong_acr_clean(text: str) -> list[str]:
    """The strong levels as typed, one a line: blanks dropped, each once, in the given order."""
    seen: list[str] = []
    for line in text.splitlines():
        value = line.strip()
        if value and value not in seen:
            seen.append(value)
    return seen


def is_strong(claims: dict[str, Any], *, strong_acr: list[str]) -> bool:
    """Whether a sign-in with these claims proved more than one factor."""
    amr = claims.get("amr") or []
    methods = {str(m) for m in (amr if isinstance(amr, list) else [amr])}
    if methods & STRONG_AMR or {"swk", "pin"} <= methods:
        return True
    acr = str(claims.get("acr") or "")
    return bool(acr) and acr in strong_acr


def loa_strong(loa: dict[str, Any] | None) -> bool:
    """Whether a kept level of assurance (accounts.identity.LOA_KEY) was a strong sign-in."""
    return bool(loa and loa.get("strong"))


def _strong_practice(sociallogin: Any) -> int | None:
    """The practice whose two-factor login a sign-in through a provider satisfies: the
    provider's practice when the sign-in was strong, else none (also for a password login)."""
    # Imported here: accounts.identity asks this module whether a sign-in is strong.
    from bollplank.accounts.identity import LOA_KEY

    if sociallogin is None:
        return None
    loa: dict[str, Any] = (sociallogin.account.extra_data or {}).get(LOA_KEY) or {}
    if not loa_strong(loa) or loa.get("provider_id") is None:
        return None
    with scopes_disabled():
        provider = IdentityProvider.objects.filter(pk=int(loa["provider_id"])).first()
    return provider.practice_id if provider is not None else None


class AuthenticateUnlessStrongStage(AuthenticateStage):
    """allauth's "enter your code" step of the login, skipped when the sign-in through the
    organisation's provider was itself two-factor: asking again after BankID proves nothing.
    Asked still of someone who also belongs to another practice, whose required two-factor
    login that provider does not satisfy."""

    def _should_handle(self, request: HttpRequest) -> bool:
        practice_id = _strong_practice((self.login.signal_kwargs or {}).get("sociallogin"))
        if practice_id is not None and self.login.user is not None:
            with scopes_disabled():
                elsewhere = (
                    Membership.objects.filter(user=self.login.user)
                    .exclude(practice_id=practice_id)
                    .exists()
                )
            if not elsewhere:
                return False
        return super()._should_handle(request)


@receiver(user_logged_in, dispatch_uid="bollplank_strong_sign_in")
def _mark_session(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Mark the login session as two-factor for the provider's practice when its sign-in was
    strong, and unmark it on any other login (a password login in the same browser must not
    inherit it)."""
    if request is None or not hasattr(request, "session"):
        return
    practice_id = _strong_practice(kwargs.get("sociallogin"))
    if practice_id is not None:
        request.session[STRONG_SIGN_IN] = [practice_id]
    else:
        request.session.pop(STRONG_SIGN_IN, None)
