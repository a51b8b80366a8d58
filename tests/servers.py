"""The tests' stand-in servers (identity providers, calendars, an access point) run in a thread."""

from __future__ import annotations

import threading
from typing import Any

# serve_forever() looks for shutdown() once per poll interval, 0.5 s unless told: every test
# with a stand-in server would wait that long when it stops it.
POLL_SECONDS = 0.02


def serve(server: Any) -> threading.Thread:
    """Serve ``server`` (a socketserver or werkzeug server) in a daemon thread, started."""
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": POLL_SECONDS}, daemon=True
    )
    thread.start()
    return thread
