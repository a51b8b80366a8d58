"""The accounts tests' real OpenID Connect provider, started per test on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.accounts.oidc_provider import TestProvider


@pytest.fixture
def oidc(settings: Any) -> Iterator[TestProvider]:
    # The test provider is on this machine, over plain http.
    settings.SSO_PRIVATE_HOSTS = True
    provider = TestProvider().start()
    yield provider
    provider.stop()
