from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "bollplank.privacy"
    label = "privacy"
    verbose_name = _("privacy and retention")

    def ready(self) -> None:
        # Every app's personal_data.py registers what it keeps about people (privacy/registry.py).
        autodiscover_modules("personal_data")
