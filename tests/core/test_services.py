"""core.services.model_update: the one way services set fields from input."""

from __future__ import annotations

from bollplank.core.models import Practice
from bollplank.core.services import model_update


def test_model_update_sets_the_given_fields_and_names_those_that_changed() -> None:
    practice = Practice(name="Ekbacken", slug="ekbacken", travel_buffer_minutes=30)

    changed = model_update(
        instance=practice,
        fields=["name", "travel_buffer_minutes", "late_cancellation_hours"],
        data={"travel_buffer_minutes": 45, "name": "Ekbacken", "slug": "other"},
    )

    assert changed == ["travel_buffer_minutes"]
    assert (practice.name, practice.slug, practice.travel_buffer_minutes) == (
        "Ekbacken",
        "ekbacken",
        45,
    )
