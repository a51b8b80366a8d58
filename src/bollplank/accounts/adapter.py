from __future__ import annotations

from typing import Any
from urllib.parse import quote

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from bollplank.accounts.identity import required_providers
from bollplank.accounts.mails import account_mail_queue, public_url


def login_throttle_key(login: str) -> str:
    """The key failed logins are counted under: the account alone, as typed addresses name it
    (case and surrounding blanks do not make another account)."""
    return "login:" + login.strip().lower()


class AccountAdapter(DefaultAccountAdapter):
    """Bollplank is by invitation: nobody signs themselves up into a practice. Its mails go
    through the outbox like every other mail, with links on the public address."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def get_login_redirect_url(self, request: HttpRequest) -> Any:
        return "/"

    def get_login_stages(self) -> list[str]:
        # allauth's "enter your code" step, skipped after a two-factor sign-in through a provider.
        return [
            "bollplank.accounts.assurance.AuthenticateUnlessStrongStage"
            if path == "allauth.mfa.stages.AuthenticateStage"
            else path
            for path in super().get_login_stages()
        ]

    def authenticate(self, request: HttpRequest, **credentials: Any) -> Any:
        """A person whose practice requires its own sign-in for their role cannot use a
        password: the login page says so and shows the provider's button instead. Asked only
        after the password is found right, through allauth's rate limit and failure count:
        otherwise anyone could learn which organisation an address belongs to."""
        user = super().authenticate(request, **credentials)
        required = required_providers(user) if user is not None else []
        if required:
            # The login page shows these providers' buttons beside the message.
            request.required_identity_providers = required  # type: ignore[attr-defined]
            raise forms.ValidationError(
                _("Your organisation requires you to log in through %(provider)s.")
                % {"provider": required[0].name},
                code="identity_provider_required",
            )
        return user

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        account_mail_queue(template_prefix=template_prefix, email=email, context=context)

    def get_reset_password_from_key_url(self, key: str) -> str:
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return public_url(path.replace("UID-KEY", quote(key)))

    def get_email_confirmation_url(self, request: HttpRequest, emailconfirmation: Any) -> str:
        return public_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # allauth puts the current site's domain in the key, and without the sites framework
        # that is the request's Host header: a client choosing a new Host (or port) for every
        # guess would get a fresh counter each time. The account alone is the key; the
        # per-address limit (ACCOUNT_RATE_LIMITS) is counted separately by client address.
        login = credentials.get("email", credentials.get("username", "")) or ""
        return login_throttle_key(str(login))
