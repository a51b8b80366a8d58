"""Course pages. Public: the course and its registration form, and a registrant's own page
(reached by the secret link in their e-mail) to cancel. Practice: list, create, edit, the
participants, attendance per day, certificates and the follow-up supervision group."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_scopes import scope

from bollplank.billing.models import InvoiceLine
from bollplank.clients.selectors import clients_visible_to
from bollplank.core import clock
from bollplank.core.forms import apply_errors
from bollplank.core.models import Practice
from bollplank.core.roles import Role
from bollplank.core.tenancy import PracticeRequest, practice_view, who
from bollplank.courses import selectors, services
from bollplank.courses.enums import RegistrationStatus
from bollplank.courses.forms import (
    AttendanceForm,
    CourseForm,
    FollowUpForm,
    RegistrationForm,
    day_formset,
)
from bollplank.courses.models import Course, CourseAttendance, CourseDay, Registration
from bollplank.courses.pdf import certificate_filename, certificate_pdf
from bollplank.directory.spam import form_token

STAFF = (Role.ADMIN, Role.SUPERVISOR)


# --- public ------------------------------------------------------------------------------------


def course_public(request: HttpRequest, practice_slug: str, pk: int) -> HttpResponse:
    """A published course and its registration form; no login. Bots (honeypot, too fast)
    are refused with a message a person can act on; everything typed stays in the form."""
    practice = get_object_or_404(Practice, slug=practice_slug)
    course = selectors.course_public(practice, pk)
    if course is None:
        raise Http404
    today = clock.today()
    is_open = today <= course.last_registration_day and not _begun(course)
    form = RegistrationForm(request.POST or None, initial={"shown": form_token()})
    form.priced = course.price_ore > 0  # type: ignore[attr-defined]
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_bot():
            form.add_error(
                None,
                _(
                    "The form was sent faster than a person can fill it in, or it is too old. "
                    "Please check your answers and send it again."
                ),
            )
        elif form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k in services.REGISTRATION_FIELDS}
            try:
                with scope(practice=practice):
                    registration = services.registration_create(
                        course=course, language=translation.get_language() or "sv", **data
                    )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                return redirect("registration_cancel", registration.token)
        # A fresh timestamp: the person may need a moment to correct the form.
        data = request.POST.copy()
        data["shown"] = form_token()
        form.data = data
    return render(
        request,
        "courses/public.html",
        {"org": practice, "course": course, "form": form, "is_open": is_open},
        status=status,
    )


def _begun(course: Course) -> bool:
    first = getattr(course, "first_start", None)
    return first is not None and first <= clock.now()


def registration_cancel(request: HttpRequest, token: str) -> HttpResponse:
    """The registrant's own page: where they stand (place or waitlist) and a button to cancel.
    The secret link in their e-mail is the only way in."""
    registration = selectors.registration_by_token(token)
    if registration is None:
        raise Http404
    practice = registration.course.practice
    with scope(practice=practice), timezone.override(practice.timezone):
        if request.method == "POST":
            try:
                services.registration_cancel(actor=None, registration=registration)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("Your registration is cancelled."))
            return redirect("registration_cancel", token)
        course = registration.course
        days = list(course.days.order_by("starts_at"))
        position = 0
        if registration.status == RegistrationStatus.WAITLISTED:
            position = (
                Registration.objects.filter(
                    course=course,
                    status=RegistrationStatus.WAITLISTED,
                    created_at__lte=registration.created_at,
                )
                .exclude(pk=registration.pk, created_at=registration.created_at)
                .count()
                + 1
            )
        return render(
            request,
            "courses/registration.html",
            {
                "registration": registration,
                "course": course,
                "days": days,
                "org": practice,
                "position": position,
            },
        )


# --- the practice ------------------------------------------------------------------------------


def _course(request: PracticeRequest, pk: int) -> Course:
    _user, practice, _roles = who(request)
    course = selectors.course_for_staff(practice, pk)
    if course is None:
        raise Http404
    return course


@require_POST
@practice_view(Role.ADMIN)
def registration_client(request: PracticeRequest, pk: int) -> HttpResponse:
    """The admin's decision on a registration no client matched, from the invoice-run page:
    link it to an existing client, or make a new client from it."""
    user, practice, roles = who(request)
    registration = selectors.registration_for_staff(practice, pk)
    if registration is None:
        raise Http404
    client: Any = None
    try:
        if request.POST.get("action") == "create":
            client = services.registration_client_create(actor=user, registration=registration)
        else:
            raw = request.POST.get("client") or ""
            client = (
                clients_visible_to(user, practice, roles).filter(pk=int(raw)).first()
                if raw.isdigit()
                else None
            )
            if client is None:
                raise ValidationError(_("Choose a client to link the registration to."))
            services.registration_client_link(actor=user, registration=registration, client=client)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(name)s is invoiced to %(client)s.")
            % {"name": registration.name, "client": client.name},
        )
    return redirect("invoice_run", practice.slug)


@practice_view(*STAFF)
def course_list(request: PracticeRequest) -> HttpResponse:
    _user, practice, _roles = who(request)
    courses = list(selectors.courses_for_practice(practice))
    return render(request, "courses/list.html", {"courses": courses, "now": clock.now()})


def _course_form(request: PracticeRequest, course: Course | None) -> HttpResponse:
    user, practice, _roles = who(request)
    form = CourseForm(request.POST or None, instance=course, practice=practice)
    days = day_formset(request.POST or None, course)
    if request.method == "POST" and form.is_valid() and days.is_valid():
        try:
            saved = services.course_save(
                actor=user, practice=practice, course=course, days=days.days(), **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The course is saved."))
            return redirect("course_detail", practice.slug, saved.pk)
    return render(request, "courses/form.html", {"form": form, "days": days, "course": course})


@practice_view(*STAFF)
def course_create(request: PracticeRequest) -> HttpResponse:
    return _course_form(request, None)


@practice_view(*STAFF)
def course_edit(request: PracticeRequest, pk: int) -> HttpResponse:
    return _course_form(request, _course(request, pk))


@practice_view(*STAFF)
def course_detail(request: PracticeRequest, pk: int) -> HttpResponse:
    """The course with its participants, waitlist and cancellations, and what to do next."""
    course = _course(request, pk)
    registrations = list(selectors.registrations_of(course))
    days = list(course.days.all())
    present = selectors.days_present_of(course)
    required = course.days_required(len(days))
    invoiced = {
        line.course_registration_id: line.invoice
        for line in InvoiceLine.objects.filter(
            course_registration__course=course, released=False
        ).select_related("invoice")
    }
    for r in registrations:
        r.days_present = present.get(r.pk, 0)  # type: ignore[attr-defined]
        r.certifiable = r.days_present >= required  # type: ignore[attr-defined]
        r.invoice = invoiced.get(r.pk)  # type: ignore[attr-defined]
    groups = {s: [r for r in registrations if r.status == s] for s in RegistrationStatus.values}
    return render(
        request,
        "courses/detail.html",
        {
            "course": course,
            "days": days,
            "days_required": required,
            "now": clock.now(),
            "confirmed": groups[RegistrationStatus.CONFIRMED],
            "waitlisted": groups[RegistrationStatus.WAITLISTED],
            "cancelled": groups[RegistrationStatus.CANCELLED],
        },
    )


@require_POST
@practice_view(*STAFF)
def registration_cancel_staff(request: PracticeRequest, pk: int, reg_pk: int) -> HttpResponse:
    user, practice, _roles = who(request)
    course = _course(request, pk)
    registration = get_object_or_404(Registration, course=course, pk=reg_pk)
    try:
        services.registration_cancel(actor=user, registration=registration)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("%(name)s's registration is cancelled.") % {"name": registration.name}
        )
    return redirect("course_detail", practice.slug, course.pk)


@practice_view(*STAFF)
def course_attendance(request: PracticeRequest, pk: int, day_pk: int) -> HttpResponse:
    user, practice, _roles = who(request)
    course = _course(request, pk)
    day = get_object_or_404(CourseDay, course=course, pk=day_pk)
    if day.starts_at > clock.now():
        messages.error(request, _("Attendance can be recorded only once the course day has begun."))
        return redirect("course_detail", practice.slug, course.pk)
    confirmed = list(
        Registration.objects.filter(course=course, status=RegistrationStatus.CONFIRMED)
    )
    marked = set(
        CourseAttendance.objects.filter(day=day, present=True).values_list(
            "registration_id", flat=True
        )
    )
    form = AttendanceForm(
        request.POST or None,
        initial={"present": [str(x) for x in marked]},
        choices=[(r.pk, r.name) for r in confirmed],
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.attendance_save(
                actor=user,
                course=course,
                day=day,
                present={int(x) for x in form.cleaned_data["present"]},
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Attendance is saved."))
            return redirect("course_detail", practice.slug, course.pk)
    return render(request, "courses/attendance.html", {"course": course, "day": day, "form": form})


@practice_view(*STAFF)
def course_certificate(request: PracticeRequest, pk: int, reg_pk: int) -> HttpResponse:
    """A certificate of attendance (PDF) for a confirmed participant who meets the course's
    attendance rule; anyone else is sent back to the course with the reason."""
    _user, practice, _roles = who(request)
    course = _course(request, pk)
    registration = get_object_or_404(
        Registration, course=course, pk=reg_pk, status=RegistrationStatus.CONFIRMED
    )
    days_total = course.days.count()
    present = selectors.days_present_of(course, registration).get(registration.pk, 0)
    required = course.days_required(days_total)
    if present < required:
        messages.error(
            request,
            _(
                "%(name)s cannot get a certificate: present on %(present)s of %(total)s days, "
                "and the course requires %(required)s."
            )
            % {
                "name": registration.name,
                "present": present,
                "total": days_total,
                "required": required,
            },
        )
        return redirect("course_detail", practice.slug, course.pk)
    pdf = certificate_pdf(course, registration)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{certificate_filename(registration)}"'
    return response


@practice_view(*STAFF)
def course_follow_up(request: PracticeRequest, pk: int) -> HttpResponse:
    """Turn the confirmed participants into a follow-up supervision group."""
    user, practice, _roles = who(request)
    course = _course(request, pk)
    initial: dict[str, Any] = {
        "title": _("Follow-up: %(title)s") % {"title": course.title},
        "venue_address": course.place,
    }
    if course.leader_id:
        initial["supervisor"] = course.leader_id
    form = FollowUpForm(request.POST or None, practice=practice, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            engagement = services.follow_up_create(actor=user, course=course, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The follow-up supervision group is created."))
            return redirect("engagement_detail", practice.slug, engagement.pk)
    return render(request, "courses/follow_up.html", {"course": course, "form": form})
