"""The tests' resolver (tests/dns.py): outside names fail at once, local ones resolve."""

from __future__ import annotations

import socket
import time

import pytest

from bollplank.core.urlguard import private_host


def test_an_outside_name_fails_at_once() -> None:
    started = time.monotonic()
    for _ in range(50):
        with pytest.raises(socket.gaierror):
            socket.getaddrinfo("login.example.se", 443)
    assert time.monotonic() - started < 1.0


def test_local_names_and_addresses_resolve() -> None:
    assert {info[4][0] for info in socket.getaddrinfo("127.0.0.1", 80)} == {"127.0.0.1"}
    assert socket.getaddrinfo("localhost", 80)
    assert socket.getaddrinfo("::1", 80)[0][4][0] == "::1"
    # The product's private-address check still sees this machine for what it is.
    assert private_host("localhost", 443)
    assert not private_host("login.example.se", 443)
