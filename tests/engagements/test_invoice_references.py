"""An engagement carries the buyer's reference and the order number its invoices get: the
client's defaults when it is made, its own when they are changed on the engagement form."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django_scopes import scope, scopes_disabled

from bollplank.engagements import services
from bollplank.engagements.models import Engagement
from bollplank.engagements.services import PersonInput
from tests import factories as f
from tests import timecontrol as tc

P = "ekbacken"


def test_a_new_engagement_takes_the_clients_references(db):
    practice = f.PracticeFactory()
    supervisor = f.member(practice, "supervisor")
    client = f.ClientFactory(practice=practice, invoice_reference="RS-1", order_number="RAM-7")
    fields = {
        "client": client,
        "supervisor": supervisor,
        "title": "Avdelning 3",
        "form": "individual",
        "focus": "case",
        "meeting_minutes": 60,
        "meetings_ordered": 8,
        "start_date": tc.today(),
        "end_date": tc.today() + dt.timedelta(days=60),
        "venue": "client",
    }
    with scope(practice=practice):
        default = services.engagement_create(
            actor=supervisor,
            practice=practice,
            participants=[PersonInput("Ada", "ada@example.se")],
            **fields,
        )
        own = services.engagement_create(
            actor=supervisor,
            practice=practice,
            participants=[PersonInput("Bo", "bo@example.se")],
            **{**fields, "title": "Avdelning 4", "order_number": "PO-12"},
        )
    assert (default.buyer_reference, default.order_number) == ("RS-1", "RAM-7")
    assert (own.buyer_reference, own.order_number) == ("RS-1", "PO-12")


def test_engagement_form_changes_the_references_and_the_page_shows_them(client, world):
    client.force_login(world.supervisor)
    e = world.engagement
    response = client.post(
        reverse("engagement_edit", args=[P, e.pk]),
        {
            "client": world.client.pk,
            "supervisor": world.supervisor.pk,
            "title": e.title,
            "form": e.form,
            "focus": e.focus,
            "meeting_minutes": e.meeting_minutes,
            "meetings_ordered": e.meetings_ordered,
            "start_date": str(e.start_date),
            "end_date": str(e.end_date),
            "venue": e.venue,
            "venue_address": e.venue_address,
            "submission_hours_before": 24,
            "attendance_visibility": e.attendance_visibility,
            "status": e.status,
            "price_kr": "0",
            "buyer_reference": "Rektor 4711",
            "order_number": "PO 2026-17",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    with scopes_disabled():
        saved = Engagement.objects.get(pk=e.pk)
    assert (saved.buyer_reference, saved.order_number) == ("Rektor 4711", "PO 2026-17")
    page = client.get(reverse("engagement_detail", args=[P, e.pk])).content.decode()
    assert "Köparens referens: Rektor 4711 · Ordernummer: PO 2026-17" in page
