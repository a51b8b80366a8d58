"""Payments from Bankgirot: a BgMax file marks invoices paid, part paid or overpaid by their OCR
reference; what names no invoice waits for the admin; the same file or payment twice changes
nothing; a bad file changes nothing at all; and the worker reads the watched folder."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scopes_disabled

from bollplank.billing import services, tasks
from bollplank.billing.enums import ImportSource, InvoiceStatus, PaymentKind
from bollplank.billing.models import Invoice, Payment, PaymentImport
from bollplank.billing.selectors import client_balance
from bollplank.core.models import AuditEvent
from bollplank.core.roles import Role
from tests.billing.bgmax_files import Pay, bgmax_file, joined, records
from tests.billing.conftest import day, held_meeting, month_end, settings_for
from tests.conftest import World

BG = "5050-1055"


def issued(w: World, practice: Any = None, engagement: Any = None) -> Invoice:
    """An issued invoice for the world's meeting (or the other practice's)."""
    with scopes_disabled():
        [draft] = services.invoice_run(
            actor=w.admin,
            practice=practice or w.practice,
            period_start=day(1),
            period_end=month_end(),
        )
        return services.invoice_issue(actor=w.admin, invoice=draft, today=day(2, 1))


def deposit_day(n: int = 5) -> dt.date:
    return day(n, 1)


def imported(w: World, data: bytes, name: str = "bgmax.txt") -> services.payments.ImportResult:
    with scopes_disabled():
        return services.bgmax_import(actor=w.admin, practice=w.practice, data=data, filename=name)


def fresh(invoice: Invoice) -> Invoice:
    with scopes_disabled():
        return Invoice.objects.get(pk=invoice.pk)


def balance(w: World) -> int:
    with scopes_disabled():
        return client_balance(w.practice, w.client.pk)


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


@pytest.fixture
def invoice(billing: World) -> Invoice:
    return issued(billing)


def test_a_full_payment_marks_the_invoice_paid(billing, invoice):
    data = bgmax_file(BG, [(deposit_day(), [Pay(invoice.ocr, invoice.total_ore, "101")])])
    result = imported(billing, data)
    paid = fresh(invoice)
    assert (paid.status, paid.paid_ore, paid.paid_on) == (
        InvoiceStatus.PAID,
        invoice.total_ore,
        deposit_day(),
    )
    with scopes_disabled():
        [payment] = Payment.objects.all()
    assert (payment.invoice_id, payment.amount_ore, payment.bank_reference) == (
        invoice.pk,
        invoice.total_ore,
        "000000000101",
    )
    done = result.bank_import
    assert (done.payments, done.matched, done.repeated, done.total_ore) == (
        1,
        1,
        0,
        invoice.total_ore,
    )
    assert (done.source, done.imported_by, done.filename) == (
        ImportSource.UPLOAD,
        billing.admin,
        "bgmax.txt",
    )
    assert actions()[-2:] == ["billing.invoice.payment_matched", "billing.bgmax.imported"]
    assert balance(billing) == 0


def test_part_payments_keep_the_rest_owed_until_paid(billing, invoice):
    first = invoice.total_ore // 3
    imported(billing, bgmax_file(BG, [(deposit_day(5), [Pay(invoice.ocr, first, "201")])]))
    part = fresh(invoice)
    assert (part.status, part.paid_ore, part.paid_on) == (InvoiceStatus.PART_PAID, first, None)
    assert part.outstanding_ore == invoice.total_ore - first
    assert balance(billing) == invoice.total_ore - first

    rest = invoice.total_ore - first
    imported(billing, bgmax_file(BG, [(deposit_day(9), [Pay(invoice.ocr, rest, "202")])]))
    paid = fresh(invoice)
    assert (paid.status, paid.paid_ore, paid.paid_on) == (
        InvoiceStatus.PAID,
        invoice.total_ore,
        deposit_day(9),
    )


def test_an_overpayment_is_kept_as_such(billing, invoice):
    imported(
        billing,
        bgmax_file(BG, [(deposit_day(), [Pay(invoice.ocr, invoice.total_ore + 5000, "301")])]),
    )
    over = fresh(invoice)
    assert (over.status, over.overpaid_ore) == (InvoiceStatus.OVERPAID, 5000)
    assert balance(billing) == -5000


def test_a_deduction_on_the_invoice_lowers_what_is_paid(billing, invoice):
    payments = [
        Pay(invoice.ocr, invoice.total_ore, "401"),
        Pay(invoice.ocr, 10000, "402", deduction=True),
    ]
    imported(billing, bgmax_file(BG, [(deposit_day(), payments)]))
    part = fresh(invoice)
    assert (part.status, part.paid_ore) == (InvoiceStatus.PART_PAID, invoice.total_ore - 10000)
    with scopes_disabled():
        assert sorted(Payment.objects.values_list("kind", "amount_ore")) == [
            (PaymentKind.DEDUCTION, -10000),
            (PaymentKind.PAYMENT, invoice.total_ore),
        ]


def test_payments_naming_no_invoice_wait_and_are_assigned_by_hand(billing, invoice):
    payments = [
        Pay("99999999", 30000, "501", ocr=False, name="Solbacka skola", information="Faktura"),
        Pay("10020176", 20000, "502"),  # a valid OCR reference of no invoice
    ]
    result = imported(billing, bgmax_file(BG, [(deposit_day(), payments)]))
    assert (result.bank_import.matched, result.bank_import.unmatched) == (0, 2)
    with scopes_disabled():
        waiting = list(Payment.objects.filter(invoice__isnull=True).order_by("bank_reference"))
        assert [(p.reference, p.payer_name, p.information) for p in waiting] == [
            ("99999999", "Solbacka skola", "Faktura"),
            ("10020176", "", ""),
        ]
        assert fresh(invoice).status == InvoiceStatus.OPEN

        services.payment_assign(
            actor=billing.admin, payment=waiting[0], invoice_number=invoice.display_number.lower()
        )
        with pytest.raises(ValidationError) as caught:
            services.payment_assign(actor=billing.admin, payment=waiting[1], invoice_number="A9999")
    assert caught.value.message_dict == {"invoice": ["Ingen faktura har nummer A9999."]}
    part = fresh(invoice)
    assert (part.status, part.paid_ore) == (InvoiceStatus.PART_PAID, 30000)
    with scopes_disabled():
        assigned = Payment.objects.get(pk=waiting[0].pk)
    assert (assigned.invoice_id, assigned.assigned_by) == (invoice.pk, billing.admin)
    assert actions()[-1] == "billing.payment.assigned"


def test_the_same_file_twice_changes_nothing(billing, invoice):
    data = bgmax_file(BG, [(deposit_day(), [Pay(invoice.ocr, invoice.total_ore // 2, "601")])])
    first = imported(billing, data, "dag1.txt")
    before = fresh(invoice)
    again = imported(billing, data, "dag1-igen.txt")
    assert again.repeated_file is True and again.bank_import.pk == first.bank_import.pk
    with scopes_disabled():
        assert Payment.objects.count() == 1 and PaymentImport.objects.count() == 1
    after = fresh(invoice)
    assert (after.status, after.paid_ore) == (before.status, before.paid_ore)
    assert actions()[-1] == "billing.bgmax.repeated"


def test_a_payment_in_a_later_file_again_is_not_counted_twice(billing, invoice):
    half = invoice.total_ore // 2
    imported(billing, bgmax_file(BG, [(deposit_day(), [Pay(invoice.ocr, half, "701")])]))
    both = [Pay(invoice.ocr, half, "701"), Pay("99999999", 100, "702", ocr=False)]
    result = imported(billing, bgmax_file(BG, [(deposit_day(), both)]))
    assert (result.bank_import.payments, result.bank_import.repeated) == (2, 1)
    assert fresh(invoice).paid_ore == half
    with scopes_disabled():
        assert Payment.objects.count() == 2


def test_a_bad_file_imports_nothing(billing, invoice):
    lines = records(
        BG,
        [
            (deposit_day(5), [Pay(invoice.ocr, invoice.total_ore, "801")]),
            (deposit_day(6), [Pay("99999999", 100, "802", ocr=False)]),
        ],
    )
    end = len(lines)
    lines[-1] = lines[-1][:2] + "00000003" + lines[-1][10:]  # says 3 payments; the file has 2
    with pytest.raises(ValidationError) as caught:
        imported(billing, joined(lines))
    assert caught.value.messages == [
        f"Filen lästes inte in. Rad {end}: Slutposten anger 3 betalningsposter (20), men "
        "filen innehåller 2."
    ]
    with scopes_disabled():
        assert not Payment.objects.exists() and not PaymentImport.objects.exists()
    assert fresh(invoice).status == InvoiceStatus.OPEN


def test_a_file_for_another_bankgiro_is_refused(billing, invoice):
    data = bgmax_file("1234-5674", [(deposit_day(), [Pay(invoice.ocr, 100, "901")])])
    with pytest.raises(ValidationError) as caught:
        imported(billing, data)
    assert "gäller bankgiro 12345674" in caught.value.messages[0]
    with scopes_disabled():
        assert not Payment.objects.exists()


def test_a_test_file_from_bankgirot_is_refused(billing, invoice):
    lines = records(BG, [(deposit_day(), [Pay(invoice.ocr, invoice.total_ore, "931")])])
    lines[0] = lines[0][:44] + "T" + lines[0][45:]
    with pytest.raises(ValidationError) as caught:
        imported(billing, joined(lines))
    assert caught.value.messages == [
        "Filen lästes inte in: Bankgirot har märkt den som testfil (T på rad 1)."
    ]
    with scopes_disabled():
        assert not Payment.objects.exists()
    assert fresh(invoice).status == InvoiceStatus.OPEN


def test_only_the_practices_own_invoice_is_matched(billing, invoice):
    settings_for(billing.other_practice, bankgiro="1234-5674")
    held_meeting(billing.foreign_engagement, day(10))
    theirs = issued(billing, billing.other_practice)
    assert theirs.ocr == invoice.ocr  # each practice numbers from its own first number
    imported(billing, bgmax_file(BG, [(deposit_day(), [Pay(invoice.ocr, 100, "951")])]))
    assert fresh(theirs).status == InvoiceStatus.OPEN
    assert fresh(invoice).status == InvoiceStatus.PART_PAID


def test_a_credited_invoice_takes_no_payment(billing, invoice):
    with scopes_disabled():
        services.invoice_credit(actor=billing.admin, invoice=invoice, today=day(3, 1))
    imported(billing, bgmax_file(BG, [(deposit_day(), [Pay(invoice.ocr, 100, "961")])]))
    with scopes_disabled():
        assert Payment.objects.get().invoice is None
    assert fresh(invoice).status == InvoiceStatus.CREDITED


def test_the_worker_reads_the_watched_folder(billing, invoice, settings, tmp_path: Path):
    settings.BGMAX_DIR = str(tmp_path)
    good = bgmax_file(BG, [(deposit_day(), [Pay(invoice.ocr, invoice.total_ore, "1001")])])
    (tmp_path / "bgmax-1.txt").write_bytes(good)
    (tmp_path / "trasig.txt").write_bytes(good.replace(b"BGMAX ", b"BGMIN "))
    (tmp_path / "fel-bankgiro.txt").write_bytes(
        bgmax_file("1234-5674", [(deposit_day(), [Pay("99999999", 1, "1002", ocr=False)])])
    )
    (tmp_path / ".halvskriven.txt").write_bytes(good[:100])

    assert tasks.import_bgmax_folder.call() == {"imported": 1, "refused": 2}

    assert sorted(p.name for p in tmp_path.iterdir()) == [".halvskriven.txt", "imported", "refused"]
    assert [p.name for p in (tmp_path / "imported").iterdir()] == ["bgmax-1.txt"]
    refused = tmp_path / "refused"
    assert sorted(p.name for p in refused.iterdir()) == [
        "fel-bankgiro.txt",
        "fel-bankgiro.txt.fel.txt",
        "trasig.txt",
        "trasig.txt.fel.txt",
    ]
    assert (refused / "trasig.txt.fel.txt").read_text(encoding="utf-8") == (
        "Filen lästes inte in. Rad 1: Startposten anger inte layouten BGMAX.\n"
    )
    assert "ingen enskild verksamhet har bankgiro 12345674" in (
        refused / "fel-bankgiro.txt.fel.txt"
    ).read_text(encoding="utf-8")
    paid = fresh(invoice)
    assert paid.status == InvoiceStatus.PAID
    with scopes_disabled():
        done = PaymentImport.objects.get()
    assert (done.source, done.imported_by, done.filename) == (
        ImportSource.FOLDER,
        None,
        "bgmax-1.txt",
    )
    assert actions().count("billing.bgmax.refused") == 2

    # The same file delivered again: moved aside beside the first, nothing changes.
    (tmp_path / "bgmax-1.txt").write_bytes(good)
    assert tasks.import_bgmax_folder.call() == {"imported": 1, "refused": 0}
    assert sorted(p.name for p in (tmp_path / "imported").iterdir()) == [
        "bgmax-1.1.txt",
        "bgmax-1.txt",
    ]
    with scopes_disabled():
        assert Payment.objects.count() == 1 and PaymentImport.objects.count() == 1


def test_the_folder_chain_waits_only_when_a_folder_is_set(billing, settings, tmp_path: Path):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.BGMAX_DIR = ""
    assert services.ensure_bgmax_chain() is False
    settings.BGMAX_DIR = str(tmp_path)
    assert services.ensure_bgmax_chain() is True
    assert services.ensure_bgmax_chain() is False
    assert (
        DBTaskResult.objects.filter(
            task_path="bollplank.billing.tasks.import_bgmax_folder", status="READY"
        ).count()
        == 1
    )


def test_a_paid_invoice_credited_afterwards_leaves_the_client_a_credit(billing, invoice):
    half = invoice.total_ore // 2
    imported(billing, bgmax_file(BG, [(deposit_day(), [Pay(invoice.ocr, half, "971")])]))
    with scopes_disabled():
        services.invoice_credit(actor=billing.admin, invoice=invoice, today=day(6, 1))
    assert fresh(invoice).status == InvoiceStatus.CREDITED
    assert balance(billing) == -half


def test_the_bank_payment_of_an_invoice_marked_paid_by_hand_keeps_it_paid(billing, invoice):
    with scopes_disabled():
        services.invoice_mark_paid(actor=billing.admin, invoice=invoice, paid_on=deposit_day(3))
    assert balance(billing) == 0
    imported(
        billing, bgmax_file(BG, [(deposit_day(), [Pay(invoice.ocr, invoice.total_ore, "981")])])
    )
    paid = fresh(invoice)
    assert (paid.status, paid.paid_ore, paid.paid_on) == (
        InvoiceStatus.PAID,
        invoice.total_ore,
        deposit_day(),
    )
    assert balance(billing) == 0


def test_a_file_that_fails_unexpectedly_is_set_aside_and_the_next_is_read(
    billing, invoice, settings, tmp_path: Path
):
    settings.BGMAX_DIR = str(tmp_path)
    # A superscript digit: a refusal with its line, not a crash of the task.
    good = bgmax_file(BG, [(deposit_day(), [Pay(invoice.ocr, invoice.total_ore, "1101")])])
    lines = records(BG, [(deposit_day(), [Pay("99999999", 100, "1102", ocr=False)])])
    lines[2] = lines[2][:54] + "²" + lines[2][55:]
    (tmp_path / "a-upphojd.txt").write_bytes(joined(lines))
    # Ten deposits of the largest amount a record holds: each reads, but their sum is more
    # than the database's largest integer, so saving the import fails (not a ValidationError).
    huge = 10**18 - 1
    big = [(deposit_day(n), [Pay("99999999", huge, f"12{n:02d}", ocr=False)]) for n in range(1, 11)]
    (tmp_path / "b-for-stor.txt").write_bytes(bgmax_file(BG, big))
    (tmp_path / "c-bra.txt").write_bytes(good)

    assert tasks.import_bgmax_folder.call() == {"imported": 1, "refused": 2}

    refused = tmp_path / "refused"
    assert sorted(p.name for p in refused.iterdir()) == [
        "a-upphojd.txt",
        "a-upphojd.txt.fel.txt",
        "b-for-stor.txt",
        "b-for-stor.txt.fel.txt",
    ]
    assert (
        (refused / "a-upphojd.txt.fel.txt")
        .read_text(encoding="utf-8")
        .startswith("Filen lästes inte in. Rad 3: Beloppet")
    )
    assert (
        (refused / "b-for-stor.txt.fel.txt")
        .read_text(encoding="utf-8")
        .startswith("Filen lästes inte in på grund av ett oväntat fel (")
    )
    assert [p.name for p in (tmp_path / "imported").iterdir()] == ["c-bra.txt"]
    assert fresh(invoice).status == InvoiceStatus.PAID
    with scopes_disabled():
        # The failed file left nothing behind.
        assert list(PaymentImport.objects.values_list("filename", flat=True)) == ["c-bra.txt"]
        assert Payment.objects.count() == 1
    assert actions().count("billing.bgmax.refused") == 2


def test_a_part_paid_invoice_past_its_due_date_is_overdue_like_the_filter_says(billing, invoice):
    from bollplank.billing.selectors import invoices_for_list
    from bollplank.core import clock

    assert invoice.due_date < clock.today()
    imported(billing, bgmax_file(BG, [(deposit_day(), [Pay(invoice.ocr, 100, "1301")])]))
    part = fresh(invoice)
    assert (part.status, part.is_overdue) == (InvoiceStatus.PART_PAID, True)
    assert str(part.status_label) == "förfallen"
    with scopes_disabled():
        listed = invoices_for_list(
            billing.admin, billing.practice, frozenset({Role.ADMIN}), status="overdue"
        )
        assert [i.pk for i in listed] == [invoice.pk]


def test_a_null_byte_in_a_file_is_refused_with_its_line_on_every_database(billing, invoice):
    lines = records(BG, [(deposit_day(), [Pay(invoice.ocr, 100, "1401", name="Solbacka skola")])])
    assert lines[3].startswith("26")
    lines[3] = "26Sol\x00backa".ljust(80)
    with pytest.raises(ValidationError) as caught:
        imported(billing, joined(lines))
    assert caught.value.messages == [
        "Filen lästes inte in. Rad 4: Posten innehåller styrtecken (till exempel en nollbyte)."
    ]
    with scopes_disabled():
        assert not Payment.objects.exists() and not PaymentImport.objects.exists()


def test_a_part_paid_invoice_can_be_marked_paid_and_a_later_payment_keeps_it_paid(billing, invoice):
    third = invoice.total_ore // 3
    imported(billing, bgmax_file(BG, [(deposit_day(5), [Pay(invoice.ocr, third, "1501")])]))
    assert fresh(invoice).status == InvoiceStatus.PART_PAID
    with scopes_disabled():
        services.invoice_mark_paid(actor=billing.admin, invoice=invoice, paid_on=deposit_day(7))
    settled = fresh(invoice)
    rest = invoice.total_ore - third
    assert (settled.status, settled.paid_ore, settled.settled_ore, settled.paid_on) == (
        InvoiceStatus.PAID,
        third,
        rest,
        deposit_day(7),
    )
    assert (settled.outstanding_ore, balance(billing)) == (0, 0)
    event = AuditEvent.objects.filter(action="billing.invoice.paid").get()
    assert (event.data["from"], event.data["settled_ore"]) == (InvoiceStatus.PART_PAID, rest)

    # A bank payment arriving afterwards does not turn it back to part paid.
    imported(billing, bgmax_file(BG, [(deposit_day(9), [Pay(invoice.ocr, third, "1502")])]))
    after = fresh(invoice)
    assert (after.status, after.paid_ore, after.settled_ore, after.paid_on) == (
        InvoiceStatus.PAID,
        2 * third,
        invoice.total_ore - 2 * third,
        deposit_day(7),
    )
    assert balance(billing) == 0
    # Paid in full by the bank after all: simply paid, nothing settled by hand.
    last = invoice.total_ore - 2 * third
    imported(billing, bgmax_file(BG, [(deposit_day(12), [Pay(invoice.ocr, last, "1503")])]))
    full = fresh(invoice)
    assert (full.status, full.paid_ore, full.settled_ore, full.paid_on) == (
        InvoiceStatus.PAID,
        invoice.total_ore,
        0,
        deposit_day(12),
    )


def test_an_invoice_marked_paid_by_hand_stays_paid_when_part_of_it_comes_by_bank(billing, invoice):
    with scopes_disabled():
        services.invoice_mark_paid(actor=billing.admin, invoice=invoice, paid_on=deposit_day(3))
    imported(billing, bgmax_file(BG, [(deposit_day(), [Pay(invoice.ocr, 1000, "1601")])]))
    paid = fresh(invoice)
    assert (paid.status, paid.paid_ore, paid.settled_ore, paid.paid_on) == (
        InvoiceStatus.PAID,
        1000,
        invoice.total_ore - 1000,
        deposit_day(3),
    )
    assert balance(billing) == 0
