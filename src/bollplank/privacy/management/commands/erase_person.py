from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from bollplank.accounts.models import User
from bollplank.privacy.services import person_erase


class Command(BaseCommand):
    help = (
        "Erase a person (GDPR Art. 17): their own texts and logins go, rows others rely on "
        "(attendance, summaries, meetings) stay pseudonymized, issued invoices stay as issued, "
        "and the audit chain still verifies. --dry-run counts without changing anything."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("email")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, email: str, dry_run: bool, **options: Any) -> None:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"No person with the address {email}.")
        touched = person_erase(actor=None, user=user, dry_run=dry_run)
        verb = "would touch" if dry_run else "erased"
        parts = ", ".join(f"{key} {count}" for key, count in touched.items())
        self.stdout.write(f"{verb} {sum(touched.values())} rows ({parts})")
