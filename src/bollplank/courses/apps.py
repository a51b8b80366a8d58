from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "bollplank.courses"
    label = "courses"
    verbose_name = _("courses")
