from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "bollplank.evaluations"
    label = "evaluations"
    verbose_name = _("goals and evaluations")
