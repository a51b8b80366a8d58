"""schemathesis against the API's own spec, with each role's token (run by `make test`).

Every operation gets a bounded number of generated requests (valid and invalid); none may
answer with a server error, an undocumented status, or a body that breaks the spec. Examples
are derandomised so that CI is repeatable."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from bollplank.api.api import api as ninja_api
from tests.conftest import World

# Per operation and role; 13 operations × 7 roles × this stays well under a minute on 2 cores.
EXAMPLES = 6
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


@pytest.mark.parametrize("role", ROLES)
def test_api_fuzz_per_role(world: World, token_for: Any, schema: Any, role: str) -> None:
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
