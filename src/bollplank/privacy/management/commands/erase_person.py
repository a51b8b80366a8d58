from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from bollplank.accounts.models import User
from bollplank.privacy.services import address_erase, address_practice_ids, person_erase


class Command(BaseCommand):
    help = (
        "Erase a person (GDPR Art. 17): their own texts and logins go, rows others rely on "
        "(attendance, summaries, meetings) stay pseudonymized, issued invoices stay as issued, "
        "and the audit chain still verifies. An address without a login (inquiries, course "
        "registrations, mentoring sign-ups, first talks, e-mails) is erased in every practice. "
        "--dry-run counts without changing anything."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("email")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, email: str, dry_run: bool, **options: Any) -> None:
        user = User.objects.filter(email__iexact=email).first()
        if user is not None:
            touched = person_erase(actor=None, user=user, dry_run=dry_run)
        elif address_practice_ids(email):
            touched = address_erase(actor=None, email=email, practice=None, dry_run=dry_run)
        else:
            raise CommandError(f"No person with the address {email}.")
        verb = "would touch" if dry_run else "erased"
        parts = ", ".join(f"{key} {count}" for key, count in touched.items())
        self.stdout.write(f"{verb} {sum(touched.values())} rows ({parts})")
