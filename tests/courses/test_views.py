"""The public course page and registration (no login), the registrant's page, and the
practice's pages: list, form, detail, attendance, certificate, follow-up group."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from bollplank.core import clock
from bollplank.courses.enums import RegistrationStatus
from bollplank.courses.models import Course, CourseAttendance, Registration
from bollplank.directory.spam import form_token
from tests.courses.conftest import form_data, hold, make_course, register

HOSTILE = '<script>alert("x")</script>'


def _url(course: Course) -> str:
    return reverse("course_public", args=[course.practice.slug, course.pk])


def _regs(course: Course) -> list[Registration]:
    with scopes_disabled():
        return list(Registration.objects.filter(course=course).order_by("pk"))


def test_public_page_shows_course_without_login(client: Any, world: Any) -> None:
    course = make_course(world.practice)
    response = client.get(_url(course))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Kollegial grupphandledning" in body
    assert "Ekbackens lokaler" in body
    assert "4\xa0500,00\xa0kr" in body
    assert 'name="website"' in body


def test_unpublished_course_is_not_found(client: Any, world: Any) -> None:
    course = make_course(world.practice, published=False)
    assert client.get(_url(course)).status_code == 404


def test_registering_redirects_to_own_page_and_mails(
    client: Any, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    course = make_course(world.practice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(course), form_data())
    [reg] = _regs(course)
    assert response.status_code == 302
    assert response["Location"] == reverse("registration_cancel", args=[reg.token])
    assert (reg.name, reg.email, reg.organization, reg.org_number, reg.invoice_reference) == (
        "Karin Kursdeltagare",
        "karin@kommun.se",
        "Uppsala kommun",
        "212000-3005",
        "KS-123",
    )
    assert reg.dietary_needs == "Vegetarisk"
    assert reg.status == RegistrationStatus.CONFIRMED
    assert [m.to for m in mail.outbox] == [["karin@kommun.se"]]
    assert reg.token in mail.outbox[0].body
    page = client.get(response["Location"]).content.decode()
    assert "Kollegial grupphandledning" in page


def test_bot_filling_every_field_at_once_is_refused_and_keeps_input(
    client: Any, world: Any
) -> None:
    course = make_course(world.practice)
    response = client.post(_url(course), form_data(shown=form_token(clock.timestamp() - 0.5)))
    assert response.status_code == 400
    assert _regs(course) == []
    assert 'value="Karin Kursdeltagare"' in response.content.decode()


def test_honeypot_filled_is_refused(client: Any, world: Any) -> None:
    course = make_course(world.practice)
    response = client.post(_url(course), form_data(website="http://spam.example"))
    assert response.status_code == 400
    assert _regs(course) == []


def test_script_in_every_field_is_escaped(client: Any, world: Any) -> None:
    course = make_course(world.practice, title=HOSTILE, place=HOSTILE, description=HOSTILE)
    fields = ["name", "organization", "invoice_street", "invoice_city", "invoice_reference"]
    response = client.post(
        _url(course),
        form_data(**dict.fromkeys(fields, HOSTILE), dietary_needs=HOSTILE),
    )
    assert response.status_code == 302
    [reg] = _regs(course)
    assert reg.name == HOSTILE
    pages = [client.get(_url(course)), client.get(response["Location"])]
    client.force_login(world.admin)
    pages.append(client.get(reverse("course_detail", args=["ekbacken", course.pk])))
    pages.append(client.get(reverse("course_list", args=["ekbacken"])))
    for page in pages:
        body = page.content.decode()
        assert page.status_code == 200
        assert HOSTILE not in body
        assert "&lt;script&gt;" in body


def test_full_course_puts_next_person_on_waitlist(client: Any, world: Any) -> None:
    course = make_course(world.practice, capacity=1)
    register(course, email="first@x.se")
    page = client.get(_url(course)).content.decode()
    assert "väntelistan" in page.lower() or "waitlist" in page.lower()
    response = client.post(_url(course), form_data(email="second@x.se"))
    assert response.status_code == 302
    assert [r.status for r in _regs(course)] == ["confirmed", "waitlisted"]
    own = client.get(response["Location"]).content.decode()
    assert "1" in own


def test_late_registration_gets_a_message(client: Any, world: Any) -> None:
    course = make_course(world.practice)
    with scopes_disabled():
        Course.objects.filter(pk=course.pk).update(
            last_registration_day=clock.today() - dt.timedelta(days=1)
        )
    response = client.post(_url(course), form_data())
    assert response.status_code == 400
    assert _regs(course) == []


def test_duplicate_registration_gets_a_message_next_to_email(client: Any, world: Any) -> None:
    course = make_course(world.practice)
    register(course)
    response = client.post(_url(course), form_data(email="KARIN@kommun.se"))
    assert response.status_code == 400
    assert 'id="id_email_error"' in response.content.decode()
    assert len(_regs(course)) == 1


def test_invalid_org_number_keeps_everything_typed(client: Any, world: Any) -> None:
    course = make_course(world.practice)
    response = client.post(_url(course), form_data(org_number="123"))
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_org_number_error"' in body
    assert 'value="KS-123"' in body
    assert _regs(course) == []


def test_registrant_cancels_through_link_and_next_is_promoted(
    client: Any, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    course = make_course(world.practice, capacity=1)
    first = register(course, email="first@x.se")
    register(course, email="second@x.se")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("registration_cancel", args=[first.token]))
    assert response.status_code == 302
    assert [r.status for r in _regs(course)] == ["cancelled", "confirmed"]
    assert sorted(m.to[0] for m in mail.outbox) == ["first@x.se", "second@x.se"]


def test_unknown_token_is_not_found(client: Any, world: Any) -> None:
    assert client.get(reverse("registration_cancel", args=["nope"])).status_code == 404


def test_staff_creates_course_with_days(client: Any, world: Any) -> None:
    client.force_login(world.admin)
    data = {
        "title": "Handledning i grupp",
        "description": "Två dagar.",
        "audience": "Chefer",
        "place": "Uppsala",
        "price_ore": "4 500",
        "vat_category": "E",
        "capacity": "12",
        "min_attendance_percent": "100",
        "last_registration_day": "2030-04-20",
        "leader": str(world.supervisor.pk),
        "published": "on",
        "days-TOTAL_FORMS": "3",
        "days-INITIAL_FORMS": "0",
        "days-MIN_NUM_FORMS": "1",
        "days-MAX_NUM_FORMS": "10",
        "days-0-day": "2030-05-06",
        "days-0-start": "09:00",
        "days-0-end": "16:00",
        "days-1-day": "2030-05-07",
        "days-1-start": "09:00",
        "days-1-end": "15:30",
        "days-2-day": "",
        "days-2-start": "",
        "days-2-end": "",
    }
    response = client.post(reverse("course_create", args=["ekbacken"]), data)
    assert response.status_code == 302
    with scopes_disabled():
        course = Course.objects.get(title="Handledning i grupp")
        days = [
            (timezone.localtime(d.starts_at).isoformat(), timezone.localtime(d.ends_at).time())
            for d in course.days.all()
        ]
    assert (course.price_ore, course.vat_category, course.capacity) == (450000, "E", 12)
    assert days == [
        ("2030-05-06T09:00:00+02:00", dt.time(16)),
        ("2030-05-07T09:00:00+02:00", dt.time(15, 30)),
    ]


def test_course_form_with_half_a_day_row_keeps_input(client: Any, world: Any) -> None:
    client.force_login(world.admin)
    data = {
        "title": "Kurs",
        "description": "Text",
        "place": "Uppsala",
        "price_ore": "0",
        "vat_category": "S",
        "capacity": "5",
        "last_registration_day": "2030-04-20",
        "days-TOTAL_FORMS": "1",
        "days-INITIAL_FORMS": "0",
        "days-MIN_NUM_FORMS": "1",
        "days-MAX_NUM_FORMS": "10",
        "days-0-day": "2030-05-06",
        "days-0-start": "09:00",
        "days-0-end": "",
    }
    response = client.post(reverse("course_create", args=["ekbacken"]), data)
    assert response.status_code == 200
    assert 'value="2030-05-06"' in response.content.decode()
    with scopes_disabled():
        assert not Course.objects.filter(title="Kurs").exists()


def test_detail_lists_participants_and_waitlist(client: Any, world: Any) -> None:
    course = make_course(world.practice, capacity=1)
    register(course, email="a@x.se", name="Anna Plats")
    register(course, email="b@x.se", name="Bo Väntar")
    client.force_login(world.supervisor)
    body = client.get(reverse("course_detail", args=["ekbacken", course.pk])).content.decode()
    participants, waitlist = body.split('id="waitlist"')
    assert "Anna Plats" in participants and "Bo Väntar" not in participants
    assert "Bo Väntar" in waitlist


def test_staff_cancels_and_promotes(client: Any, world: Any) -> None:
    course = make_course(world.practice, capacity=1)
    first = register(course, email="a@x.se")
    register(course, email="b@x.se")
    client.force_login(world.admin)
    url = reverse("course_registration_cancel", args=["ekbacken", course.pk, first.pk])
    assert client.post(url).status_code == 302
    assert [r.status for r in _regs(course)] == ["cancelled", "confirmed"]


def test_attendance_page_saves_who_was_present(client: Any, world: Any) -> None:
    course = make_course(world.practice)
    a = register(course, email="a@x.se")
    register(course, email="b@x.se")
    hold(course)
    with scopes_disabled():
        day = course.days.first()
    client.force_login(world.supervisor)
    url = reverse("course_attendance", args=["ekbacken", course.pk, day.pk])
    assert client.post(url, {"present": [str(a.pk)]}).status_code == 302
    with scopes_disabled():
        rows = sorted(
            CourseAttendance.objects.filter(day=day).values_list("registration_id", "present")
        )
    assert [p for _r, p in rows] == [True, False]
    assert rows[0][0] == a.pk


def test_certificate_is_a_pdf_with_the_name(client: Any, world: Any) -> None:
    course = make_course(world.practice)
    reg = register(course, name="Karin Kursdeltagare")
    _attend_all(course, reg, world.admin)
    client.force_login(world.admin)
    response = client.get(reverse("course_certificate", args=["ekbacken", course.pk, reg.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "kursintyg-karin-kursdeltagare.pdf" in response["Content-Disposition"]


def test_certificate_html_names_course_and_days_present(world: Any) -> None:
    from django_scopes import scope

    from bollplank.courses import services
    from bollplank.courses.pdf import certificate_html

    course = make_course(world.practice)
    reg = register(course, name="Karin Kursdeltagare")
    hold(course)
    with scope(practice=world.practice):
        day = course.days.first()
        services.attendance_save(actor=world.admin, course=course, day=day, present={reg.pk})
        html = certificate_html(course, reg)
    assert "Karin Kursdeltagare" in html
    assert "Kollegial grupphandledning" in html
    assert "7.0" in html or "7,0" in html


def _attend_all(course: Course, reg: Registration, actor: Any) -> None:
    from django_scopes import scope

    from bollplank.courses import services

    for day in hold(course):
        with scope(practice=course.practice):
            services.attendance_save(actor=actor, course=course, day=day, present={reg.pk})


def test_attendance_is_refused_for_a_day_that_has_not_begun(client: Any, world: Any) -> None:
    from django_scopes import scope

    from bollplank.courses import services

    course = make_course(world.practice)
    reg = register(course, email="a@x.se")
    with scopes_disabled():
        day = course.days.first()
    client.force_login(world.supervisor)
    url = reverse("course_attendance", args=["ekbacken", course.pk, day.pk])
    response = client.post(url, {"present": [str(reg.pk)]}, follow=True)
    assert "Närvaro kan registreras först när kursdagen har börjat." in response.content.decode()
    detail = client.get(reverse("course_detail", args=["ekbacken", course.pk])).content.decode()
    assert url not in detail
    with scopes_disabled():
        assert not CourseAttendance.objects.filter(day=day).exists()
    with scope(practice=world.practice), pytest.raises(ValidationError):
        services.attendance_save(actor=world.admin, course=course, day=day, present={reg.pk})


def test_no_certificate_before_the_course_or_below_its_rule(client: Any, world: Any) -> None:
    course = make_course(world.practice, min_attendance_percent=100)
    reg = register(course, name="Karin Kursdeltagare")
    client.force_login(world.admin)
    cert = reverse("course_certificate", args=["ekbacken", course.pk, reg.pk])
    detail = reverse("course_detail", args=["ekbacken", course.pk])
    assert cert not in client.get(detail).content.decode()
    response = client.get(cert, follow=True)
    body = response.content.decode()
    assert response.redirect_chain[-1][0] == detail
    assert "kan inte få kursintyg" in body and "0 av 2 dagar" in body
    # Present on one day of two: not enough under a 100 % rule, enough under 50 %.
    from django_scopes import scope

    from bollplank.courses import services

    first, _second = hold(course)
    with scope(practice=world.practice):
        services.attendance_save(actor=world.admin, course=course, day=first, present={reg.pk})
    assert client.get(cert).status_code == 302
    with scopes_disabled():
        Course.objects.filter(pk=course.pk).update(min_attendance_percent=50)
    assert cert in client.get(detail).content.decode()
    response = client.get(cert)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_follow_up_page_creates_group(client: Any, world: Any) -> None:
    course = make_course(world.practice)
    register(course, email="a@x.se", name="Anna")
    register(course, email="b@x.se", name="Bo")
    client.force_login(world.admin)
    response = client.post(
        reverse("course_follow_up", args=["ekbacken", course.pk]),
        {
            "client": str(world.client.pk),
            "supervisor": str(world.supervisor.pk),
            "title": "Uppföljningsgrupp",
            "focus": "process",
            "meeting_minutes": "120",
            "meetings_ordered": "6",
            "start_date": "2030-09-01",
            "end_date": "2031-05-31",
            "venue": "client",
            "venue_address": "",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        course.refresh_from_db()
        assert course.follow_up is not None
        assert course.follow_up.client_id == world.client.pk
        assert course.follow_up.memberships.count() == 2
