from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "bollplank.accounts"
    label = "accounts"

    def ready(self) -> None:
        from bollplank.accounts import sessions  # noqa: F401  (connects the login signal)
