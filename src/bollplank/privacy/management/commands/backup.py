from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from bollplank.core import clock
from bollplank.privacy.backup import BackupError, backup_create


def passphrase(file: str | None) -> str:
    """From --passphrase-file, or BOLLPLANK_BACKUP_PASSPHRASE; never from the command line
    (it would show in the process list and the shell history)."""
    if file:
        return Path(file).read_text(encoding="utf-8").strip()
    value = os.environ.get("BOLLPLANK_BACKUP_PASSPHRASE")
    if not value:
        raise CommandError("Give --passphrase-file or set BOLLPLANK_BACKUP_PASSPHRASE.")
    return value


class Command(BaseCommand):
    help = (
        "Write an encrypted backup: the database (SQLite online backup, or pg_dump) and the key "
        "files in var/ (secret key, note keys), sealed with a passphrase. Restore with "
        "`manage.py restore`."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--out", help="file to write (default var/backups/<time>.bpbackup)")
        parser.add_argument("--passphrase-file")

    def handle(self, *args: Any, out: str | None, passphrase_file: str | None, **o: Any) -> None:
        from django.conf import settings

        target = (
            Path(out)
            if out
            else (Path(settings.VAR_DIR) / "backups" / f"{clock.now():%Y%m%dT%H%M%SZ}.bpbackup")
        )
        try:
            manifest = backup_create(target=target, passphrase=passphrase(passphrase_file))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{manifest['database']} database and {len(manifest['keys'])} key files in {target}"
        )
