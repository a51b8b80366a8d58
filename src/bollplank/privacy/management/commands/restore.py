from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from bollplank.privacy.backup import BackupError, backup_restore
from bollplank.privacy.management.commands.backup import passphrase


class Command(BaseCommand):
    help = (
        "Replace this instance's database and the key files in var/ with an encrypted backup "
        "made by `manage.py backup`. Stop the web and task workers first. Needs --yes."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("backup")
        parser.add_argument("--passphrase-file")
        parser.add_argument("--no-keys", action="store_true", help="leave var/'s key files")
        parser.add_argument("--yes", action="store_true", help="yes, replace everything")

    def handle(self, *args: Any, backup: str, passphrase_file: str | None, **o: Any) -> None:
        if not o["yes"]:
            raise CommandError("This replaces the whole database. Run again with --yes.")
        try:
            manifest = backup_restore(
                source=Path(backup),
                passphrase=passphrase(passphrase_file),
                restore_keys=not o["no_keys"],
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"restored the backup of {manifest['created_at']}")
