"""Re-encrypt every private note and journal entry with the newest key."""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet
from django.core.management.base import BaseCommand

from bollplank.records.keys import prepend_key, rotate_all


class Command(BaseCommand):
    help = (
        "Re-encrypt every confidential text with the first (newest) key. With --new-key, first "
        "put a new key in front of the key file. Reads keep working throughout: every listed "
        "key decrypts. Remove the old key only after this has finished on every server."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--new-key", action="store_true", help="add a new key to the key file first"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["new_key"]:
            path = prepend_key(Fernet.generate_key().decode())
            self.stdout.write(f"A new key is first in {path}.")
        count = rotate_all()
        self.stdout.write(f"Re-encrypted {count} texts with the newest key.")
