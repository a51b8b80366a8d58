"""The qualifications a supervisor's profile gives a certificate they sign."""

from __future__ import annotations

from typing import Any

from django_scopes import scope

from bollplank.core.documents import register_qualifications
from bollplank.core.models import Practice
from bollplank.directory.models import SupervisorProfile


def _qualifications(practice: Practice, user: Any) -> list[str]:
    with scope(practice=practice):
        profile = SupervisorProfile.objects.filter(practice=practice, user=user).first()
    if profile is None:
        return []
    return [profile.profession, profile.training]


register_qualifications(_qualifications)
