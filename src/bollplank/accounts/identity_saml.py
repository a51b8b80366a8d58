"""SAML 2.0 sign-in: allauth's SAML provider (python3-saml does the protocol), told two things
an organisation's IdP says that allauth's provider does not keep: the level of assurance the
assertion states, and whether the IdP vouches for the e-mail address it sends."""

from __future__ import annotations

from typing import Any

from allauth.socialaccount.providers.saml.provider import SAMLProvider

# The assertion's AuthnContextClassRef values, kept in the SocialAccount's extra_data beside the
# attributes (attribute names are URIs or OIDs, so this plain key cannot collide with one).
AUTHN_CONTEXTS = "authn_context_class_refs"
# A SocialApp setting: the IdP checks the addresses it sends (an organisation's own directory).
VERIFIES_EMAIL = "verified_email"


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
