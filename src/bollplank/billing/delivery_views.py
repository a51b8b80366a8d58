"""Delivery pages: the practice's Peppol access point, and sending a failed delivery again.
The invoice page shows each invoice's deliveries (billing/views.py)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bollplank.billing import services
from bollplank.billing.delivery_forms import AccessPointForm
from bollplank.billing.models import AccessPoint, Delivery
from bollplank.billing.selectors import invoice_for_page
from bollplank.core.forms import apply_errors
from bollplank.core.roles import Role
from bollplank.core.tenancy import PracticeRequest, practice_view, who


@practice_view(Role.ADMIN)
def access_point_settings(request: PracticeRequest) -> HttpResponse:
    """The practice's Peppol access point: API address, sender address and API key (never
    shown back)."""
    user, practice, _roles = who(request)
    current = AccessPoint.objects.filter(practice=practice).first()
    if request.method == "POST" and request.POST.get("action") == "remove":
        services.access_point_remove(actor=user, practice=practice)
        messages.success(
            request, _("The access point is removed. Invoices are sent by e-mail from now on.")
        )
        return redirect("access_point_settings", practice.slug)
    initial = (
        {
            "base_url": current.base_url,
            "peppol_scheme": current.peppol_scheme,
            "peppol_id": current.peppol_id,
        }
        if current
        else {"peppol_id": services.billing_settings_of(practice).org_number}
    )
    form = AccessPointForm(request.POST or None, initial=initial, has_key=current is not None)
    if request.method == "POST" and form.is_valid():
        try:
            services.access_point_save(actor=user, practice=practice, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The access point is saved."))
            return redirect("access_point_settings", practice.slug)
    return render(
        request,
        "billing/access_point.html",
        {"form": form, "current": current},
        status=400 if form.errors else 200,
    )


@require_POST
@practice_view(Role.ADMIN)
def delivery_resend(request: PracticeRequest, pk: int, delivery_pk: int) -> HttpResponse:
    """Send a failed delivery of the invoice again."""
    user, practice, roles = who(request)
    invoice = invoice_for_page(user, practice, roles, pk)
    delivery = Delivery.objects.filter(invoice=invoice, pk=delivery_pk).first() if invoice else None
    if invoice is None or delivery is None:
        raise Http404
    try:
        services.delivery_resend(actor=user, delivery=delivery)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The invoice is queued to be sent again."))
    return redirect("invoice_detail", practice.slug, invoice.pk)
