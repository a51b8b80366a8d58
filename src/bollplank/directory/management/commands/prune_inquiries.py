"""Delete inquiries not won that have passed their practice's retention time."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from bollplank.directory.services import inquiries_prune


class Command(BaseCommand):
    help = (
        "Delete every inquiry that has not become an engagement (status other than won) and has "
        "not changed for longer than its practice's retention time (default 90 days). Run daily."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = inquiries_prune()
        self.stdout.write(f"Deleted {count} inquiries past their retention time.")
