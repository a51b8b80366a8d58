from django.db import models
from django.utils.translation import gettext_lazy as _


class Sector(models.TextChoices):
    SCHOOL = "school", _("school")
    PRESCHOOL = "preschool", _("pre-school")
    SOCIAL_SERVICES = "social_services", _("social services")
    HEALTH_CARE = "health_care", _("health care")
    PSYCHIATRY = "psychiatry", _("psychiatry")
    PRISON_PROBATION = "prison_probation", _("prison and probation")
    TREATMENT_HOME = "treatment_home", _("treatment home")
    ELDER_CARE = "elder_care", _("elder care")
    OTHER = "other", _("other")
