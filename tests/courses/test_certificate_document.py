"""The course certificate as a document (letterhead, the leader's qualifications, the days, a
signature line, a verification code) and the public page that confirms it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from bollplank.billing.models import BillingSettings
from bollplank.core.documents import verification_code
from bollplank.courses import services
from bollplank.courses.enums import RegistrationStatus
from bollplank.courses.pdf import certificate_html
from bollplank.directory.models import SupervisorProfile
from tests.courses.conftest import make_course, register
from tests.pdftext import pdf_text

_travellers: list[Any] = []


@pytest.fixture(autouse=True)
def _back_in_time() -> Any:
    yield
    while _travellers:
        _travellers.pop().stop()


def _present_first_day(world: Any, course: Any, reg: Any) -> Any:
    """Present on every day of the course (its rule asks for all of them by default), each
    recorded once the day has begun; the clock stays after the course. Returns the first day."""
    with scope(practice=world.practice):
        days = list(course.days.order_by("starts_at"))
    traveller = time_machine.travel(days[-1].ends_at + dt.timedelta(hours=1), tick=True)
    traveller.start()
    _travellers.append(traveller)
    with scope(practice=world.practice):
        for day in days:
            services.attendance_save(actor=world.admin, course=course, day=day, present={reg.pk})
    return days[0]


def test_course_certificate_has_letterhead_leader_days_signature_and_code(world: Any) -> None:
    with scopes_disabled():
        BillingSettings.objects.create(
            practice=world.practice,
            legal_name="Ekbacken handledning AB",
            org_number="556677-8899",
            street="Storgatan 1",
            postal_code="753 20",
            city="Uppsala",
        )
        SupervisorProfile.objects.create(
            practice=world.practice, user=world.supervisor, training="Handledarutbildning"
        )
    course = make_course(world.practice, leader=world.supervisor)
    reg = register(course, name="Karin Kursdeltagare")
    day = _present_first_day(world, course, reg)
    with scope(practice=world.practice):
        html = certificate_html(course, reg)
    code = verification_code("course", reg.pk)
    assert "Org.nr 556677-8899" in html and world.practice.name in html
    assert f"{world.supervisor.name}, kursledare" in html and "Handledarutbildning" in html
    assert f"{day.starts_at.day} " in html and "14,0" in html
    assert 'class="line"' in html  # the signature line
    assert code in html and f"/verify/{code}/" in html


def test_course_certificate_pdf_says_it_in_print(client: Any, world: Any) -> None:
    course = make_course(world.practice, leader=world.supervisor)
    reg = register(course, name="Karin Kursdeltagare")
    _present_first_day(world, course, reg)
    client.force_login(world.admin)
    response = client.get(reverse("course_certificate", args=["ekbacken", course.pk, reg.pk]))
    text = pdf_text(response.content)
    assert "Kursintyg" in text and "Karin Kursdeltagare" in text
    assert world.practice.name in text and f"{world.supervisor.name}, kursledare" in text
    assert verification_code("course", reg.pk) in text


def test_verify_page_confirms_a_course_certificate_until_cancelled(client: Any, world: Any) -> None:
    course = make_course(world.practice)
    reg = register(course, name="Karin Kursdeltagare")
    _present_first_day(world, course, reg)
    url = reverse("certificate_verify", args=[verification_code("course", reg.pk)])
    html = client.get(url).content.decode()
    assert "Karin Kursdeltagare" in html and "Kursintyg: Kollegial grupphandledning" in html
    assert world.practice.name in html
    assert "karin@kommun.se" not in html and "Vegetarisk" not in html
    with scopes_disabled():
        type(reg).objects.filter(pk=reg.pk).update(status=RegistrationStatus.CANCELLED)
    assert client.get(url).status_code == 404
