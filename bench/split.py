"""Where a page's CPU time goes: per scenario, the CPU of one request in this process and how
much of it the template engine and the ORM's query evaluation take.

Run with DATABASE_URL pointing at a bench database, with bench/prepare.py's output on stdin:

    .venv/bin/python bench/prepare.py > /tmp/prepared.json
    .venv/bin/python bench/split.py < /tmp/prepared.json

Prints a Markdown table. "templates" is Django's template rendering, less any query a template
ran; "ORM" is the evaluation of querysets (compiling the SQL, running it, making the rows or
model instances), wherever it happens; "the rest" is everything else: the middleware, the
session and tenant checks, building the querysets, the view's own work and the response. The
timers wrap Django's own functions in this process only, to measure them; the best of five
rounds of 40 requests each, CPU time (``time.process_time``), so other work on the machine
moves the figures less than it moves wall-clock times. Writes (an INSERT of the session or of
an audit event) do not pass through the timed SQLCompiler.execute_sql: they count in the rest.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from typing import Any

from django.db.models.query import QuerySet
from django.db.models.sql.compiler import SQLCompiler
from django.template.backends.django import Template

# Sets Django up when imported, as the bench's scripts do.
from prepare import browser_client

ROUNDS, REQUESTS = 5, 40
spent = {"templates": 0.0, "orm": 0.0, "orm_in_templates": 0.0}
depth = {"templates": 0, "orm": 0}


def _timed(kind: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """``function``, adding its CPU time to ``spent[kind]`` when it is the outermost call of
    its kind (a queryset evaluated inside another's is counted once)."""

    def timed(*args: Any, **kwargs: Any) -> Any:
        if depth[kind]:
            return function(*args, **kwargs)
        depth[kind] += 1
        start = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            depth[kind] -= 1
            took = time.process_time() - start
            spent[kind] += took
            if kind == "orm" and depth["templates"]:
                spent["orm_in_templates"] += took

    return timed


Template.render = _timed("templates", Template.render)  # type: ignore[method-assign]
QuerySet._fetch_all = _timed("orm", QuerySet._fetch_all)  # type: ignore[method-assign]
SQLCompiler.execute_sql = _timed("orm", SQLCompiler.execute_sql)  # type: ignore[method-assign]


def split(scenario: dict[str, Any]) -> tuple[float, float, float]:
    """CPU ms per request: the whole request, the templates, the ORM."""
    client = browser_client(scenario["cookie"], scenario.get("headers"))
    paths = scenario["paths"]
    for i in range(10):
        response = client.get(paths[i % len(paths)])
        if response.status_code != 200:
            raise SystemExit(
                f"{scenario['scenario']}: {paths[i % len(paths)]} answered {response.status_code}"
            )
    best: tuple[float, float, float] | None = None
    for _ in range(ROUNDS):
        for key in spent:
            spent[key] = 0.0
        start = time.process_time()
        for i in range(REQUESTS):
            client.get(paths[i % len(paths)])
        whole = (time.process_time() - start) / REQUESTS * 1000
        templates = (spent["templates"] - spent["orm_in_templates"]) / REQUESTS * 1000
        orm = spent["orm"] / REQUESTS * 1000
        if best is None or whole < best[0]:
            best = (whole, templates, orm)
    assert best is not None
    return best


def main() -> None:
    print("| scenario | CPU ms | templates | ORM | the rest |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for scenario in json.load(sys.stdin)["scenarios"]:
        whole, templates, orm = split(scenario)
        rest = whole - templates - orm
        print(
            f"| {scenario['scenario']} | {whole:.2f} | {templates:.2f} | {orm:.2f} | {rest:.2f} |"
        )


if __name__ == "__main__":
    main()
