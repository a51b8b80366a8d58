from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bollplank.core.models import Practice
from bollplank.demo.bench import BENCH_SLUG, SCALES, generate, sizes_for


class Command(BaseCommand):
    help = (
        "Fill a bench database with a generated firm: at large scale 150 supervisors, 400 "
        "clients, 6,000 participants, 300,000 meetings and about 1.2 million attendance rows "
        "(medium a tenth, small a hundredth). Bench logins share a published password, so "
        "run it only on a database made for the benchmark."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(SCALES), default="small")
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="Do nothing when the bench practices are there already.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        scale = options["scale"]
        existing = Practice.objects.filter(slug=BENCH_SLUG).first()
        if existing is not None:
            if options["if_missing"]:
                self.stdout.write(f"The bench data is there already ({existing.name}): unchanged.")
                return
            raise CommandError("The bench data exists already: use a fresh bench database.")
        started = time.monotonic()
        verbose = options["verbosity"] > 1
        summary = generate(
            sizes=sizes_for(scale),
            label=f"({scale})",
            progress=(lambda msg: self.stdout.write(msg)) if verbose else None,
        )
        self.stdout.write(
            f"Generated the {scale} bench firm in {time.monotonic() - started:.0f} s: "
            f"{summary.supervisors} supervisors, {summary.clients} clients, "
            f"{summary.participants} participants, {summary.engagements} engagements, "
            f"{summary.meetings} meetings, {summary.attendance} attendance rows."
        )
