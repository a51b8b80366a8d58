"""The agreement's lists run a fixed number of queries with 1 version or 3, 1 engagement or 3
(literal counts, as in tests/test_query_counts.py; BASE is the session, the user, and the
practice with the person's roles)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django_scopes import scope

from bollplank.agreements import services
from bollplank.core.roles import Role
from bollplank.engagements.models import Engagement
from tests import factories as f

BASE = 3


def _versions(engagement: Any, actor: Any, count: int) -> None:
    """``count`` versions, each after a change of price; the first accepted."""
    with scope(practice=engagement.practice):
        for i in range(count):
            # Read afresh: billing's price_of leaves an unsaved default price on the object.
            engagement = Engagement.objects.get(pk=engagement.pk)
            engagement.price_per_meeting_ore = 100000 * (i + 1)
            engagement.save()
            agreement = services.agreement_create(actor=actor, engagement=engagement, language="sv")
            if i == 0:
                services.agreement_accept(
                    actor=actor,
                    agreement=agreement,
                    confirmed=True,
                    ip_address="192.0.2.1",
                    user_agent="x",
                )


@pytest.mark.parametrize("rows", [1, 3])
def test_versions_list_query_count(client, db, django_assert_num_queries, rows):
    practice = f.PracticeFactory(slug="qc")
    supervisor = f.member(practice, Role.SUPERVISOR)
    engagement = f.EngagementFactory(practice=practice, supervisor=supervisor)
    _versions(engagement, supervisor, rows)
    client.force_login(supervisor)
    # The engagement with its client, supervisor, practice and price (for its terms now);
    # the versions with their acceptance and maker.
    with django_assert_num_queries(BASE + 2):
        response = client.get(reverse("engagement_agreements", args=["qc", engagement.pk]))
    assert response.content.decode().count("agreement-status status-") == rows


@pytest.mark.parametrize("rows", [1, 3])
def test_client_agreements_query_count(client, db, django_assert_num_queries, rows):
    practice = f.PracticeFactory(slug="qc")
    supervisor = f.member(practice, Role.SUPERVISOR)
    contact_user = f.member(practice, Role.CLIENT_CONTACT)
    for i in range(rows):
        engagement = f.EngagementFactory(practice=practice, supervisor=supervisor)
        f.ClientContactFactory(client=engagement.client, user=contact_user, email=f"c{i}@ex.se")
        _versions(engagement, contact_user, 2)
    client.force_login(contact_user)
    # The engagements with their client, supervisor, practice and price; their versions with
    # their acceptance.
    with django_assert_num_queries(BASE + 2):
        response = client.get(reverse("client_agreements", args=["qc"]))
    assert response.content.decode().count("agreement-status status-") == 2 * rows


@pytest.mark.parametrize("rows", [1, 3])
def test_agreement_page_query_count(client, db, django_assert_num_queries, rows):
    practice = f.PracticeFactory(slug="qc")
    supervisor = f.member(practice, Role.SUPERVISOR)
    engagement = f.EngagementFactory(practice=practice, supervisor=supervisor)
    _versions(engagement, supervisor, rows)
    with scope(practice=practice):
        newest = engagement.agreements.first()
    client.force_login(supervisor)
    # The version with its engagement; every version; the engagement's practice and price
    # for its terms now.
    with django_assert_num_queries(BASE + 4):
        response = client.get(reverse("agreement_detail", args=["qc", newest.pk]))
    assert response.content.decode().count("agreement-status status-") == rows + 1
