from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "bollplank.accounts"
    label = "accounts"

    def ready(self) -> None:
        # Both connect to the login signal: the session's time limits, and the level of
        # assurance of a sign-in through an organisation's provider.
        from bollplank.accounts import identity_adapter, sessions  # noqa: F401
