from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from bollplank.privacy.services import retention_apply


class Command(BaseCommand):
    help = (
        "Delete records older than each practice's retention rules (notes, journals, questions "
        "sent in, audit events, and what other apps register). Run daily from a timer "
        "(docs/deploy.md); --dry-run only counts."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        lines = retention_apply(dry_run=dry_run)
        for line in lines:
            where = line.practice.slug if line.practice else "all practices"
            self.stdout.write(f"{where} {line.category.key}: {line.count} (kept {line.days} days)")
        verb = "would delete" if dry_run else "deleted"
        self.stdout.write(f"{verb} {sum(line.count for line in lines)} records")
