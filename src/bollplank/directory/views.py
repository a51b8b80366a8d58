"""Pages of the directory: the public practice page, profiles, comparison and the inquiry form
(no login), and the practice's page settings, profile editor and inbox. Thin: selectors read,
services write and audit."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_scopes import scope

from bollplank.booking import firsttalk
from bollplank.booking.selectors import links_for_inquiry
from bollplank.core.forms import apply_errors
from bollplank.core.limits import accepts_upload
from bollplank.core.roles import Role
from bollplank.core.tenancy import PracticeRequest, practice_view, who
from bollplank.courses.selectors import courses_public
from bollplank.directory import selectors, services
from bollplank.directory.enums import PHOTO_MAX_BYTES, InquiryStatus
from bollplank.directory.forms import (
    ConvertForm,
    InquiryForm,
    PracticePageForm,
    ProfileForm,
    ReplyForm,
    StatusForm,
)
from bollplank.directory.spam import form_token, source_key

STAFF = (Role.ADMIN, Role.SUPERVISOR)


def public_practice(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A public page of a published practice: no login, 404 when unpublished, run inside the
    practice's scope and time zone."""

    @wraps(view)
    def wrapped(request: HttpRequest, practice_slug: str, *args: Any, **kwargs: Any) -> Any:
        practice, page = selectors.published_practice(practice_slug)
        with timezone.override(practice.timezone), scope(practice=practice):
            return view(request, practice, page, *args, **kwargs)

    return wrapped


def _courses(practice: Any) -> list[Any]:
    """The practice's public courses ahead, each with the link to its own page."""
    courses = list(courses_public(practice))
    for course in courses:
        try:
            course.public_url = reverse("course_public", args=[practice.slug, course.pk])  # type: ignore[attr-defined]
        except NoReverseMatch:  # the course pages are not mounted: list without links
            course.public_url = ""  # type: ignore[attr-defined]
    return courses


@public_practice
def practice_public(request: HttpRequest, practice: Any, page: Any) -> HttpResponse:
    """The practice in public: who they are, what they offer and how it differs, the
    supervisors, the courses ahead, and the way to send an inquiry."""
    profiles = selectors.public_profiles(practice)
    forms_offered = {f for p in profiles for f in p.forms}
    return render(
        request,
        "directory/practice.html",
        {
            "org": practice,
            "page": page,
            "profiles": profiles,
            "forms_offered": forms_offered,
            "courses": _courses(practice),
        },
    )


@public_practice
def supervisor_public(request: HttpRequest, practice: Any, page: Any, pk: int) -> HttpResponse:
    profile = selectors.public_profile(practice, pk)
    others = [p for p in selectors.public_profiles(practice) if p.pk != profile.pk]
    return render(
        request,
        "directory/supervisor.html",
        {"org": practice, "page": page, "profile": profile, "others": others},
    )


@public_practice
def supervisor_photo(request: HttpRequest, practice: Any, page: Any, pk: int) -> HttpResponse:
    profile = selectors.public_photo(practice, pk)
    response = HttpResponse(bytes(profile.photo or b""), content_type=profile.photo_type)
    response["Last-Modified"] = http_date(profile.updated_at.timestamp())
    response["Content-Disposition"] = "inline"
    patch_cache_control(response, public=True, max_age=3600)
    return response


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


@public_practice
def compare(request: HttpRequest, practice: Any, page: Any) -> HttpResponse:
    """Two supervisors side by side, field by field."""
    profiles = selectors.public_profiles(practice)
    by_pk = {p.pk: p for p in profiles}
    chosen: list[Any] = [by_pk.get(_int(request.GET.get(k)) or 0) for k in ("a", "b")]
    if not request.GET and len(profiles) >= 2:
        chosen = profiles[:2]
    pair = [p for p in chosen if p is not None]
    return render(
        request,
        "directory/compare.html",
        {
            "org": practice,
            "page": page,
            "profiles": profiles,
            "pair": pair if len(pair) == 2 and pair[0].pk != pair[1].pk else [],
            "a": chosen[0],
            "b": chosen[1],
        },
    )


@public_practice
def inquiry_new(request: HttpRequest, practice: Any, page: Any) -> HttpResponse:
    """The inquiry form. Bots (honeypot, too fast) and floods (rate limit) are refused with a
    message a person can act on; everything typed stays in the form."""
    form = InquiryForm(request.POST or None, initial={"shown": form_token()})
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
            data = {k: v for k, v in form.cleaned_data.items() if k in services.INQUIRY_FIELDS}
            try:
                services.inquiry_submit(
                    practice=practice,
                    source=source_key(request.META.get("REMOTE_ADDR", "")),
                    confirmed=form.cleaned_data["confirmed"],
                    **data,
                )
            except services.RateLimited:
                status = 429
                form.add_error(
                    None,
                    _(
                        "We have received many inquiries from your address lately. Please try "
                        "again later, or write to us by e-mail."
                    ),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                return redirect("directory_inquiry_sent", practice.slug)
        # A fresh timestamp: the person may need a moment to correct the form.
        fresh = request.POST.copy()
        fresh["shown"] = form_token()
        form.data = fresh
    return render(
        request,
        "directory/inquiry_form.html",
        {"org": practice, "page": page, "form": form},
        status=status,
    )


@public_practice
def inquiry_sent(request: HttpRequest, practice: Any, page: Any) -> HttpResponse:
    return render(request, "directory/inquiry_sent.html", {"org": practice, "page": page})


# --- the practice's side --------------------------------------------------------------------


@practice_view(Role.ADMIN)
def directory_settings(request: PracticeRequest) -> HttpResponse:
    """Whether the practice's page is published, what it says, how long inquiries are kept."""
    user, practice, _roles = who(request)
    page = selectors.practice_page(practice)
    form = PracticePageForm(request.POST or None, instance=page)
    if request.method == "POST" and form.is_valid():
        try:
            services.page_update(actor=user, practice=practice, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The public page settings are saved."))
            return redirect("directory_settings", practice.slug)
    return render(
        request,
        "directory/settings.html",
        {"form": form, "page": page},
        status=400 if request.method == "POST" else 200,
    )


@accepts_upload(PHOTO_MAX_BYTES)
@practice_view(Role.SUPERVISOR)
def profile_edit(request: PracticeRequest) -> HttpResponse:
    """The supervisor's own public profile."""
    user, practice, _roles = who(request)
    profile = selectors.own_profile(practice, user)
    form = ProfileForm(
        request.POST or None, request.FILES or None, initial=ProfileForm.initial_from(profile)
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.profile_update(
                actor=user,
                practice=practice,
                photo=form.cleaned_data["photo"],
                remove_photo=form.cleaned_data["remove_photo"],
                **form.service_fields(),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Your profile is saved."))
            if saved.published and selectors.practice_page(practice).published:
                messages.info(request, _("Visitors can see it on the practice's page."))
            return redirect("profile_edit", practice.slug)
    return render(
        request,
        "directory/profile_form.html",
        {"form": form, "profile": profile, "page": selectors.practice_page(practice)},
        status=400 if request.method == "POST" else 200,
    )


@practice_view(*STAFF)
def inquiry_list(request: PracticeRequest) -> HttpResponse:
    """The inbox: inquiries by status, newest first."""
    _user, practice, _roles = who(request)
    status = request.GET.get("status", "")
    return render(
        request,
        "directory/inbox.html",
        {
            "inquiries": selectors.inquiries_for(practice, status),
            "counts": selectors.inquiry_counts(practice),
            "statuses": InquiryStatus.choices,
            "status": status if status in InquiryStatus.values else "",
        },
    )


def _detail(
    request: HttpRequest,
    inquiry: Any,
    status_form: StatusForm | None = None,
    reply_form: ReplyForm | None = None,
    convert_form: ConvertForm | None = None,
    talk_form: ConvertForm | None = None,
    status: int = 200,
) -> HttpResponse:
    ranked = selectors.supervisors_ranked(inquiry)
    supervisors = [r.user for r in ranked]
    return render(
        request,
        "directory/inquiry_detail.html",
        {
            "inquiry": inquiry,
            "ranked": ranked,
            "status_form": status_form or StatusForm(initial={"status": inquiry.status}),
            "reply_form": reply_form or ReplyForm(),
            "convert_form": convert_form
            or ConvertForm(
                supervisors=supervisors,
                initial={"supervisor": supervisors[0].pk if supervisors else None},
            ),
            "talk_links": links_for_inquiry(inquiry),
            # A first talk (booking app): the same choice of supervisor, its own form.
            "talk_form": talk_form
            or ConvertForm(
                prefix="talk",
                supervisors=supervisors,
                initial={"supervisor": supervisors[0].pk if supervisors else None},
            ),
        },
        status=status,
    )


@practice_view(*STAFF)
def inquiry_detail(request: PracticeRequest, pk: int) -> HttpResponse:
    """One inquiry: what was asked, the supervisors ranked by fit, status, replies, and the
    button that makes it a client and an engagement."""
    user, practice, _roles = who(request)
    inquiry = selectors.inquiry_for(practice, pk)
    if request.method != "POST":
        return _detail(request, inquiry)
    action = request.POST.get("action")
    if action == "status":
        status_form = StatusForm(request.POST)
        if status_form.is_valid():
            services.inquiry_set_status(
                actor=user, inquiry=inquiry, status=status_form.cleaned_data["status"]
            )
            messages.success(request, _("The status is changed."))
            return redirect("inquiry_detail", practice.slug, inquiry.pk)
        return _detail(request, inquiry, status_form=status_form, status=400)
    if action == "reply":
        reply_form = ReplyForm(request.POST)
        if reply_form.is_valid():
            try:
                services.inquiry_reply(
                    actor=user,
                    inquiry=inquiry,
                    body=reply_form.cleaned_data["body"],
                    confirmed=reply_form.cleaned_data["confirmed"],
                )
            except ValidationError as exc:
                apply_errors(reply_form, exc)
            else:
                messages.success(request, _("Your answer is on its way by e-mail."))
                return redirect("inquiry_detail", practice.slug, inquiry.pk)
        return _detail(request, inquiry, reply_form=reply_form, status=400)
    if action == "first_talk":
        return _first_talk(request, inquiry)
    raise Http404


def _first_talk(request: PracticeRequest, inquiry: Any) -> HttpResponse:
    """Send the inquirer a one-time link to book a first talk with the chosen supervisor."""
    user, practice, _roles = who(request)
    supervisors = [r.user for r in selectors.supervisors_ranked(inquiry)]
    form = ConvertForm(request.POST, prefix="talk", supervisors=supervisors)
    if form.is_valid():
        chosen = next(u for u in supervisors if u.pk == form.cleaned_data["supervisor"])
        try:
            firsttalk.link_send(actor=user, inquiry=inquiry, supervisor=chosen)
        except ValidationError as exc:
            form.add_error("supervisor", exc.messages[0])
        else:
            messages.success(
                request,
                _("The booking link for a first talk is on its way to %(email)s.")
                % {"email": inquiry.email},
            )
            return redirect("inquiry_detail", practice.slug, inquiry.pk)
    return _detail(request, inquiry, talk_form=form, status=400)


@require_POST
@practice_view(*STAFF)
def inquiry_convert(request: PracticeRequest, pk: int) -> HttpResponse:
    """Turn the inquiry into a client and an engagement with the chosen supervisor."""
    user, practice, _roles = who(request)
    inquiry = selectors.inquiry_for(practice, pk)
    supervisors = [r.user for r in selectors.supervisors_ranked(inquiry)]
    form = ConvertForm(request.POST, supervisors=supervisors)
    if form.is_valid():
        chosen = next(u for u in supervisors if u.pk == form.cleaned_data["supervisor"])
        try:
            engagement = services.inquiry_convert(actor=user, inquiry=inquiry, supervisor=chosen)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("The client and the engagement are created from the inquiry. Check the terms."),
            )
            return redirect("engagement_detail", practice.slug, engagement.pk)
    return _detail(request, inquiry, convert_form=form, status=400)
