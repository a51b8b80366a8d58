"""Add a demo mentoring programme (40 mentors, 60 mentees signed up) to a practice."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_scopes import scope

from bollplank.accounts.models import Membership
from bollplank.core import clock
from bollplank.core.models import Practice
from bollplank.core.roles import Role
from bollplank.demo.firm import DEMO_SLUG
from bollplank.mentoring.demo import demo_programme


class Command(BaseCommand):
    help = (
        "Add a mentoring programme with 40 mentors and 60 mentees signed up, open for sign-up "
        "for two more weeks, to a practice (default: the demo firm)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--practice", default=DEMO_SLUG)
        parser.add_argument("--mentors", type=int, default=40)
        parser.add_argument("--mentees", type=int, default=60)

    def handle(self, *args: Any, **options: Any) -> None:
        practice = Practice.objects.filter(slug=options["practice"]).first()
        if practice is None:
            raise CommandError(f"No practice with the slug {options['practice']!r}.")
        with scope(practice=practice), transaction.atomic():
            admin = (
                Membership.objects.filter(practice=practice, role=Role.ADMIN)
                .select_related("user")
                .first()
            )
            programme = demo_programme(
                practice=practice,
                actor=admin.user if admin else None,
                today=clock.today(),
                mentors=options["mentors"],
                mentees=options["mentees"],
            )
        self.stdout.write(
            f"Programme {programme.pk} '{programme.name}' in {practice.slug}: "
            f"{options['mentors']} mentors and {options['mentees']} mentees signed up."
        )
