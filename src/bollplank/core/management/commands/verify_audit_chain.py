"""Check that no audit event was changed or removed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from bollplank.core.audit import verify_chain


class Command(BaseCommand):
    help = (
        "Walk the audit log's hash chain from the start; report the first event whose hash or "
        "link does not hold (an edited, inserted or deleted event). Exit code 1 when broken."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        broken = verify_chain()
        if broken is not None:
            raise CommandError(
                f"The audit chain is broken at event {broken.pk} ({broken.action}, "
                f"{broken.created_at.isoformat()})."
            )
        self.stdout.write("The audit chain is whole.")
