"""One clock: the code reads the time through ``core.clock``, tests run at an instant they set,
and programs a test starts run at the same instant."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from bollplank.core import clock
from tests import timecontrol

SRC = Path(__file__).resolve().parents[2] / "src" / "bollplank"


def test_the_clock_starts_each_test_at_the_runs_instant() -> None:
    assert dt.timedelta(0) <= clock.now() - timecontrol.instant() < dt.timedelta(seconds=30)
    assert clock.now().tzinfo is not None


def test_today_is_the_day_in_the_zone_asked_for(traveller: Any) -> None:
    traveller.move_to(dt.datetime(2027, 1, 1, 0, 30, tzinfo=timecontrol.STOCKHOLM))
    assert clock.today("Europe/Stockholm") == dt.date(2027, 1, 1)
    assert clock.today("America/New_York") == dt.date(2026, 12, 31)
    assert clock.localnow("Europe/Stockholm").hour == 0


def test_a_program_started_by_a_test_runs_at_the_tests_instant(traveller: Any) -> None:
    moment = dt.datetime(2031, 6, 15, 12, 0, tzinfo=dt.UTC)
    traveller.move_to(moment)
    code = "import datetime; print(datetime.datetime.now(datetime.UTC).isoformat())"
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        env=timecontrol.subprocess_env({"PATH": "/usr/bin:/bin"}),
        capture_output=True,
        text=True,
        check=True,
    )
    seen = dt.datetime.fromisoformat(done.stdout.strip())
    assert dt.timedelta(0) <= seen - moment < dt.timedelta(seconds=30)


def test_no_module_but_the_clock_reads_the_time() -> None:
    # ruff's banned-api rule refuses timezone.now(), datetime.now(), date.today() and
    # time.time(); these forms read the clock too and are not names it can ban.
    reads = re.compile(r"\b(localdate|localtime)\(\)|\bdatetime\.now\(|\butcnow\(")
    found = [
        f"{path.relative_to(SRC)}:{n}"
        for path in SRC.rglob("*.py")
        if path.name != "clock.py" and "migrations" not in path.parts
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if reads.search(line)
    ]
    assert found == []
