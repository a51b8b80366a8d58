"""Video meetings on the practice's Jitsi Meet server: the server's settings, and the join
link that e-mails carry (it makes the person's token when followed)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from bollplank.core import clock
from bollplank.core.forms import apply_errors
from bollplank.core.roles import Role
from bollplank.core.tenancy import PracticeRequest, practice_view, who
from bollplank.meetings.forms import VideoServerForm
from bollplank.meetings.selectors import meeting_detail as select_meeting
from bollplank.meetings.selectors import video_server_of
from bollplank.meetings.video import OPENS_BEFORE, meeting_link
from bollplank.meetings.video_servers import video_server_remove, video_server_save


# The app secret signs every join link: an error report must not show it.
@sensitive_post_parameters("secret")
@practice_view(Role.ADMIN)
def video_settings(request: PracticeRequest) -> HttpResponse:
    """The practice's own Jitsi Meet server: address, app id and secret (never shown back)."""
    user, practice, _roles = who(request)
    current = video_server_of(practice)
    if request.method == "POST" and request.POST.get("action") == "remove":
        video_server_remove(actor=user, practice=practice)
        messages.success(request, _("The video server is removed. Meetings show no video links."))
        return redirect("video_settings", practice.slug)
    initial = {"base_url": current.base_url, "app_id": current.app_id} if current else {}
    form = VideoServerForm(request.POST or None, initial=initial, has_secret=current is not None)
    if request.method == "POST" and form.is_valid():
        try:
            video_server_save(actor=user, practice=practice, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The video server is saved."))
            return redirect("video_settings", practice.slug)
    return render(
        request,
        "meetings/video_settings.html",
        {"form": form, "current": current},
        status=400 if form.errors else 200,
    )


@practice_view(Role.ADMIN, Role.SUPERVISOR, Role.PARTICIPANT)
def meeting_join(request: PracticeRequest, pk: int) -> HttpResponse:
    """To the meeting's video room with a token made now for the person: the link in e-mails,
    which are stored, so they carry no token themselves. Only the meeting's supervisor and its
    participants have a room to go to; anyone else gets 404."""
    user, practice, roles = who(request)
    meeting = select_meeting(user, practice, roles, pk)
    link = meeting_link(meeting, user)
    if not link:
        raise Http404
    now = clock.now()
    if now < meeting.starts_at - OPENS_BEFORE:
        messages.info(
            request,
            _("The video room opens %(minutes)d minutes before the meeting starts.")
            % {"minutes": OPENS_BEFORE.seconds // 60},
        )
        return redirect("meeting_detail", practice.slug, meeting.pk)
    if now >= meeting.ends_at or meeting.is_cancelled:
        messages.info(request, _("The meeting is over or cancelled: its video room is closed."))
        return redirect("meeting_detail", practice.slug, meeting.pk)
    return redirect(link)
