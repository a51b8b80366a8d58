"""What a practice decides about keeping personal data."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from bollplank.core.models import Practice


class RetentionRule(models.Model):
    """How many days the practice keeps one kind of record (a key of core.personal_data_registry).
    No row: the kind's default. ``days`` empty: kept until deleted by hand."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=60)
    days = models.PositiveIntegerField(
        _("days kept"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100 * 365)],
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(practice="practice")

    class Meta:
        verbose_name = _("retention rule")
        constraints = [
            models.UniqueConstraint(fields=["practice", "kind"], name="retention_rule_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.days}"
