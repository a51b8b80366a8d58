from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from bollplank.core.shipped import after_migrate


def install_shipped() -> None:
    """The shipped conversation models, where they are missing."""
    from bollplank.facilitation.models import ConversationModel, Step
    from bollplank.facilitation.shipped import install

    install(ConversationModel, Step)


class FacilitationConfig(AppConfig):
    name = "bollplank.facilitation"
    verbose_name = _("conversation models")

    def ready(self) -> None:
        receiver = after_migrate("facilitation.ConversationModel", install_shipped)
        post_migrate.connect(receiver, sender=self, weak=False)
