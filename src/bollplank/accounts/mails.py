"""The account mails allauth sends (password reset, address confirmation, two-factor notices),
as Bollplank words them: one template in the recipient's language, queued in the outbox like
every other mail, links built from the public address."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from bollplank.accounts.models import Membership, User
from bollplank.core.mail import queue_mail
from bollplank.core.models import Practice

TEMPLATE = "accounts/email/account"


@dataclass(frozen=True)
class Notice:
    subject: Promise
    message: Promise
    link_label: Promise | None = None
    # Whether the mail says "if this was not you, change your password" (a security notice).
    alert: bool = True


NOTICES: dict[str, Notice] = {
    "password_reset_key": Notice(
        _("Choose a new password"),
        _(
            "You or someone else asked to reset the password of your Bollplank account. Open "
            "the link to choose a new one. If you did not ask for it, you can ignore this "
            "e-mail: your password stays as it is."
        ),
        _("Choose a new password"),
        alert=False,
    ),
    "password_reset_code": Notice(
        _("Your code for a new password"),
        _("Enter this code to choose a new password:"),
        alert=False,
    ),
    "password_reset": Notice(
        _("Your password has been reset"), _("The password of your account has been reset.")
    ),
    "password_changed": Notice(
        _("Your password has been changed"), _("The password of your account has been changed.")
    ),
    "password_set": Notice(
        _("A password has been set"), _("A password has been set for your account.")
    ),
    "email_confirmation": Notice(
        _("Confirm your e-mail address"),
        _("Open the link to confirm that this e-mail address is yours."),
        _("Confirm the address"),
        alert=False,
    ),
    "email_confirmation_signup": Notice(
        _("Confirm your e-mail address"),
        _("Open the link to confirm that this e-mail address is yours."),
        _("Confirm the address"),
        alert=False,
    ),
    "email_confirm": Notice(
        _("An e-mail address has been confirmed"),
        _("An e-mail address of your account has been confirmed."),
    ),
    "email_changed": Notice(
        _("Your e-mail address has been changed"),
        _("The e-mail address of your account has been changed."),
    ),
    "email_deleted": Notice(
        _("An e-mail address has been removed"),
        _("An e-mail address has been removed from your account."),
    ),
    "unknown_account": Notice(
        _("Reset password"),
        _(
            "Someone asked to reset the password for this e-mail address, but it has no "
            "account in Bollplank. If it was you, ask whoever works with you to invite this "
            "address, or try the address you were invited with. Otherwise ignore this e-mail."
        ),
        alert=False,
    ),
    "account_already_exists": Notice(
        _("You already have an account"),
        _("This e-mail address already has an account. Log in, or choose a new password."),
        alert=False,
    ),
    "login_code": Notice(_("Your login code"), _("Enter this code to log in:"), alert=False),
    "totp_activated": Notice(
        _("Two-factor login is on"),
        _("An authenticator app has been set up for logging in to your account."),
    ),
    "totp_deactivated": Notice(
        _("Two-factor login is off"),
        _("The authenticator app has been removed from your account."),
    ),
    "recovery_codes_generated": Notice(
        _("New recovery codes"),
        _("New recovery codes have been made for your account; the old ones no longer work."),
    ),
    "webauthn_added": Notice(
        _("A security key has been added"), _("A security key has been added to your account.")
    ),
    "webauthn_removed": Notice(
        _("A security key has been removed"),
        _("A security key has been removed from your account."),
    ),
}
FALLBACK = Notice(
    _("A change to your account"), _("Something has changed in the security of your account.")
)


def public_url(path: str) -> str:
    """An address on the site as the public knows it, never the host a request came in on."""
    return settings.SITE_URL + path


def _practice_of(user: User | None) -> Practice | None:
    """The practice whose name and signature an account mail carries: the person's first one.
    None (plain Bollplank) when they have none."""
    if user is None or user.pk is None:
        return None
    with scopes_disabled():
        membership = (
            Membership.objects.filter(user=user)
            .select_related("practice")
            .order_by("created_at", "pk")
            .first()
        )
    return membership.practice if membership else None


def account_mail_queue(*, template_prefix: str, email: str, context: dict[str, Any]) -> Any:
    """Queue allauth's mail ``template_prefix`` (e.g. "account/email/password_reset_key") to
    ``email`` in the outbox, in the person's language, with their practice's branding."""
    key = template_prefix.rsplit("/", 1)[-1]
    notice = NOTICES.get(key, FALLBACK)
    user = context.get("user")
    if not isinstance(user, User):
        with scopes_disabled():
            user = User.objects.filter(email__iexact=email.strip()).first()
    link = context.get("password_reset_url") or context.get("activate_url") or ""
    practice = _practice_of(user)
    return queue_mail(
        to=email,
        template=TEMPLATE,
        context={
            "name": user.get_short_name() if user else "",
            "subject": notice.subject,
            "message": notice.message,
            "link": link if notice.link_label else "",
            "link_label": notice.link_label or "",
            "code": str(context.get("code") or ""),
            "alert": notice.alert,
            "practice_name": practice.name if practice else "",
            "account_url": public_url(reverse("account_change_password")),
            "login_url": public_url(reverse("account_login")),
        },
        language=user.language if user else "sv",
        kind="account",
        practice=practice,
    )
