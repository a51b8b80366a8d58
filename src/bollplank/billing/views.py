"""Billing pages. Thin: forms validate, selectors read, services write.

Practice admins run billing. Supervisors may open the issued invoices of their engagements;
client contacts download their client's issued invoices. Participants see none.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bollplank.billing import services
from bollplank.billing.branding import logo_of
from bollplank.billing.exports import SIE_EXTENSION, invoices_csv, sie4
from bollplank.billing.forms import (
    BGMAX_MAX_BYTES,
    AssignPaymentForm,
    BgMaxUploadForm,
    BillingSettingsForm,
    CreditForm,
    EngagementPriceForm,
    ExportForm,
    LineForm,
    PaidForm,
    PeriodForm,
    ReferencesForm,
    SendForm,
)
from bollplank.billing.models import Invoice, InvoiceLine
from bollplank.billing.money import totals
from bollplank.billing.pdf import invoice_pdf as render_pdf
from bollplank.billing.pdf import pdf_filename
from bollplank.billing.selectors import (
    billing_overview,
    client_balance,
    deliveries_of,
    invoice_for_page,
    invoices_for_export,
    invoices_for_list,
    payment_imports,
    payment_of,
    payments_of,
    reminders_of,
    unmatched_payments,
)
from bollplank.billing.services.reminders import remindable
from bollplank.billing.sources import unmatched_rows
from bollplank.billing.ubl import invoice_ubl as render_ubl
from bollplank.billing.ubl import ubl_filename
from bollplank.clients.selectors import clients_visible_to
from bollplank.core import clock
from bollplank.core.audit import audit
from bollplank.core.forms import apply_errors
from bollplank.core.limits import accepts_upload
from bollplank.core.models import Practice
from bollplank.core.roles import Role
from bollplank.core.tenancy import PracticeRequest, practice_view, who
from bollplank.engagements.selectors import engagements_visible_to

ADMIN = (Role.ADMIN,)


def _invoice(request: PracticeRequest, pk: int) -> Invoice:
    user, practice, roles = who(request)
    invoice = invoice_for_page(user, practice, roles, pk)
    if invoice is None:
        raise Http404
    return invoice


def _back(invoice: Invoice) -> HttpResponse:
    return redirect("invoice_detail", invoice.practice.slug, invoice.pk)


@practice_view(*ADMIN)
def billing_overview_view(request: PracticeRequest) -> HttpResponse:
    """Invoiced, paid and overdue per month and client; delivered but not invoiced."""
    _user, practice, _roles = who(request)
    settings = services.billing_settings_of(practice)
    return render(
        request,
        "billing/overview.html",
        {"overview": billing_overview(practice), "settings_missing": settings.pk is None},
    )


@practice_view(*ADMIN)
def billing_settings(request: PracticeRequest) -> HttpResponse:
    user, practice, _roles = who(request)
    current = services.billing_settings_of(practice)
    form = BillingSettingsForm(request.POST or None, request.FILES or None, instance=current)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in {"logo_file", "remove_logo"}}
        try:
            services.billing_settings_save(
                actor=user,
                practice=practice,
                logo=form.cleaned_data.get("logo_file"),
                remove_logo=form.cleaned_data.get("remove_logo", False),
                **data,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The billing settings are saved."))
            return redirect("billing_settings", practice.slug)
    return render(request, "billing/settings.html", {"form": form, "has_logo": bool(current.logo)})


@practice_view(*ADMIN)
def engagement_price(request: PracticeRequest, pk: int) -> HttpResponse:
    user, practice, roles = who(request)
    engagement = get_object_or_404(engagements_visible_to(user, practice, roles), pk=pk)
    form = EngagementPriceForm(request.POST or None, instance=services.price_of(engagement))
    if request.method == "POST" and form.is_valid():
        try:
            services.engagement_price_save(actor=user, engagement=engagement, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The price is saved."))
            return redirect("engagement_detail", practice.slug, engagement.pk)
    return render(request, "billing/price_form.html", {"form": form, "engagement": engagement})


@practice_view(*ADMIN)
def invoice_run(request: PracticeRequest) -> HttpResponse:
    """Choose a period; draft one invoice per client from what was delivered in it."""
    user, practice, roles = who(request)
    form = PeriodForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            drafts = services.invoice_run(actor=user, practice=practice, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if drafts:
                messages.success(
                    request,
                    _("%(count)s draft invoices are ready to review.") % {"count": len(drafts)},
                )
            else:
                messages.info(request, _("Nothing in the period is left to invoice."))
            return redirect(f"{_list_url(practice.slug)}?status=draft")
    return render(
        request,
        "billing/run.html",
        {
            "form": form,
            "unmatched": unmatched_rows(practice),
            "clients": list(clients_visible_to(user, practice, roles).only("id", "name")),
        },
    )


def _list_url(slug: str) -> str:
    from django.urls import reverse

    return reverse("invoice_list", args=[slug])


STATUS_FILTERS = ("", "draft", "open", "overdue", "part_paid", "paid", "overpaid", "credited")


@practice_view(Role.ADMIN, Role.SUPERVISOR)
def invoice_list(request: PracticeRequest) -> HttpResponse:
    user, practice, roles = who(request)
    status = request.GET.get("status", "")
    if status not in STATUS_FILTERS:
        status = ""
    invoices = invoices_for_list(user, practice, roles, status=status)
    page = Paginator(invoices, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "billing/list.html",
        {
            "page": page,
            "status": status,
            "filters": STATUS_FILTERS
            if Role.ADMIN in roles
            else STATUS_FILTERS[:1] + STATUS_FILTERS[2:],
            "is_admin": Role.ADMIN in roles,
        },
    )


@practice_view(Role.ADMIN, Role.SUPERVISOR)
def invoice_detail(request: PracticeRequest, pk: int) -> HttpResponse:
    invoice = _invoice(request, pk)
    lines = list(invoice.lines.all())
    sent = reminders_of(invoice) if Role.ADMIN in request.roles else []
    context = {
        "invoice": invoice,
        "lines": lines,
        "vat_rows": totals(lines).rows,
        "credit_notes": list(invoice.credit_notes.all()),
        "is_admin": Role.ADMIN in request.roles,
        "paid_form": PaidForm(initial={"paid_on": clock.today()}),
        "open_lines": [x for x in lines if not x.released],
        "missing_references": services.missing_references(invoice) if invoice.is_draft else [],
        "payments": payments_of(invoice) if Role.ADMIN in request.roles else [],
        "deliveries": deliveries_of(invoice) if Role.ADMIN in request.roles else [],
        "reminders": sent,
        "client_balance": (
            client_balance(invoice.practice, invoice.client_id)
            if Role.ADMIN in request.roles and not invoice.is_draft
            else None
        ),
    }
    # The next reminder can go out once the invoice is overdue, and not twice on a day.
    today = clock.today()
    context["can_remind"] = remindable(invoice, today) and not any(r.sent_on >= today for r in sent)
    return render(request, "billing/detail.html", context)


@practice_view(*ADMIN)
def invoice_references(request: PracticeRequest, pk: int) -> HttpResponse:
    """The buyer's reference and the order number of a draft."""
    user, _practice, _roles = who(request)
    invoice = _invoice(request, pk)
    if not invoice.is_draft:
        raise Http404
    initial = {"buyer_reference": invoice.buyer_reference, "order_number": invoice.order_number}
    form = ReferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.invoice_references_save(actor=user, invoice=invoice, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The references are saved."))
            return _back(invoice)
    return render(
        request,
        "billing/references_form.html",
        {"form": form, "invoice": invoice, "missing": services.missing_references(invoice)},
    )


def _line_form_view(request: PracticeRequest, pk: int, line_pk: int | None) -> HttpResponse:
    user, practice, _roles = who(request)
    invoice = _invoice(request, pk)
    if not invoice.is_draft:
        raise Http404
    line = get_object_or_404(invoice.lines.all(), pk=line_pk) if line_pk else None
    initial = LineForm.initial_of(line) if line else {"quantity": 1, "unit": "C62"}
    form = LineForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.invoice_line_save(actor=user, invoice=invoice, line=line, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The line is saved."))
            return _back(invoice)
    return render(
        request, "billing/line_form.html", {"form": form, "invoice": invoice, "line": line}
    )


@practice_view(*ADMIN)
def invoice_line_add(request: PracticeRequest, pk: int) -> HttpResponse:
    return _line_form_view(request, pk, None)


@practice_view(*ADMIN)
def invoice_line_edit(request: PracticeRequest, pk: int, line_pk: int) -> HttpResponse:
    return _line_form_view(request, pk, line_pk)


@require_POST
@practice_view(*ADMIN)
def invoice_line_remove(request: PracticeRequest, pk: int, line_pk: int) -> HttpResponse:
    user, _practice, _roles = who(request)
    invoice = _invoice(request, pk)
    line: InvoiceLine = get_object_or_404(invoice.lines.all(), pk=line_pk)
    try:
        services.invoice_line_remove(actor=user, invoice=invoice, line=line)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The line is removed; its meeting can be invoiced again."))
    return _back(invoice)


@require_POST
@practice_view(*ADMIN)
def invoice_issue(request: PracticeRequest, pk: int) -> HttpResponse:
    user, _practice, _roles = who(request)
    invoice = _invoice(request, pk)
    try:
        invoice = services.invoice_issue(actor=user, invoice=invoice)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Invoice %(number)s is issued.") % {"number": invoice.display_number}
        )
    return _back(invoice)


@require_POST
@practice_view(*ADMIN)
def invoice_discard(request: PracticeRequest, pk: int) -> HttpResponse:
    user, practice, _roles = who(request)
    invoice = _invoice(request, pk)
    try:
        services.invoice_discard(actor=user, invoice=invoice)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back(invoice)
    messages.success(request, _("The draft is discarded; its meetings can be invoiced again."))
    return redirect("invoice_list", practice.slug)


@require_POST
@practice_view(*ADMIN)
def invoice_pay(request: PracticeRequest, pk: int) -> HttpResponse:
    user, _practice, _roles = who(request)
    invoice = _invoice(request, pk)
    form = PaidForm(request.POST)
    if form.is_valid():
        try:
            services.invoice_mark_paid(actor=user, invoice=invoice, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The payment is recorded."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return _back(invoice)


@practice_view(*ADMIN)
def invoice_credit(request: PracticeRequest, pk: int) -> HttpResponse:
    """Choose the lines to credit (all by default) and issue the credit note."""
    user, _practice, _roles = who(request)
    invoice = _invoice(request, pk)
    if invoice.is_draft or invoice.is_credit_note:
        raise Http404
    open_lines = [x for x in invoice.lines.all() if not x.released]
    form = CreditForm(request.POST or None, lines=open_lines)
    if request.method == "POST" and form.is_valid():
        try:
            note = services.invoice_credit(
                actor=user, invoice=invoice, line_ids=form.cleaned_data["lines"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Credit note %(number)s is issued.") % {"number": note.display_number},
            )
            return _back(note)
    return render(
        request,
        "billing/credit.html",
        {
            "form": form,
            "invoice": invoice,
            "open_lines": open_lines,
            "checked": set(form.cleaned_data.get("lines", []))
            if form.is_bound and hasattr(form, "cleaned_data")
            else {x.pk for x in open_lines},
        },
    )


@practice_view(*ADMIN)
def invoice_send(request: PracticeRequest, pk: int) -> HttpResponse:
    user, _practice, _roles = who(request)
    invoice = _invoice(request, pk)
    if invoice.is_draft:
        raise Http404
    contact = invoice.client.contacts.order_by("pk").first()
    form = SendForm(request.POST or None, initial={"to": contact.email if contact else ""})
    if request.method == "POST" and form.is_valid():
        try:
            services.invoice_send(actor=user, invoice=invoice, to=form.cleaned_data["to"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("The invoice is sent to %(to)s.") % {"to": form.cleaned_data["to"]}
            )
            return _back(invoice)
    return render(request, "billing/send.html", {"form": form, "invoice": invoice})


@practice_view(Role.ADMIN, Role.SUPERVISOR, Role.CLIENT_CONTACT)
def invoice_pdf(request: PracticeRequest, pk: int) -> HttpResponse:
    """The PDF; a draft (admins only) is a preview with today's seller and buyer details."""
    user, practice, _roles = who(request)
    invoice = _invoice(request, pk)
    settings = services.billing_settings_of(practice)
    if invoice.is_draft:
        invoice.seller = services.seller_snapshot(settings)
        invoice.buyer = services.buyer_snapshot(invoice.client)
    pdf = render_pdf(invoice, settings if settings.pk else None)
    audit(user, "billing.invoice.downloaded", invoice, {"format": "pdf"})
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{pdf_filename(invoice)}"'
    return response


@practice_view(*ADMIN)
def invoice_ubl(request: PracticeRequest, pk: int) -> HttpResponse:
    """The Peppol BIS Billing 3.0 XML for an issued invoice or credit note."""
    user, _practice, _roles = who(request)
    invoice = _invoice(request, pk)
    try:
        xml = render_ubl(invoice)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back(invoice)
    audit(user, "billing.invoice.downloaded", invoice, {"format": "ubl"})
    response = HttpResponse(xml, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{ubl_filename(invoice)}"'
    return response


@practice_view(*ADMIN)
def billing_export(request: PracticeRequest) -> HttpResponse:
    """SIE 4I or CSV of the invoices and credit notes dated in a period."""
    user, practice, _roles = who(request)
    form = ExportForm(request.GET if "format" in request.GET else None)
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["period_start"], form.cleaned_data["period_end"]
        invoices = list(invoices_for_export(practice, start, end))
        fmt = form.cleaned_data["format"]
        settings = services.billing_settings_of(practice)
        if fmt == "sie":
            body, content_type, ext = (
                sie4(invoices, settings, start, end),
                "text/plain",
                SIE_EXTENSION,
            )
            content_type += "; charset=IBM437"
        else:
            body, content_type, ext = invoices_csv(invoices), "text/csv; charset=utf-8", "csv"
        audit(
            user,
            "billing.export",
            practice,
            {"format": fmt, "period": [start.isoformat(), end.isoformat()], "count": len(invoices)},
        )
        response = HttpResponse(body, content_type=content_type)
        name = f"fakturor-{start:%Y%m%d}-{end:%Y%m%d}.{ext}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return render(request, "billing/export.html", {"form": form})


def practice_logo(request: HttpRequest, practice_slug: str) -> HttpResponse:
    """The practice's logo for anyone: mail clients fetch it without logging in, and it is on
    every invoice the practice sends anyway."""
    practice = get_object_or_404(Practice, slug=practice_slug)
    logo = logo_of(practice)
    if logo is None:
        raise Http404
    data, content_type = logo
    response = HttpResponse(data, content_type=content_type)
    response["Cache-Control"] = "public, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- payments from the bank -----------------------------------------------------------------


def _payments_page(request: PracticeRequest, form: BgMaxUploadForm, status: int = 200) -> Any:
    _user, practice, _roles = who(request)
    context = {
        "form": form,
        "unmatched": list(unmatched_payments(practice)),
        "imports": payment_imports(practice),
        "assign_form": AssignPaymentForm(),
    }
    return render(request, "billing/payments.html", context, status=status)


@accepts_upload(BGMAX_MAX_BYTES)
@practice_view(*ADMIN)
def bgmax_import(request: PracticeRequest) -> HttpResponse:
    """Upload a BgMax file; the page lists the imports and the payments no invoice holds."""
    user, practice, _roles = who(request)
    if request.method != "POST":
        return _payments_page(request, BgMaxUploadForm())
    form = BgMaxUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _payments_page(request, form, status=400)
    upload = form.cleaned_data["file"]
    try:
        result = services.bgmax_import(
            actor=user, practice=practice, data=upload.read(), filename=upload.name
        )
    except ValidationError as exc:
        services.bgmax_refused(
            actor=user, practice=practice, filename=upload.name, error=" ".join(exc.messages)
        )
        form.add_error("file", exc)
        return _payments_page(request, form, status=400)
    done = result.bank_import
    if result.repeated_file:
        messages.info(
            request,
            _("This file was imported before (%(when)s); nothing was changed.")
            % {"when": date_format(timezone.localtime(done.imported_at), "SHORT_DATETIME_FORMAT")},
        )
    else:
        messages.success(
            request,
            _(
                "%(payments)d payments read: %(matched)d matched to invoices, %(unmatched)d "
                "to assign by hand, %(repeated)d imported before."
            )
            % {
                "payments": done.payments,
                "matched": done.matched,
                "unmatched": done.unmatched,
                "repeated": done.repeated,
            },
        )
    return redirect("bgmax_import", practice.slug)


@require_POST
@practice_view(*ADMIN)
def payment_assign(request: PracticeRequest, pk: int) -> HttpResponse:
    """Put an unmatched payment on an invoice by its number."""
    user, practice, _roles = who(request)
    payment = payment_of(practice, pk)
    if payment is None:
        raise Http404
    form = AssignPaymentForm(request.POST)
    if form.is_valid():
        try:
            services.payment_assign(
                actor=user, payment=payment, invoice_number=form.cleaned_data["invoice"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("The payment is put on invoice %(number)s.")
                % {"number": form.cleaned_data["invoice"].strip().upper()},
            )
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("bgmax_import", practice.slug)
