"""The outbox (practice admins; full text only in development), a person's e-mail preferences
and the unsubscribe link's page."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bollplank.core.roles import Role
from bollplank.core.tenancy import PracticeRequest, practice_view, who
from bollplank.notifications import selectors, services
from bollplank.notifications.enums import OPTIONAL_KINDS, MailKind, MailStatus
from bollplank.notifications.forms import PreferencesForm, SettingsForm
from bollplank.notifications.meetings import settings_of
from bollplank.notifications.outbox import mail_retry, read_unsubscribe_token


@practice_view(Role.ADMIN)
def outbox(request: PracticeRequest) -> HttpResponse:
    """What the system sent or will send for the practice; failures first in mind."""
    user, practice, _roles = who(request)
    form = SettingsForm(request.POST or None, instance=settings_of(practice))
    if request.method == "POST" and form.is_valid():
        services.notification_settings_save(actor=user, practice=practice, **form.cleaned_data)
        messages.success(request, _("The reminder settings are saved."))
        return redirect("notifications_outbox", practice.slug)
    status = request.GET.get("status", "")
    if status not in MailStatus.values:
        status = ""
    page = Paginator(selectors.outbox_of(practice, status=status), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notifications/outbox.html",
        {
            "form": form,
            "page": page,
            "status": status,
            "statuses": MailStatus.choices,
            "failed": selectors.outbox_of(practice, status=MailStatus.FAILED).count(),
            "show_body": settings.DEBUG,
        },
        status=400 if form.errors else 200,
    )


@practice_view(Role.ADMIN)
def outbox_mail(request: PracticeRequest, pk: int) -> HttpResponse:
    """One e-mail; its text only in development (`make run`), where nothing real is sent."""
    _user, practice, _roles = who(request)
    mail = get_object_or_404(selectors.outbox_of(practice), pk=pk)
    return render(
        request, "notifications/outbox_mail.html", {"mail": mail, "show_body": settings.DEBUG}
    )


@require_POST
@practice_view(Role.ADMIN)
def outbox_retry(request: PracticeRequest, pk: int) -> HttpResponse:
    user, practice, _roles = who(request)
    mail = get_object_or_404(selectors.outbox_of(practice), pk=pk)
    try:
        mail_retry(actor=user, mail=mail)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The e-mail is queued again."))
    return redirect("notifications_outbox", practice.slug)


@practice_view(*Role)
def preferences(request: PracticeRequest) -> HttpResponse:
    """Which optional e-mails the person wants (for their address, in every practice)."""
    user, practice, _roles = who(request)
    off = selectors.opted_out_kinds(user.email)
    form = PreferencesForm(
        request.POST or None, initial={"wanted": [k for k in OPTIONAL_KINDS if k not in off]}
    )
    if request.method == "POST" and form.is_valid():
        services.preferences_set(email=user.email, wanted=set(form.cleaned_data["wanted"]))
        messages.success(request, _("Your e-mail choices are saved."))
        return redirect("notifications_preferences", practice.slug)
    return render(request, "notifications/preferences.html", {"form": form})


def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The link in an optional e-mail. GET asks (mail scanners open links), POST turns off."""
    found = read_unsubscribe_token(token)
    if found is None:
        raise Http404
    email, kind = found
    done = False
    if request.method == "POST":
        services.unsubscribe(email=email, kind=kind)
        done = True
    return render(
        request,
        "notifications/unsubscribe.html",
        {"email": email, "kind": MailKind(kind).label, "done": done},
    )
