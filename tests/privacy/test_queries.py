"""The privacy app's list pages run a fixed number of queries, whatever the number of rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bollplank.core.personal_data_registry import categories, retention_categories
from bollplank.privacy import services
from tests.test_query_counts import BASE  # session, user, practice and roles


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("rules", [1, 3])
def test_processing_record_queries(client, world, rules):
    keys = [c.key for c in retention_categories()][:rules]
    services.retention_rules_set(
        actor=world.admin, practice=world.practice, days=dict.fromkeys(keys, 400)
    )
    client.force_login(world.admin)
    # BASE + one lookup of the practice's rule per kind of record that has retention (the
    # registry is code, not rows: its size does not grow with the data).
    expected = BASE + len(retention_categories())
    assert _count(client, reverse("privacy_processing", args=["ekbacken"])) == expected


def test_erasure_preview_queries_do_not_grow_with_the_rows(client, world):
    from django_scopes import scopes_disabled

    from bollplank.records.models import JournalEntry

    def write(n):
        with scopes_disabled():
            for i in range(n):
                entry = JournalEntry(practice=world.practice, author=world.participant_user)
                entry.body = f"rad {i}"
                entry.save()

    client.force_login(world.admin)
    url = reverse("privacy_erase_address", args=["ekbacken"]) + "?email=pia@solbacka.se"
    write(1)
    few = _count(client, url)
    write(5)
    # A fixed number per kind of record the registry knows (83 with 21 kinds), whatever the rows.
    assert _count(client, url) == few
    assert few < 5 * len(categories())
