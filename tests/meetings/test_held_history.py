"""A held meeting is history: not moved, not cancelled; corrected only explicitly, with a reason,
and an invoiced one is credited and invoiced again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from bollplank.billing import services as billing
from bollplank.billing.enums import InvoiceKind
from bollplank.core.models import AuditEvent
from bollplank.meetings import services
from bollplank.meetings.corrections import meeting_correct
from tests.api.conftest import api, token_for  # noqa: F401 (the API's fixtures)
from tests.billing.conftest import day, month, settings_for

P = "ekbacken"


def test_held_meeting_cannot_be_moved_by_the_service(world):
    held = world.meeting
    with scope(practice=world.practice), pytest.raises(ValidationError) as exc:
        services.meeting_reschedule(
            actor=world.supervisor,
            meeting=held,
            day=held.starts_at.date() + dt.timedelta(days=1),
            time=dt.time(9),
            minutes=120,
        )
    assert exc.value.code == "held"
    before = held.starts_at
    held.refresh_from_db()
    assert held.starts_at == before


def test_held_meeting_move_and_cancel_are_refused_on_pages_and_api(client, world, api):  # noqa: F811
    held = world.meeting
    client.force_login(world.supervisor)
    moved = client.post(
        reverse("meeting_move", args=[P, held.pk]),
        {"day": "2026-01-05", "time": "09:00", "minutes": "120"},
        follow=True,
    )
    assert "Träffen är genomförd: den kan inte flyttas eller ställas in" in moved.content.decode()
    cancelled = client.post(
        reverse("meeting_cancel", args=[P, held.pk]),
        {"cancelled_by": "supervisor", "reason": "Sjuk", "confirm": "yes"},
        follow=True,
    )
    assert "Träffen har redan ägt rum och kan inte ställas in." in cancelled.content.decode()
    api_move = api("supervisor").post(
        f"/meetings/{held.pk}/move", {"starts_at": "2026-01-05T09:00:00+01:00", "minutes": 120}
    )
    assert api_move.status_code == 400
    api_cancel = api("supervisor").post(
        f"/meetings/{held.pk}/cancel", {"cancelled_by": "supervisor", "reason": "Sjuk"}
    )
    assert api_cancel.status_code == 400
    with scopes_disabled():
        held.refresh_from_db()
    assert (held.status, held.sequence) == ("planned", 0)


def test_held_meeting_page_offers_correction_not_move_or_cancel(client, world):
    client.force_login(world.supervisor)
    page = client.get(reverse("meeting_detail", args=[P, world.meeting.pk])).content.decode()
    assert "Ställ in träffen" not in page
    assert reverse("meeting_move", args=[P, world.meeting.pk]) not in page
    assert reverse("meeting_correct", args=[P, world.meeting.pk]) in page


def test_correction_needs_a_reason_and_a_past_time(client, world):
    held = world.meeting
    url = reverse("meeting_correct", args=[P, held.pk])
    client.force_login(world.supervisor)
    local = held.starts_at.astimezone(dt.timezone(dt.timedelta(hours=1)))
    data = {"day": local.date().isoformat(), "time": "13:00", "minutes": "90", "reason": ""}
    response = client.post(url, data)
    assert response.status_code == 400
    assert 'id="id_reason_error"' in response.content.decode()
    with scopes_disabled():
        held.refresh_from_db()
    assert held.corrected_at is None
    with scope(practice=world.practice), pytest.raises(ValidationError) as exc:
        meeting_correct(
            actor=world.supervisor,
            meeting=held,
            day=held.starts_at.date() + dt.timedelta(days=400),
            time=dt.time(9),
            minutes=60,
            reason="Fel dag",
        )
    assert exc.value.message_dict == {
        "day": ["En genomförd träff rättas till en tid som har passerat."]
    }


def test_correcting_an_invoiced_meeting_credits_it_and_the_next_run_invoices_it_anew(world):
    settings_for(world.practice)
    with scopes_disabled():
        world.client.invoice_reference = "SOL-4410"
        world.client.street, world.client.postal_code = "Skolvägen 4", "745 31"
        world.client.save()
        [draft] = billing.invoice_run(
            actor=world.admin,
            practice=world.practice,
            period_start=month()[0],
            period_end=month()[1],
        )
        invoice = billing.invoice_issue(actor=world.admin, invoice=draft, today=day(2, 1))
        [old_line] = invoice.lines.filter(meeting=world.meeting)
    with scope(practice=world.practice):
        meeting_correct(
            actor=world.supervisor,
            meeting=world.meeting,
            day=day(11),
            time=dt.time(13),
            minutes=120,
            reason="Träffen hölls dagen efter",
        )
    with scopes_disabled():
        invoice.refresh_from_db()
        [note] = invoice.credit_notes.all()
        note_lines = list(note.lines.values_list("credits_line_id", "amount_ore"))
        [again] = billing.invoice_run(
            actor=world.admin,
            practice=world.practice,
            period_start=month()[0],
            period_end=month()[1],
        )
        new_lines = list(again.lines.values_list("meeting_id", "delivered_on"))
        events = list(
            AuditEvent.objects.filter(action="meetings.meeting.corrected").values_list(
                "actor_id", flat=True
            )
        )
    assert note.kind == InvoiceKind.CREDIT_NOTE
    assert note_lines == [(old_line.pk, -old_line.amount_ore)]
    assert new_lines == [(world.meeting.pk, day(11))]
    assert events == [world.supervisor.pk]
