"""The course pages run a fixed number of queries, whether they show 1 row or 3.

BASE, common to every practice page: the login session, the user, the practice, and the
person's roles in it."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from bollplank.core.roles import Role
from tests import factories as f
from tests.courses.conftest import make_course, register
from tests.test_query_counts import BASE  # session, user, practice and roles


@pytest.mark.parametrize("rows", [1, 3])
def test_course_list_query_count(
    client: Any, db: Any, django_assert_num_queries: Any, rows: int
) -> None:
    practice = f.PracticeFactory(slug="qc")
    admin = f.member(practice, Role.ADMIN)
    for i in range(rows):
        course = make_course(practice, title=f"Kurs {i}")
        register(course, email=f"p{i}@x.se")
    client.force_login(admin)
    # courses with their counts and first day in one query
    with django_assert_num_queries(BASE + 1):
        response = client.get(reverse("course_list", args=["qc"]))
    assert response.content.decode().count("Kurs ") >= rows


@pytest.mark.parametrize("rows", [1, 3])
def test_course_detail_query_count(
    client: Any, db: Any, django_assert_num_queries: Any, rows: int
) -> None:
    practice = f.PracticeFactory(slug="qc")
    admin = f.member(practice, Role.ADMIN)
    course = make_course(practice, capacity=3)
    for i in range(rows):
        register(course, email=f"p{i}@x.se", name=f"Deltagare {i}")
    client.force_login(admin)
    # course with counts, leader and follow-up; its days; registrations; attendance counts;
    # the invoices holding them
    with django_assert_num_queries(BASE + 5):
        response = client.get(reverse("course_detail", args=["qc", course.pk]))
    assert response.content.decode().count('<th scope="row">Deltagare ') == rows


@pytest.mark.parametrize("rows", [1, 3])
def test_public_course_page_query_count(
    client: Any, db: Any, django_assert_num_queries: Any, rows: int
) -> None:
    practice = f.PracticeFactory(slug="qc")
    course = make_course(practice, capacity=2)
    for i in range(rows):
        register(course, email=f"p{i}@x.se")
    # practice; course with counts; its days (no session: an anonymous visitor)
    with django_assert_num_queries(3):
        response = client.get(reverse("course_public", args=["qc", course.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 3])
def test_invoice_run_page_with_unmatched_registrations_query_count(
    client: Any, db: Any, django_assert_num_queries: Any, rows: int
) -> None:
    practice = f.PracticeFactory(slug="qc")
    admin = f.member(practice, Role.ADMIN)
    f.ClientFactory(practice=practice)
    course = make_course(practice, capacity=3)
    for i in range(rows):
        register(course, email=f"p{i}@x.se", name=f"Deltagare {i}", org_number="232100-0024")
    client.force_login(admin)
    # the clients with organisation numbers (to match); the uninvoiced registrations with
    # their course; the clients for the choice
    with django_assert_num_queries(BASE + 3):
        response = client.get(reverse("invoice_run", args=["qc"]))
    assert response.content.decode().count('<tr id="registration-') == rows
