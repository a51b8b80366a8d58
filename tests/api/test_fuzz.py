"""schemathesis against the API's own spec, with each role's token (run by `make test`).

Every operation gets a bounded number of generated requests (valid and invalid); none may
answer with a server error, an undocumented status, or a body that breaks the spec. Examples
are derandomised so that CI is repeatable."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from bollplank.api.api import api as ninja_api
from tests.conftest import World

# Per operation and role: 20 operations × 7 roles × 5 examples, about a minute on a quiet
# machine (three on a busy one).
EXAMPLES = 5
ROLES = ("admin", "supervisor", "other_supervisor", "contact", "participant", "outsider", "foreign")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def schema() -> Any:
    loaded = schemathesis.openapi.from_dict(ninja_api.get_openapi_schema())
    loaded.app = WSGIHandler()
    return loaded


@pytest.fixture
def keep_connection() -> Any:
    # A bare WSGI handler closes the database connection after each request, which ends the
    # test's transaction on PostgreSQL; Django's own test client unhooks the same signals.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.parametrize("role", ROLES)
def test_api_fuzz_per_role(
    world: World, token_for: Any, schema: Any, keep_connection: Any, role: str
) -> None:
    headers = {"Authorization": f"Bearer {token_for(role)}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 13
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        run()
