"""Every write in courses: the course and its days, registration with its waitlist,
cancellation and promotion, attendance, and the follow-up supervision group."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from bollplank.clients.enums import Sector
from bollplank.clients.models import Client
from bollplank.clients.services import client_create
from bollplank.core import clock
from bollplank.core.audit import audit
from bollplank.core.models import Practice
from bollplank.core.services import model_update
from bollplank.core.timeutils import make_local
from bollplank.core.validators import normalize_org_number
from bollplank.courses.enums import RegistrationStatus
from bollplank.courses.mail import registration_mail
from bollplank.courses.models import (
    Course,
    CourseAttendance,
    CourseDay,
    Registration,
    new_registration_token,
)
from bollplank.engagements.enums import Form
from bollplank.engagements.models import Engagement
from bollplank.engagements.services import PersonInput, engagement_create

COURSE_FIELDS = (
    "title",
    "description",
    "audience",
    "place",
    "price_ore",
    "vat_category",
    "capacity",
    "last_registration_day",
    "published",
    "leader",
    "min_attendance_percent",
)
REGISTRATION_FIELDS = (
    "name",
    "email",
    "organization",
    "org_number",
    "invoice_street",
    "invoice_postal_code",
    "invoice_city",
    "invoice_reference",
    "dietary_needs",
)


@dataclass(frozen=True)
class DayInput:
    day: dt.date
    start: dt.time
    end: dt.time


def _mail(registration: Registration, kind: str) -> None:
    """Tell the registrant: confirmed, waitlisted, promoted or cancelled (courses/mail.py)."""
    registration_mail(registration, kind)


def _days(practice: Practice, days: list[DayInput]) -> list[tuple[dt.datetime, dt.datetime]]:
    if not days:
        raise ValidationError(_("A course has at least one day."), code="no_days")
    tz = practice.timezone
    found = []
    for d in sorted(days, key=lambda x: (x.day, x.start)):
        if d.end <= d.start:
            raise ValidationError(
                _("On %(day)s the course ends before it starts.") % {"day": d.day.isoformat()},
                code="day_ends_before_start",
            )
        found.append((make_local(d.day, d.start, tz), make_local(d.day, d.end, tz)))
    if len({s.date() for s, _e in found}) != len(found):
        raise ValidationError(_("The same date is given twice."), code="day_twice")
    return found


@transaction.atomic
def course_save(
    *,
    actor: Any,
    practice: Practice,
    course: Course | None = None,
    days: list[DayInput],
    **fields: Any,
) -> Course:
    """Create or change a course and its days. More places promote people from the waitlist."""
    if course is None:
        course = Course(practice=practice)
        model_update(instance=course, fields=COURSE_FIELDS, data=fields)
        changed = ["created"]
    else:
        course = Course.objects.select_for_update().get(pk=course.pk)
        changed = model_update(instance=course, fields=COURSE_FIELDS, data=fields)
    times = _days(practice, days)
    if course.last_registration_day > times[0][0].date():
        raise ValidationError(
            {"last_registration_day": _("The last day to register is after the course begins.")}
        )
    course.full_clean(exclude=["follow_up"])
    course.save()
    current = list(CourseDay.objects.filter(course=course).order_by("starts_at"))
    if [(d.starts_at, d.ends_at) for d in current] != times:
        kept = {d.starts_at.date(): d for d in current}
        for start, end in times:
            day = kept.pop(start.date(), None)
            if day is None:
                day = CourseDay(practice=practice, course=course)
            day.starts_at, day.ends_at = start, end
            day.full_clean(exclude=["course", "practice"])
            day.save()
        # Days dropped from the course take their attendance with them.
        CourseDay.objects.filter(pk__in=[d.pk for d in kept.values()]).delete()
        changed.append("days")
    promoted = _promote(course)
    audit(actor, "courses.course.saved", course, {"fields": changed, "promoted": promoted})
    return course


def _confirmed(course: Course) -> int:
    return Registration.objects.filter(course=course, status=RegistrationStatus.CONFIRMED).count()


def _promote(course: Course) -> list[int]:
    """Fill free places from the waitlist, first come first served, and tell each person.
    The caller holds the course row's lock."""
    free = course.capacity - _confirmed(course)
    if free <= 0:
        return []
    waiting = list(
        Registration.objects.filter(course=course, status=RegistrationStatus.WAITLISTED).order_by(
            "created_at", "pk"
        )[:free]
    )
    now = clock.now()
    for registration in waiting:
        registration.status = RegistrationStatus.CONFIRMED
        registration.promoted_at = now
        registration.save(update_fields=["status", "promoted_at"])
        _mail(registration, "promoted")
    return [r.pk for r in waiting]


@transaction.atomic
def registration_create(
    *,
    course: Course,
    actor: Any = None,
    language: str = "sv",
    today: dt.date | None = None,
    notify: bool = True,
    **fields: Any,
) -> Registration:
    """Register a person (no login). Confirmed while places are left, waitlisted after that.

    The course row is locked while the place is taken, so two people registering for the last
    place at the same moment cannot both get it; one active registration per e-mail address.
    ``notify`` False sends no e-mail (the demo data). ``actor``: the staff member who registered
    the person (through the API); None when they registered themselves."""
    locked = Course.objects.select_for_update().filter(pk=course.pk, published=True).first()
    if locked is None:
        raise ValidationError(_("This course is not open for registration."), code="closed")
    course = locked
    today = today or clock.today()
    if today > course.last_registration_day:
        raise ValidationError(
            _("Registration closed on %(day)s.")
            % {"day": course.last_registration_day.isoformat()},
            code="too_late",
        )
    registration = Registration(
        practice=course.practice,
        course=course,
        language="en" if language.startswith("en") else "sv",
        **{
            k: (v.strip() if isinstance(v, str) else v)
            for k, v in fields.items()
            if k in REGISTRATION_FIELDS
        },
    )
    registration.email = registration.email.lower()
    duplicate = ValidationError(
        {"email": _("This e-mail address is already registered for the course.")},
        code="duplicate",
    )
    if Registration.objects.filter(
        course=course,
        email__iexact=registration.email,
        status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED],
    ).exists():
        raise duplicate
    full = _confirmed(course) >= course.capacity
    registration.status = RegistrationStatus.WAITLISTED if full else RegistrationStatus.CONFIRMED
    registration.full_clean(exclude=["course", "practice", "client"], validate_constraints=False)
    if registration.org_number:
        registration.org_number = normalize_org_number(registration.org_number)
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError as exc:
        raise duplicate from exc
    if notify:
        _mail(registration, "waitlisted" if full else "confirmed")
    audit(
        actor,
        "courses.registration.created",
        registration,
        {"course": course.pk, "status": registration.status},
    )
    return registration


@transaction.atomic
def registration_cancel(*, actor: Any, registration: Registration) -> Registration:
    """Cancel a registration (by the registrant through their link, or by the practice).
    A freed place goes to the first person on the waitlist, who is told by e-mail."""
    course = Course.objects.select_for_update().get(pk=registration.course_id)
    registration = Registration.objects.get(pk=registration.pk)
    if registration.status == RegistrationStatus.CANCELLED:
        raise ValidationError(_("This registration is already cancelled."), code="cancelled")
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = clock.now()
    registration.save(update_fields=["status", "cancelled_at"])
    _mail(registration, "cancelled")
    promoted = _promote(course)
    audit(
        actor,
        "courses.registration.cancelled",
        registration,
        {"course": course.pk, "promoted": promoted},
    )
    return registration


@transaction.atomic
def registration_end_for_erasure(*, registration: Registration) -> list[int]:
    """End the registration of a person being erased: cancelled without a mail (there is no
    one left to write to), its link stops working, and a place it held goes to the first on
    the waitlist as after any cancellation. Nothing of it can be promoted, mailed or invoiced
    afterwards. Returns the ids of the registrations promoted in its place."""
    course = Course.objects.select_for_update().get(pk=registration.course_id)
    registration = Registration.objects.get(pk=registration.pk)
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = clock.now()
    registration.token = new_registration_token()
    registration.save(update_fields=["status", "cancelled_at", "token"])
    promoted = _promote(course)
    audit(
        None,
        "courses.registration.cancelled",
        registration,
        {"course": course.pk, "promoted": promoted, "erased": True},
    )
    return promoted


@transaction.atomic
def registration_client_link(
    *, actor: Any, registration: Registration, client: Client
) -> Registration:
    """Invoice a registration that no client matched to an existing client: the admin's
    choice on the invoice-run page."""
    if client.practice_id != registration.practice_id:
        raise ValidationError(_("Choose one of the practice's clients."), code="other_practice")
    registration.client = client
    registration.save(update_fields=["client"])
    audit(actor, "courses.registration.client_linked", registration, {"client": client.pk})
    return registration


@transaction.atomic
def registration_client_create(*, actor: Any, registration: Registration) -> Client:
    """Make a new client from a registration's invoice details, by the admin's explicit
    choice (an invoice run never makes one), and invoice the registration to it."""
    client = client_create(
        actor=actor,
        practice=registration.practice,
        name=registration.organization or registration.name,
        org_number=registration.org_number,
        sector=Sector.OTHER,
        street=registration.invoice_street,
        postal_code=registration.invoice_postal_code,
        city=registration.invoice_city,
        invoice_reference=registration.invoice_reference,
        language=registration.language,
    )
    registration_client_link(actor=actor, registration=registration, client=client)
    return client


@transaction.atomic
def attendance_save(
    *, actor: Any, course: Course, day: CourseDay, present: set[int]
) -> list[CourseAttendance]:
    """Record who was present on a course day (confirmed registrations only). A day that has
    not begun has no one present yet: recording it would let a certificate out too early."""
    if day.course_id != course.pk:
        raise ValidationError(_("That day belongs to another course."))
    if day.starts_at > clock.now():
        raise ValidationError(
            _("Attendance can be recorded only once the course day has begun."),
            code="day_not_begun",
        )
    confirmed = list(
        Registration.objects.filter(course=course, status=RegistrationStatus.CONFIRMED)
    )
    rows = {a.registration_id: a for a in CourseAttendance.objects.filter(day=day)}
    saved = []
    for registration in confirmed:
        row = rows.get(registration.pk) or CourseAttendance(
            practice=course.practice, registration=registration, day=day
        )
        row.present = registration.pk in present
        row.save()
        saved.append(row)
    audit(actor, "courses.attendance.saved", course, {"day": day.pk, "present": len(present)})
    return saved


@transaction.atomic
def follow_up_create(
    *,
    actor: Any,
    course: Course,
    client: Any,
    supervisor: Any,
    title: str,
    start_date: dt.date,
    end_date: dt.date,
    meetings_ordered: int,
    meeting_minutes: int,
    focus: str,
    venue: str,
    venue_address: str = "",
) -> Engagement:
    """Turn the course's confirmed registrants into a follow-up supervision group: a new group
    engagement (through the engagements service, so the group-size rule holds). Without a
    ``client``, a client is made from the organization most of the registrants come from."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    if client is None:
        client = _client_from_registrations(actor, course)
    people = [
        PersonInput(name=r.name, email=r.email)
        for r in Registration.objects.filter(
            course=course, status=RegistrationStatus.CONFIRMED
        ).order_by("created_at", "pk")
    ]
    engagement = engagement_create(
        actor=actor,
        practice=course.practice,
        participants=people,
        client=client,
        supervisor=supervisor,
        title=title,
        form=Form.GROUP,
        focus=focus,
        meeting_minutes=meeting_minutes,
        meetings_ordered=meetings_ordered,
        start_date=start_date,
        end_date=end_date,
        venue=venue,
        venue_address=venue_address,
    )
    course.follow_up = engagement
    course.save(update_fields=["follow_up"])
    audit(actor, "courses.course.follow_up", course, {"engagement": engagement.pk})
    return engagement


def _client_from_registrations(actor: Any, course: Course) -> Client:
    source = most_common_organization(course)
    if source is None or not (source.organization or source.org_number):
        raise ValidationError(
            {"client": _("The participants gave no organization: choose a client.")},
            code="no_organization",
        )
    found = None
    if source.org_number:
        found = Client.objects.filter(
            practice=course.practice, org_number=source.org_number
        ).first()
    return found or client_create(
        actor=actor,
        practice=course.practice,
        name=source.organization or source.org_number,
        org_number=source.org_number,
        sector=Sector.OTHER,
        street=source.invoice_street,
        postal_code=source.invoice_postal_code,
        city=source.invoice_city,
        invoice_reference=source.invoice_reference,
        language=source.language,
    )


def most_common_organization(course: Course) -> Registration | None:
    """The confirmed registration whose organization most registrants share (for a new client)."""
    regs = list(Registration.objects.filter(course=course, status=RegistrationStatus.CONFIRMED))
    if not regs:
        return None
    counts = Counter((r.org_number or r.organization).lower() for r in regs)
    top = counts.most_common(1)[0][0]
    return next(r for r in regs if (r.org_number or r.organization).lower() == top)
