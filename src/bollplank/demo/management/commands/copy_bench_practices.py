from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bollplank.core.models import Practice
from bollplank.demo.bench import REST_SLUG
from bollplank.demo.many import fill_practices


class Command(BaseCommand):
    help = (
        "Copy the generated bench practice 'bench-rest' until the bench database holds "
        "--practices practices, each a practice of its own with its own people (same published "
        "bench password). Copies there already are kept. Run it only on a bench database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--practices", type=int, default=100)

    def handle(self, *args: Any, **options: Any) -> None:
        if not Practice.objects.filter(slug=REST_SLUG).exists():
            raise CommandError("No bench data here: run generate_bench_data first.")
        started = time.monotonic()
        verbose = options["verbosity"] > 1
        made = fill_practices(
            total=options["practices"],
            progress=(lambda msg: self.stdout.write(msg)) if verbose else None,
        )
        self.stdout.write(
            f"Made {made} copies in {time.monotonic() - started:.1f} s: "
            f"{Practice.objects.count()} practices."
        )
