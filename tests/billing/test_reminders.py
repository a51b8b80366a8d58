"""Payment reminders: the daily run reminds an overdue invoice on the practice's days, once a
day and at most the practice's number of times, with the fee on the first and interest to the
day; paid and credited invoices and practices without reminders are left alone; the mail and
its PDF say it in Swedish; the admin sees the reminders and sends one by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from bollplank.billing import services, tasks
from bollplank.billing.enums import InvoiceStatus
from bollplank.billing.models import BillingSettings, Invoice, Reminder
from bollplank.billing.pdf import reminder_pdf
from bollplank.billing.services import reminders
from bollplank.core.models import AuditEvent
from tests import factories as f
from tests.billing.bgmax_files import Pay, bgmax_file
from tests.billing.conftest import day, held_meeting, settings_for
from tests.billing.test_payments import BG, fresh, imported, issued
from tests.conftest import World
from tests.pdftext import pdf_text

NBSP = "\xa0"


def kr(text: str) -> str:
    """An amount as the Swedish UI writes it: '4 500,00 kr' with no-break spaces."""
    return text.replace(" ", NBSP)


def turn_on(practice: Any, **overrides: Any) -> None:
    values = {
        "reminders_enabled": True,
        "reminder_first_days": 10,
        "reminder_interval_days": 14,
        "reminder_max": 2,
        "reminder_fee_ore": 6000,
        "late_interest_percent": Decimal("10.00"),
    }
    values.update(overrides)
    with scopes_disabled():
        BillingSettings.objects.filter(practice=practice).update(**values)


def run(on: dt.date) -> dict[str, int]:
    with scopes_disabled():
        return reminders.reminder_run(today=on)


def reminders_of(invoice: Invoice) -> list[tuple[int, dt.date, int, int, int]]:
    with scopes_disabled():
        return [
            (r.number, r.sent_on, r.outstanding_ore, r.interest_ore, r.fee_ore)
            for r in Reminder.objects.filter(invoice=invoice).order_by("number")
        ]


@pytest.fixture
def invoice(billing: World) -> Invoice:
    turn_on(billing.practice)
    return issued(billing)


def test_the_run_reminds_on_the_practice_s_days_and_no_more(
    billing, invoice, django_capture_on_commit_callbacks
):
    due = invoice.due_date
    total = invoice.total_ore
    assert run(due)["reminders"] == 0
    assert run(due + dt.timedelta(days=9))["reminders"] == 0
    first = due + dt.timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        assert run(first) == {"practices": 1, "reminders": 1}
    # Interest at 10 % a year on what is owed, for the 10 days since the due date.
    interest = round(total * Decimal("0.10") * 10 / 365)
    assert reminders_of(invoice) == [(1, first, total, interest, 6000)]
    # The run twice on one day sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        assert run(first)["reminders"] == 0
    assert run(first + dt.timedelta(days=13))["reminders"] == 0
    second = first + dt.timedelta(days=14)
    with django_capture_on_commit_callbacks(execute=True):
        assert run(second)["reminders"] == 1
    interest_2 = round(total * Decimal("0.10") * 24 / 365)
    # The fee is charged once: the second reminder repeats the debt and the interest.
    assert reminders_of(invoice)[1] == (2, second, total, interest_2, 0)
    # At most two reminders per invoice.
    assert run(second + dt.timedelta(days=30))["reminders"] == 0
    assert len(reminders_of(invoice)) == 2
    assert len(mail.outbox) == 2


def test_an_invoice_paid_in_between_gets_no_more_reminders(billing, invoice):
    first = invoice.due_date + dt.timedelta(days=10)
    run(first)
    payment_day = first + dt.timedelta(days=2)
    data = bgmax_file(BG, [(payment_day, [Pay(invoice.ocr, invoice.total_ore, "101")])])
    imported(billing, data)
    assert fresh(invoice).status == InvoiceStatus.PAID
    assert run(first + dt.timedelta(days=14))["reminders"] == 0
    assert [r[0] for r in reminders_of(invoice)] == [1]


def test_an_invoice_marked_paid_by_hand_is_not_reminded(billing, invoice):
    with scopes_disabled():
        services.invoice_mark_paid(actor=billing.admin, invoice=invoice, paid_on=day(20, 1))
    assert run(invoice.due_date + dt.timedelta(days=10))["reminders"] == 0


def test_a_part_paid_invoice_is_reminded_of_the_rest(billing, invoice):
    half = invoice.total_ore // 2
    imported(billing, bgmax_file(BG, [(day(5, 1), [Pay(invoice.ocr, half, "201")])]))
    assert fresh(invoice).status == InvoiceStatus.PART_PAID
    first = invoice.due_date + dt.timedelta(days=20)
    run(first)
    rest = invoice.total_ore - half
    interest = round(rest * Decimal("0.10") * 20 / 365)
    assert reminders_of(invoice) == [(1, first, rest, interest, 6000)]


def test_a_credited_invoice_is_skipped(billing, invoice):
    with scopes_disabled():
        services.invoice_credit(actor=billing.admin, invoice=invoice, today=day(6, 1))
    assert fresh(invoice).status == InvoiceStatus.CREDITED
    assert run(invoice.due_date + dt.timedelta(days=30))["reminders"] == 0
    assert reminders_of(invoice) == []


def test_a_practice_without_reminders_is_untouched(billing, invoice):
    settings_for(billing.other_practice, bankgiro="1234-5674")
    held_meeting(billing.foreign_engagement, day(10))
    theirs = issued(billing, billing.other_practice)
    assert run(theirs.due_date + dt.timedelta(days=30)) == {"practices": 1, "reminders": 1}
    assert reminders_of(theirs) == []
    assert len(reminders_of(invoice)) == 1
    # Turned off, the practice's own invoices are left alone too.
    turn_on(billing.practice, reminders_enabled=False)
    assert run(invoice.due_date + dt.timedelta(days=60)) == {"practices": 0, "reminders": 0}


def test_the_mail_and_its_pdf_say_it_in_swedish(
    billing, invoice, django_capture_on_commit_callbacks
):
    turn_on(billing.practice, late_interest_percent=Decimal("0"))
    first = invoice.due_date + dt.timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        run(first)
    [message] = mail.outbox
    with scopes_disabled():
        first_contact = billing.client.contacts.order_by("pk").first().email
    assert message.to == [first_contact]
    assert message.subject == (
        f"Betalningspåminnelse: faktura {invoice.display_number} från Ekbacken Handledning AB"
    )
    owed = invoice.total_ore
    owed_text = kr(f"{owed // 100:,}".replace(",", " ") + f",{owed % 100:02d} kr")
    to_pay = owed + 6000
    to_pay_text = kr(f"{to_pay // 100:,}".replace(",", " ") + f",{to_pay % 100:02d} kr")
    body = message.body
    assert f"faktura {invoice.display_number}, som förföll till betalning" in body
    assert f"Kvar att betala på fakturan: {owed_text}" in body
    assert f"Påminnelseavgift: {kr('60,00 kr')}" in body
    assert f"Att betala: {to_pay_text}" in body
    assert "Dröjsmålsränta" not in body  # none at 0 %
    pay_by = (first + dt.timedelta(days=10)).isoformat()
    assert f"Betala senast {pay_by} med OCR-nummer {invoice.ocr}." in body
    [(name, content, mimetype)] = message.attachments
    assert (name, mimetype) == (f"paminnelse-{invoice.display_number}-1.pdf", "application/pdf")
    text = pdf_text(content).replace(NBSP, " ")
    assert "Betalningspåminnelse" in text
    assert f"Fakturanummer {invoice.display_number}" in text
    assert f"OCR-nummer {invoice.ocr}" in text
    assert "Påminnelseavgift 60,00 kr" in text
    assert f"Att betala {to_pay_text.replace(NBSP, ' ')}" in text
    assert "Solbacka skola" in text


def test_the_pdf_states_the_interest_with_its_rate_and_days(billing, invoice):
    first = invoice.due_date + dt.timedelta(days=10)
    run(first)
    with scopes_disabled():
        reminder = Reminder.objects.select_related("invoice").get(invoice=invoice)
        text = pdf_text(reminder_pdf(reminder, None)).replace(NBSP, " ")
    assert "Dröjsmålsränta, 10,00 % per år i 10 dagar" in text
    assert "inte momspliktiga" in text


def test_each_reminder_is_audited(billing, invoice):
    run(invoice.due_date + dt.timedelta(days=10))
    event = AuditEvent.objects.filter(action="billing.reminder.sent").get()
    assert (event.data["reminder"], event.data["fee_ore"], event.data["emailed"]) == (1, 6000, True)


def test_the_worker_task_runs_the_reminders(billing, invoice, traveller):
    traveller.move_to(
        dt.datetime.combine(invoice.due_date + dt.timedelta(days=12), dt.time(7), tzinfo=dt.UTC)
    )
    assert tasks.run_reminders.call() == {"practices": 1, "reminders": 1}


def test_the_chain_waits_for_tomorrow_morning(billing, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert reminders.ensure_reminder_chain() is True
    assert reminders.ensure_reminder_chain() is False
    [waiting] = DBTaskResult.objects.filter(task_path=reminders.RUN_REMINDERS, status="READY")
    local = waiting.run_after.astimezone(reminders.SWEDISH_TIME)
    assert (local.hour, local.minute) == (6, 0)
    assert dt.timedelta(0) < waiting.run_after - waiting.enqueued_at <= dt.timedelta(days=1)


def test_next_run_delay_goes_to_six_in_swedish_time():
    winter = dt.datetime(2027, 1, 15, 4, 30, tzinfo=dt.UTC)  # 05:30 in Stockholm
    assert reminders.next_run_delay(winter) == dt.timedelta(minutes=30)
    summer = dt.datetime(2027, 7, 15, 4, 30, tzinfo=dt.UTC)  # 06:30 in Stockholm
    assert reminders.next_run_delay(summer) == dt.timedelta(hours=23, minutes=30)


def test_next_run_is_at_six_across_the_daylight_saving_changes():
    """Counted in real time: across a change the wall clocks differ by an hour from it."""
    stockholm = reminders.SWEDISH_TIME
    # The autumn change's night: 02:30 summer time, the clocks go back at 03:00.
    autumn = dt.datetime(2027, 10, 31, 2, 30, tzinfo=stockholm)
    assert autumn.utcoffset() == dt.timedelta(hours=2)
    ran = (autumn.astimezone(dt.UTC) + reminders.next_run_delay(autumn)).astimezone(stockholm)
    assert (ran.date(), ran.hour, ran.minute) == (dt.date(2027, 10, 31), 6, 0)
    assert reminders.next_run_delay(autumn) == dt.timedelta(hours=4, minutes=30)
    # The spring change's night: 01:30 winter time, the clocks go forward at 02:00.
    spring = dt.datetime(2027, 3, 28, 1, 30, tzinfo=stockholm)
    ran = (spring.astimezone(dt.UTC) + reminders.next_run_delay(spring)).astimezone(stockholm)
    assert (ran.date(), ran.hour, ran.minute) == (dt.date(2027, 3, 28), 6, 0)
    assert reminders.next_run_delay(spring) == dt.timedelta(hours=3, minutes=30)


def test_interest_is_simple_and_rounded_to_whole_ore():
    assert reminders.interest_ore(100_000, Decimal("10.00"), 365) == 10_000
    assert reminders.interest_ore(100_000, Decimal("10.25"), 30) == 842  # 842.47
    assert reminders.interest_ore(100_000, Decimal("0"), 30) == 0
    assert reminders.interest_ore(-500, Decimal("10"), 30) == 0


# --- pages ----------------------------------------------------------------------------------


def url(name: str, *args: Any) -> str:
    return reverse(name, args=["ekbacken", *args])


def test_the_admin_sends_a_reminder_by_hand_after_seeing_it(
    client, billing, invoice, traveller, django_capture_on_commit_callbacks
):
    traveller.move_to(
        dt.datetime.combine(invoice.due_date + dt.timedelta(days=3), dt.time(9), tzinfo=dt.UTC)
    )
    client.force_login(billing.admin)
    page = client.get(url("invoice_detail", invoice.pk)).content.decode()
    assert "Skicka en påminnelse" in page
    page = client.get(url("reminder_send", invoice.pk)).content.decode()
    assert "Fakturan har fått 0 påminnelser." in page
    with scopes_disabled():
        first_contact = billing.client.contacts.order_by("pk").first().email
    assert kr("60,00 kr") in page and f'value="{first_contact}"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("reminder_send", invoice.pk), {"to": "ekonomi@solbacka.se"})
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["ekonomi@solbacka.se"]]
    assert [r[0] for r in reminders_of(invoice)] == [1]
    page = client.get(url("invoice_detail", invoice.pk)).content.decode()
    assert "Påminnelse 1 (PDF)" in page and "ekonomi@solbacka.se" in page
    assert "Skicka en påminnelse" not in page  # not twice on a day
    # A second the same day is refused with a message, and nothing is sent.
    response = client.post(url("reminder_send", invoice.pk), {"to": "ekonomi@solbacka.se"})
    assert "Fakturan har redan fått en påminnelse i dag." in response.content.decode()
    assert len(reminders_of(invoice)) == 1 and len(mail.outbox) == 1
    response = client.get(url("reminder_pdf", invoice.pk, 1))
    assert "Betalningspåminnelse" in pdf_text(response.content)
    assert AuditEvent.objects.filter(action="billing.reminder.downloaded").count() == 1
    listing = client.get(url("invoice_list")).content.decode()
    assert "Påmind (1)" in listing


def test_an_invoice_not_yet_due_has_no_reminder_button(client, billing):
    turn_on(billing.practice)
    with scopes_disabled():
        [draft] = services.invoice_run(
            actor=billing.admin,
            practice=billing.practice,
            period_start=day(1),
            period_end=day(28),
        )
        invoice = services.invoice_issue(actor=billing.admin, invoice=draft)  # due in 30 days
    client.force_login(billing.admin)
    assert (
        "Skicka en påminnelse" not in client.get(url("invoice_detail", invoice.pk)).content.decode()
    )
    assert client.get(url("reminder_send", invoice.pk)).status_code == 404


SETTINGS_FORM = {
    "legal_name": "Ekbacken Handledning AB",
    "org_number": "5566778899",
    "street": "Ekbackevägen 7",
    "postal_code": "745 32",
    "city": "Ekby",
    "bankgiro": "5050-1055",
    "payment_terms_days": "30",
    "first_number": "1001",
    "account_receivable": "1510",
    "account_output_vat": "2611",
    "account_sales": "3041",
    "account_sales_exempt": "3044",
    "reminders_enabled": "on",
    "reminder_first_days": "10",
    "reminder_interval_days": "14",
    "reminder_max": "2",
    "reminder_fee_ore": "60",
    "late_interest_percent": "10,5",
}


def test_the_settings_save_the_reminder_rules(client, world):
    client.force_login(world.admin)
    response = client.post(url("billing_settings"), SETTINGS_FORM)
    assert response.status_code == 302
    with scopes_disabled():
        saved = BillingSettings.objects.get(practice=world.practice)
    assert (
        saved.reminders_enabled,
        saved.reminder_first_days,
        saved.reminder_interval_days,
        saved.reminder_max,
        saved.reminder_fee_ore,
        saved.late_interest_percent,
    ) == (True, 10, 14, 2, 6000, Decimal("10.50"))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("reminder_fee_ore", "75", "mindre än eller lika med 60"),
        ("reminder_fee_ore", "sextio", "Fyll i ett tal"),
        ("late_interest_percent", "-1", "större än eller lika med 0"),
        ("late_interest_percent", "80", "mindre än eller lika med 50"),
        ("reminder_first_days", "0", "större än eller lika med 1"),
        ("reminder_max", "9", "mindre än eller lika med 5"),
    ],
)
def test_the_settings_refuse_bad_reminder_rules(client, world, field, value, message):
    client.force_login(world.admin)
    response = client.post(url("billing_settings"), {**SETTINGS_FORM, field: value})
    page = response.content.decode()
    assert message in page
    assert value in page  # what was typed is kept
    with scopes_disabled():
        assert not BillingSettings.objects.filter(practice=world.practice).exists()


def _count(client: Any, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("rows", [1, 3])
def test_the_invoice_list_with_reminders_query_count(client, world, rows):
    settings_for(world.practice)
    turn_on(world.practice)
    for i in range(rows):
        engagement = f.EngagementFactory(practice=world.practice, supervisor=world.supervisor)
        held_meeting(engagement, day(2 + i))
    with scopes_disabled():
        for draft in services.invoice_run(
            actor=world.admin, practice=world.practice, period_start=day(1), period_end=day(28)
        ):
            services.invoice_issue(actor=world.admin, invoice=draft, today=day(2, 1))
    assert run(day(2, 1) + dt.timedelta(days=45))["reminders"] == rows + 1
    client.force_login(world.admin)
    # BASE (session, user, practice, roles) + the page's count + its invoices with client,
    # credited invoice and reminder count
    assert _count(client, url("invoice_list")) == 3 + 2
    assert client.get(url("invoice_list")).content.decode().count("Påmind (1)") == rows + 1


def test_the_command_runs_the_reminders(billing, invoice, traveller):
    from io import StringIO

    from django.core.management import call_command

    traveller.move_to(
        dt.datetime.combine(invoice.due_date + dt.timedelta(days=12), dt.time(7), tzinfo=dt.UTC)
    )
    out = StringIO()
    call_command("send_payment_reminders", stdout=out)
    assert out.getvalue().strip() == "practices: 1, reminders: 1"
    assert len(reminders_of(invoice)) == 1
