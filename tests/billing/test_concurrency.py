"""Two invoice runs at once, and invoices issued at once: no meeting invoiced twice, no gap and
no duplicate in the numbers. Real concurrency needs PostgreSQL (SQLite serialises writers by
design: IMMEDIATE transactions), so the test runs there and skips on SQLite."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections
from django_scopes import scope, scopes_disabled

from bollplank.billing import services
from bollplank.billing.models import Invoice, InvoiceLine
from bollplank.core.roles import Role
from tests import factories as f
from tests.billing.conftest import day, held_meeting, month_end, settings_for

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 6


def _in_threads(work: Callable[[int], Any]) -> list[Any]:
    barrier = threading.Barrier(THREADS)
    results: list[Any] = [None] * THREADS

    def target(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001  (reported by the test)
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


@pytest.fixture
def firm() -> Any:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL (SQLite serialises writers)")
    practice = f.PracticeFactory(slug="samtidig")
    admin = f.member(practice, Role.ADMIN)
    settings_for(practice)
    meetings = []
    for i in range(THREADS * 2):
        engagement = f.EngagementFactory(practice=practice)
        meetings.append(held_meeting(engagement, day(2 + i)))
    return practice, admin, meetings


def test_concurrent_runs_never_invoice_a_meeting_twice(firm):
    practice, admin, meetings = firm

    def work(_i: int) -> list[int]:
        with scope(practice=practice):
            drafts = services.invoice_run(
                actor=admin,
                practice=practice,
                period_start=day(1),
                period_end=month_end(),
            )
        return [d.pk for d in drafts]

    results = _in_threads(work)
    assert [r for r in results if isinstance(r, Exception)] == []
    with scopes_disabled():
        invoiced = Counter(InvoiceLine.objects.values_list("meeting_id", flat=True))
        drafts = Invoice.objects.count()
    assert invoiced == Counter({m.pk: 1 for m in meetings})
    assert drafts == len(meetings)  # one client per engagement here
    assert sorted(len(r) for r in results) == [0] * (THREADS - 1) + [len(meetings)]


def test_concurrent_issues_take_gap_free_unique_numbers(firm):
    practice, admin, meetings = firm
    with scopes_disabled():
        drafts = services.invoice_run(
            actor=admin,
            practice=practice,
            period_start=day(1),
            period_end=month_end(),
        )
    per_thread = [drafts[i::THREADS] for i in range(THREADS)]

    def work(i: int) -> list[int]:
        numbers = []
        with scope(practice=practice):
            for draft in per_thread[i]:
                numbers.append(services.invoice_issue(actor=admin, invoice=draft).number)
        return numbers

    results = _in_threads(work)
    assert [r for r in results if isinstance(r, Exception)] == []
    with scopes_disabled():
        numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == list(range(1001, 1001 + len(meetings)))
