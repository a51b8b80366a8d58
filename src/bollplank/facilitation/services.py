"""Every write in the room: conversation models, runs and their timers, takeaways, the mission's
parts and the themes tied to them. Audit data holds ids and counts, never anyone's words."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from bollplank.clients.models import Client
from bollplank.core import clock
from bollplank.core.audit import audit
from bollplank.core.models import Practice
from bollplank.core.roles import Role
from bollplank.core.tenancy import roles_in
from bollplank.engagements.models import Engagement, GroupMembership, Participant
from bollplank.facilitation.enums import (
    EXTEND_SECONDS,
    MAX_STEP_SECONDS,
    MAX_STEPS,
    MIN_STEP_SECONDS,
    RunAction,
    RunStatus,
    Speaker,
)
from bollplank.facilitation.models import (
    ConversationModel,
    MeetingTheme,
    MissionPart,
    MissionShare,
    Run,
    Step,
)
from bollplank.meetings.enums import AttendanceStatus
from bollplank.meetings.models import Attendance, Meeting
from bollplank.records.models import MAX_TEXT, JournalEntry, Summary
from bollplank.records.services import guard_case_text

# --- conversation models --------------------------------------------------------------------


@dataclass
class StepData:
    name: str
    guiding_text: str
    seconds: int | None
    speaker: str


def check_steps(steps: list[StepData]) -> None:
    """A model needs at least one step, and every step a name and a positive time."""
    if not steps:
        raise ValidationError(
            _("A conversation model needs at least one step. Add a step with a name and a time."),
            code="no_steps",
        )
    if len(steps) > MAX_STEPS:
        raise ValidationError(
            _("A conversation model has at most %(max)d steps.") % {"max": MAX_STEPS},
            code="too_many_steps",
        )
    for number, step in enumerate(steps, start=1):
        if not step.name.strip():
            raise ValidationError(
                _("Step %(n)d needs a name.") % {"n": number}, code="step_without_name"
            )
        if step.seconds is None or step.seconds < MIN_STEP_SECONDS:
            raise ValidationError(
                _(
                    "Step %(n)d (%(name)s) has no time left to run: give it a time of at least "
                    "one second, such as 5 for five minutes or 0:30 for thirty seconds."
                )
                % {"n": number, "name": step.name},
                code="step_time",
            )
        if step.seconds > MAX_STEP_SECONDS:
            raise ValidationError(
                _("Step %(n)d (%(name)s) is longer than four hours.")
                % {"n": number, "name": step.name},
                code="step_time",
            )
        if step.speaker not in Speaker.values:
            raise ValidationError(
                _("Step %(n)d: choose who speaks.") % {"n": number}, code="speaker"
            )


@transaction.atomic
def model_save(
    *,
    actor: Any,
    practice: Practice,
    model: ConversationModel | None,
    name: str,
    description: str,
    language: str,
    steps: list[StepData],
) -> ConversationModel:
    """Create a practice's own model, or replace the name and steps of one it owns."""
    if model is not None and model.practice_id != practice.pk:
        raise ValidationError(_("A shipped model cannot be changed: copy it first."))
    if not name.strip():
        raise ValidationError({"name": _("Give the model a name.")})
    check_steps(steps)
    if model is None:
        model = ConversationModel(practice=practice)
    model.name = name.strip()
    model.description = description.strip()
    model.language = language
    model.full_clean(exclude=["practice", "copied_from", "key"])
    model.save()
    model.steps.all().delete()
    Step.objects.bulk_create(
        Step(
            model=model,
            position=i,
            name=s.name.strip(),
            guiding_text=s.guiding_text.strip(),
            seconds=s.seconds or 0,
            speaker=s.speaker,
        )
        for i, s in enumerate(steps, start=1)
    )
    audit(actor, "facilitation.model.saved", model, {"steps": len(steps)})
    return model


@transaction.atomic
def model_copy(*, actor: Any, practice: Practice, source: ConversationModel) -> ConversationModel:
    """A practice's own editable copy of a shipped model (or of one of its own)."""
    if source.practice_id not in {None, practice.pk}:
        raise ValidationError(_("That model is not available here."))
    copy = ConversationModel.objects.create(
        practice=practice,
        name=_("%(name)s (copy)") % {"name": source.name},
        description=source.description,
        language=source.language,
        copied_from=source,
    )
    Step.objects.bulk_create(
        Step(
            model=copy,
            position=s.position,
            name=s.name,
            guiding_text=s.guiding_text,
            seconds=s.seconds,
            speaker=s.speaker,
        )
        for s in source.steps.all()
    )
    audit(actor, "facilitation.model.copied", copy, {"from": source.pk})
    return copy


@transaction.atomic
def model_delete(*, actor: Any, model: ConversationModel) -> None:
    if model.practice_id is None:
        raise ValidationError(_("A shipped model cannot be deleted."))
    audit(actor, "facilitation.model.deleted", model)
    model.delete()


# --- runs -----------------------------------------------------------------------------------


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


def _members(meeting: Meeting) -> list[Participant]:
    """The group on the day of the meeting, by name."""
    day = timezone.localdate(meeting.starts_at)
    return [
        m.participant
        for m in GroupMembership.objects.filter(engagement=meeting.engagement, joined_on__lte=day)
        .exclude(left_on__lte=day)
        .select_related("participant")
        .order_by("participant__name")
    ]


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
    members = _members(meeting)
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


def takeaway_writer(run: Run, user: Any) -> bool:
    """Only the case owner writes their takeaway, from their own login: it goes into their own
    journal, so no one else's hand (or screen) puts words in it."""
    owner = run.case_owner
    return owner is not None and owner.user_id is not None and owner.user_id == user.pk


@transaction.atomic
def takeaway_save(
    *,
    actor: Any,
    run: Run,
    takeaway: str,
    next_step: str,
    to_summary: bool,
    confirmed: bool = False,
) -> JournalEntry:
    """The case owner's own takeaway and next step, written by them: into their journal (theirs
    alone from now on), and added to the group summary only if they chose so."""
    run = (
        Run.objects.select_for_update(of=("self",))
        .select_related("meeting", "case_owner")
        .get(pk=run.pk)
    )
    meeting = run.meeting
    owner = run.case_owner
    if owner is None:
        raise ValidationError(_("This run has no case owner, so there is no journal to save to."))
    if owner.user_id is None:
        raise ValidationError(
            _(
                "%(name)s has no login yet, so there is no journal to save to. Invite them, and "
                "they can write it in their own journal."
            )
            % {"name": owner.name},
            code="no_login",
        )
    if not takeaway_writer(run, actor):
        raise ValidationError(
            _("Only the case owner writes their takeaway, from their own login."),
            code="not_case_owner",
        )
    if run.takeaway_saved_at is not None:
        raise ValidationError(_("Your takeaway is already saved in your journal."), code="saved")
    takeaway, next_step = takeaway.strip(), next_step.strip()
    if not takeaway and not next_step:
        raise ValidationError(
            {"takeaway": _("Write the takeaway or the next step first.")}, code="empty"
        )
    lines = []
    if takeaway:
        lines.append(_("Takeaway: %(text)s") % {"text": takeaway})
    if next_step:
        lines.append(_("Next step: %(text)s") % {"text": next_step})
    text = "\n".join(lines)
    heading = _("From %(model)s, %(date)s") % {
        "model": run.model_name,
        "date": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d"),
    }
    if to_summary:
        guard_case_text(text, focus=meeting.effective_focus, confirmed=confirmed)
        _add_to_summary(meeting, owner, text)
    entry = JournalEntry(practice=meeting.practice, author_id=owner.user_id, meeting=meeting)
    entry.body = f"{heading}\n{text}"
    entry.save()
    run.takeaway_saved_at = clock.now()
    run.save(update_fields=["takeaway_saved_at", "updated_at"])
    audit(
        actor,
        "facilitation.takeaway.saved",
        run,
        {"journal_entry": entry.pk, "to_summary": to_summary},
        subjects=[owner.user_id],
    )
    return entry


def _add_to_summary(meeting: Meeting, owner: Participant, text: str) -> None:
    """The case owner's words at the end of the meeting's summary, under their name. The summary
    stays the supervisor's: published as it was, or a draft for them to publish."""
    addition = f"{owner.name}:\n{text}"
    summary = Summary.objects.select_for_update().filter(meeting=meeting).first()
    if summary is None:
        summary = Summary(practice=meeting.practice, meeting=meeting, author=meeting.supervisor)
        summary.body = addition
    else:
        summary.body = f"{summary.body}\n\n{addition}"
    if len(summary.body) > MAX_TEXT:
        raise ValidationError(
            {"to_summary": _("The group summary is full: save it in your journal only.")},
            code="summary_full",
        )
    summary.save()


# --- the mission ----------------------------------------------------------------------------


def _check_staff_of(actor: Any, client: Client) -> None:
    """A supervisor of one of the client's engagements, or a practice admin."""
    if not Engagement.objects.filter(
        client=client, supervisor=actor
    ).exists() and Role.ADMIN not in roles_in(actor, client.practice):
        raise ValidationError(_("Only a supervisor of this client edits its mission."))


def _part_text(title: str, text: str) -> tuple[str, str]:
    title, text = title.strip(), text.strip()
    if not title:
        raise ValidationError({"title": _("Give the part a short name.")}, code="empty")
    return title[:200], text


@transaction.atomic
def mission_part_add(*, actor: Any, client: Client, title: str, text: str = "") -> MissionPart:
    """A new part of the client's mission, at the end."""
    _check_staff_of(actor, client)
    title, text = _part_text(title, text)
    agg = MissionPart.objects.filter(client=client).aggregate(
        lineage=Max("lineage"), position=Max("position")
    )
    part = MissionPart.objects.create(
        practice=client.practice,
        client=client,
        lineage=(agg["lineage"] or 0) + 1,
        position=(agg["position"] or 0) + 1,
        title=title,
        text=text,
        created_by=actor,
    )
    audit(actor, "facilitation.mission_part.added", part)
    return part


@transaction.atomic
def mission_split(*, actor: Any, client: Client, text: str) -> list[MissionPart]:
    """Split a mission text into parts, one per paragraph (blank line between). The first line
    of a paragraph names the part."""
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    if not paragraphs:
        raise ValidationError(
            {"text": _("Write the mission first, with a blank line between its parts.")},
            code="empty",
        )
    parts = []
    for paragraph in paragraphs:
        first, _sep, rest = paragraph.partition("\n")
        parts.append(mission_part_add(actor=actor, client=client, title=first, text=rest))
    return parts


@transaction.atomic
def mission_part_revise(*, actor: Any, part: MissionPart, title: str, text: str) -> MissionPart:
    """A new version of a part; the earlier one stays, closed, with the themes tied to it."""
    _check_staff_of(actor, part.client)
    part = MissionPart.objects.select_for_update().get(pk=part.pk)
    if part.closed_at is not None:
        raise ValidationError(_("That is an earlier version: revise the current one."))
    title, text = _part_text(title, text)
    if (title, text) == (part.title, part.text):
        return part
    part.closed_at = clock.now()
    part.save(update_fields=["closed_at"])
    new = MissionPart.objects.create(
        practice=part.practice,
        client=part.client,
        lineage=part.lineage,
        version=part.version + 1,
        position=part.position,
        title=title,
        text=text,
        created_by=actor,
    )
    audit(actor, "facilitation.mission_part.revised", new, {"version": new.version})
    return new


@transaction.atomic
def mission_part_retire(*, actor: Any, part: MissionPart) -> None:
    """The part is no longer in the mission; its versions and the themes tied to them stay."""
    _check_staff_of(actor, part.client)
    if part.closed_at is None:
        part.closed_at = clock.now()
        part.save(update_fields=["closed_at"])
        audit(actor, "facilitation.mission_part.retired", part)


@transaction.atomic
def themes_set(*, actor: Any, meeting: Meeting, part_ids: list[int]) -> int:
    """Tie the meeting's themes to these current parts of the client's mission."""
    if meeting.supervisor_id != actor.pk:
        raise ValidationError(_("Only the meeting's supervisor sets its themes."))
    current = {
        p.pk: p
        for p in MissionPart.objects.filter(
            client_id=meeting.engagement.client_id, closed_at__isnull=True
        )
    }
    wanted = set(part_ids)
    unknown = wanted - set(current)
    if unknown:
        raise ValidationError(
            _("A chosen part is no longer in the mission: reload the page and choose again."),
            code="stale_part",
        )
    existing = MeetingTheme.objects.filter(meeting=meeting)
    # Themes tied to an older version stay as they were; only current parts are toggled.
    existing.filter(part_id__in=set(current) - wanted).delete()
    have = set(existing.values_list("part_id", flat=True))
    MeetingTheme.objects.bulk_create(
        MeetingTheme(practice=meeting.practice, meeting=meeting, part=current[pk])
        for pk in sorted(wanted - have)
    )
    audit(actor, "facilitation.themes.set", meeting, {"parts": sorted(wanted)})
    return len(wanted)


@transaction.atomic
def mission_share_set(*, actor: Any, engagement: Engagement, shared: bool) -> None:
    """Share (or stop sharing) the counts of mission themes with the client's contacts."""
    if engagement.supervisor_id != actor.pk:
        raise ValidationError(_("Only the engagement's supervisor shares its mission counts."))
    if shared:
        MissionShare.objects.get_or_create(
            engagement=engagement,
            defaults={"practice": engagement.practice, "shared_by": actor},
        )
    else:
        MissionShare.objects.filter(engagement=engagement).delete()
    audit(
        actor,
        "facilitation.mission.shared" if shared else "facilitation.mission.unshared",
        engagement,
    )
