"""How long each scenario's pages take to render alone: bench/prepare.py's measure (the
shortest of BENCH_RENDERS renders in this process, no load) again, for scenarios it made.

Run by bench/many.py with DATABASE_URL pointing at a bench database; reads bench/prepare.py's
output on stdin and prints {scenario: milliseconds}. bench/many.py runs it on its two databases
in turn, several times, so that both see the machine's busy and quiet moments alike.
"""

from __future__ import annotations

import json
import sys

# Sets Django up when imported, as the bench's scripts do.
from prepare import _render_ms, browser_client


def main() -> None:
    scenarios = json.load(sys.stdin)["scenarios"]
    json.dump(
        {
            s["scenario"]: _render_ms(browser_client(s["cookie"], s.get("headers")), s["paths"])
            for s in scenarios
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
