"""Check that no audit event was changed, removed or reordered."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bollplank.core.audit import seal
from bollplank.core.audit_verify import default_jobs, verify_chain


class Command(BaseCommand):
    help = (
        "Check the audit log: every event's MAC, the sealed chain from its start (or the last "
        "retention prune), and the signed checkpoints in AUDIT_CHECKPOINT_DIR (newest events "
        "removed, chain rewritten). Exit code 1 when anything does not hold."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seal", action="store_true", help="Seal the events waiting for the sealer first."
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=None,
            help="Processes that check the log (default: up to 4 on PostgreSQL, 1 on SQLite).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["seal"]:
            seal()
        report = verify_chain(jobs=options["jobs"] or default_jobs())
        for warning in report.warnings:
            self.stderr.write(f"Warning: {warning}")
        if not report.ok:
            raise CommandError(
                "The audit log does not verify:\n" + "\n".join(p.message for p in report.problems)
            )
        self.stdout.write(
            f"The audit chain is whole: {report.sealed} sealed events, {report.unsealed} "
            f"waiting to be sealed, {report.checkpoints} checkpoints agree."
        )
