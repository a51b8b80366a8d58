"""What the accounts app keeps about a person (core/personal_data_registry.py)."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_scopes import scopes_disabled

from bollplank.accounts.identity import LOA_KEY, loa_words
from bollplank.accounts.identity_models import IdentityProvider
from bollplank.accounts.models import Invitation, Membership, User
from bollplank.core.personal_data_registry import Category, register


def erased_email(pk: int) -> str:
    """The address an erased person's rows get: unique, and never deliverable."""
    return f"erased-{pk}@invalid.invalid"


def _export(user: User, confidential: bool) -> list[dict[str, Any]]:
    return [
        {
            "email": user.email,
            "name": user.name,
            "language": user.language,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "two_factor_methods": sorted(
                Authenticator.objects.filter(user=user).values_list("type", flat=True)
            ),
            "roles": [
                {"practice": m.practice.name, "role": m.get_role_display(), "since": m.created_at}
                for m in Membership.objects.filter(user=user).select_related("practice")
            ],
            "invitations": [
                {"practice": i.practice.name, "role": i.get_role_display(), "sent": i.created_at}
                for i in Invitation.objects.filter(email=user.email).select_related("practice")
            ],
            "login_sessions": [
                {
                    "ip": s.ip,
                    "browser": s.user_agent,
                    "since": s.created_at,
                    "logged_in_through": loa_words((s.data or {}).get(LOA_KEY)),
                }
                for s in UserSession.objects.filter(user=user)
            ],
            # Identities at organisations' log-ins: the subject the provider knows the person
            # by and the assurance it reported at the latest log-in.
            "linked_identities": [
                {
                    "subject": a.uid,
                    "last_login": a.last_login,
                    "assurance": loa_words(a.extra_data.get(LOA_KEY)),
                }
                for a in SocialAccount.objects.filter(user=user)
            ],
        }
    ]


def _identities_in(user: User, practice: Any) -> Any:
    """The person's linked identities at the practice's providers (its clients' included)."""
    with scopes_disabled():
        keys = list(
            IdentityProvider.objects.filter(practice=practice).values_list(
                "app__provider_id", flat=True
            )
        )
    return SocialAccount.objects.filter(user=user, provider__in=keys)


def _erase(user: User) -> int:
    """The account row stays (meetings, summaries and the audit log point at it), emptied of
    everything that names the person; logins, sessions, roles and invitations go."""
    count = 0
    for session in UserSession.objects.filter(user=user):
        Session.objects.filter(session_key=session.session_key).delete()
        count += 1
    UserSession.objects.filter(user=user).delete()
    count += Authenticator.objects.filter(user=user).delete()[0]
    count += SocialAccount.objects.filter(user=user).delete()[0]
    count += EmailAddress.objects.filter(user=user).delete()[0]
    count += Invitation.objects.filter(email=user.email).delete()[0]
    count += Membership.objects.filter(user=user).delete()[0]
    user.email = erased_email(user.pk)
    user.name = _("Erased person")
    user.is_active = False
    user.is_staff = user.is_superuser = False
    user.set_unusable_password()
    user.save()
    return count + 1


def _roles_here(user: User, practice: Any) -> tuple[Any, Any]:
    return (
        Membership.objects.filter(user=user, practice=practice),
        Invitation.objects.filter(email__iexact=user.email, practice=practice),
    )


def _erase_in_practice(user: User, practice: Any) -> int:
    """From one practice's page only the person's roles and invitations there go: the account
    is the person's own, and may serve other practices."""
    linked = _identities_in(user, practice).delete()[0]
    return linked + sum(rows.delete()[0] for rows in _roles_here(user, practice))


register(
    Category(
        key="accounts.account",
        label=gettext_lazy("accounts and roles"),
        purpose=gettext_lazy("to let people log in and to know what each may see"),
        legal_basis=gettext_lazy("contract, or the employer's legitimate interest (Art. 6.1 b, f)"),
        subjects=gettext_lazy("everyone with a login"),
        recipients=gettext_lazy("the practice's admins"),
        export=_export,
        erase=_erase,
        order=100,
        erasure=gettext_lazy(
            "The account stays without name or address and cannot log in; logins, sessions, "
            "roles and invitations are removed."
        ),
        erase_in_practice=_erase_in_practice,
        erasure_in_practice=gettext_lazy(
            "The person's roles and invitations in this practice are removed: they lose access "
            "at once. Their account itself is not the practice's."
        ),
        count_in_practice=lambda user, practice: (
            _identities_in(user, practice).count()
            + sum(rows.count() for rows in _roles_here(user, practice))
        ),
        practices=lambda user: (
            set(Membership.objects.filter(user=user).values_list("practice_id", flat=True))
            | set(Invitation.objects.filter(email=user.email).values_list("practice_id", flat=True))
        ),
    )
)
