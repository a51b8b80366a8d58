"""The protected room: private notes, summaries, questions sent in, the case rota, the
reflection journal, and the audit log views. Thin: selectors scope, services write and audit.

Views taking confidential text are marked with sensitive_post_parameters so that an error
report never carries the text.
"""

from __future__ import annotations

import datetime as dt
import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from bollplank.core import clock
from bollplank.core.audit import audit
from bollplank.core.forms import apply_errors
from bollplank.core.roles import Role
from bollplank.core.tenancy import PracticeRequest, practice_view, who
from bollplank.engagements.models import Participant
from bollplank.engagements.selectors import members_on
from bollplank.meetings.enums import MeetingStatus
from bollplank.meetings.models import Meeting
from bollplank.meetings.selectors import engagement_detail as select_engagement
from bollplank.meetings.selectors import meeting_detail as select_meeting
from bollplank.meetings.selectors import meetings_visible_to
from bollplank.records import selectors, services
from bollplank.records.audit_log import audit_rows
from bollplank.records.forms import JournalForm, SubmissionForm, SummaryForm, TextForm
from bollplank.records.models import CaseTurn, JournalEntry, Summary

SUPERVISOR = (Role.SUPERVISOR,)


def _own_meeting(request: PracticeRequest, pk: int) -> Meeting:
    """A meeting the acting supervisor leads; 404 for everyone else, admins included."""
    user, practice, _roles = who(request)
    # Led by this person: no visibility rule adds anything to that (an admin's "all" included),
    # and a plain lookup keeps the private-notes page, read on every visit, cheap.
    meeting = (
        Meeting.objects.filter(practice=practice, supervisor=user, pk=pk)
        .select_related("engagement")
        .first()
    )
    if meeting is None or meeting.engagement.practice_id != practice.pk:
        raise Http404
    meeting.practice = meeting.engagement.practice = practice
    return meeting


# --- private notes --------------------------------------------------------------------------


@sensitive_post_parameters("body")
@practice_view(*SUPERVISOR)
def meeting_notes(request: PracticeRequest, pk: int) -> HttpResponse:
    """The supervisor's private notes on one meeting: read (audited) and write."""
    user, _practice, _roles = who(request)
    meeting = _own_meeting(request, pk)
    form = TextForm(request.POST or None, label=_("New private note"))
    if request.method == "POST" and form.is_valid():
        try:
            services.note_create(
                actor=user,
                engagement=meeting.engagement,
                meeting=meeting,
                body=form.cleaned_data["body"],
                confirmed=form.cleaned_data["confirmed"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The note is saved. Only you can read it."))
            return redirect("meeting_notes", meeting.practice.slug, meeting.pk)
    notes = services.notes_read(
        actor=user,
        notes=list(selectors.notes_of_meeting(user, meeting)),
        action="read",
        engagement=meeting.engagement,
    )
    return render(
        request,
        "records/meeting_notes.html",
        {"meeting": meeting, "notes": notes, "form": form},
        status=400 if form.errors else 200,
    )


@sensitive_post_parameters("body")
@practice_view(*SUPERVISOR)
def engagement_notes(request: PracticeRequest, pk: int) -> HttpResponse:
    """Running notes on a whole engagement, not tied to one meeting."""
    user, practice, roles = who(request)
    engagement = select_engagement(user, practice, roles, pk)
    if engagement.supervisor_id != user.pk:
        raise Http404
    form = TextForm(request.POST or None, label=_("New running note"))
    if request.method == "POST" and form.is_valid():
        try:
            services.note_create(
                actor=user,
                engagement=engagement,
                meeting=None,
                body=form.cleaned_data["body"],
                confirmed=form.cleaned_data["confirmed"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The note is saved. Only you can read it."))
            return redirect("engagement_notes", practice.slug, engagement.pk)
    notes = services.notes_read(
        actor=user,
        notes=list(selectors.running_notes(user, engagement)),
        action="read",
        engagement=engagement,
    )
    return render(
        request,
        "records/engagement_notes.html",
        {"engagement": engagement, "notes": notes, "form": form},
        status=400 if form.errors else 200,
    )


@sensitive_post_parameters("body")
@practice_view(*SUPERVISOR)
def note_edit(request: PracticeRequest, pk: int) -> HttpResponse:
    user, practice, _roles = who(request)
    note = get_object_or_404(selectors.notes_visible_to(user, practice), pk=pk)
    back = (
        ("meeting_notes", note.meeting_id)
        if note.meeting_id
        else ("engagement_notes", note.engagement_id)
    )
    if request.method == "POST" and request.POST.get("action") == "delete":
        services.note_delete(actor=user, note=note)
        messages.success(request, _("The note is deleted."))
        return redirect(back[0], practice.slug, back[1])
    initial_text = services.notes_read(
        actor=user, notes=[note], action="read", engagement=note.engagement
    )
    form = TextForm(
        request.POST or None, initial={"body": initial_text[0][1]}, label=_("Private note")
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.note_update(
                actor=user,
                note=note,
                body=form.cleaned_data["body"],
                confirmed=form.cleaned_data["confirmed"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The note is saved. Only you can read it."))
            return redirect(back[0], practice.slug, back[1])
    return render(request, "records/note_edit.html", {"note": note, "form": form, "back": back})


@practice_view(*SUPERVISOR)
def notes_search(request: PracticeRequest) -> HttpResponse:
    """Search and export the supervisor's own notes. Both are audited.

    The search words come by POST, never in the address: an address reaches proxy and server
    access logs, the browser's history and the Referer of the next page, and words searched
    for in private notes are as confidential as the notes. A ``?q=`` in the address is ignored."""
    user, practice, _roles = who(request)
    query = request.POST.get("q", "").strip()[:200] if request.method == "POST" else ""
    notes = list(selectors.notes_visible_to(user, practice).select_related("engagement"))
    if request.GET.get("format") == "txt":
        shown = services.notes_read(actor=user, notes=notes, action="exported")
        lines = []
        for note, text in shown:
            when = timezone.localtime(note.created_at).strftime("%Y-%m-%d %H:%M")
            place = note.engagement.title
            if note.meeting is not None:
                place += " – " + timezone.localtime(note.meeting.starts_at).strftime("%Y-%m-%d")
            lines.append(f"# {place} ({when})\n\n{text}\n")
        response = HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="mina-anteckningar.txt"'
        response["Cache-Control"] = "private, no-store"
        return response
    results = services.notes_search(actor=user, notes=notes, query=query) if query else None
    response = render(
        request,
        "records/notes_search.html",
        {"query": query, "results": results, "total": len(notes)},
    )
    if results is not None:
        # Decrypted hits: kept in no cache, the browser's included.
        response["Cache-Control"] = "private, no-store"
    return response


# --- summaries ------------------------------------------------------------------------------


@practice_view(*SUPERVISOR)
def meeting_summary(request: PracticeRequest, pk: int) -> HttpResponse:
    """Write the summary and publish it to the participants (never to the client)."""
    user, practice, _roles = who(request)
    meeting = _own_meeting(request, pk)
    summary = Summary.objects.filter(meeting=meeting).first()
    if request.method == "POST" and request.POST.get("action") == "withdraw" and summary:
        services.summary_unpublish(actor=user, summary=summary)
        messages.success(request, _("The summary is withdrawn: the participants no longer see it."))
        return redirect("meeting_summary", practice.slug, meeting.pk)
    form = SummaryForm(
        request.POST or None, initial={"body": summary.body if summary else ""}, label=_("Summary")
    )
    if request.method == "POST" and form.is_valid():
        publish = request.POST.get("action") == "publish"
        try:
            services.summary_save(
                actor=user,
                meeting=meeting,
                body=form.cleaned_data["body"],
                publish=publish,
                confirmed=form.cleaned_data["confirmed"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("The summary is published to the group.")
                if publish
                else _("The draft is saved."),
            )
            return redirect("meeting_summary", practice.slug, meeting.pk)
    return render(
        request,
        "records/summary.html",
        {"meeting": meeting, "summary": summary, "form": form},
        status=400 if form.errors else 200,
    )


# --- questions sent in ----------------------------------------------------------------------


@practice_view(*SUPERVISOR)
def meeting_agenda(request: PracticeRequest, pk: int) -> HttpResponse:
    """The questions sent in for a meeting, as the supervisor's agenda, in the chosen order."""
    user, practice, roles = who(request)
    meeting = _own_meeting(request, pk)
    if request.method == "POST":
        submission = get_object_or_404(meeting.submissions.all(), pk=request.POST.get("submission"))
        services.submission_move(
            actor=user, submission=submission, step=-1 if request.POST.get("move") == "up" else 1
        )
        return redirect("meeting_agenda", practice.slug, meeting.pk)
    items = list(selectors.submissions_visible_to(user, meeting, roles))
    audit(
        user,
        "records.submission.listed",
        meeting,
        {"count": len(items)},
        subjects=[s.participant.user_id for s in items if s.participant.user_id],
    )
    return render(
        request,
        "records/agenda.html",
        {"meeting": meeting, "items": items, "deadline": services.submission_deadline(meeting)},
    )


@sensitive_post_parameters("body")
@practice_view(Role.PARTICIPANT)
def meeting_submit(request: PracticeRequest, pk: int) -> HttpResponse:
    """A participant sends in a question or a problem description before the meeting."""
    user, practice, roles = who(request)
    meeting = select_meeting(user, practice, roles, pk)
    day = timezone.localtime(meeting.starts_at).date()
    participant = next(
        (
            m.participant
            for m in members_on(meeting.engagement, day)
            if m.participant.user_id == user.pk
        ),
        None,
    )
    if participant is None:
        raise Http404
    form = SubmissionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.submission_create(
                actor=user,
                meeting=meeting,
                participant=participant,
                body=form.cleaned_data["body"],
                visibility=form.cleaned_data["visibility"],
                confirmed=form.cleaned_data["confirmed"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Your question is sent in."))
            return redirect("meeting_submit", practice.slug, meeting.pk)
    deadline = services.submission_deadline(meeting)
    return render(
        request,
        "records/submit.html",
        {
            "meeting": meeting,
            "form": form,
            "items": selectors.submissions_visible_to(user, meeting, roles),
            "deadline": deadline,
            "open": clock.now() <= deadline and meeting.status == MeetingStatus.PLANNED,
            "participant": participant,
        },
        status=400 if form.errors else 200,
    )


# --- case rota ------------------------------------------------------------------------------


@practice_view(*SUPERVISOR)
def engagement_rota(request: PracticeRequest, pk: int) -> HttpResponse:
    """Who brings a case to which of the coming meetings: suggested fairly, changed freely."""
    user, practice, roles = who(request)
    engagement = select_engagement(user, practice, roles, pk)
    if engagement.supervisor_id != user.pk:
        raise Http404
    upcoming = list(
        Meeting.objects.filter(
            engagement=engagement, status=MeetingStatus.PLANNED, starts_at__gte=clock.now()
        ).order_by("starts_at")[:20]
    )
    members = [m.participant for m in engagement.memberships.all() if m.left_on is None]
    chosen: dict[int, int | None] = dict(
        CaseTurn.objects.filter(meeting__in=upcoming).values_list("meeting_id", "participant_id")
    )
    if request.method == "POST":
        if request.POST.get("action") == "suggest":
            count = services.rota_apply(actor=user, engagement=engagement, meetings=upcoming)
            messages.success(request, _("%(n)d meetings got a case owner.") % {"n": count})
            return redirect("engagement_rota", practice.slug, engagement.pk)
        # The whole rota in one action: every row's choice is read, and either all are saved
        # or none (an error keeps what was chosen on the page).
        by_pk = {p.pk: p for p in members}
        owners: dict[int, Participant | None] = {}
        unknown = False
        for meeting in upcoming:
            field = f"owner-{meeting.pk}"
            if field not in request.POST:
                continue
            raw = request.POST.get(field) or ""
            owner = by_pk.get(int(raw)) if raw.isdigit() else None
            unknown = unknown or (raw != "" and owner is None)
            owners[meeting.pk] = owner
            chosen[meeting.pk] = int(raw) if raw.isdigit() else None
        try:
            if unknown:
                raise ValidationError(_("That person is not in the group."))
            count = services.rota_save(actor=user, meetings=upcoming, owners=owners)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if count:
                messages.success(request, _("The case rota is saved."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("engagement_rota", practice.slug, engagement.pk)
    return render(
        request,
        "records/rota.html",
        {
            "engagement": engagement,
            "rows": [(m, chosen.get(m.pk)) for m in upcoming],
            "members": members,
        },
        status=400 if request.method == "POST" else 200,
    )


# --- journal --------------------------------------------------------------------------------


def _my_meetings(request: PracticeRequest) -> list[Meeting]:
    user, practice, _roles = who(request)
    now = clock.now()
    return list(
        meetings_visible_to(user, practice, frozenset({Role.PARTICIPANT}))
        .filter(
            starts_at__gte=now - dt.timedelta(days=365), starts_at__lte=now + dt.timedelta(days=60)
        )
        .select_related("engagement")
        .order_by("-starts_at")
    )


def _journal_saved(
    request: PracticeRequest,
    form: JournalForm,
    meetings: list[Meeting],
    entry: JournalEntry | None = None,
) -> HttpResponse | None:
    """A posted journal form written (as a new entry, or over ``entry``): the redirect back to
    the journal, or None when there is nothing to save or the form shows why not."""
    if request.method != "POST" or not form.is_valid():
        return None
    user, practice, _roles = who(request)
    meeting = next((m for m in meetings if m.pk == form.cleaned_data["meeting"]), None)
    try:
        services.journal_write(
            actor=user,
            practice=practice,
            body=form.cleaned_data["body"],
            meeting=meeting,
            entry=entry,
            confirmed=form.cleaned_data["confirmed"],
        )
    except ValidationError as exc:
        apply_errors(form, exc)
        return None
    messages.success(request, _("Saved in your journal. Only you can read it."))
    return redirect("journal", practice.slug)


@sensitive_post_parameters("body")
@practice_view(Role.PARTICIPANT)
def journal(request: PracticeRequest) -> HttpResponse:
    """The participant's reflection journal: only they can read it."""
    user, practice, _roles = who(request)
    meetings = _my_meetings(request)
    initial = {"meeting": request.GET.get("meeting")} if request.GET.get("meeting") else {}
    form = JournalForm(request.POST or None, meetings=meetings, initial=initial)
    saved = _journal_saved(request, form, meetings)
    if saved is not None:
        return saved
    entries = list(selectors.journal_of(user, practice))
    if request.GET.get("format") == "txt":
        lines = [
            f"# {timezone.localtime(e.created_at):%Y-%m-%d %H:%M}"
            + (f" – {e.meeting.engagement.title}" if e.meeting else "")
            + f"\n\n{e.body}\n"
            for e in entries
        ]
        response = HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="min-reflektionsdagbok.txt"'
        response["Cache-Control"] = "private, no-store"
        return response
    return render(
        request,
        "records/journal.html",
        {"form": form, "entries": [(e, e.body) for e in entries]},
        status=400 if form.errors else 200,
    )


@sensitive_post_parameters("body")
@practice_view(Role.PARTICIPANT)
def journal_edit(request: PracticeRequest, pk: int) -> HttpResponse:
    user, practice, _roles = who(request)
    entry = get_object_or_404(selectors.journal_of(user, practice), pk=pk)
    if request.method == "POST" and request.POST.get("action") == "delete":
        services.journal_delete(actor=user, entry=entry)
        messages.success(request, _("The entry is deleted."))
        return redirect("journal", practice.slug)
    meetings = _my_meetings(request)
    form = JournalForm(
        request.POST or None,
        meetings=meetings,
        initial={"body": entry.body, "meeting": entry.meeting_id},
    )
    saved = _journal_saved(request, form, meetings, entry)
    if saved is not None:
        return saved
    return render(request, "records/journal_edit.html", {"form": form, "entry": entry})


# --- audit ----------------------------------------------------------------------------------


@practice_view(Role.ADMIN)
def audit_log(request: PracticeRequest) -> HttpResponse:
    """Who did what in the practice: actions, people and times; never content."""
    _user, practice, _roles = who(request)
    page = Paginator(selectors.audit_events_for_admin(practice), 100).get_page(
        request.GET.get("page")
    )
    rows = audit_rows(practice, page.object_list)
    return render(request, "records/audit_log.html", {"page": page, "rows": rows})


@practice_view(*tuple(Role))
def access_log(request: PracticeRequest) -> HttpResponse:
    """The person's own extract: who has read texts about them, and when."""
    user, practice, _roles = who(request)
    events = selectors.reads_about(user, practice)
    if request.GET.get("format") == "json":
        rows = [
            {
                "when": timezone.localtime(e.created_at).isoformat(),
                "who": e.actor.name if e.actor else "",
                "action": e.action,
                "object": f"{e.object_type}:{e.object_id}",
            }
            for e in events[:10000]
        ]
        response = HttpResponse(
            json.dumps(rows, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="vem-har-last.json"'
        response["Cache-Control"] = "private, no-store"
        return response
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    return render(request, "records/access_log.html", {"page": page})
