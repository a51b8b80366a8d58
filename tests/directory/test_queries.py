"""Query counts of the directory's list pages, with 1 and with 3 rows (literal counts)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bollplank.core.roles import Role
from tests import factories as f
from tests.directory.helpers import inquiry, profile, publish
from tests.test_query_counts import BASE  # session, user, practice and roles

pytestmark = pytest.mark.django_db


def _practice(rows: int):
    practice = f.PracticeFactory(slug="qc")
    admin = f.member(practice, Role.ADMIN)
    publish(practice)
    for i in range(rows):
        supervisor = f.member(practice, Role.SUPERVISOR)
        profile(practice, supervisor)
        inquiry(practice, email=f"q{i}@x.se")
    return practice, admin


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("rows", [1, 3])
def test_inbox_queries(client, rows):
    _found, admin = _practice(rows)
    client.force_login(admin)
    # BASE + the inquiries with their reply counts + the counts per status
    assert _count(client, reverse("inquiry_list", args=["qc"])) == BASE + 2


@pytest.mark.parametrize("rows", [1, 3])
def test_public_practice_page_queries(client, rows):
    _practice(rows)
    # the published page with its practice; the profiles with their users (a subquery for
    # the supervisor role); the courses ahead (with their days prefetched when any)
    assert _count(client, reverse("directory_practice", args=["qc"])) == 3


@pytest.mark.parametrize("rows", [1, 3])
def test_compare_page_queries(client, rows):
    _practice(rows)
    # the published page with its practice; the profiles with their users
    assert _count(client, reverse("directory_compare", args=["qc"])) == 2


@pytest.mark.parametrize("rows", [1, 3])
def test_inquiry_detail_queries(client, rows):
    practice, admin = _practice(rows)
    client.force_login(admin)
    q = inquiry(practice, email="detail@x.se")
    # BASE + the inquiry; its replies; its practice; the supervisors; their profiles;
    # the meetings in the wished period; the first-talk links sent (booking)
    assert _count(client, reverse("inquiry_detail", args=["qc", q.pk])) == BASE + 7
