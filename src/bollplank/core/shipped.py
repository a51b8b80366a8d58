"""Rows the product ships (questionnaires, conversation models) kept present after migrations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def after_migrate(model: str, install: Callable[[], None]) -> Callable[..., None]:
    """A ``post_migrate`` receiver that runs ``install`` (which puts an app's shipped rows in
    place, leaving those there alone).

    The app's data migration creates the rows; this puts them back after a database flush (as
    tests that truncate tables do). Not when the migrations run stop before ``model``'s table
    exists (``migrate core 0008`` on an empty database)."""
    app_label, model_name = model.split(".")

    def receiver(sender: Any, apps: Any = None, **kwargs: Any) -> None:
        if apps is not None:
            try:
                apps.get_model(app_label, model_name)
            except LookupError:
                return
        install()

    return receiver
