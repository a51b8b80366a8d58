"""Questionnaires, sending, answering, the supervisor's view and the client's report.
Thin: selectors read and scope, services write and audit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from bollplank.core import clock
from bollplank.core.audit import audit
from bollplank.core.forms import apply_errors
from bollplank.core.roles import Role
from bollplank.core.tenancy import PracticeRequest, practice_view, who
from bollplank.core.timeutils import make_local
from bollplank.engagements.models import Engagement
from bollplank.evaluations import charts, selectors, services
from bollplank.evaluations.certificates import hours_certificate_pdf
from bollplank.evaluations.enums import MIN_GROUP, Kind, Phase
from bollplank.evaluations.exports import client_report_csv
from bollplank.evaluations.forms import (
    AfterMeetingForm,
    AnswerForm,
    GoalForm,
    LicenceForm,
    ProgressForm,
    QuestionForm,
    QuestionnaireForm,
    RoundForm,
    SectionForm,
)
from bollplank.evaluations.models import Invitation, Question
from bollplank.meetings.selectors import engagement_detail, meetings_visible_to

STAFF = (Role.ADMIN, Role.SUPERVISOR)


# --- questionnaires -------------------------------------------------------------------------


@practice_view(*STAFF)
def questionnaire_list(request: PracticeRequest) -> HttpResponse:
    """The shipped questionnaires and the practice's own; a form for a new one."""
    user, practice, _roles = who(request)
    form = QuestionnaireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            q = services.questionnaire_create(actor=user, practice=practice, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The questionnaire is created. Add its questions."))
            return redirect("questionnaire_detail", practice.slug, q.pk)
    return render(
        request,
        "evaluations/questionnaire_list.html",
        {"questionnaires": list(selectors.questionnaires_visible_to(practice)), "form": form},
        status=400 if form.errors else 200,
    )


@practice_view(*STAFF)
def questionnaire_licence(request: PracticeRequest, pk: int) -> HttpResponse:
    """Edit or renew the licence of one of the practice's licensed instruments."""
    user, practice, _roles = who(request)
    q = selectors.questionnaire_detail(practice, pk)
    if q.practice_id != practice.pk or q.kind != Kind.LICENSED:
        raise Http404
    form = LicenceForm(
        request.POST or None,
        initial={f: getattr(q, f) for f in LicenceForm.base_fields},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.questionnaire_licence_update(actor=user, questionnaire=q, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The licence is saved."))
            return redirect("questionnaire_detail", practice.slug, q.pk)
    return render(
        request,
        "evaluations/questionnaire_licence.html",
        {"q": q, "form": form},
        status=400 if form.errors else 200,
    )


@practice_view(*STAFF)
def questionnaire_detail(request: PracticeRequest, pk: int) -> HttpResponse:
    """One questionnaire with its sections and questions; the builder for the practice's own."""
    user, practice, _roles = who(request)
    q = selectors.questionnaire_detail(practice, pk)
    which = request.POST.get("add") if request.method == "POST" else None
    section_form = SectionForm(request.POST if which == "section" else None, prefix="s")
    question_form = QuestionForm(
        request.POST if which == "question" else None, questionnaire=q, prefix="q"
    )
    form = section_form if which == "section" else question_form
    if which in ("section", "question") and form.is_valid():
        if q.is_shipped:
            raise Http404
        try:
            if which == "section":
                services.section_add(actor=user, questionnaire=q, **form.cleaned_data)
            else:
                services.question_add(actor=user, questionnaire=q, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("questionnaire_detail", practice.slug, q.pk)
    return render(
        request,
        "evaluations/questionnaire_detail.html",
        {
            "q": q,
            "today": clock.today(),
            "questions": selectors.questions_of(q),
            "section_form": section_form,
            "question_form": question_form,
            "editable": not q.is_shipped and not q.rounds.exists(),
        },
        status=400 if form.errors else 200,
    )


@practice_view(*STAFF)
def questionnaire_copy(request: PracticeRequest, pk: int) -> HttpResponse:
    user, practice, _roles = who(request)
    source = selectors.questionnaire_detail(practice, pk)
    if request.method != "POST":
        return redirect("questionnaire_detail", practice.slug, source.pk)
    try:
        copy = services.questionnaire_copy(actor=user, practice=practice, source=source)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("questionnaire_detail", practice.slug, source.pk)
    messages.success(request, _("This is your own copy. You can change it."))
    return redirect("questionnaire_detail", practice.slug, copy.pk)


@practice_view(*STAFF)
def question_remove(request: PracticeRequest, pk: int) -> HttpResponse:
    user, practice, _roles = who(request)
    question = Question.objects.filter(pk=pk, questionnaire__practice=practice).first()
    if question is None:
        raise Http404
    if request.method == "POST":
        try:
            services.question_remove(actor=user, question=question)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The question is removed."))
    return redirect("questionnaire_detail", practice.slug, question.questionnaire_id)


# --- the supervisor's view ------------------------------------------------------------------


def _own_engagement(request: PracticeRequest, pk: int) -> Engagement:
    """An engagement the acting supervisor leads; 404 for everyone else, admins included:
    named answers are the protected room's."""
    user, practice, roles = who(request)
    engagement = engagement_detail(user, practice, roles, pk)
    if engagement.supervisor_id != user.pk:
        raise Http404
    return engagement


def _send_at(day: dt.date, practice: Any) -> dt.datetime:
    return make_local(day, dt.time(8, 0), practice.timezone)


@practice_view(Role.SUPERVISOR)
def engagement_evaluations(request: PracticeRequest, pk: int) -> HttpResponse:
    """Rounds sent and planned, the after-meeting trend as a chart with its table, the
    evaluations side by side; a form to plan a round."""
    user, practice, _roles = who(request)
    engagement = _own_engagement(request, pk)
    form = RoundForm(
        request.POST or None, questionnaires=list(selectors.sendable_questionnaires(practice))
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.round_create(
                actor=user,
                engagement=engagement,
                questionnaire=data["questionnaire"],
                phase=data["phase"],
                anonymous=data["anonymous"],
                send_on=max(_send_at(data["send_on"], practice), clock.now()),
                closes_at=make_local(data["closes_on"], dt.time(23, 59), practice.timezone),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The questionnaire is planned."))
            return redirect("engagement_evaluations", practice.slug, engagement.pk)
    trend = selectors.after_meeting_trend(engagement)
    return render(
        request,
        "evaluations/engagement.html",
        {
            "engagement": engagement,
            "rounds": list(selectors.rounds_of(engagement)),
            "trend": trend,
            "chart": charts.trend_chart(trend),
            "side_by_side": selectors.evaluations_side_by_side(engagement),
            "participants": selectors.named_participants(engagement),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@practice_view(Role.SUPERVISOR)
def participant_evaluations(request: PracticeRequest, pk: int, participant_pk: int) -> HttpResponse:
    """One participant's named answers: their trend and evaluations."""
    user, practice, _roles = who(request)
    engagement = _own_engagement(request, pk)
    participant = next(
        (p for p in selectors.named_participants(engagement) if p.pk == participant_pk), None
    )
    if participant is None:
        raise Http404
    trend = selectors.after_meeting_trend(engagement, participant)
    audit(user, "evaluations.participant.read", engagement, {"participant": participant.pk})
    return render(
        request,
        "evaluations/participant.html",
        {
            "engagement": engagement,
            "participant": participant,
            "trend": trend,
            "chart": charts.trend_chart(trend),
            "side_by_side": selectors.evaluations_side_by_side(engagement, participant),
        },
    )


@practice_view(Role.SUPERVISOR)
def meeting_check_send(request: PracticeRequest, pk: int) -> HttpResponse:
    """Send the after-meeting check to the meeting's group (from the meeting page)."""
    user, practice, roles = who(request)
    meeting = (
        meetings_visible_to(user, practice, roles)
        .select_related("engagement", "practice")
        .filter(pk=pk, supervisor=user)
        .first()
    )
    if meeting is None:
        raise Http404
    form = AfterMeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rnd = services.after_meeting_send(
                actor=user, meeting=meeting, anonymous=form.cleaned_data["anonymous"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("The after-meeting check is sent to %(n)s participants.")
                % {"n": rnd.invitations.count()},
            )
            return redirect("meeting_detail", practice.slug, meeting.pk)
    return render(
        request,
        "evaluations/meeting_check.html",
        {"meeting": meeting, "form": form},
        status=400 if form.errors else 200,
    )


# --- answering ------------------------------------------------------------------------------


def _answer(request: HttpRequest, invitation: Invitation, template_ctx: dict[str, Any]) -> Any:
    """The answering page for both ways in (start page and e-mail link)."""
    user = request.user
    try:
        services.check_answerable(invitation, user)
    except ValidationError as exc:
        status = {"other_person": 403, "answered": 409, "closed": 410}.get(exc.code or "", 400)
        return render(
            request,
            "evaluations/answer_refused.html",
            {"message": " ".join(exc.messages), **template_ctx},
            status=status,
        )
    rnd = invitation.round
    questions = selectors.questions_of(rnd.questionnaire)
    form = AnswerForm(request.POST or None, questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            services.response_submit(
                invitation=invitation,
                user=user,
                data=form.answers(),
                confirmed=form.cleaned_data["confirmed"],
            )
        except ValidationError as exc:
            if getattr(exc, "code", None) in ("answered", "closed"):
                return render(
                    request,
                    "evaluations/answer_refused.html",
                    {"message": " ".join(exc.messages), **template_ctx},
                    status=409 if exc.code == "answered" else 410,
                )
            apply_errors(form, exc)
        else:
            return render(request, "evaluations/answer_thanks.html", {"round": rnd, **template_ctx})
    sections: list[tuple[Any, list[Any]]] = []
    for q in questions:
        if not sections or sections[-1][0] != q.section:
            sections.append((q.section, []))
        sections[-1][1].append(form[f"q{q.pk}"])
    return render(
        request,
        "evaluations/answer.html",
        {"round": rnd, "form": form, "sections": sections, **template_ctx},
        status=400 if form.errors else 200,
    )


@sensitive_post_parameters()
@practice_view(Role.PARTICIPANT)
def evaluation_answer(request: PracticeRequest, pk: int) -> HttpResponse:
    """Answer from the participant's start page."""
    user, practice, _roles = who(request)
    invitation = selectors.own_invitation(user, practice, pk)
    return _answer(request, invitation, {})


@sensitive_post_parameters()
def evaluation_answer_link(request: HttpRequest, token: str) -> HttpResponse:
    """Answer by the personal link in the e-mail: no login needed, the token is the key.
    A signed-in person who is not the one invited is refused."""
    from django_scopes import scope

    invitation = selectors.invitation_by_token(token)
    practice = invitation.practice
    with scope(practice=practice), timezone.override(practice.timezone):
        return _answer(request, invitation, {"link_practice": practice})


# --- the client's report --------------------------------------------------------------------


def _report_filters(request: HttpRequest, engagements: list[Engagement]) -> tuple[list[Any], str]:
    chosen = request.GET.get("engagement", "")
    phase = request.GET.get("phase", "")
    if phase not in Phase.values:
        phase = ""
    if chosen:
        engagements = [e for e in engagements if str(e.pk) == chosen]
    return engagements, phase


def _report_response(
    request: HttpRequest,
    report: selectors.ClientReport,
    all_engagements: list[Engagement],
    fmt: str,
    ctx: dict[str, Any],
) -> HttpResponse:
    context = {
        "report": report,
        "all_engagements": all_engagements,
        "phases": Phase.choices,
        "min_group": MIN_GROUP,
        "chosen": request.GET.get("engagement", ""),
        "chosen_phase": report.phase,
        **ctx,
    }
    if fmt == "pdf":
        from weasyprint import HTML  # imported late: Pango is only needed here

        html = render_to_string("evaluations/report_document.html", context, request=request)
        pdf = HTML(string=html, base_url=None).write_pdf()
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = 'attachment; filename="utvardering.pdf"'
        return response
    if fmt == "csv":
        return _report_csv(report)
    return render(request, "evaluations/report.html", context)


def _report_csv(report: selectors.ClientReport) -> HttpResponse:
    response = HttpResponse(client_report_csv(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="utvardering.csv"'
    return response


@practice_view(Role.CLIENT_CONTACT)
def client_report(request: PracticeRequest, fmt: str = "html") -> HttpResponse:
    """The client contact's report over the engagements whose reports were shared."""
    user, practice, roles = who(request)
    visible = list(selectors.report_engagements(user, practice, roles))
    shared, cutoff = selectors.shared_engagements(visible)
    chosen, phase = _report_filters(request, shared)
    report = selectors.client_report(chosen, phase, cutoff)
    audit(user, "evaluations.report.read", None, {"format": fmt}, practice=practice)
    return _report_response(request, report, shared, fmt, {"preview": False})


@practice_view(Role.SUPERVISOR)
def report_preview(request: PracticeRequest, pk: int) -> HttpResponse:
    """Exactly what the client will see of this engagement, and the button to share it."""
    user, practice, _roles = who(request)
    engagement = _own_engagement(request, pk)
    if request.method == "POST":
        services.report_share(actor=user, engagement=engagement)
        messages.success(request, _("The report is shared with the client as shown here."))
        return redirect("report_preview", practice.slug, engagement.pk)
    _phase_only, phase = _report_filters(request, [engagement])
    report = selectors.client_report([engagement], phase)
    share = selectors.shared_engagements([engagement])[1].get(engagement.pk)
    return _report_response(
        request,
        report,
        [engagement],
        "html",
        {"preview": True, "engagement": engagement, "share": share},
    )


# --- goals ----------------------------------------------------------------------------------


@practice_view(Role.SUPERVISOR)
def engagement_goals(request: PracticeRequest, pk: int) -> HttpResponse:
    """The engagement's goals: the group's and each participant's, with their progress; add a
    goal, mark one reached, and choose the meetings at which they are revisited."""
    user, practice, roles = who(request)
    engagement = _own_engagement(request, pk)
    people = [m.participant for m in engagement.memberships.all() if m.left_on is None]
    form = GoalForm(request.POST if request.POST.get("do") == "add" else None, participants=people)
    if request.method == "POST":
        action = request.POST.get("do")
        by_pk = {str(g.pk): g for g in selectors.goals_visible_to(user, practice, roles)}
        if action == "add" and form.is_valid():
            try:
                services.goal_create(actor=user, engagement=engagement, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The goal is added."))
                return redirect("engagement_goals", practice.slug, engagement.pk)
        elif action in ("reached", "reopen"):
            goal = by_pk.get(request.POST.get("goal", ""))
            if goal is None or goal.engagement_id != engagement.pk:
                raise Http404
            services.goal_set_reached(actor=user, goal=goal, reached=action == "reached")
            return redirect("engagement_goals", practice.slug, engagement.pk)
        elif action == "revisits":
            chosen = set(request.POST.getlist("meeting"))
            meetings = [m for m in engagement.meetings.all() if str(m.pk) in chosen]
            services.revisits_set(actor=user, engagement=engagement, meetings=meetings)
            messages.success(request, _("The meetings for revisiting the goals are saved."))
            return redirect("engagement_goals", practice.slug, engagement.pk)
    goals = [g for g in selectors.goals_visible_to(user, practice, roles) if g.engagement_id == pk]
    return render(
        request,
        "evaluations/goals.html",
        {
            "engagement": engagement,
            "goals": goals,
            "form": form,
            "meetings": list(engagement.meetings.filter(status="planned")),
            "revisits": selectors.revisit_meetings(engagement),
        },
        status=400 if form.errors else 200,
    )


@practice_view(Role.PARTICIPANT)
def my_goals(request: PracticeRequest) -> HttpResponse:
    """A participant's own goals and their groups' goals, with their ratings over time."""
    user, practice, roles = who(request)
    goals = list(selectors.goals_visible_to(user, practice, frozenset({Role.PARTICIPANT})))
    posted = request.POST.get("goal", "") if request.method == "POST" else ""
    forms_by_goal = {
        g.pk: ProgressForm(request.POST if posted == str(g.pk) else None, prefix=f"g{g.pk}")
        for g in goals
    }
    if posted:
        goal = next((g for g in goals if str(g.pk) == posted), None)
        if goal is None:
            raise Http404
        form = forms_by_goal[goal.pk]
        if form.is_valid():
            try:
                services.progress_add(actor=user, goal=goal, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Your rating is saved."))
                return redirect("my_goals", practice.slug)
    return render(
        request,
        "evaluations/my_goals.html",
        {
            "goals": [(g, forms_by_goal[g.pk]) for g in goals],
            "signoffs": list(selectors.signoffs_of(user, practice)),
        },
        status=400 if any(f.errors for f in forms_by_goal.values()) else 200,
    )


# --- hours and certificates -----------------------------------------------------------------


@practice_view(Role.SUPERVISOR)
def engagement_hours(request: PracticeRequest, pk: int) -> HttpResponse:
    """Supervision hours per participant from attendance; sign them off for a certificate."""
    user, practice, _roles = who(request)
    engagement = _own_engagement(request, pk)
    rows = selectors.hours_of(engagement)
    if request.method == "POST":
        row = next(
            (r for r in rows if str(r.participant.pk) == request.POST.get("participant")), None
        )
        if row is None:
            raise Http404
        try:
            services.hours_sign_off(actor=user, engagement=engagement, participant=row.participant)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("The hours are signed off. The certificate can be downloaded.")
            )
        return redirect("engagement_hours", practice.slug, engagement.pk)
    return render(request, "evaluations/hours.html", {"engagement": engagement, "rows": rows})


@practice_view(Role.SUPERVISOR, Role.PARTICIPANT)
def hours_certificate(request: PracticeRequest, pk: int) -> HttpResponse:
    """The certificate of signed-off supervision hours, as PDF: for the participant it is about
    and the supervisor who signed it."""
    user, practice, _roles = who(request)
    signoff = selectors.signoff_visible_to(user, practice, pk)
    pdf = hours_certificate_pdf(signoff)
    audit(user, "evaluations.hours.certificate", signoff, {})
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="handledningstimmar-{signoff.pk}.pdf"'
    return response
