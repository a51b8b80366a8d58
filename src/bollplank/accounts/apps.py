from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "bollplank.accounts"
    label = "accounts"

    def ready(self) -> None:
        from allauth.socialaccount.providers.saml import utils as saml_utils

        # They connect to the login signal: the session's time limits, the level of assurance
        # of a sign-in through an organisation's provider, and whether it was two-factor.
        from bollplank.accounts import assurance, identity_adapter, sessions  # noqa: F401
        from bollplank.accounts.identity_saml import fetch_idp_metadata

        # allauth's SAML pages read an IdP's metadata through this one function and offer no
        # setting for another: ours checks the address again and fetches public addresses only.
        saml_utils.fetch_metadata_url_config = fetch_idp_metadata
