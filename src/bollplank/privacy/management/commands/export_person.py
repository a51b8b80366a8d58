from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from bollplank.accounts.models import User
from bollplank.privacy.services import export_html, export_json, person_export


class Command(BaseCommand):
    help = (
        "Write everything Bollplank holds about a person (GDPR Art. 15 and 20) as JSON and as a "
        "readable HTML page. Encrypted texts (private notes, journals) are left out: only the "
        "person downloads them, from 'My data'. The export is logged in the audit log."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("email")
        parser.add_argument("--out", default=".", help="directory for the two files")

    def handle(self, *args: Any, email: str, out: str, **options: Any) -> None:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"No person with the address {email}.")
        data = person_export(actor=None, user=user, confidential=False)
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        stem = folder / f"bollplank-export-{user.pk}"
        stem.with_suffix(".json").write_text(export_json(data), encoding="utf-8")
        stem.with_suffix(".html").write_text(export_html(data, user.language), encoding="utf-8")
        rows = sum(len(c["rows"]) for c in data["categories"].values())
        self.stdout.write(f"{rows} rows in {len(data['categories'])} categories: {stem}.json/.html")
