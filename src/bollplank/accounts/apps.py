from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "bollplank.accounts"
    label = "accounts"
