"""SAML 2.0 sign-in: allauth's SAML provider (python3-saml does the protocol), told two things
an organisation's IdP says that allauth's provider does not keep: the level of assurance the
assertion states, and whether the IdP vouches for the e-mail address it sends."""

from __future__ import annotations

import logging
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from allauth.socialaccount.models import SocialAccount, SocialApp
from allauth.socialaccount.providers.saml.provider import SAMLProvider
from cryptography import x509
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.db import transaction
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

from bollplank.accounts.enums import IdentityProviderKind
from bollplank.accounts.identity_models import IdentityProvider
from bollplank.core.audit import audit
from bollplank.core.urlguard import PublicHTTPHandler, PublicHTTPSHandler

logger = logging.getLogger(__name__)

# The assertion's AuthnContextClassRef values, kept in the SocialAccount's extra_data beside the
# attributes (attribute names are URIs or OIDs, so this plain key cannot collide with one).
AUTHN_CONTEXTS = "authn_context_class_refs"
# A SocialApp setting: the IdP checks the addresses it sends (an organisation's own directory).
VERIFIES_EMAIL = "verified_email"
# An IdP's metadata is a few kilobytes; a federation's aggregate is not for one IdP's log-in.
METADATA_MAX_BYTES = 5 * 1024 * 1024


class IdentitySAMLProvider(SAMLProvider):
    """allauth's ``saml`` provider (SOCIALACCOUNT_PROVIDERS["saml"]["provider_class"])."""

    # allauth finds a provider's URLs and templates by its package: still allauth's.
    package = "allauth.socialaccount.providers.saml"

    def extract_extra_data(self, data: Any) -> dict[str, Any]:
        extra = dict(super().extract_extra_data(data))
        extra[AUTHN_CONTEXTS] = list(data.get_last_authn_contexts() or [])
        return extra

    def extract_common_fields(self, data: Any) -> dict[str, Any]:
        fields: dict[str, Any] = super().extract_common_fields(data)
        # Only the administrator's word makes an address verified: an IdP's own claim to have
        # verified it is an attribute any IdP can send.
        fields["email_verified"] = bool(self.app.settings.get(VERIFIES_EMAIL)) and bool(
            fields.get("email")
        )
        return fields


def level_of_assurance(extra_data: dict[str, Any]) -> str:
    """The level of assurance a SAML login stated (its first AuthnContextClassRef), or ""."""
    refs = extra_data.get(AUTHN_CONTEXTS) or []
    return str(refs[0]) if refs else ""


def sso_origin(app: SocialApp) -> str:
    """The origin of the IdP's sign-in address: a form that starts this sign-in is sent on
    there (the Content-Security-Policy's form-action must name it). From the IdP's metadata
    when the app has a metadata address (allauth caches what it fetched)."""
    idp = (app.settings or {}).get("idp") or {}
    url = str(idp.get("sso_url") or "")
    if not url and idp.get("metadata_url"):
        config = fetch_idp_metadata(idp)
        url = str(config.get("idp", {}).get("singleSignOnService", {}).get("url") or "")
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


class MetadataRefused(SuspiciousOperation):
    """An IdP's metadata address that leads into this machine or a private network now.
    Where no page of ours catches it, Django answers 400 and logs it as a security event."""


def fetch_idp_metadata(idp: dict[str, Any]) -> dict[str, Any]:
    """The IdP's settings read from its metadata address, for allauth's SAML pages and ours
    (accounts.apps puts this in the place of allauth's fetch_metadata_url_config), cached
    under allauth's key. The address passed the private-network check when it was saved; a
    name may point elsewhere later, so the check is made again before each fetch, and the fetch
    itself connects to public addresses only (after a redirect too)."""

    from bollplank.accounts.identity import check_server_url

    url, entity_id = str(idp["metadata_url"]), str(idp["entity_id"])
    key = f"saml.metadata.{url}.{entity_id}"
    config: dict[str, Any] | None = cache.get(key)
    if config is not None:
        return config
    try:
        check_server_url(url)
    except ValidationError as exc:
        logger.warning("IdP metadata not fetched, not a public https address: %s", url)
        raise MetadataRefused(f"IdP metadata address refused: {url}") from exc
    local_ok = getattr(settings, "SSO_PRIVATE_HOSTS", False)
    opener = urllib.request.build_opener(
        *([] if local_ok else [PublicHTTPHandler, PublicHTTPSHandler])
    )
    request = urllib.request.Request(url, headers={"User-Agent": "Bollplank"})  # noqa: S310
    with opener.open(request, timeout=idp.get("metadata_request_timeout", 10)) as response:
        xml = response.read(METADATA_MAX_BYTES)
    config = OneLogin_Saml2_IdPMetadataParser.parse(xml, entity_id=entity_id)
    cache.set(key, config, idp.get("metadata_cache_timeout", 60 * 60 * 4))
    return config


def saml_form_action_origins(providers: list[IdentityProvider]) -> list[str]:
    """The IdP origins the sign-in buttons of these providers go on to (SAML ones; an IdP
    whose metadata cannot be fetched now is left out: its button then fails visibly)."""
    origins = []
    for provider in providers:
        if provider.kind != IdentityProviderKind.SAML:
            continue
        try:
            origin = sso_origin(provider.app)
        except Exception:  # noqa: BLE001 (any failure to fetch metadata)
            origin = ""
        if origin and origin not in origins:
            origins.append(origin)
    return origins


def saml_claims(sociallogin: Any) -> dict[str, Any]:
    """A SAML sign-in in the words the sign-in rules use (accounts.identity): the address and
    whether it counts as verified, and the level of assurance as ``acr``."""
    addresses = list(sociallogin.email_addresses or [])
    email = addresses[0].email if addresses else ""
    return {
        "email": email,
        "email_verified": bool(addresses) and bool(addresses[0].verified),
        "acr": level_of_assurance(sociallogin.account.extra_data or {}),
    }


def saml_error_kind(reason: str) -> str:
    """What python3-saml's reason for refusing a response (its message is all it gives) says
    went wrong: ``audience``, ``expired`` or "" for anything else."""
    if "not a valid audience" in reason:
        return "audience"
    if "Could not validate timestamp" in reason or "SubjectConfirmation" in reason:
        return "expired"
    return ""


def _idp_settings(*, entity_id: str, sso_url: str, x509cert: str, metadata_url: str) -> dict:
    """allauth's ``idp`` settings: the IdP's metadata address, or its entity id, sign-in
    address and signing certificate (checked to be one)."""
    from bollplank.accounts.identity import check_server_url

    def checked(url: str, field: str) -> str:
        try:
            return check_server_url(url)
        except ValidationError as exc:
            raise ValidationError({field: exc.message_dict["server_url"]}) from exc

    entity_id = entity_id.strip()
    if not entity_id:
        raise ValidationError({"entity_id": _("Give the identity provider's entity id.")})
    if metadata_url.strip():
        return {
            "entity_id": entity_id,
            "metadata_url": checked(metadata_url.strip(), "metadata_url"),
        }
    if not sso_url.strip() or not x509cert.strip():
        raise ValidationError(
            _("Give the metadata address, or the sign-in address and the certificate.")
        )
    body = "".join(
        line for line in x509cert.strip().splitlines() if not line.startswith("-----")
    ).replace(" ", "")
    pem = "-----BEGIN CERTIFICATE-----\n" + body + "\n-----END CERTIFICATE-----\n"
    try:
        x509.load_pem_x509_certificate(pem.encode())
    except ValueError as exc:
        raise ValidationError({"x509cert": _("That is not an X.509 certificate.")}) from exc
    return {
        "entity_id": entity_id,
        "sso_url": checked(sso_url.strip(), "sso_url"),
        "x509cert": body,
    }


@transaction.atomic
def saml_provider_save(
    *,
    actor: Any,
    practice: Any,
    provider: IdentityProvider | None = None,
    name: str,
    client: Any | None,
    entity_id: str,
    sso_url: str = "",
    x509cert: str = "",
    metadata_url: str = "",
    verifies_email: bool,
    required_for: list[str],
) -> IdentityProvider:
    """Add or change a SAML 2.0 provider. Its address for allauth (the ACS and metadata URLs)
    holds a random slug that says nothing of whose it is. The audit log says what changed."""
    from bollplank.accounts.identity import _check_roles, end_password_use

    if client is not None and client.practice_id != practice.pk:
        raise ValidationError({"client": _("Choose one of the practice's clients.")})
    idp = _idp_settings(
        entity_id=entity_id, sso_url=sso_url, x509cert=x509cert, metadata_url=metadata_url
    )
    required_for = _check_roles(client, required_for)
    if provider is None:
        slug = f"org-{get_random_string(12).lower()}"
        # allauth's SAML pages find the app by client_id, its accounts by provider_id.
        app = SocialApp(provider=IdentityProviderKind.SAML, provider_id=slug, client_id=slug)
        provider = IdentityProvider(practice=practice, kind=IdentityProviderKind.SAML)
        changed = ["created"]
        old: dict[str, Any] = {}
    else:
        app = provider.app
        old = app.settings or {}
        changed = [
            field
            for field, before, after in (
                ("name", provider.name, name),
                ("client", provider.client_id, client.pk if client else None),
                ("idp", old.get("idp"), idp),
                ("verified_email", old.get(VERIFIES_EMAIL), verifies_email),
                ("required_for", provider.required_for, required_for),
            )
            if before != after
        ]
    app.name = name
    app.settings = {
        "idp": idp,
        VERIFIES_EMAIL: verifies_email,
        # Only signed assertions count; development and tests run on single-label hosts.
        "advanced": {
            "want_assertion_signed": True,
            "allow_single_label_domains": bool(getattr(settings, "SSO_PRIVATE_HOSTS", False)),
        },
    }
    app.save()
    provider.app, provider.name, provider.client = app, name, client
    provider.required_for = required_for
    provider.full_clean(exclude=["practice", "app", "client"])
    provider.save()
    data: dict[str, Any] = {"fields": changed}
    if "idp" in changed and (old.get("idp") or {}).get("entity_id") != idp["entity_id"]:
        # Another IdP's subjects are other people's: its links start over.
        data["links_removed"] = SocialAccount.objects.filter(provider=app.provider_id).delete()[0]
    if required_for and ("created" in changed or "required_for" in changed):
        # As for an OpenID Connect log-in: password sessions and API tokens end at once.
        data["passwords_ended"] = end_password_use(provider)
    audit(actor, "accounts.identity_provider.saved", provider, data)
    return provider
