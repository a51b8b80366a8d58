from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _install_shipped(sender: Any, apps: Any = None, **kwargs: Any) -> None:
    """Keep the shipped conversation models present: the data migration creates them, and this
    puts them back after a database flush (as tests that truncate tables do).
    Not when the migrations run stop before this app's tables exist (``migrate core 0008``
    on an empty database)."""
    if apps is not None:
        try:
            apps.get_model("facilitation", "ConversationModel")
        except LookupError:
            return
    from bollplank.facilitation.models import ConversationModel, Step
    from bollplank.facilitation.shipped import install

    install(ConversationModel, Step)


class FacilitationConfig(AppConfig):
    name = "bollplank.facilitation"
    verbose_name = _("conversation models")

    def ready(self) -> None:
        post_migrate.connect(_install_shipped, sender=self)
