from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MentoringConfig(AppConfig):
    name = "bollplank.mentoring"
    label = "mentoring"
    verbose_name = _("mentoring programmes")
