from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from bollplank.core.models import Practice
from bollplank.core.personal_data_registry import retention_categories
from bollplank.privacy.services import retention_apply, retention_days


class Command(BaseCommand):
    help = (
        "Delete records older than each practice's retention rules (notes, journals, questions "
        "sent in, evaluation answers, inquiries, audit events, and what other apps register). "
        "Run daily from a timer (docs/deploy.md); --dry-run only counts, and also lists the "
        "kinds a practice keeps until deleted by hand."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        lines = retention_apply(dry_run=dry_run)
        for line in lines:
            where = line.practice.slug if line.practice else "all practices"
            self.stdout.write(f"{where} {line.category.key}: {line.count} (kept {line.days} days)")
        if dry_run:
            # Every kind with retention is named, so that nothing is silently kept forever.
            for practice in Practice.objects.order_by("pk"):
                for cat in retention_categories():
                    shared = cat.retention is not None and cat.retention.prune_before
                    if not shared and retention_days(practice, cat) is None:
                        self.stdout.write(f"{practice.slug} {cat.key}: kept until deleted by hand")
        verb = "would delete" if dry_run else "deleted"
        self.stdout.write(f"{verb} {sum(line.count for line in lines)} records")
