"""Registration, waitlist, cancellation and promotion, attendance, follow-up group."""

from __future__ import annotations

import datetime as dt
from typing import Any

import icalendar
import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from bollplank.core import clock
from bollplank.courses import services
from bollplank.courses.enums import RegistrationStatus
from bollplank.courses.models import Course, CourseAttendance, Registration
from bollplank.engagements.models import GroupMembership
from tests.courses.conftest import hold, make_course, register


def _statuses(course: Course) -> list[tuple[str, str]]:
    with scopes_disabled():
        return list(
            Registration.objects.filter(course=course)
            .order_by("created_at", "pk")
            .values_list("email", "status")
        )


def test_registration_fills_course_then_waitlists(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    course = make_course(world.practice, capacity=2)
    with django_capture_on_commit_callbacks(execute=True):
        register(course, email="a@x.se")
        register(course, email="b@x.se")
        register(course, email="c@x.se")

    assert _statuses(course) == [
        ("a@x.se", RegistrationStatus.CONFIRMED),
        ("b@x.se", RegistrationStatus.CONFIRMED),
        ("c@x.se", RegistrationStatus.WAITLISTED),
    ]
    assert [m.to for m in mail.outbox] == [["a@x.se"], ["b@x.se"], ["c@x.se"]]
    assert "bekräftad" in mail.outbox[0].subject
    assert "väntelistan" in mail.outbox[2].subject
    assert len(mail.outbox[0].attachments) == 1
    assert mail.outbox[2].attachments == []


def test_confirmation_ics_is_a_calendar_with_every_course_day(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    course = make_course(world.practice, leader=world.supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        register(course)

    name, content, mimetype = mail.outbox[0].attachments[0]
    assert name == "invite.ics"
    assert mimetype == "application/ics; method=PUBLISH"
    cal = icalendar.Calendar.from_ical(content)
    assert str(cal["METHOD"]) == "PUBLISH"
    events = list(cal.walk("VEVENT"))
    # RFC 5546 §3.2.1: a PUBLISH event names its organizer.
    assert {str(e["ORGANIZER"]) for e in events} == {f"mailto:{world.supervisor.email}"}
    assert [str(e["summary"]) for e in events] == ["Kollegial grupphandledning"] * 2
    assert [e.decoded("dtstart").hour for e in events] == [9, 9]
    assert str(events[0]["dtstart"].params["TZID"]) == "Europe/Stockholm"
    assert len(cal.walk("VTIMEZONE")) == 1
    assert len({str(e["uid"]) for e in events}) == 2


def test_cancellation_promotes_first_on_waitlist_and_tells_them(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    course = make_course(world.practice, capacity=1)
    first = register(course, email="a@x.se")
    register(course, email="b@x.se")
    register(course, email="c@x.se")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True), scope(practice=world.practice):
        services.registration_cancel(actor=None, registration=first)

    assert _statuses(course) == [
        ("a@x.se", RegistrationStatus.CANCELLED),
        ("b@x.se", RegistrationStatus.CONFIRMED),
        ("c@x.se", RegistrationStatus.WAITLISTED),
    ]
    promoted = [m for m in mail.outbox if m.to == ["b@x.se"]]
    assert len(promoted) == 1
    assert "Kollegial grupphandledning" in promoted[0].subject
    assert "är din" in promoted[0].subject
    assert len(promoted[0].attachments) == 1


def test_cancelling_a_waitlisted_registration_promotes_no_one(world: Any) -> None:
    course = make_course(world.practice, capacity=1)
    register(course, email="a@x.se")
    waiting = register(course, email="b@x.se")
    register(course, email="c@x.se")
    with scope(practice=world.practice):
        services.registration_cancel(actor=world.admin, registration=waiting)
    assert [s for _e, s in _statuses(course)] == ["confirmed", "cancelled", "waitlisted"]


def test_cancelling_twice_is_refused(world: Any) -> None:
    course = make_course(world.practice)
    reg = register(course)
    with scope(practice=world.practice):
        services.registration_cancel(actor=None, registration=reg)
        with pytest.raises(ValidationError, match="redan avbokad"):
            services.registration_cancel(actor=None, registration=reg)


def test_more_places_promote_from_the_waitlist(world: Any) -> None:
    course = make_course(world.practice, capacity=1)
    register(course, email="a@x.se")
    register(course, email="b@x.se")
    with scope(practice=world.practice):
        days = [
            services.DayInput(timezone.localtime(d.starts_at).date(), dt.time(9), dt.time(16))
            for d in course.days.all()
        ]
        services.course_save(
            actor=world.admin, practice=world.practice, course=course, days=days, capacity=2
        )
    assert [s for _e, s in _statuses(course)] == ["confirmed", "confirmed"]


def test_registration_after_last_day_is_refused(world: Any) -> None:
    course = make_course(world.practice)
    with pytest.raises(ValidationError, match="Anmälan stängde"):
        register_on(course, course.last_registration_day + dt.timedelta(days=1))
    assert _statuses(course) == []


def register_on(course: Course, today: dt.date) -> Any:
    from tests.courses.conftest import form_data

    data = {k: v for k, v in form_data().items() if k in services.REGISTRATION_FIELDS}
    with scope(practice=course.practice):
        return services.registration_create(course=course, today=today, **data)


def test_registration_on_last_day_is_accepted(world: Any) -> None:
    course = make_course(world.practice)
    reg = register_on(course, course.last_registration_day)
    assert reg.status == RegistrationStatus.CONFIRMED


def test_duplicate_registration_is_refused_whatever_the_case(world: Any) -> None:
    course = make_course(world.practice)
    register(course, email="karin@kommun.se")
    with pytest.raises(ValidationError) as exc:
        register(course, email="Karin@Kommun.SE")
    assert exc.value.message_dict == {
        "email": ["Den här e-postadressen är redan anmäld till kursen."]
    }
    assert len(_statuses(course)) == 1


def test_registering_again_after_cancelling_is_allowed(world: Any) -> None:
    course = make_course(world.practice)
    first = register(course)
    with scope(practice=world.practice):
        services.registration_cancel(actor=None, registration=first)
    again = register(course)
    assert again.status == RegistrationStatus.CONFIRMED


def test_unpublished_course_takes_no_registrations(world: Any) -> None:
    course = make_course(world.practice, published=False)
    with pytest.raises(ValidationError, match="inte öppen"):
        register(course)


def test_course_save_refuses_a_day_that_ends_before_it_starts(world: Any) -> None:
    with scope(practice=world.practice), pytest.raises(ValidationError, match="slutar"):
        services.course_save(
            actor=world.admin,
            practice=world.practice,
            days=[services.DayInput(dt.date(2030, 5, 6), dt.time(16), dt.time(9))],
            title="Kurs",
            description="Text",
            place="Uppsala",
            capacity=10,
            last_registration_day=dt.date(2030, 5, 1),
        )


def test_course_save_stores_days_in_local_time(world: Any) -> None:
    with scope(practice=world.practice):
        course = services.course_save(
            actor=world.admin,
            practice=world.practice,
            days=[
                services.DayInput(dt.date(2030, 5, 7), dt.time(9), dt.time(16)),
                services.DayInput(dt.date(2030, 5, 6), dt.time(8, 30), dt.time(15)),
            ],
            title="Kurs",
            description="Text",
            place="Uppsala",
            capacity=10,
            price_ore=250000,
            last_registration_day=dt.date(2030, 5, 1),
        )
        starts = [timezone.localtime(d.starts_at) for d in course.days.all()]
        first_utc = course.days.first().starts_at.astimezone(dt.UTC)
    assert [(s.date(), s.time()) for s in starts] == [
        (dt.date(2030, 5, 6), dt.time(8, 30)),
        (dt.date(2030, 5, 7), dt.time(9)),
    ]
    # 08:30 in May in Stockholm is 06:30 UTC.
    assert first_utc.time() == dt.time(6, 30)


def test_attendance_per_day(world: Any) -> None:
    course = make_course(world.practice)
    a = register(course, email="a@x.se")
    b = register(course, email="b@x.se")
    hold(course)
    with scope(practice=world.practice):
        first, second = list(course.days.all())
        services.attendance_save(actor=world.admin, course=course, day=first, present={a.pk, b.pk})
        services.attendance_save(actor=world.admin, course=course, day=second, present={a.pk})
        rows = sorted(
            CourseAttendance.objects.filter(day__course=course).values_list(
                "registration__email", "day_id", "present"
            )
        )
    assert rows == [
        ("a@x.se", first.pk, True),
        ("a@x.se", second.pk, True),
        ("b@x.se", first.pk, True),
        ("b@x.se", second.pk, False),
    ]


def test_follow_up_group_has_the_confirmed_participants(world: Any) -> None:
    course = make_course(world.practice, capacity=2)
    register(course, email="a@x.se", name="Anna A")
    register(course, email="b@x.se", name="Bo B")
    register(course, email="c@x.se", name="Cilla Väntar")
    with scope(practice=world.practice):
        engagement = services.follow_up_create(
            actor=world.admin,
            course=course,
            client=None,
            supervisor=world.supervisor,
            title="Uppföljning",
            start_date=dt.date(2030, 9, 1),
            end_date=dt.date(2031, 5, 31),
            meetings_ordered=6,
            meeting_minutes=120,
            focus="process",
            venue="client",
        )
        names = sorted(
            GroupMembership.objects.filter(engagement=engagement).values_list(
                "participant__name", flat=True
            )
        )
        course.refresh_from_db()
    assert names == ["Anna A", "Bo B"]
    assert engagement.client.name == "Uppsala kommun"
    assert engagement.client.org_number == "212000-3005"
    assert engagement.form == "group"
    assert course.follow_up_id == engagement.pk


def test_follow_up_needs_two_participants(world: Any) -> None:
    course = make_course(world.practice)
    register(course, email="a@x.se")
    with scope(practice=world.practice), pytest.raises(ValidationError, match="minst 2"):
        services.follow_up_create(
            actor=world.admin,
            course=course,
            client=world.client,
            supervisor=world.supervisor,
            title="Uppföljning",
            start_date=dt.date(2030, 9, 1),
            end_date=dt.date(2031, 5, 31),
            meetings_ordered=6,
            meeting_minutes=120,
            focus="process",
            venue="client",
        )


def test_personal_data_export_erase_and_retention(world: Any) -> None:
    from bollplank.courses import personal_data

    course = make_course(world.practice, days_ahead=-400)
    with scopes_disabled():
        Course.objects.filter(pk=course.pk).update(
            last_registration_day=clock.today() + dt.timedelta(days=1)
        )
        course.refresh_from_db()
    reg = register(course, email="karin@kommun.se")
    other = register(course, email="other@x.se")

    class Person:
        email = "KARIN@kommun.se"

    with scopes_disabled():
        exported = personal_data._export(Person(), False)
        assert [(e["name"], e["course"], e["dietary_needs"]) for e in exported] == [
            ("Karin Kursdeltagare", "Kollegial grupphandledning", "Vegetarisk")
        ]
        assert personal_data._erase(Person()) == 1
        reg.refresh_from_db()
        assert (reg.name, reg.dietary_needs) == ("Borttagen deltagare", "")
        assert reg.email.endswith("@invalid.invalid")
        expired = personal_data._expired(world.practice, clock.now())
        assert sorted(expired.values_list("pk", flat=True)) == sorted([reg.pk, other.pk])
        assert personal_data._purge(expired) == 2
        assert not Registration.objects.filter(course=course).exists()


def test_mail_is_plain_text_not_html_escaped(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    course = make_course(world.practice, title='Samtal & "reflektion" <grund>')
    with django_capture_on_commit_callbacks(execute=True):
        register(course, name="Åsa O'Brien")
    message = mail.outbox[0]
    assert message.subject == 'Din plats på Samtal & "reflektion" <grund> är bekräftad'
    assert "Hej Åsa O'Brien!" in message.body
    assert "&amp;" not in message.body and "&#x27;" not in message.body


def test_confirmation_ics_without_leader_has_no_method(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # No organizer to name, so no iTIP method that would require one.
    course = make_course(world.practice)
    with django_capture_on_commit_callbacks(execute=True):
        register(course)

    _name, content, mimetype = mail.outbox[0].attachments[0]
    assert mimetype == "application/ics"
    cal = icalendar.Calendar.from_ical(content)
    assert "METHOD" not in cal
    assert len(cal.walk("VEVENT")) == 2
