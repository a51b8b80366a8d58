"""Several people registering for the last place at the same moment: exactly one gets it, the
others land on the waitlist. Real concurrent requests need PostgreSQL (SQLite serialises
writers by design: IMMEDIATE transactions), so the test runs there and skips on SQLite."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from bollplank.courses.models import Registration
from tests import factories as f
from tests.courses.conftest import form_data, make_course, register

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 6


def _post_at_once(url: str, payloads: list[dict[str, Any]]) -> list[Any]:
    barrier = threading.Barrier(len(payloads))
    results: list[Any] = [None] * len(payloads)

    def target(i: int) -> None:
        try:
            browser = Client()
            barrier.wait()
            results[i] = browser.post(url, payloads[i]).status_code
        except Exception as exc:  # noqa: BLE001  (reported by the test)
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(len(payloads))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


@pytest.fixture
def last_place() -> Any:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL (SQLite serialises writers)")
    practice = f.PracticeFactory(slug="samtidig")
    course = make_course(practice, capacity=3)
    register(course, email="one@x.se")
    register(course, email="two@x.se")
    return course


def test_concurrent_registrations_for_last_place_give_it_to_exactly_one(last_place: Any) -> None:
    url = reverse("course_public", args=[last_place.practice.slug, last_place.pk])
    payloads = [form_data(email=f"p{i}@x.se", name=f"Person {i}") for i in range(THREADS)]

    results = _post_at_once(url, payloads)

    assert results == [302] * THREADS
    with scopes_disabled():
        statuses = Counter(
            Registration.objects.filter(course=last_place).values_list("status", flat=True)
        )
    assert statuses == Counter({"confirmed": 3, "waitlisted": THREADS - 1})


def test_concurrent_duplicates_give_one_registration(last_place: Any) -> None:
    url = reverse("course_public", args=[last_place.practice.slug, last_place.pk])
    payloads = [form_data(email="same@x.se") for _ in range(THREADS)]

    results = _post_at_once(url, payloads)

    assert sorted(results) == [302] + [400] * (THREADS - 1)
    with scopes_disabled():
        assert Registration.objects.filter(course=last_place, email="same@x.se").count() == 1
