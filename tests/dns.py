"""Tests resolve no names outside this machine.

Nothing a test does may reach the network, and this machine's resolver answers some queries
for names it cannot resolve only after its five-second timeout: a test saving an identity
provider at ``login.example.se`` then waited five seconds now and then. Like the browser's
``--host-resolver-rules`` (tests/browser/conftest.py), the tests' own process resolves
``localhost`` and address literals as usual and fails every other name at once, as a resolver
without a network would. Programs the tests start are not covered (they reach only 127.0.0.1).
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

_resolve = socket.getaddrinfo


def _local(host: Any) -> bool:
    if host is None:
        return True
    name = host.decode() if isinstance(host, bytes) else str(host)
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        ipaddress.ip_address(name.strip("[]").split("%")[0])
    except ValueError:
        return False
    return True


def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if _local(host):
        return _resolve(host, *args, **kwargs)
    raise socket.gaierror(socket.EAI_NONAME, f"{host}: tests resolve no names outside this machine")


def install() -> None:
    socket.getaddrinfo = getaddrinfo
