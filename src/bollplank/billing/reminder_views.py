"""Reminder pages: a practice admin sends an overdue invoice's next reminder by hand (after
seeing what it will say) and opens a reminder's PDF. The daily run is the worker's."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from bollplank.billing import services
from bollplank.billing.forms import SendForm
from bollplank.billing.models import Invoice
from bollplank.billing.pdf import reminder_filename
from bollplank.billing.pdf import reminder_pdf as render_reminder
from bollplank.billing.selectors import invoice_for_page, reminder_of, reminders_of
from bollplank.billing.services import reminders
from bollplank.core import clock
from bollplank.core.audit import audit
from bollplank.core.forms import apply_errors
from bollplank.core.roles import Role
from bollplank.core.tenancy import PracticeRequest, practice_view, who


def _invoice(request: PracticeRequest, pk: int) -> Invoice:
    user, practice, roles = who(request)
    invoice = invoice_for_page(user, practice, roles, pk)
    if invoice is None:
        raise Http404
    return invoice


@practice_view(Role.ADMIN)
def reminder_send(request: PracticeRequest, pk: int) -> HttpResponse:
    """What the next reminder will say, and the button that sends it."""
    user, practice, _roles = who(request)
    invoice = _invoice(request, pk)
    today = clock.today()
    if not reminders.remindable(invoice, today):
        raise Http404
    settings = services.billing_settings_of(practice)
    sent = reminders_of(invoice)
    preview = reminders.reminder_terms(invoice, settings, today, sent_before=len(sent))
    form = SendForm(request.POST or None, initial={"to": reminders.reminder_address(invoice)})
    if request.method == "POST" and form.is_valid():
        try:
            reminder = reminders.reminder_create(
                actor=user, invoice=invoice, today=today, to=form.cleaned_data["to"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Reminder %(number)s is sent to %(to)s.")
                % {"number": reminder.number, "to": reminder.sent_to},
            )
            return redirect("invoice_detail", practice.slug, invoice.pk)
    return render(
        request,
        "billing/reminder_send.html",
        {"form": form, "invoice": invoice, "preview": preview, "sent": sent},
    )


@practice_view(Role.ADMIN)
def reminder_pdf(request: PracticeRequest, pk: int, number: int) -> HttpResponse:
    user, practice, _roles = who(request)
    invoice = _invoice(request, pk)
    reminder = reminder_of(invoice, number)
    if reminder is None:
        raise Http404
    settings = services.billing_settings_of(practice)
    pdf = render_reminder(reminder, settings if settings.pk else None)
    audit(user, "billing.reminder.downloaded", invoice, {"reminder": number})
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{reminder_filename(reminder)}"'
    return response
