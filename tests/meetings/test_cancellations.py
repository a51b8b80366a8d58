"""Cancellations with a cause: who cancelled and why, what it costs, and who is charged."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from bollplank.billing import services as billing
from bollplank.billing.enums import LineKind, PriceModel
from bollplank.core import clock
from bollplank.meetings import services
from bollplank.meetings.cancellations import cancellation_consequence
from bollplank.meetings.enums import CancelledBy, MeetingStatus
from tests import factories as f
from tests.billing.conftest import settings_for

P = "ekbacken"


def _ahead(world, hours: float):
    start = clock.now().replace(microsecond=0) + dt.timedelta(hours=hours)
    return f.MeetingFactory(
        engagement=world.engagement, starts_at=start, ends_at=start + dt.timedelta(hours=2)
    )


def _half_price(world) -> None:
    with scopes_disabled():
        billing.engagement_price_save(
            actor=world.admin,
            engagement=world.engagement,
            model=PriceModel.PER_MEETING,
            amount_ore=400000,
            late_cancellation="part",
            late_cancellation_percent=50,
        )


def _cancel(world, meeting, cause: str, hours_before: float):
    with scope(practice=world.practice):
        return services.meeting_cancel(
            actor=world.supervisor,
            meeting=meeting,
            cancelled_by=cause,
            reason="Förhinder",
            now=meeting.starts_at - dt.timedelta(hours=hours_before),
        )


def test_cancel_records_cause_reason_and_time(world):
    meeting = _ahead(world, 24 * 10)
    now = meeting.starts_at - dt.timedelta(hours=10)
    with scope(practice=world.practice):
        done = services.meeting_cancel(
            actor=world.supervisor,
            meeting=meeting,
            cancelled_by=CancelledBy.CLIENT_CONTACT,
            reason="  Personalmöte  ",
            now=now,
        )
    done.refresh_from_db()
    assert (done.status, done.cancelled_by, done.cancel_reason, done.cancelled_at) == (
        MeetingStatus.CANCELLED,
        "client_contact",
        "Personalmöte",
        now,
    )
    assert done.late_cancellation and done.is_billable_cancellation


@pytest.mark.parametrize(
    ("cause", "reason", "field"),
    [
        ("", "Sjuk", "cancelled_by"),
        ("someone", "Sjuk", "cancelled_by"),
        ("supervisor", " ", "reason"),
        ("supervisor", "x" * 501, "reason"),
    ],
)
def test_cancel_without_cause_or_reason_is_refused_and_changes_nothing(world, cause, reason, field):
    meeting = _ahead(world, 24 * 10)
    with scope(practice=world.practice), pytest.raises(ValidationError) as exc:
        services.meeting_cancel(
            actor=world.supervisor, meeting=meeting, cancelled_by=cause, reason=reason
        )
    assert list(exc.value.error_dict) == [field]
    meeting.refresh_from_db()
    assert (meeting.status, meeting.cancelled_by) == (MeetingStatus.PLANNED, "")


def test_consequence_names_the_charge_only_for_the_client_side_late(world):
    _half_price(world)
    meeting = _ahead(world, 24 * 10)
    late = meeting.starts_at - dt.timedelta(hours=5)
    early = meeting.starts_at - dt.timedelta(days=5)
    with scope(practice=world.practice):
        got = {
            (cause, when == late): cancellation_consequence(meeting, cause, when).billable
            for cause in CancelledBy.values
            for when in (late, early)
        }
    assert got == {
        ("participant", True): True,
        ("client_contact", True): True,
        ("supervisor", True): False,
        ("practice", True): False,
        ("participant", False): False,
        ("client_contact", False): False,
        ("supervisor", False): False,
        ("practice", False): False,
    }
    with scope(practice=world.practice):
        assert cancellation_consequence(meeting, "participant", late).share == 50


def test_invoice_run_charges_only_late_cancellations_by_the_client_side(world):
    settings_for(world.practice)
    _half_price(world)
    start = clock.now().replace(microsecond=0) - dt.timedelta(days=20)
    by_client, by_supervisor, before_causes = (
        f.MeetingFactory(
            engagement=world.engagement,
            starts_at=start + dt.timedelta(days=i),
            ends_at=start + dt.timedelta(days=i, hours=2),
        )
        for i in range(3)
    )
    _cancel(world, by_client, CancelledBy.PARTICIPANT, 3)
    _cancel(world, by_supervisor, CancelledBy.SUPERVISOR, 3)
    # A late cancellation from before causes were recorded counts as it did then.
    with scopes_disabled():
        type(before_causes).objects.filter(pk=before_causes.pk).update(
            status=MeetingStatus.CANCELLED, late_cancellation=True
        )
        [draft] = billing.invoice_run(
            actor=world.admin,
            practice=world.practice,
            period_start=(start - dt.timedelta(days=1)).date(),
            period_end=clock.today(),
        )
        lines = {
            x.meeting_id: (x.kind, x.amount_ore)
            for x in draft.lines.all()
            if x.kind == LineKind.LATE_CANCELLATION
        }
    assert lines == {
        by_client.pk: (LineKind.LATE_CANCELLATION, 200000),
        before_causes.pk: (LineKind.LATE_CANCELLATION, 200000),
    }


def test_cancel_page_names_the_consequence_before_confirming(client, world):
    _half_price(world)
    meeting = _ahead(world, 5)
    url = reverse("meeting_cancel", args=[P, meeting.pk])
    client.force_login(world.supervisor)
    form = client.get(url).content.decode()
    assert 'name="cancelled_by"' in form and 'name="reason"' in form
    step = client.post(url, {"cancelled_by": "participant", "reason": "Sjuk"})
    page = step.content.decode()
    assert "Räknas som sen avbokning och debiteras 50 %." in page
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED  # nothing happens before the confirmation
    done = client.post(
        url, {"cancelled_by": "participant", "reason": "Sjuk", "confirm": "yes"}, follow=True
    )
    meeting.refresh_from_db()
    assert (meeting.status, meeting.cancelled_by, meeting.cancel_reason) == (
        "cancelled",
        "participant",
        "Sjuk",
    )
    assert "sen avbokning, enligt uppdragets villkor" in done.content.decode()


def test_supervisor_cancelling_late_is_not_charged_and_offers_a_replacement(client, world):
    _half_price(world)
    meeting = _ahead(world, 5)
    url = reverse("meeting_cancel", args=[P, meeting.pk])
    client.force_login(world.supervisor)
    page = client.post(url, {"cancelled_by": "supervisor", "reason": "Sjuk"}).content.decode()
    assert "Debiteras inte." in page and "debiteras 50" not in page
    replacement = reverse("meeting_create", args=[P, world.engagement.pk])
    assert f'href="{replacement}"' in page
    client.post(url, {"cancelled_by": "supervisor", "reason": "Sjuk", "confirm": "yes"})
    meeting.refresh_from_db()
    assert (meeting.late_cancellation, meeting.is_billable_cancellation) == (True, False)
    detail = client.get(reverse("meeting_detail", args=[P, meeting.pk])).content.decode()
    assert f'href="{replacement}"' in detail


def test_cancel_page_without_a_reason_keeps_the_choice(client, world):
    meeting = _ahead(world, 24 * 10)
    client.force_login(world.supervisor)
    response = client.post(
        reverse("meeting_cancel", args=[P, meeting.pk]), {"cancelled_by": "practice", "reason": ""}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert re.search(r'value="practice"[^>]*checked', page)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED


def test_client_sees_late_cancellations_counted_by_cause(client, world):
    _cancel(world, _ahead(world, 24 * 10), CancelledBy.CLIENT_CONTACT, 3)
    _cancel(world, _ahead(world, 24 * 12), CancelledBy.SUPERVISOR, 3)
    _cancel(world, _ahead(world, 24 * 14), CancelledBy.SUPERVISOR, 3)
    _cancel(world, _ahead(world, 24 * 16), CancelledBy.PARTICIPANT, 24 * 5)  # not late
    client.force_login(world.contact_user)
    page = client.get(reverse("client_home", args=[P])).content.decode()
    assert "1 av er, 2 av handledaren eller verksamheten" in page
    assert "inställd (sen avbokning, av er)" in page
    assert "Förhinder" not in page  # the reason stays with the practice


def test_runner_asks_before_ending_the_conversation():
    from pathlib import Path

    import bollplank

    template = Path(bollplank.__file__).parent / "templates/facilitation/runner.html"
    text = template.read_text()
    finish = text.index('value="finish"')
    assert text.rfind("<details", 0, finish) > text.rfind("</details>", 0, finish)
