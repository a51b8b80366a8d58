"""What every app's services share."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Model


def model_update(*, instance: Model, fields: Iterable[str], data: Mapping[str, Any]) -> list[str]:
    """Set on ``instance`` those of ``fields`` that ``data`` holds and whose value differs, and
    return their names in the order of ``fields`` (what the audit event names).

    Nothing is checked or saved here: each service applies its own rules, then calls
    ``full_clean()``, ``save()`` and ``audit(...)`` (the HackSoft Django Styleguide's
    ``model_update``, without the save, because the services' rules come between)."""
    changed = [name for name in fields if name in data and getattr(instance, name) != data[name]]
    for name in changed:
        setattr(instance, name, data[name])
    return changed
