from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from bollplank.core.shipped import after_migrate


def install_shipped() -> None:
    """The shipped questionnaires, where they are missing."""
    from bollplank.evaluations.models import Question, Questionnaire, Section
    from bollplank.evaluations.shipped import install

    install(Questionnaire, Section, Question)


class EvaluationsConfig(AppConfig):
    name = "bollplank.evaluations"
    label = "evaluations"
    verbose_name = _("goals and evaluations")

    def ready(self) -> None:
        receiver = after_migrate("evaluations.Questionnaire", install_shipped)
        post_migrate.connect(receiver, sender=self, weak=False)
