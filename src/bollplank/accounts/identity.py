"""An organisation's own sign-in: who may use a provider, who must, who a sign-in is, and the
level of assurance it reports. allauth speaks the protocol; these rules decide the person.

A person is found by an identity the practice's admin linked (allauth's SocialAccount) or by an
address the provider says it has verified, and only among the people of the provider's practice
(for a client organisation's provider: that client's participants and contacts). Never by name,
and nobody is created: Bollplank is by invitation.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import requests
from allauth.socialaccount.models import SocialAccount, SocialApp
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_scopes import scopes_disabled

from bollplank.accounts.assurance import STRONG_ACR_SETTING, is_strong, strong_acr_of
from bollplank.accounts.enums import IdentityProviderKind
from bollplank.accounts.identity_models import IdentityProvider
from bollplank.accounts.models import Membership, User
from bollplank.core import clock, crypto
from bollplank.core.audit import audit
from bollplank.core.models import Practice
from bollplank.core.roles import Role
from bollplank.core.urlguard import private_host, public_session

# The roles a client organisation's provider can be for: its staff in the practice's groups
# and its contact people. Staff of the practice never sign in through a client's provider.
CLIENT_ROLES: frozenset[str] = frozenset({Role.PARTICIPANT.value, Role.CLIENT_CONTACT.value})

# Levels of assurance in words: the Swedish e-identification framework's (Digg, formerly
# Elegitimationsnämnden) URIs as e-ID brokers report them in ``acr`` or AuthnContextClassRef.
# Anything else is shown as the provider reported it.
LOA_WORDS = {
    "http://id.elegnamnden.se/loa/1.0/loa2": gettext_lazy("Substantial (assurance level 2)"),
    "http://id.elegnamnden.se/loa/1.0/loa3": gettext_lazy("High (BankID)"),
    "http://id.elegnamnden.se/loa/1.0/loa4": gettext_lazy("Very high (assurance level 4)"),
    "http://id.swedenconnect.se/loa/1.0/uncertified-loa3": gettext_lazy(
        "High, not certified (assurance level 3)"
    ),
    "http://id.elegnamnden.se/loa/1.0/eidas-sub": gettext_lazy("Substantial (eIDAS)"),
    "http://id.elegnamnden.se/loa/1.0/eidas-high": gettext_lazy("High (eIDAS)"),
}

# Where one sign-in's level of assurance is kept: allauth's record of the login session
# (usersessions) and the linked identity's extra_data.
LOA_KEY = "bollplank_loa"

WELL_KNOWN = "/.well-known/openid-configuration"


def loa_words(loa: dict[str, Any] | None) -> str:
    """A sign-in's level of assurance for people to read: a known level in words, else what
    the provider reported; the methods (``amr``) after it; empty when none was reported."""
    if not loa:
        return ""
    acr = str(loa.get("acr") or "")
    text = str(LOA_WORDS.get(acr, acr))
    methods = ", ".join(str(m) for m in loa.get("amr") or [])
    if methods:
        text = f"{text} ({methods})" if text else methods
    return text


def loa_of_claims(claims: dict[str, Any], *, provider: IdentityProvider) -> dict[str, Any]:
    """What a sign-in reported about how the person proved who they are (OIDC ``acr`` and
    ``amr``), with the provider's name and whether it counts as two-factor: kept per sign-in."""
    amr = claims.get("amr") or []
    return {
        "provider": provider.name,
        "provider_id": provider.pk,
        "acr": str(claims.get("acr") or ""),
        "amr": [str(m) for m in amr] if isinstance(amr, list) else [str(amr)],
        "strong": is_strong(claims, strong_acr=strong_acr_of(provider)),
    }


# --- reads ----------------------------------------------------------------------------------


def provider_of_app(app: SocialApp | None) -> IdentityProvider | None:
    """The practice's provider behind allauth's app (none for an app of no practice)."""
    if app is None or app.pk is None:
        return None
    with scopes_disabled():
        return IdentityProvider.objects.select_related("practice", "client").filter(app=app).first()


def providers_of(practice: Practice) -> list[IdentityProvider]:
    """The practice's providers, its own and its clients', for its admin and its login page."""
    return list(IdentityProvider.objects.filter(practice=practice).select_related("app", "client"))


def practice_for_login(slug: str) -> Practice | None:
    """The practice whose providers a login page offers, by its short name."""
    return Practice.objects.filter(slug=slug).first()


def providers_for_address(practice: Practice, email: str) -> list[IdentityProvider]:
    """The practice's providers whose people have addresses at the domain of ``email``: a
    page that lists them names no client organisation to someone who does not already write
    from one of its addresses (who a practice serves is confidential)."""
    domain = email.rsplit("@", 1)[-1].strip().lower()
    if not domain or not domain.isascii():
        return []
    with scopes_disabled():
        return [
            provider
            for provider in providers_of(practice)
            if people_of(provider).filter(email__iendswith="@" + domain).exists()
        ]


def _holds_for(provider: IdentityProvider, user: Any, role: str) -> bool:
    """Whether ``user`` holds ``role`` in the provider's practice, and for a client's provider
    holds it as that client's participant or contact."""
    with scopes_disabled():
        if not Membership.objects.filter(
            practice_id=provider.practice_id, user=user, role=role
        ).exists():
            return False
        if provider.client_id is None:
            return True
        if role == Role.PARTICIPANT:
            # Staff of the client: it is their employer, or they are in its engagements.
            return bool(
                user.participations.filter(practice_id=provider.practice_id)
                .filter(
                    Q(client_id=provider.client_id)
                    | Q(memberships__engagement__client_id=provider.client_id)
                )
                .exists()
            )
        if role == Role.CLIENT_CONTACT:
            return bool(user.client_contacts.filter(client_id=provider.client_id).exists())
    return False


def outside_reach(provider: IdentityProvider, user: Any) -> bool:
    """Whether ``user`` holds anything this provider is not trusted for: a role in another
    practice (any provider), or for a client's provider any role other than participant or
    contact of that same client. A sign-in gives the whole session, every role in every
    practice, so a provider may only sign in people who are wholly within its reach."""
    with scopes_disabled():
        memberships = Membership.objects.filter(user=user)
        if memberships.exclude(practice_id=provider.practice_id).exists():
            return True
        if provider.client_id is None:
            return False
        if memberships.exclude(role__in=CLIENT_ROLES).exists():
            return True
        participations = user.participations.all()
        if (
            participations.exclude(client_id=provider.client_id)
            .exclude(client_id__isnull=True)
            .exists()
        ):
            return True  # employed by another client
        of_this_client = Q(client_id=provider.client_id) | Q(
            memberships__engagement__client_id=provider.client_id
        )
        if participations.exclude(
            pk__in=participations.filter(of_this_client).values("pk")
        ).exists():
            return True
        # accounts sits below engagements: the group rows are reached through the relation.
        group_rows = participations.model._meta.get_field("memberships").related_model
        if (
            group_rows._default_manager.filter(participant__user=user)
            .exclude(engagement__client_id=provider.client_id)
            .exists()
        ):
            return True  # also in another client's (or a private) group
        return bool(user.client_contacts.exclude(client_id=provider.client_id).exists())


def belongs_to(provider: IdentityProvider, user: Any) -> bool:
    """Whether ``user`` is one of the people this provider signs in: anyone with a role in its
    practice, or for a client's provider that client's participants and contacts, and holding
    nothing outside the provider's reach."""
    if not user.is_active:
        return False
    roles: Iterable[str] = CLIENT_ROLES if provider.client_id else [r.value for r in Role]
    if not any(_holds_for(provider, user, role) for role in roles):
        return False
    return not outside_reach(provider, user)


def required_providers(user: Any) -> list[IdentityProvider]:
    """The providers ``user`` must sign in through (a role of theirs is in one's
    ``required_for``): such a person cannot log in with a password. Only a provider that can
    sign them in requires it: someone it may not sign in keeps their password."""
    with scopes_disabled():
        practice_ids = set(
            Membership.objects.filter(user=user).values_list("practice_id", flat=True)
        )
        candidates = list(
            IdentityProvider.objects.filter(practice_id__in=practice_ids)
            .exclude(required_for=[])
            .select_related("app", "practice")
        )
    return [
        provider
        for provider in candidates
        if any(_holds_for(provider, user, role) for role in provider.required_for)
        and belongs_to(provider, user)
    ]


def people_of(provider: IdentityProvider) -> QuerySet[User]:
    """The people an identity can be linked for at this provider (the admin's choice): the
    practice's people, or the client's participants and contacts. ``identity_link`` asks
    ``belongs_to`` again for the one chosen."""
    users = User.objects.filter(is_active=True, memberships__practice_id=provider.practice_id)
    if provider.client_id is not None:
        participants = Q(
            memberships__role=Role.PARTICIPANT,
            participations__practice_id=provider.practice_id,
        ) & (
            Q(participations__client_id=provider.client_id)
            | Q(participations__memberships__engagement__client_id=provider.client_id)
        )
        contacts = Q(
            memberships__role=Role.CLIENT_CONTACT, client_contacts__client_id=provider.client_id
        )
        users = users.filter(participants | contacts)
    return users.distinct().order_by("name")


def linked_people(provider: IdentityProvider) -> list[dict[str, Any]]:
    """The people with an identity linked at this provider, with the level of assurance of
    their latest sign-in (for its admin)."""
    accounts = SocialAccount.objects.filter(provider=provider.app.provider_id).select_related(
        "user"
    )
    return [
        {
            "account": account,
            "user": account.user,
            "subject": account.uid,
            "last_login": account.last_login,
            "loa": loa_words(account.extra_data.get(LOA_KEY)),
        }
        for account in sorted(accounts, key=lambda a: a.user.name)
    ]


def provider_origins(providers: Iterable[IdentityProvider]) -> list[str]:
    """The origins the "Log in with …" buttons' answers lead to: the page's Content-Security-
    Policy lets its forms go there (form-action is kept to the site itself everywhere else)."""
    from bollplank.accounts.identity_saml import saml_form_action_origins

    providers = list(providers)
    # A SAML provider's answer leads to its IdP's sign-in address (accounts/identity_saml.py).
    origins = saml_form_action_origins(providers)
    for provider in providers:
        parts = urlsplit(str((provider.app.settings or {}).get("server_url") or ""))
        if parts.scheme and parts.netloc:
            origins.append(f"{parts.scheme}://{parts.netloc}")
    return sorted(set(origins))


def address_key(email: str) -> str:
    """An address as two are compared: NFKC-normalised and case-folded, so that no look-alike
    (the Kelvin sign for a K) folds onto another address."""
    return unicodedata.normalize("NFKC", email.strip()).casefold()


def _verified_email(claims: dict[str, Any]) -> str:
    """The address in the claims if the provider says it verified it; else nothing. Some
    providers send the flag as a string. An address with anything but ASCII is never matched:
    case-insensitive lookups fold some letters onto others."""
    email = str(claims.get("email") or "").strip()
    verified = claims.get("email_verified")
    if not email.isascii():
        return ""
    if email and (verified is True or str(verified).lower() == "true"):
        return email.lower()
    return ""


def match_person(
    provider: IdentityProvider, *, linked_user: Any | None, claims: dict[str, Any]
) -> User | None:
    """The person this sign-in is: the linked identity's, else the one account with the
    verified address, and only if they are among the provider's people. None: unknown."""
    if linked_user is not None:
        return linked_user if belongs_to(provider, linked_user) else None
    email = _verified_email(claims)
    if not email:
        return None
    candidates = User.objects.filter(email__iexact=email, is_active=True)
    found = [user for user in candidates if address_key(user.email) == address_key(email)]
    if len(found) != 1 or not belongs_to(provider, found[0]):
        return None
    return found[0]


# Why a sign-in was refused, in the audit log (never the claims themselves).
OTHER_IDENTITY = "other_identity"


def has_link(provider: IdentityProvider, user: Any) -> bool:
    """Whether ``user`` already has an identity linked at this provider."""
    return SocialAccount.objects.filter(provider=provider.app.provider_id, user=user).exists()


def identity_linked_by_address(provider: IdentityProvider, user: Any) -> None:
    """A sign-in recognised the person by their verified address and linked the identity: as
    much a link as one the admin makes, so the log says so (the person is the actor)."""
    audit(user, "accounts.identity.linked", provider, {"user": user.pk, "by": "address"})


def sign_in_refused(provider: IdentityProvider, reason: str) -> None:
    """A refused sign-in in the audit log: which provider and why, nothing the provider sent
    (a broker's subject may be a personal identity number)."""
    audit(None, "accounts.identity.refused", provider, {"reason": reason})


# --- the client secret, stored encrypted ---------------------------------------------------

# A SocialApp's secret as this app stores it: encrypted with the note keys (core.crypto), as
# the video servers' secrets are. The adapter opens it when allauth reads the app.
SEALED = "fernet:"


def secret_seal(secret: str) -> str:
    return SEALED + crypto.encrypt(secret)


def secret_open(stored: str) -> str:
    """The secret as the provider knows it (a secret stored otherwise is read as it is)."""
    return crypto.decrypt(stored.removeprefix(SEALED)) if stored.startswith(SEALED) else stored


def secrets_rotate() -> int:
    """Encrypt every provider's secret with the newest key (the key rotation command)."""
    count = 0
    with transaction.atomic():
        for app in SocialApp.objects.select_for_update().filter(secret__startswith=SEALED):
            rotated = SEALED + crypto.rotate(app.secret.removeprefix(SEALED))
            SocialApp.objects.filter(pk=app.pk).update(secret=rotated)
            count += 1
    return count


# --- writes ---------------------------------------------------------------------------------


def check_server_url(url: str) -> str:
    """The issuer address a provider's settings are fetched from: https, never this machine or
    a private network (development and the tests' own provider are allowed those by
    SSO_PRIVATE_HOSTS)."""
    parts = urlsplit(url)
    local_ok = getattr(settings, "SSO_PRIVATE_HOSTS", False)
    if parts.scheme != "https" and not (local_ok and parts.scheme == "http"):
        raise ValidationError(
            {"server_url": _("Give the provider's address starting with https://.")}
        )
    if not parts.hostname or parts.query or parts.fragment or parts.username:
        raise ValidationError({"server_url": _("Give the provider's address without ? or #.")})
    if not local_ok and private_host(parts.hostname, parts.port or 443):
        raise ValidationError(
            {"server_url": _("That address points into a private network and cannot be used.")}
        )
    return url.rstrip("/")


def _check_roles(client: Any | None, required_for: list[str]) -> list[str]:
    allowed = CLIENT_ROLES if client is not None else frozenset(r.value for r in Role)
    wrong = [role for role in required_for if role not in allowed]
    if wrong:
        raise ValidationError(
            {
                "required_for": _(
                    "A client organisation's sign-in can be required of its staff only."
                )
            }
        )
    return sorted(set(required_for))


@transaction.atomic
def identity_provider_save(
    *,
    actor: Any,
    practice: Practice,
    provider: IdentityProvider | None = None,
    name: str,
    client: Any | None,
    server_url: str,
    client_id: str,
    secret: str = "",
    required_for: list[str],
    kind: str = IdentityProviderKind.OIDC,
    strong_acr: list[str] | None = None,
) -> IdentityProvider:
    """Add or change an OpenID Connect provider. An empty ``secret`` keeps the stored one (the
    form never shows it back); ``strong_acr`` None keeps the stored levels that count as
    two-factor (the defaults for a new one). The audit log says what changed, never the secret."""
    if client is not None and client.practice_id != practice.pk:
        raise ValidationError({"client": _("Choose one of the practice's clients.")})
    server_url = check_server_url(server_url)
    required_for = _check_roles(client, required_for)
    if provider is None:
        if not secret:
            raise ValidationError({"secret": _("Give the client secret.")})
        # The slug is in the callback address registered at the provider: random, so that it
        # says nothing of whose it is, and never reused.
        app = SocialApp(provider=kind, provider_id=f"org-{get_random_string(12).lower()}")
        provider = IdentityProvider(practice=practice, kind=kind)
        changed = ["created"]
    else:
        app = provider.app
        changed = []
    settings_now = dict(app.settings or {})
    for field, old, new in (
        ("name", provider.name, name),
        ("client", provider.client_id, client.pk if client else None),
        ("server_url", settings_now.get("server_url"), server_url),
        ("client_id", app.client_id, client_id),
        ("required_for", provider.required_for, required_for),
        (
            "strong_acr",
            settings_now.get(STRONG_ACR_SETTING),
            settings_now.get(STRONG_ACR_SETTING) if strong_acr is None else strong_acr,
        ),
    ):
        if old != new and "created" not in changed:
            changed.append(field)
    if kind == IdentityProviderKind.OIDC and ("created" in changed or "server_url" in changed):
        _check_issuer(server_url)
    settings_now["server_url"] = server_url
    # PKCE: a code caught on its way back is worth nothing without this sign-in's verifier.
    settings_now["oauth_pkce_enabled"] = True
    if strong_acr is not None:
        settings_now[STRONG_ACR_SETTING] = strong_acr
    app.name, app.client_id, app.settings = name, client_id, settings_now
    if secret:
        app.secret = secret_seal(secret)
        if "created" not in changed:
            changed.append("secret")
    app.save()
    provider.app, provider.name, provider.client = app, name, client
    provider.required_for = required_for
    provider.full_clean(exclude=["practice", "app", "client"])
    provider.save()
    data: dict[str, Any] = {"fields": changed}
    if "server_url" in changed:
        # Another server's subjects are other people's: its links start over.
        data["links_removed"] = SocialAccount.objects.filter(provider=app.provider_id).delete()[0]
    if required_for and ("created" in changed or "required_for" in changed):
        data["passwords_ended"] = end_password_use(provider)
    audit(actor, "accounts.identity_provider.saved", provider, data)
    return provider


def _check_issuer(server_url: str) -> None:
    """Refuse a provider whose discovery document names another issuer than the address
    entered: the ID tokens are checked against the document's issuer, so the admin would
    trust a server other than the one they named. A provider that cannot be reached now is
    saved; its sign-in fails until it can."""
    # The identity adapter's session: public addresses only, no redirects.
    url = server_url if "/.well-known/" in server_url else server_url + WELL_KNOWN
    session = public_session(allowed=lambda: getattr(settings, "SSO_PRIVATE_HOSTS", False))
    try:
        with session:
            answer = session.get(
                url, timeout=getattr(settings, "SOCIALACCOUNT_REQUESTS_TIMEOUT", 10)
            )
            answer.raise_for_status()
            issuer = str(answer.json().get("issuer") or "")
    except (requests.RequestException, ValueError, AttributeError):
        return
    if issuer.rstrip("/") != server_url.split("/.well-known/")[0].rstrip("/"):
        raise ValidationError(
            {
                "server_url": _(
                    "The provider at that address names another issuer (%(issuer)s). Give "
                    "the issuer's own address."
                )
                % {"issuer": issuer[:200]}
            }
        )


def end_password_use(provider: IdentityProvider) -> int:
    """The people this provider is now required for stop using a password at once: their
    other login sessions end and their API tokens stop. Returns how many people."""
    now = clock.now()
    count = 0
    for user in people_of(provider):
        if provider not in required_providers(user):
            continue
        count += 1
        for row in UserSession.objects.filter(user=user):
            loa = (row.data or {}).get(LOA_KEY) or {}
            if loa.get("provider_id") != provider.pk:
                row.end()
        with scopes_disabled():
            user.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=now)
    return count


@receiver(post_delete, sender=IdentityProvider, dispatch_uid="bollplank_identity_app_gone")
def _app_goes_with_the_provider(sender: Any, instance: IdentityProvider, **kwargs: Any) -> None:
    """A provider deleted with its client or practice takes allauth's app (its secret) and
    its linked identities along: the app is the row the provider points to, so the database's
    cascade does not reach it."""
    apps = SocialApp.objects.filter(pk=instance.app_id)
    SocialAccount.objects.filter(provider__in=apps.values("provider_id")).delete()
    apps.delete()


@transaction.atomic
def identity_provider_remove(*, actor: Any, provider: IdentityProvider) -> None:
    """Remove a provider with its linked identities: its people log in with a password again
    (or are invited to set one)."""
    SocialAccount.objects.filter(provider=provider.app.provider_id).delete()
    audit(actor, "accounts.identity_provider.removed", provider, {"name": provider.name})
    provider.app.delete()


@transaction.atomic
def identity_link(
    *, actor: Any, provider: IdentityProvider, user: Any, subject: str
) -> SocialAccount:
    """Link a person to the identity the provider knows them by (its ``sub``): how someone
    whose address the provider does not confirm is recognised."""
    subject = subject.strip()
    if not subject or len(subject) > 191:
        raise ValidationError({"subject": _("Give the identity (sub) the provider reports.")})
    if not belongs_to(provider, user):
        raise ValidationError(
            {"user": _("That person is not one of the people this sign-in is for.")}
        )
    key = provider.app.provider_id
    taken = SocialAccount.objects.filter(provider=key, uid=subject).exclude(user=user)
    if taken.exists():
        raise ValidationError({"subject": _("That identity is already linked to someone else.")})
    # One identity per person and provider: a new one replaces any before it.
    SocialAccount.objects.filter(provider=key, user=user).exclude(uid=subject).delete()
    account, _created = SocialAccount.objects.update_or_create(
        provider=key, user=user, defaults={"uid": subject}
    )
    audit(actor, "accounts.identity.linked", provider, {"user": user.pk})
    return account


@transaction.atomic
def identity_unlink(*, actor: Any, provider: IdentityProvider, account: SocialAccount) -> None:
    """Remove a person's linked identity at this provider."""
    if account.provider != provider.app.provider_id:
        raise ValidationError(_("That identity is not linked at this provider."))
    user_pk = account.user_id
    account.delete()
    audit(actor, "accounts.identity.unlinked", provider, {"user": user_pk})
