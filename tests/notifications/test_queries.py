"""Query counts of the outbox page: the same with 1 and with 3 mails."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from bollplank.notifications.models import OutgoingMail
from tests.conftest import World


@pytest.mark.parametrize("rows", [1, 3])
def test_outbox_page_queries(
    client: Client, world: World, django_assert_num_queries: Any, rows: int
) -> None:
    with scopes_disabled():
        for n in range(rows):
            OutgoingMail.objects.create(
                practice=world.practice, kind="other", to=f"p{n}@x.se", subject="S", text="T"
            )
    client.force_login(world.admin)
    # session, user, practice and roles (tenancy); reminder settings; count of mail, failed
    # count, the page of mail — the same for any number of rows.
    with django_assert_num_queries(7):
        response = client.get("/p/ekbacken/outbox/")
    assert len(response.context["page"].object_list) == rows
