from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from bollplank.core.models import Practice
from bollplank.demo.firm import (
    DEMO_NAME,
    DEMO_SLUG,
    demo_load,
    demo_logins,
    demo_summary,
    format_logins,
)


class Command(BaseCommand):
    help = (
        "Create the fictional demo firm 'Ekbacken handledning' (3 supervisors, 6 clients, a year "
        "of meetings) unless it already exists, and print its logins. Every demo login has the "
        "same published password, so the command refuses to create it unless BOLLPLANK_DEBUG "
        "is on or --force is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load the demo even though debug mode is off.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        exists = Practice.objects.filter(slug=DEMO_SLUG).exists()
        if not exists and not settings.DEBUG and not options["force"]:
            raise CommandError(
                "The demo has logins with a published password: set BOLLPLANK_DEBUG=1 "
                "(or pass --force) to load it."
            )
        practice, created = demo_load()
        counts = "{clients} clients, {engagements} engagements, {meetings} meetings".format(
            **demo_summary(practice)
        )
        if created:
            self.stdout.write(f"Created the demo firm {DEMO_NAME}: {counts}.")
        else:
            self.stdout.write(f"The demo firm {DEMO_NAME} is already there ({counts}): unchanged.")
        url = f"http://127.0.0.1:{os.environ.get('PORT') or '8000'}"
        self.stdout.write("")
        self.stdout.write(format_logins(demo_logins(), url))
