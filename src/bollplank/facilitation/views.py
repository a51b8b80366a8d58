"""In the room: conversation models, the runner, takeaways, and the mission's parts and counts.
Thin: selectors read, services write and audit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from bollplank.clients.selectors import clients_visible_to
from bollplank.core import clock
from bollplank.core.forms import apply_errors
from bollplank.core.roles import Role
from bollplank.core.tenancy import PracticeRequest, practice_view, who
from bollplank.facilitation import selectors, services
from bollplank.facilitation.enums import RunStatus
from bollplank.facilitation.forms import (
    MissionPartForm,
    MissionSplitForm,
    ModelForm,
    RunStartForm,
    StepFormSet,
    TakeawayForm,
    step_initial,
    steps_from,
)
from bollplank.facilitation.models import MissionPart, Run
from bollplank.meetings.models import Meeting
from bollplank.meetings.selectors import engagement_detail as select_engagement
from bollplank.meetings.selectors import meeting_detail as select_meeting
from bollplank.records.models import CaseTurn

STAFF = (Role.ADMIN, Role.SUPERVISOR)
SUPERVISOR = (Role.SUPERVISOR,)


# --- conversation models --------------------------------------------------------------------


@practice_view(*STAFF)
def model_list(request: PracticeRequest) -> HttpResponse:
    """The shipped models and the practice's own, with their steps."""
    _user, practice, _roles = who(request)
    return render(request, "facilitation/models.html", {"models": selectors.models_for(practice)})


@practice_view(*STAFF)
def model_detail(request: PracticeRequest, pk: int) -> HttpResponse:
    _user, practice, _roles = who(request)
    model = selectors.model_for(practice, pk)
    return render(request, "facilitation/model_detail.html", {"model": model})


@require_POST
@practice_view(*STAFF)
def model_copy(request: PracticeRequest, pk: int) -> HttpResponse:
    user, practice, _roles = who(request)
    source = selectors.model_for(practice, pk)
    copy = services.model_copy(actor=user, practice=practice, source=source)
    messages.success(request, _("The copy is yours to change."))
    return redirect("model_edit", practice.slug, copy.pk)


def _model_form(request: PracticeRequest, model: Any) -> HttpResponse:
    user, practice, _roles = who(request)
    if request.method == "POST" and request.POST.get("action") == "delete" and model is not None:
        services.model_delete(actor=user, model=model)
        messages.success(request, _("The model is deleted."))
        return redirect("model_list", practice.slug)
    initial = (
        {"name": model.name, "description": model.description, "language": model.language}
        if model
        else {"language": request.LANGUAGE_CODE if request.LANGUAGE_CODE in {"sv", "en"} else "sv"}
    )
    form = ModelForm(request.POST or None, initial=initial)
    formset = StepFormSet(
        request.POST or None, initial=step_initial(model) if model else None, prefix="steps"
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            saved = services.model_save(
                actor=user,
                practice=practice,
                model=model,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                language=form.cleaned_data["language"],
                steps=steps_from(formset),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The conversation model is saved."))
            return redirect("model_detail", practice.slug, saved.pk)
    return render(
        request,
        "facilitation/model_form.html",
        {"form": form, "formset": formset, "model": model},
        status=400 if request.method == "POST" else 200,
    )


@practice_view(*STAFF)
def model_new(request: PracticeRequest) -> HttpResponse:
    return _model_form(request, None)


@practice_view(*STAFF)
def model_edit(request: PracticeRequest, pk: int) -> HttpResponse:
    _user, practice, _roles = who(request)
    return _model_form(request, selectors.own_model(practice, pk))


# --- the runner -----------------------------------------------------------------------------


def _own_meeting(request: PracticeRequest, pk: int) -> Meeting:
    """A meeting the acting supervisor leads; 404 for everyone else, admins included."""
    user, practice, roles = who(request)
    meeting = select_meeting(user, practice, roles, pk)
    if meeting.supervisor_id != user.pk:
        raise Http404
    return meeting


@practice_view(*SUPERVISOR)
def run_start(request: PracticeRequest, pk: int) -> HttpResponse:
    """Choose the model, the case owner (from the case rota) and the leader, and start."""
    user, practice, _roles = who(request)
    meeting = _own_meeting(request, pk)
    existing = selectors.run_of(meeting)
    if existing is not None:
        # A reload of the start form, or a second screen: go to the run that is going.
        messages.info(
            request,
            _("The conversation model is already running for this meeting: here it is."),
        )
        return redirect("runner", practice.slug, meeting.pk)
    members = selectors.meeting_members(meeting)
    models = [m for m in selectors.models_for(practice) if m.steps.all()]
    turn = CaseTurn.objects.filter(meeting=meeting).first()
    preferred = [m for m in models if m.language == request.LANGUAGE_CODE]
    model = (preferred or models)[0] if models else None
    owner = selectors.default_case_owner(
        model,
        members,
        turn.participant_id if turn else None,
        lambda: services.absent_ids(meeting),
    )
    initial = {
        "case_owner": owner,
        "model": model.pk if model else None,
        "leader": "supervisor",
    }
    form = RunStartForm(
        request.POST or None,
        initial=initial,
        models=selectors.models_for(practice),
        members=members,
        supervisor_name=meeting.supervisor.name,
    )
    if request.method == "POST" and form.is_valid():
        try:
            model = selectors.model_for(practice, form.cleaned_data["model"])
            services.run_start(
                actor=user,
                meeting=meeting,
                model=model,
                case_owner_id=form.cleaned_data["case_owner"],
                leader_ids=request.POST.getlist("leader"),
            )
        except ValidationError as exc:
            if getattr(exc, "code", None) == "already_started":
                messages.warning(request, exc.messages[0])
                return redirect("runner", practice.slug, meeting.pk)
            apply_errors(form, exc)
        else:
            return redirect("runner", practice.slug, meeting.pk)
    return render(
        request,
        "facilitation/run_start.html",
        {"meeting": meeting, "form": form, "case_turn": turn},
        status=400 if form.errors else 200,
    )


DRIVERS = (Role.SUPERVISOR, Role.PARTICIPANT)


def _driven(request: PracticeRequest, pk: int) -> tuple[Meeting, Run | None, bool]:
    """The meeting and its run for one who may drive it: the meeting's supervisor, or the member
    of the group chosen as the run's leader while it runs. The third value is True for that
    leader once the run has finished (their screen goes back to the meeting). 404 for others."""
    user, practice, roles = who(request)
    meeting = select_meeting(user, practice, roles, pk)
    run = selectors.run_of(meeting)
    if meeting.supervisor_id == user.pk:
        return meeting, run, False
    if run is not None and run.leader is not None and run.leader.user_id == user.pk:
        return meeting, run, run.status != RunStatus.RUNNING
    raise Http404


def _finished_for_leader(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    """The group member who led sees the runner only while it runs; after that, the meeting."""
    if _wants_json(request):
        return JsonResponse({"state": {"status": RunStatus.FINISHED, "version": 0}, "message": ""})
    messages.info(
        request,
        _(
            "The conversation is finished. The case owner writes their takeaway from their "
            "own login."
        ),
    )
    return redirect("meeting_detail", meeting.practice.slug, meeting.pk)


def _runner_context(request: HttpRequest, meeting: Meeting, run: Run) -> dict[str, Any]:
    state = services.run_state(run)
    owner = run.case_owner
    return {
        "meeting": meeting,
        "run": run,
        "state": state,
        "step": state["steps"][state["step_index"]],
        "last_step": state["step_index"] == len(state["steps"]) - 1,
        "owner_has_login": owner is not None and owner.user_id is not None,
        "takeaway_url": request.build_absolute_uri(
            reverse("run_takeaway", args=[meeting.practice.slug, meeting.pk])
        ),
        "texts": runner_texts(),
    }


# The clock is counted on the server at each request: never stored by a browser or proxy (a
# minute-old page or state would put the timer a minute wrong).
@never_cache
@practice_view(*DRIVERS)
def runner(request: PracticeRequest, pk: int) -> HttpResponse:
    """The full-screen view for the projector. Works without JavaScript (buttons post); with it,
    the timer runs on the screen, keys drive it, and it survives network drops and reloads."""
    meeting, run, done = _driven(request, pk)
    if done:
        return _finished_for_leader(request, meeting)
    if run is None:
        return redirect("run_start", meeting.practice.slug, meeting.pk)
    return render(request, "facilitation/runner.html", _runner_context(request, meeting, run))


def runner_texts() -> dict[str, str]:
    """The words the runner's script shows, in the user's language."""
    return {
        "step_of": _("Step %(n)s of %(total)s"),
        "speaks": _("Speaks"),
        "paused": _("Paused"),
        "time_up": _("Time is up"),
        "over": _("over"),
        "pause": _("Pause"),
        "resume": _("Resume"),
        "passed": _("passed"),
        "round_done": _("Everyone has had their turn."),
        "offline": _(
            "No network: the run goes on here, and the changes are sent when the network is back."
        ),
        "online": _("Connected."),
        # Two forms for the count shown before them: "1 ändring väntar", "2 ändringar väntar".
        "pending_one": _("change waiting to be sent"),
        "pending": _("changes waiting to be sent"),
        "dropped": _(
            "Another screen changed the run while this one was offline: its changes here were "
            "not saved. This screen shows the current state."
        ),
        "other_screen": _("Another screen moved the run on; this screen follows."),
        "step_changed": _("Now: %(name)s"),
    }


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _at(raw: str | None) -> dt.datetime | None:
    try:
        return dt.datetime.fromtimestamp(int(raw or "") / 1000, tz=dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


@require_POST
@practice_view(*DRIVERS)
def run_act(request: PracticeRequest, pk: int) -> HttpResponse:
    """One action of the leader, on the version of the state the screen saw."""
    user, practice, _roles = who(request)
    meeting, found, done = _driven(request, pk)
    if found is None:
        raise Http404
    if done:
        return _finished_for_leader(request, meeting)
    run = found
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    status, message = 200, ""
    try:
        run = services.run_act(
            actor=user,
            run=run,
            action=request.POST.get("action", ""),
            version=version,
            at=_at(request.POST.get("at")),
        )
    except services.RunConflict as exc:
        status, message = 409, exc.messages[0]
    except ValidationError as exc:
        status, message = 400, exc.messages[0]
    if _wants_json(request):
        fresh = selectors.run_of(meeting) or run
        return JsonResponse({"state": services.run_state(fresh), "message": message}, status=status)
    if message:
        messages.warning(request, message)
    return redirect("runner", practice.slug, meeting.pk)


@never_cache
@practice_view(*DRIVERS)
def run_state(request: PracticeRequest, pk: int) -> HttpResponse:
    """The run's state as JSON, for screens to follow each other."""
    meeting, run, done = _driven(request, pk)
    if run is None:
        raise Http404
    if done:
        return _finished_for_leader(request, meeting)
    return JsonResponse({"state": services.run_state(run), "message": ""})


@sensitive_post_parameters("takeaway", "next_step")
@practice_view(Role.PARTICIPANT)
def run_takeaway(request: PracticeRequest, pk: int) -> HttpResponse:
    """The case owner, on their own login (a phone will do), writes their takeaway and next step
    into their own journal, and adds it to the group summary only if they choose to."""
    user, practice, roles = who(request)
    meeting = select_meeting(user, practice, roles, pk)
    run = selectors.run_of(meeting)
    if run is None or not services.takeaway_writer(run, user):
        raise Http404
    form = TakeawayForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.takeaway_save(
                    actor=user,
                    run=run,
                    takeaway=form.cleaned_data["takeaway"],
                    next_step=form.cleaned_data["next_step"],
                    to_summary=form.cleaned_data["to_summary"],
                    confirmed=request.POST.get("confirmed") == "on",
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Saved in your journal. Only you can read it there."))
                return redirect("journal", practice.slug)
    return render(
        request,
        "facilitation/takeaway.html",
        {"meeting": meeting, "run": run, "form": form},
        status=status,
    )


# --- the mission ----------------------------------------------------------------------------


@practice_view(*STAFF)
def mission_parts(request: PracticeRequest, pk: int) -> HttpResponse:
    """The client's mission split into parts, with every earlier version kept."""
    user, practice, roles = who(request)
    client = get_object_or_404(clients_visible_to(user, practice, roles), pk=pk)
    add_form = MissionPartForm(request.POST if request.POST.get("action") == "add" else None)
    split_form = MissionSplitForm(
        request.POST if request.POST.get("action") == "split" else None,
        initial={"text": client.mission},
        # Both forms have a "text" field: the ids must differ on one page.
        auto_id="split_%s",
    )
    if request.method == "POST":
        form = add_form if request.POST.get("action") == "add" else split_form
        if form.is_valid():
            try:
                if form is add_form:
                    services.mission_part_add(actor=user, client=client, **form.cleaned_data)
                else:
                    services.mission_split(actor=user, client=client, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The mission's parts are saved."))
                return redirect("mission_parts", practice.slug, client.pk)
    history = selectors.part_history(client)
    current = list(selectors.current_parts(client))
    return render(
        request,
        "facilitation/mission_parts.html",
        {
            "client": client,
            "parts": [(p, history.get(p.lineage, [])[1:]) for p in current],
            "retired": [v for v in history.values() if v[0].closed_at is not None],
            "add_form": add_form,
            "split_form": split_form,
        },
        status=400 if request.method == "POST" else 200,
    )


@practice_view(*STAFF)
def mission_part_edit(request: PracticeRequest, pk: int, part_pk: int) -> HttpResponse:
    """Revise a part (a new version; the old one stays) or retire it."""
    user, practice, roles = who(request)
    client = get_object_or_404(clients_visible_to(user, practice, roles), pk=pk)
    part: MissionPart = get_object_or_404(MissionPart.objects.filter(client=client), pk=part_pk)
    form = MissionPartForm.for_part(part, request.POST or None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "retire":
                services.mission_part_retire(actor=user, part=part)
                messages.success(request, _("The part is retired; its history stays."))
                return redirect("mission_parts", practice.slug, client.pk)
            if form.is_valid():
                services.mission_part_revise(actor=user, part=part, **form.cleaned_data)
                messages.success(request, _("A new version of the part is saved."))
                return redirect("mission_parts", practice.slug, client.pk)
        except ValidationError as exc:
            apply_errors(form, exc)
    return render(
        request,
        "facilitation/mission_part_edit.html",
        {"client": client, "part": part, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@practice_view(*SUPERVISOR)
def meeting_themes(request: PracticeRequest, pk: int) -> HttpResponse:
    """Tie the meeting's themes to parts of the client's mission."""
    user, practice, _roles = who(request)
    meeting = _own_meeting(request, pk)
    parts = list(selectors.current_parts(meeting.engagement.client))
    if request.method == "POST":
        try:
            ids = [int(x) for x in request.POST.getlist("parts")]
            services.themes_set(actor=user, meeting=meeting, part_ids=ids)
        except ValueError:
            messages.error(request, _("Choose parts from the list."))
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _("The meeting's themes are saved."))
            return redirect("meeting_detail", practice.slug, meeting.pk)
    return render(
        request,
        "facilitation/meeting_themes.html",
        {"meeting": meeting, "parts": parts, "chosen": selectors.themes_of(meeting)},
    )


@practice_view(*STAFF)
def engagement_mission(request: PracticeRequest, pk: int) -> HttpResponse:
    """Which parts of the client's mission the group's reflection touched, how often, by
    quarter; the supervisor can share this count view with the client's contacts."""
    user, practice, roles = who(request)
    engagement = select_engagement(user, practice, roles, pk)
    if request.method == "POST":
        try:
            services.mission_share_set(
                actor=user, engagement=engagement, shared=request.POST.get("shared") == "1"
            )
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _("Sharing with the client is updated."))
        return redirect("engagement_mission", practice.slug, engagement.pk)
    return render(
        request,
        "facilitation/engagement_mission.html",
        {
            "engagement": engagement,
            "counts": selectors.mission_counts(engagement),
            "shared": selectors.is_shared(engagement),
        },
    )


@practice_view(Role.CLIENT_CONTACT)
def client_mission(request: PracticeRequest) -> HttpResponse:
    """The client contact's view: counts of mission parts touched, for the engagements whose
    supervisor shares them. No themes' words, no meetings, no names."""
    user, practice, _roles = who(request)
    shared = selectors.shared_engagements(user, practice)
    counts = selectors.mission_counts_of(shared)
    return render(
        request,
        "facilitation/client_mission.html",
        {
            "engagements": [(e, counts[e.pk]) for e in shared],
            "now": clock.now(),
        },
    )
