"""The invoice run, issuing, numbering, OCR, credit notes and the rules that protect them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django_scopes import scopes_disabled

from bollplank.billing import services
from bollplank.billing.enums import InvoiceKind, InvoiceStatus, LineKind, PriceModel, VatCategory
from bollplank.billing.models import ImmutableInvoiceError, Invoice, InvoiceLine
from bollplank.billing.ocr import ocr_is_valid, ocr_reference
from bollplank.core import clock
from bollplank.meetings.enums import MeetingStatus
from tests import factories as f
from tests.billing.conftest import day, held_meeting, month, month_end
from tests.conftest import World


def run(w: World, period: tuple[dt.date, dt.date] | None = None) -> list[Invoice]:
    period = period or month()
    with scopes_disabled():
        return services.invoice_run(
            actor=w.admin, practice=w.practice, period_start=period[0], period_end=period[1]
        )


def issue(w: World, invoice: Invoice, today: dt.date | None = None) -> Invoice:
    today = today or day(2, 1)
    with scopes_disabled():
        return services.invoice_issue(actor=w.admin, invoice=invoice, today=today)


def test_ocr_reference_has_length_and_luhn_digits():
    assert ocr_reference(1001) == "100164"
    assert ocr_is_valid("100164")
    assert not ocr_is_valid("100165")  # wrong check digit
    assert not ocr_is_valid("100154")  # wrong length digit
    assert [len(ocr_reference(n)) % 10 for n in (7, 12345678)] == [3, 0]
    assert all(ocr_is_valid(ocr_reference(n)) for n in range(1, 3000))


def test_run_drafts_one_invoice_per_client_with_a_line_per_meeting(billing):
    second = held_meeting(billing.engagement, day(24))
    other = held_meeting(billing.other_engagement, day(17), hour=12)
    held_meeting(billing.engagement, day(7, 1))  # outside the period

    drafts = run(billing)

    assert len(drafts) == 1
    with scopes_disabled():
        lines = list(drafts[0].lines.order_by("position"))
    assert [(x.meeting_id, x.delivered_on, x.group_name, x.supervisor_name) for x in lines] == [
        (billing.meeting.pk, day(10), "Lärarlaget åk 4–6", "Siv Handledare"),
        (other.pk, day(17), "Elevhälsoteamet", "Olle Annan"),
        (second.pk, day(24), "Lärarlaget åk 4–6", "Siv Handledare"),
    ]
    assert [x.amount_ore for x in lines] == [450000, 450000, 450000]
    assert (drafts[0].net_ore, drafts[0].vat_ore, drafts[0].total_ore) == (1350000, 337500, 1687500)
    assert drafts[0].status == InvoiceStatus.DRAFT and drafts[0].number is None


def test_run_never_takes_a_meeting_twice(billing):
    first = run(billing)
    assert len(first) == 1
    assert run(billing) == []
    issue(billing, first[0])
    assert run(billing) == []


def test_meeting_line_is_unique_in_the_database(billing):
    [draft] = run(billing)
    with scopes_disabled(), pytest.raises(IntegrityError), transaction.atomic():
        InvoiceLine.objects.create(
            practice=billing.practice,
            invoice=draft,
            kind=LineKind.MEETING,
            meeting=billing.meeting,
            description="igen",
            quantity=1,
            unit_price_ore=1,
            amount_ore=1,
            vat_category="S",
            vat_rate_bp=2500,
        )


def test_run_skips_planned_and_timely_cancelled_meetings_and_charges_late_ones(billing):
    future = held_meeting(billing.engagement, day(2, 12))
    timely = held_meeting(billing.engagement, day(3), status=MeetingStatus.CANCELLED)
    late = held_meeting(
        billing.engagement,
        day(17),
        status=MeetingStatus.CANCELLED,
        late_cancellation=True,
    )
    [draft] = run(billing, (day(1), month_end(11)))
    with scopes_disabled():
        kinds = {x.meeting_id: x.kind for x in draft.lines.all()}
    assert kinds == {billing.meeting.pk: LineKind.MEETING, late.pk: LineKind.LATE_CANCELLATION}
    assert future.pk not in kinds and timely.pk not in kinds


def test_price_models_per_hour_part_late_travel_exempt(billing):
    with scopes_disabled():
        services.engagement_price_save(
            actor=billing.admin,
            engagement=billing.engagement,
            model=PriceModel.PER_HOUR,
            amount_ore=120000,
            late_cancellation="part",
            late_cancellation_percent=50,
            travel="km",
            travel_amount_ore=2500,
            travel_km=Decimal("42.0"),
            vat_category=VatCategory.EXEMPT,
            separate_invoice=True,
        )
    held_meeting(
        billing.engagement,
        day(17),
        status=MeetingStatus.CANCELLED,
        late_cancellation=True,
    )
    drafts = run(billing)
    with scopes_disabled():
        own = [d for d in drafts if d.engagement_id == billing.engagement.pk]
        lines = [
            (x.kind, x.quantity, x.unit, x.unit_price_ore, x.amount_ore, x.vat_rate_bp)
            for x in own[0].lines.all()
        ]
    assert lines == [
        ("meeting", Decimal("2.00"), "HUR", 120000, 240000, 0),
        ("travel", Decimal("42.00"), "KMT", 2500, 105000, 0),
        ("late_cancellation", Decimal("1.00"), "HUR", 120000, 120000, 0),
    ]
    assert own[0].vat_ore == 0 and own[0].total_ore == 465000


def test_fixed_monthly_fee_is_charged_once_per_month(billing):
    with scopes_disabled():
        services.engagement_price_save(
            actor=billing.admin,
            engagement=billing.engagement,
            model=PriceModel.FIXED_MONTHLY,
            amount_ore=1000000,
        )
    [draft] = run(billing, (day(1, -1), month_end()))
    with scopes_disabled():
        fees = [(x.fee_month, x.amount_ore) for x in draft.lines.filter(kind="fixed_fee")]
        meeting_line = draft.lines.get(kind="meeting")
    assert fees == [(day(1, -1), 1000000), (day(1), 1000000)]
    assert meeting_line.amount_ore == 0  # delivered, and included in the fee
    assert run(billing, month()) == []


def test_ocr_stays_unique_when_a_new_series_starts_from_the_same_number(billing):
    """Regression: OCR came from the number alone, so a practice that started a new series
    (one per year, numbered from 1001 again) gave two open invoices the same reference."""
    from bollplank.billing.models import BillingSettings

    held_meeting(f.EngagementFactory(practice=billing.practice), day(12))
    first, second = run(billing)
    old = issue(billing, first)
    with scopes_disabled():
        BillingSettings.objects.filter(practice=billing.practice).update(number_series="B")
    new = issue(billing, second)
    assert (old.display_number, new.display_number) == ("A1001", "B1001")
    assert old.ocr != new.ocr
    assert (old.ocr, new.ocr) == (ocr_reference("100101"), ocr_reference("100102"))
    assert ocr_is_valid(old.ocr) and ocr_is_valid(new.ocr)


def test_issue_numbers_without_gaps_and_freezes_buyer_and_seller(billing):
    held_meeting(f.EngagementFactory(practice=billing.practice), day(12))
    drafts = run(billing)
    assert len(drafts) == 2
    issued = [issue(billing, d) for d in drafts]
    assert [i.display_number for i in issued] == ["A1001", "A1002"]
    # The number, then the series' place (01: the practice's first series).
    assert [i.ocr for i in issued] == [ocr_reference("100101"), ocr_reference("100201")]
    [first] = [i for i in issued if i.client_id == billing.client.pk]
    assert first.due_date == day(2, 1) + dt.timedelta(days=30)
    assert first.buyer["org_number"] == "212000-0142"
    assert first.seller["name"] == "Ekbacken Handledning AB"
    with scopes_disabled():
        billing.client.name = "Nytt namn"
        billing.client.save()
        assert Invoice.objects.get(pk=first.pk).buyer["name"] == "Solbacka skola"


def test_issued_invoice_refuses_change_and_delete(billing):
    [draft] = run(billing)
    invoice = issue(billing, draft)
    with scopes_disabled():
        invoice = Invoice.objects.get(pk=invoice.pk)
        invoice.total_ore = 1
        with pytest.raises(ImmutableInvoiceError):
            invoice.save()
        with pytest.raises(ImmutableInvoiceError):
            invoice.delete()
        with pytest.raises(ImmutableInvoiceError):
            Invoice.objects.filter(pk=invoice.pk).delete()
        with pytest.raises(ImmutableInvoiceError):
            Invoice.objects.filter(pk=invoice.pk).update(total_ore=1)
        line = invoice.lines.first()
        line.amount_ore = 1
        with pytest.raises(ImmutableInvoiceError):
            line.save()
        with pytest.raises(ImmutableInvoiceError):
            line.delete()
        with pytest.raises(ValidationError):
            services.invoice_line_save(
                actor=billing.admin,
                invoice=invoice,
                description="x",
                delivered_on=None,
                quantity=Decimal(1),
                unit="C62",
                unit_price_ore=100,
                vat_category="S",
            )
        assert Invoice.objects.get(pk=invoice.pk).total_ore == 562500


def test_invoice_without_lines_is_refused(billing):
    [draft] = run(billing)
    with scopes_disabled():
        line = draft.lines.get()
        services.invoice_line_remove(actor=billing.admin, invoice=draft, line=line)
    with pytest.raises(ValidationError, match="utan rader"):
        issue(billing, draft)
    with scopes_disabled():
        assert Invoice.objects.get(pk=draft.pk).number is None


def test_negative_total_is_refused_outside_a_credit_note(billing):
    [draft] = run(billing)
    with scopes_disabled():
        services.invoice_line_save(
            actor=billing.admin,
            invoice=draft,
            description="Rabatt",
            delivered_on=None,
            quantity=Decimal(1),
            unit="C62",
            unit_price_ore=-500000,
            vat_category="S",
        )
    with pytest.raises(ValidationError, match="Bara en kreditfaktura"):
        issue(billing, draft)


def test_buyer_without_organisation_number_is_refused(billing):
    with scopes_disabled():
        billing.client.org_number = ""
        billing.client.save()
    [draft] = run(billing)
    with pytest.raises(ValidationError, match="saknar organisationsnummer"):
        issue(billing, draft)


def test_numbers_are_not_used_by_a_refused_issue(billing):
    held_meeting(f.EngagementFactory(practice=billing.practice), day(12))
    first, second = run(billing)
    with scopes_disabled():
        billing.client.org_number = ""
        billing.client.save()
    refused = first if first.client_id == billing.client.pk else second
    fine = second if refused is first else first
    with pytest.raises(ValidationError):
        issue(billing, refused)
    assert issue(billing, fine).display_number == "A1001"


def test_credit_note_negates_chosen_lines_and_frees_their_meetings(billing):
    second = held_meeting(billing.engagement, day(24))
    [draft] = run(billing)
    invoice = issue(billing, draft)
    with scopes_disabled():
        line = invoice.lines.get(meeting=second)
        note = services.invoice_credit(
            actor=billing.admin, invoice=invoice, line_ids=[line.pk], today=day(3, 1)
        )
        invoice.refresh_from_db()
        note_lines = list(note.lines.values_list("amount_ore", "credits_line_id"))
    assert note.kind == InvoiceKind.CREDIT_NOTE and note.display_number == "A1002"
    assert (note.net_ore, note.vat_ore, note.total_ore) == (-450000, -112500, -562500)
    assert note.ocr == ""
    assert note_lines == [(-450000, line.pk)]
    assert invoice.status == InvoiceStatus.OPEN and invoice.credited_ore == 562500
    assert invoice.is_partly_credited and invoice.amount_due_ore == invoice.total_ore - 562500
    # The credited meeting is free again; the other is still invoiced.
    [again] = run(billing)
    with scopes_disabled():
        assert list(again.lines.values_list("meeting_id", flat=True)) == [second.pk]
        rest = services.invoice_credit(actor=billing.admin, invoice=invoice)
        invoice.refresh_from_db()
    assert rest.total_ore == -562500
    assert invoice.status == InvoiceStatus.CREDITED


def test_credit_note_cannot_credit_a_draft_or_twice(billing):
    [draft] = run(billing)
    with scopes_disabled(), pytest.raises(ValidationError):
        services.invoice_credit(actor=billing.admin, invoice=draft)
    invoice = issue(billing, draft)
    with scopes_disabled():
        services.invoice_credit(actor=billing.admin, invoice=invoice)
        with pytest.raises(ValidationError, match="inte redan är krediterad"):
            services.invoice_credit(actor=billing.admin, invoice=invoice)


def test_mark_paid_and_overdue(billing):
    [draft] = run(billing)
    invoice = issue(billing, draft, today=day(2, 1))
    assert invoice.is_overdue  # due a month before today
    with scopes_disabled():
        with pytest.raises(ValidationError):
            services.invoice_mark_paid(actor=billing.admin, invoice=invoice, paid_on=day(1))
        paid = services.invoice_mark_paid(actor=billing.admin, invoice=invoice, paid_on=day(20, 1))
    assert (paid.status, paid.paid_on, paid.is_overdue) == ("paid", day(20, 1), False)


def test_run_without_settings_is_refused(world):
    with pytest.raises(ValidationError, match="faktureringsinställningarna"):
        run(world)


def test_run_refuses_a_period_that_ends_before_it_starts(billing):
    with pytest.raises(ValidationError):
        run(billing, (month_end(), day(1)))


def test_send_mails_the_pdf(billing, django_capture_on_commit_callbacks):
    from django.core import mail

    [draft] = run(billing)
    invoice = issue(billing, draft)
    with scopes_disabled(), django_capture_on_commit_callbacks(execute=True):
        services.invoice_send(actor=billing.admin, invoice=invoice, to="ekonomi@solbacka.se")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ekonomi@solbacka.se"]
    assert message.subject == "Faktura A1001 från Ekbacken Handledning AB"
    [(name, content, mimetype)] = message.attachments
    assert (name, mimetype, content[:5]) == ("faktura-A1001.pdf", "application/pdf", b"%PDF-")


def test_overview_estimates_uninvoiced_work_by_the_run_s_own_prices(billing):
    """Regression: the estimate of what is delivered but not invoiced covered per-meeting and
    per-hour prices only; per-participant and fixed monthly fees showed nothing."""
    from bollplank.billing.selectors import delivered_not_invoiced

    today = clock.today()
    two_months_ago = (today.replace(day=1) - dt.timedelta(days=40)).replace(day=1)
    per_participant = f.EngagementFactory(practice=billing.practice, title="Per deltagare")
    fixed = f.EngagementFactory(
        practice=billing.practice,
        title="Fast avgift",
        start_date=two_months_ago,
        end_date=today + dt.timedelta(days=400),
    )
    with scopes_disabled():
        services.engagement_price_save(
            actor=billing.admin,
            engagement=per_participant,
            model="per_participant",
            amount_ore=80000,
        )
        services.engagement_price_save(
            actor=billing.admin, engagement=fixed, model="fixed_monthly", amount_ore=1000000
        )
        for _ in range(3):
            f.GroupMembershipFactory(engagement=per_participant, joined_on=day(1, -2))
        held_meeting(per_participant, day(12))
        rows = {r.engagement: r for r in delivered_not_invoiced(billing.practice)}
    # 3 members × 800 kr, no attendance taken.
    assert (rows["Per deltagare"].meetings, rows["Per deltagare"].estimate_ore) == (1, 240000)
    # This month and the two before it, none invoiced yet.
    assert (rows["Fast avgift"].meetings, rows["Fast avgift"].estimate_ore) == (0, 3000000)
    assert rows["Fast avgift"].first == two_months_ago
