from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from bollplank.core.models import Practice
from bollplank.home.procurement.deployment import Deployment
from bollplank.home.procurement.pack import pack_write


class Command(BaseCommand):
    help = (
        "Write the procurement pack (data processing agreement, sub-processors, storage, "
        "accessibility, security answers) in Swedish Markdown: from this deployment's settings, "
        "or with --template the neutral version committed in docs/procurement/."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--out", required=True, help="folder to write into")
        parser.add_argument(
            "--template",
            action="store_true",
            help="blanks instead of this deployment's settings (the committed version)",
        )
        parser.add_argument("--practice", help="fill in this practice (its slug)")

    def handle(self, *args: Any, out: str, template: bool, practice: str | None, **o: Any) -> None:
        if template and practice:
            raise CommandError("--template and --practice exclude each other.")
        chosen = None
        if practice:
            with scopes_disabled():
                chosen = Practice.objects.filter(slug=practice).first()
            if chosen is None:
                raise CommandError(f"No practice with the slug {practice!r}.")
        deployment = None if template else Deployment.from_settings(chosen)
        written = pack_write(Path(out), deployment, chosen)
        self.stdout.write(f"{len(written)} files written to {out}")
