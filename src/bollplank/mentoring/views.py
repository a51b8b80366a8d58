"""Mentoring programmes: the coordinator's pages (practice staff), the public sign-up, and each
person's own page behind their personal link. Thin: selectors read, services write."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_scopes import scope, scopes_disabled

from bollplank.clients.selectors import clients_visible_to
from bollplank.core import clock
from bollplank.core.forms import apply_errors
from bollplank.core.limits import accepts_upload
from bollplank.core.mail import queue_mail
from bollplank.core.roles import STAFF_ROLES, Role
from bollplank.core.tenancy import PracticeRequest, practice_view, who
from bollplank.mentoring import selectors, services, signup_import
from bollplank.mentoring.enums import ResponseKind, Side
from bollplank.mentoring.forms import (
    AgreementForm,
    EndForm,
    ProgrammeForm,
    ResponseForm,
    SignUpForm,
    SignUpImportForm,
)
from bollplank.mentoring.models import PairRule, Programme, SignUp

STAFF = (Role.ADMIN, Role.SUPERVISOR)
# Who coordinates a programme: the practice's staff, and a client contact for the programmes
# run for their own client (the selectors answer 404 for any other programme).
COORDINATORS = (Role.ADMIN, Role.SUPERVISOR, Role.CLIENT_CONTACT)


# --- coordinator ---------------------------------------------------------------------------------


@practice_view(*COORDINATORS)
def programme_list(request: PracticeRequest) -> HttpResponse:
    user, practice, roles = who(request)
    return render(
        request,
        "mentoring/programmes.html",
        {"programmes": selectors.programmes_for(user, practice, roles)},
    )


def _programme_form(request: PracticeRequest, programme: Programme | None) -> HttpResponse:
    user, practice, roles = who(request)
    form = ProgrammeForm(
        request.POST or None,
        instance=programme,
        practice=practice,
        clients=clients_visible_to(user, practice, roles),
        client_required=not roles & STAFF_ROLES,
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.programme_save(
                actor=user,
                practice=practice,
                programme=programme,
                **{k: form.cleaned_data[k] for k in services.PROGRAMME_FIELDS},
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The programme is saved."))
            return redirect("mentoring_programme", practice.slug, saved.pk)
    return render(
        request,
        "mentoring/programme_form.html",
        {"form": form, "programme": programme},
        status=400 if request.method == "POST" else 200,
    )


@practice_view(*COORDINATORS)
def programme_new(request: PracticeRequest) -> HttpResponse:
    return _programme_form(request, None)


@practice_view(*COORDINATORS)
def programme_edit(request: PracticeRequest, pk: int) -> HttpResponse:
    user, practice, roles = who(request)
    programme = selectors.programme_visible_to(user, practice, roles, pk)
    # Form-bound instance: validation errors must not alter the shown object.
    return _programme_form(request, programme)


PAIRS_PER_PAGE = 100


@practice_view(*COORDINATORS)
def programme_detail(request: PracticeRequest, pk: int) -> HttpResponse:
    """Sign-up counts, the latest matching with every pair's explanation, and progress."""
    user, practice, roles = who(request)
    programme = selectors.programme_visible_to(user, practice, roles, pk)
    signups = selectors.signups_for(programme)
    run = selectors.latest_run(programme)
    pairs, unmatched = selectors.run_view(run, signups) if run else ([], [])
    by_id = {s.pk: s for s in signups}
    rules = selectors.pair_rules_for(programme)
    return render(
        request,
        "mentoring/programme.html",
        {
            "programme": programme,
            "n_mentors": sum(1 for s in signups if s.side == Side.MENTOR),
            "n_mentees": sum(1 for s in signups if s.side == Side.MENTEE),
            "places": sum(s.capacity for s in signups if s.side == Side.MENTOR),
            "run": run,
            # A hundred pairs a page (with their explanations): a national programme has
            # thousands.
            "pairs": Paginator(pairs, PAIRS_PER_PAGE).get_page(request.GET.get("page")),
            "unmatched": unmatched,
            "forbidden": [
                (by_id[e], by_id[r])
                for (e, r), kind in rules.items()
                if kind == PairRule.FORBID and e in by_id and r in by_id
            ],
            "progress": selectors.progress_counts(programme) if programme.published_at else None,
            "signup_url": request.build_absolute_uri(
                reverse("mentoring_signup", args=[programme.signup_token])
            ),
        },
    )


SIGNUPS_PER_PAGE = 100


@practice_view(*COORDINATORS)
def programme_signups(request: PracticeRequest, pk: int) -> HttpResponse:
    user, practice, roles = who(request)
    programme = selectors.programme_visible_to(user, practice, roles, pk)
    # A page at a time: an imported regional programme has thousands of sign-ups.
    page = Paginator(selectors.signups_of(programme), SIGNUPS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "mentoring/signups.html", {"programme": programme, "page": page})


@accepts_upload(signup_import.MAX_BYTES)
@practice_view(*COORDINATORS)
def programme_signups_import(request: PracticeRequest, pk: int) -> HttpResponse:
    """Sign-ups from a CSV file, all or nothing: a file with errors gets the full list by row
    and imports nothing, so it can be fixed and uploaded again."""
    user, practice, roles = who(request)
    programme = selectors.programme_visible_to(user, practice, roles, pk)
    form = SignUpImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            signup_import.check_size(upload.size)  # before reading it
            result = signup_import.signups_import(
                actor=user,
                programme=programme,
                data=upload.read(),
                send_links=form.cleaned_data["send_links"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("file", message)
        else:
            if result.ok:
                messages.success(
                    request,
                    _("%(n)s sign-ups are imported.")
                    % {"n": number_format(result.created, force_grouping=True)},
                )
                return redirect("mentoring_signups", practice.slug, programme.pk)
    return render(
        request,
        "mentoring/signup_import.html",
        {
            "programme": programme,
            "form": form,
            "result": result,
            "columns": [aliases[0] for aliases in signup_import.COLUMNS.values()],
            "required": [signup_import.COLUMNS[c][0] for c in signup_import.REQUIRED_COLUMNS],
            "max_rows": signup_import.MAX_ROWS,
            "max_mb": signup_import.MAX_BYTES // (1024 * 1024),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@practice_view(*COORDINATORS)
def programme_match(request: PracticeRequest, pk: int) -> HttpResponse:
    user, practice, roles = who(request)
    programme = selectors.programme_visible_to(user, practice, roles, pk)
    try:
        run = services.matching_run(actor=user, programme=programme)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Matched %(matched)d mentees; %(unmatched)d without a mentor. Total score %(total)d.")
            % {"matched": run.matched, "unmatched": run.unmatched, "total": run.total},
        )
    return redirect("mentoring_programme", practice.slug, programme.pk)


@require_POST
@practice_view(*COORDINATORS)
def programme_pair_rule(request: PracticeRequest, pk: int) -> HttpResponse:
    user, practice, roles = who(request)
    programme = selectors.programme_visible_to(user, practice, roles, pk)
    try:
        mentee = get_object_or_404(SignUp, programme=programme, pk=int(request.POST["mentee"]))
        mentor = get_object_or_404(SignUp, programme=programme, pk=int(request.POST["mentor"]))
    except (KeyError, ValueError) as exc:
        raise Http404 from exc
    kind = request.POST.get("kind", "")
    if kind not in (PairRule.LOCK, PairRule.FORBID, "clear"):
        raise Http404
    try:
        services.pair_rule_set(
            actor=user, programme=programme, mentee=mentee, mentor=mentor, kind=kind
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        text = {
            PairRule.LOCK: _("%(mentee)s and %(mentor)s are locked together."),
            PairRule.FORBID: _("%(mentee)s and %(mentor)s will never be matched."),
            "clear": _("The rule for %(mentee)s and %(mentor)s is removed."),
        }[kind]
        messages.success(request, text % {"mentee": mentee.name, "mentor": mentor.name})
    return redirect(reverse("mentoring_programme", args=[practice.slug, programme.pk]) + "#pairs")


@require_POST
@practice_view(*COORDINATORS)
def programme_publish(request: PracticeRequest, pk: int) -> HttpResponse:
    user, practice, roles = who(request)
    programme = selectors.programme_visible_to(user, practice, roles, pk)
    run = selectors.latest_run(programme)
    if run is None:
        messages.error(request, _("Run the matching first."))
    else:
        try:
            count = services.programme_publish(actor=user, programme=programme, run=run)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("%(n)d pairs are published.") % {"n": count})
    return redirect("mentoring_programme", practice.slug, programme.pk)


# --- public: sign-up and one's own page ----------------------------------------------------------


def signup(request: HttpRequest, token: str) -> HttpResponse:
    """The programme's open sign-up form (the link is the permission)."""
    with scopes_disabled():
        programme: Programme = get_object_or_404(
            Programme.objects.select_related("practice"), signup_token=token
        )
    with scope(practice=programme.practice), timezone.override(programme.practice.timezone):
        closed = clock.today() > programme.signup_closes_on
        form = SignUpForm(request.POST or None, programme=programme)
        personal = None
        created: SignUp | None = None
        if request.method == "POST" and not closed and form.is_valid():
            try:
                created, personal = services.signup_create(
                    programme=programme,
                    **{k: form.cleaned_data[k] for k in services.SIGNUP_FIELDS},
                )
            except ValidationError as exc:
                apply_errors(form, exc)
        if personal and created is not None:
            # The link is the person's key: shown once here, and sent by e-mail to keep; on
            # the public address, whatever host name the form was sent from.
            personal_url = settings.SITE_URL + reverse("mentoring_me", args=[personal])
            queue_mail(
                to=created.email,
                template="mentoring/email/signup",
                context={
                    "programme": programme,
                    "name": created.name,
                    "personal_url": personal_url,
                },
                language=request.LANGUAGE_CODE if request.LANGUAGE_CODE in {"sv", "en"} else "sv",
                practice=programme.practice,
            )
            return render(
                request,
                "mentoring/signup_done.html",
                {"programme": programme, "personal_url": personal_url},
            )
        return render(
            request,
            "mentoring/signup.html",
            {"programme": programme, "form": form, "closed": closed},
            status=400 if request.method == "POST" else 200,
        )


def me(request: HttpRequest, token: str) -> HttpResponse:
    """One person's page: their pair(s), the agreement, check-ins, ending, end evaluation."""
    with scopes_disabled():
        found = services.signup_by_token(token)
    if found is None:
        raise Http404
    person: SignUp = found
    with scope(practice=person.practice), timezone.override(person.practice.timezone):
        pairs = selectors.pairs_of(person) if person.programme.published_at else []
        forms_by_pair: dict[int, dict[str, Any]] = {}
        if request.method == "POST":
            response = _me_post(request, person, pairs, forms_by_pair)
            if response is not None:
                return response
            pairs = selectors.pairs_of(person)
        rows = []
        for pair in pairs:
            side = Side.MENTEE if pair.mentee_id == person.pk else Side.MENTOR
            mine = [r for r in pair.responses.all() if r.side == side]
            given = forms_by_pair.get(pair.pk, {})
            rows.append(
                {
                    "pair": pair,
                    "other": pair.mentor if side == Side.MENTEE else pair.mentee,
                    "i_signed": pair.mentee_signed_at
                    if side == Side.MENTEE
                    else pair.mentor_signed_at,
                    "checkins": [r for r in mine if r.kind == ResponseKind.CHECKIN],
                    # Check-ins fall every N weeks from the programme's start.
                    "next_checkin": person.programme.starts_on
                    + dt.timedelta(
                        weeks=person.programme.checkin_every_weeks
                        * (1 + sum(1 for r in mine if r.kind == ResponseKind.CHECKIN))
                    ),
                    "evaluated": any(r.kind == ResponseKind.END for r in mine),
                    "agreement_form": given.get("agreement")
                    or AgreementForm(initial={"goals": pair.agreement_goals}, prefix=f"a{pair.pk}"),
                    "checkin_form": given.get("checkin") or ResponseForm(prefix=f"c{pair.pk}"),
                    "end_form": given.get("end") or EndForm(prefix=f"x{pair.pk}"),
                    "evaluation_form": given.get("evaluation")
                    or ResponseForm(prefix=f"v{pair.pk}"),
                }
            )
        return render(
            request,
            "mentoring/me.html",
            {"person": person, "programme": person.programme, "rows": rows},
            status=400 if forms_by_pair else 200,
        )


def _me_post(
    request: HttpRequest, person: SignUp, pairs: list[Any], forms_by_pair: dict[int, dict[str, Any]]
) -> HttpResponse | None:
    try:
        pair = next(p for p in pairs if p.pk == int(request.POST.get("pair", "")))
    except (StopIteration, ValueError) as exc:
        raise Http404 from exc
    action = request.POST.get("action")
    form: Any
    try:
        if action == "agreement":
            form = AgreementForm(request.POST, prefix=f"a{pair.pk}")
            if form.is_valid():
                services.agreement_save(signup=person, pair=pair, goals=form.cleaned_data["goals"])
                messages.success(request, _("The agreement is saved."))
                return redirect(request.path)
        elif action == "sign":
            form = AgreementForm(request.POST, prefix=f"a{pair.pk}")
            if form.is_valid():
                services.agreement_save(signup=person, pair=pair, goals=form.cleaned_data["goals"])
                services.agreement_sign(signup=person, pair=pair)
                messages.success(request, _("You have signed the agreement."))
                return redirect(request.path)
            action = "agreement"
        elif action in ("checkin", "evaluation"):
            prefix = "c" if action == "checkin" else "v"
            form = ResponseForm(request.POST, prefix=f"{prefix}{pair.pk}")
            if form.is_valid():
                services.response_add(
                    signup=person,
                    pair=pair,
                    kind=ResponseKind.CHECKIN if action == "checkin" else ResponseKind.END,
                    progress=form.cleaned_data["progress"],
                    comment=form.cleaned_data["comment"],
                )
                messages.success(request, _("Thank you, your answer is saved."))
                return redirect(request.path)
        elif action == "end":
            form = EndForm(request.POST, prefix=f"x{pair.pk}")
            if form.is_valid():
                services.pair_end_early(
                    signup=person, pair=pair, reason=form.cleaned_data["reason"]
                )
                messages.success(request, _("The mentoring is ended."))
                return redirect(request.path)
        else:
            raise Http404
    except ValidationError as exc:
        apply_errors(form, exc)
    forms_by_pair[pair.pk] = {str(action): form}
    return None
