"""The demo firm shows follow-up: answered after-meeting checks, a mid-point evaluation, an open
check on the demo participant's start page, and a shared report with no small group."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings
from django_scopes import scope, scopes_disabled

from bollplank.core.models import Practice
from bollplank.demo.firm import demo_load
from bollplank.engagements.models import Engagement
from bollplank.evaluations import selectors
from bollplank.evaluations.enums import MIN_GROUP
from bollplank.evaluations.models import Invitation, ReportShare, Round

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Practice]:
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        practice, created = demo_load()
        assert created
        yield practice
        transaction.set_rollback(True)


def test_demo_group_has_checks_an_evaluation_and_a_shared_report(demo: Practice) -> None:
    with scopes_disabled():
        engagement = Engagement.objects.get(practice=demo, title="Lärarlaget åk 4–6")
        rounds = list(Round.objects.filter(engagement=engagement).order_by("send_on"))
        assert [r.phase for r in rounds].count("after_meeting") == 5
        assert [r.phase for r in rounds].count("midpoint") == 1
        open_rounds = [r for r in rounds if r.invitations.filter(answered_at=None).exists()]
        assert len(open_rounds) == 1
        login = Invitation.objects.filter(
            round=open_rounds[0], participant__user__isnull=False
        ).first()
        assert login is not None  # the demo participant has something to answer
        assert ReportShare.objects.filter(engagement=engagement).exists()
    with scope(practice=demo):
        trend = selectors.after_meeting_trend(engagement)
        report = selectors.client_report(
            [engagement], "", selectors.shared_engagements([engagement])[1]
        )
    assert sum(1 for r in trend.rounds if r.means) == 4
    shown = [cell for _p, _q, cell in report.rows if cell.shown]
    assert shown and all(cell.n >= MIN_GROUP for cell in shown)
