"""Cancelling a meeting, with a confirmation that names what it costs; correcting a held one."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from bollplank.core import clock
from bollplank.core.forms import apply_errors
from bollplank.core.roles import Role
from bollplank.core.tenancy import PracticeRequest, practice_view, who
from bollplank.meetings.cancellations import cancellation_consequence, meeting_cancel
from bollplank.meetings.corrections import meeting_correct
from bollplank.meetings.enums import CancelledBy
from bollplank.meetings.forms import CancelForm, CorrectForm
from bollplank.meetings.selectors import meeting_detail as select_meeting

STAFF = (Role.ADMIN, Role.SUPERVISOR)


@practice_view(*STAFF)
def cancel(request: PracticeRequest, pk: int) -> HttpResponse:
    """Three steps, none needing JavaScript: say who cancelled and why; see what it costs
    ("counts as a late cancellation and is charged 50 %" or "not charged"); confirm."""
    user, practice, roles = who(request)
    meeting = select_meeting(user, practice, roles, pk)
    if meeting.is_history:
        messages.error(
            request,
            _("The meeting is cancelled already.")
            if meeting.is_cancelled
            else _("The meeting has already taken place and cannot be cancelled."),
        )
        return redirect("meeting_detail", practice.slug, meeting.pk)
    form = CancelForm(request.POST or None)
    context: dict[str, Any] = {"meeting": meeting, "form": form, "consequence": None}
    if request.method != "POST" or not form.is_valid():
        return render(request, "meetings/cancel.html", context, status=400 if form.errors else 200)
    data = form.cleaned_data
    confirm = request.POST.get("confirm")
    if confirm == "no":
        return render(request, "meetings/cancel.html", context)
    if confirm != "yes":
        context["cause_label"] = CancelledBy(data["cancelled_by"]).label
        context["consequence"] = cancellation_consequence(
            meeting, data["cancelled_by"], clock.now()
        )
        return render(request, "meetings/cancel.html", context)
    try:
        meeting = meeting_cancel(
            actor=user, meeting=meeting, cancelled_by=data["cancelled_by"], reason=data["reason"]
        )
    except ValidationError as exc:
        apply_errors(form, exc)
        return render(request, "meetings/cancel.html", context, status=400)
    if meeting.is_billable_cancellation:
        messages.warning(
            request,
            _("The meeting is cancelled — late, inside the notice period of %(h)d hours.")
            % {"h": practice.late_cancellation_hours},
        )
    else:
        messages.success(request, _("The meeting is cancelled. It is not charged."))
    return redirect("meeting_detail", practice.slug, meeting.pk)


@practice_view(*STAFF)
def correct(request: PracticeRequest, pk: int) -> HttpResponse:
    """Correct the recorded time of a held meeting, with a reason; an invoiced one is credited
    and invoiced again at the new time in the next run (billing)."""
    user, practice, roles = who(request)
    meeting = select_meeting(user, practice, roles, pk)
    if not meeting.is_held:
        messages.error(
            request,
            _("Only a meeting that has been held can be corrected; move or cancel the others."),
        )
        return redirect("meeting_detail", practice.slug, meeting.pk)
    local = timezone.localtime(meeting.starts_at)
    form = CorrectForm(
        request.POST or None,
        initial={
            "day": local.date(),
            "time": local.time(),
            "minutes": int((meeting.ends_at - meeting.starts_at).total_seconds() // 60),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting_correct(actor=user, meeting=meeting, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "The held meeting is corrected. If it was invoiced, a credit note is issued "
                    "and the next invoice run invoices it again."
                ),
            )
            return redirect("meeting_detail", practice.slug, meeting.pk)
    return render(
        request,
        "meetings/correct.html",
        {"form": form, "meeting": meeting},
        status=400 if form.errors else 200,
    )
