"""Started by Python before any program that a test runs with ``tests.timecontrol.subprocess_env``:
the program's clock starts at the test's instant and ticks on (time-machine), as the test's own
does. Nothing outside the tests puts this directory on the path."""

import datetime as dt
import os

import time_machine

_moment = os.environ.get("BOLLPLANK_TEST_NOW")
if _moment:
    time_machine.travel(dt.datetime.fromisoformat(_moment), tick=True).start()
