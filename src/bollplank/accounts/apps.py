from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "bollplank.accounts"
    label = "accounts"

    def ready(self) -> None:
        # They connect to the login signal: the session's time limits, the level of assurance
        # of a sign-in through an organisation's provider, and whether it was two-factor.
        from bollplank.accounts import assurance, identity_adapter, sessions  # noqa: F401
