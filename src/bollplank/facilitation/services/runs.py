"""Running a conversation model in a meeting: the plan of steps and rounds, the leader's actions
on the timer, and the state every screen draws. Audit data holds ids, never anyone's words."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bollplank.core import clock
from bollplank.core.audit import audit
from bollplank.engagements.models import Participant
from bollplank.facilitation.enums import (
    EXTEND_SECONDS,
    MAX_STEP_SECONDS,
    RunAction,
    RunStatus,
    Speaker,
)
from bollplank.facilitation.models import (
    ConversationModel,
    Run,
)
from bollplank.facilitation.selectors import meeting_members
from bollplank.meetings.enums import AttendanceStatus
from bollplank.meetings.models import Attendance, Meeting


class RunConflict(ValidationError):
    """The screen acted on an older state than the server's: it is told, nothing changes."""


def _already_started(run: Run) -> ValidationError:
    started = timezone.localtime(run.started_at).strftime("%H:%M")
    return ValidationError(
        _(
            "This meeting's conversation model was already started at %(time)s on another "
            "screen. Only one run per meeting: open the running one instead."
        )
        % {"time": started},
        code="already_started",
    )


def absent_ids(meeting: Meeting) -> set[int]:
    """The participants recorded as not coming to the meeting (absent or cancelled late)."""
    return set(
        Attendance.objects.filter(
            meeting=meeting,
            status__in=[AttendanceStatus.ABSENT, AttendanceStatus.LATE_CANCELLED],
        ).values_list("participant_id", flat=True)
    )


def _plan(
    model: ConversationModel,
    members: list[Participant],
    case_owner: Participant | None,
    leader: Participant | None,
    absent: set[int] = frozenset(),  # type: ignore[assignment]
) -> list[dict[str, Any]]:
    """The model's steps with the speakers of each round. The case owner speaks in a round
    until they have presented their case; after that they listen. The leader keeps time. Those
    recorded absent for the meeting are not in any round."""
    plan = []
    owner_has_spoken = False
    for step in model.steps.all():
        item = step.as_plan()
        item["used"] = None
        if step.speaker == Speaker.ROUND:
            item["round"] = [
                p.pk
                for p in members
                if (leader is None or p.pk != leader.pk)
                and p.pk not in absent
                and not (owner_has_spoken and case_owner is not None and p.pk == case_owner.pk)
            ]
        if step.speaker == Speaker.CASE_OWNER:
            owner_has_spoken = True
        plan.append(item)
    return plan


def run_start(
    *,
    actor: Any,
    meeting: Meeting,
    model: ConversationModel,
    case_owner_id: int | None,
    leader_ids: list[str],
    now: dt.datetime | None = None,
) -> Run:
    """Start ``model`` in ``meeting``. One run per meeting: the second screen to start is told.

    ``leader_ids``: ["supervisor"] or ["<participant id>"]; more than one is refused.
    """
    now = now or clock.now()
    if meeting.supervisor_id != actor.pk:
        raise ValidationError(_("Only the meeting's supervisor starts a conversation model."))
    if meeting.is_cancelled:
        raise ValidationError(_("The meeting is cancelled."), code="cancelled")
    existing = Run.objects.filter(meeting=meeting).first()
    if existing is not None:
        raise _already_started(existing)
    if model.practice_id not in {None, meeting.practice_id}:
        raise ValidationError({"model": _("Choose a conversation model.")})
    steps = list(model.steps.all())
    if not steps:
        raise ValidationError(
            {"model": _("This model has no steps yet: add at least one before starting it.")},
            code="no_steps",
        )
    members = meeting_members(meeting)
    by_id = {p.pk: p for p in members}
    leader_ids = [x for x in leader_ids if x]
    if len(leader_ids) > 1:
        raise ValidationError(
            {"leader": _("A run has one conversation leader: choose one person.")},
            code="two_leaders",
        )
    leader: Participant | None = None
    if leader_ids and leader_ids[0] != "supervisor":
        try:
            leader = by_id[int(leader_ids[0])]
        except (KeyError, ValueError):
            raise ValidationError(
                {"leader": _("The conversation leader must be the supervisor or in the group.")},
                code="leader_not_member",
            ) from None
    needs_owner = any(s.speaker == Speaker.CASE_OWNER for s in steps)
    case_owner: Participant | None = None
    if case_owner_id:
        case_owner = by_id.get(case_owner_id)
        if case_owner is None:
            name = (
                Participant.objects.filter(pk=case_owner_id).values_list("name", flat=True).first()
            )
            raise ValidationError(
                {
                    "case_owner": _(
                        "%(name)s is not in the group on the day of the meeting, so they "
                        "cannot be its case owner. Choose someone in the group."
                    )
                    % {"name": name or _("That person")}
                },
                code="owner_not_member",
            )
    elif needs_owner:
        raise ValidationError(
            {"case_owner": _("This model has steps for a case owner: choose who brings the case.")},
            code="owner_missing",
        )
    if leader is not None and case_owner is not None and leader.pk == case_owner.pk:
        raise ValidationError(
            {"leader": _("The case owner cannot lead the conversation too: choose someone else.")},
            code="leader_is_owner",
        )
    absent = absent_ids(meeting)
    for field, person in (("case_owner", case_owner), ("leader", leader)):
        if person is not None and person.pk in absent:
            raise ValidationError(
                {
                    field: _(
                        "%(name)s is recorded as not coming to this meeting: choose someone "
                        "who is here, or change the attendance first."
                    )
                    % {"name": person.name}
                },
                code="absent",
            )
    run = Run(
        practice=meeting.practice,
        meeting=meeting,
        conversation_model=model,
        model_name=model.name,
        case_owner=case_owner,
        leader=leader,
        started_by=actor,
        plan=_plan(model, members, case_owner, leader, absent),
        speakers=[{"id": p.pk, "name": p.name} for p in members],
        step_started_at=now,
        started_at=now,
    )
    try:
        with transaction.atomic():
            run.save()
            audit(actor, "facilitation.run.started", run, {"model": model.pk})
    except IntegrityError:
        # Two screens pressed start at the same moment: the database let one through.
        raise _already_started(Run.objects.get(meeting=meeting)) from None
    return run


def can_drive(run: Run, user: Any) -> bool:
    """The meeting's supervisor drives its run; a member of the group chosen as its leader
    drives it too, from their own login, while it is running."""
    if run.meeting.supervisor_id == user.pk:
        return True
    return (
        run.status == RunStatus.RUNNING
        and run.leader is not None
        and run.leader.user_id is not None
        and run.leader.user_id == user.pk
    )


def _elapsed(run: Run, at: dt.datetime) -> float:
    seconds = (at - run.step_started_at).total_seconds() - run.paused_seconds
    if run.paused_at is not None:
        seconds -= max(0.0, (at - run.paused_at).total_seconds())
    return max(0.0, seconds)


def _close_step(run: Run, at: dt.datetime) -> None:
    plan = list(run.plan)
    step = dict(plan[run.step_index])
    step["used"] = round(_elapsed(run, at) + (step.get("used") or 0))
    plan[run.step_index] = step
    run.plan = plan


def _open_step(run: Run, index: int, at: dt.datetime) -> None:
    run.step_index = index
    run.step_started_at = at
    run.paused_at = None
    run.paused_seconds = 0
    run.extended_seconds = 0
    run.turn = 0


def _current_round(run: Run) -> list[int]:
    return list(run.plan[run.step_index].get("round") or [])


def run_act(
    *,
    actor: Any,
    run: Run,
    action: str,
    version: int,
    at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> Run:
    """Apply one action of the leader. ``version`` is the state the screen acted on: an older
    one raises RunConflict and changes nothing. ``at`` is when the leader pressed the key (a
    screen that was offline sends its queue later); it is kept between the step's start and now.
    """
    now = now or clock.now()
    with transaction.atomic():
        run = (
            Run.objects.select_for_update(of=("self",))
            .select_related("meeting", "leader")
            .get(pk=run.pk)
        )
        if not can_drive(run, actor):
            raise ValidationError(
                _("Only the meeting's supervisor or the run's conversation leader drives it."),
                code="not_leader",
            )
        if version != run.version:
            raise RunConflict(
                _(
                    "Another screen changed the run just before this one. This screen now "
                    "shows the current state: check it and try again."
                ),
                code="stale",
            )
        if run.status == RunStatus.FINISHED:
            raise ValidationError(_("The run is finished."), code="finished")
        if action not in RunAction.values:
            raise ValidationError(_("Unknown action."), code="action")
        at = min(max(at or now, run.step_started_at), now)
        if run.paused_at is not None:
            at = max(at, run.paused_at)
        last = len(run.plan) - 1
        if action == RunAction.PAUSE:
            if run.paused_at is None:
                run.paused_at = at
        elif action == RunAction.RESUME:
            if run.paused_at is not None:
                run.paused_seconds += (at - run.paused_at).total_seconds()
                run.paused_at = None
        elif action == RunAction.EXTEND:
            if run.extended_seconds + EXTEND_SECONDS > MAX_STEP_SECONDS:
                raise ValidationError(_("A step can be extended by four hours at most."))
            run.extended_seconds += EXTEND_SECONDS
        elif action == RunAction.NEXT:
            _close_step(run, at)
            if run.step_index >= last:
                run.status = RunStatus.FINISHED
                run.finished_at = at
                run.paused_at = None
            else:
                _open_step(run, run.step_index + 1, at)
        elif action == RunAction.BACK:
            if run.step_index == 0:
                raise ValidationError(_("This is the first step."), code="first")
            _close_step(run, at)
            _open_step(run, run.step_index - 1, at)
        elif action in {RunAction.TURN, RunAction.PASS}:
            speakers = _current_round(run)
            if not speakers:
                raise ValidationError(_("This step is not a round."), code="not_round")
            if run.turn >= len(speakers):
                raise ValidationError(_("Everyone has had their turn."), code="round_done")
            if action == RunAction.PASS:
                run.passes = [*run.passes, [run.step_index, speakers[run.turn]]]
            run.turn += 1
        elif action == RunAction.FINISH:
            _close_step(run, at)
            run.status = RunStatus.FINISHED
            run.finished_at = at
            run.paused_at = None
        run.version += 1
        run.save()
        audit(
            actor,
            f"facilitation.run.{action}",
            run,
            {"step": run.step_index, "version": run.version},
        )
    return run


def run_state(run: Run, now: dt.datetime | None = None) -> dict[str, Any]:
    """What a screen needs to draw the run, as JSON. Names of the group, no one's words."""
    now = now or clock.now()
    names = {s["id"]: s["name"] for s in run.speakers}
    step = run.plan[run.step_index]
    elapsed = _elapsed(run, now)
    labels = dict(Speaker.choices)

    def ms(value: dt.datetime | None) -> int | None:
        return int(value.timestamp() * 1000) if value else None

    return {
        "version": run.version,
        "status": run.status,
        "step_index": run.step_index,
        "steps": [
            {
                "name": s["name"],
                "guiding_text": s["guiding_text"],
                "seconds": s["seconds"],
                "speaker": s["speaker"],
                "speaker_label": str(labels.get(s["speaker"], "")),
                "used": s.get("used"),
                "round": [{"id": pk, "name": names.get(pk, "?")} for pk in s.get("round") or []],
            }
            for s in run.plan
        ],
        "step_started_at": ms(run.step_started_at),
        "paused_at": ms(run.paused_at),
        "paused_seconds": run.paused_seconds,
        "extended_seconds": run.extended_seconds,
        "remaining": round(step["seconds"] + run.extended_seconds - elapsed, 1),
        "turn": run.turn,
        "passes": [[i, names.get(pk, "?")] for i, pk in run.passes],
        "case_owner": run.case_owner.name if run.case_owner else "",
        "leader": run.leader.name if run.leader else run.meeting.supervisor.name,
        "server_now": ms(now),
        "takeaway_saved": run.takeaway_saved_at is not None,
    }
