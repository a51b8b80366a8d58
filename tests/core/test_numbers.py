"""Prices and hours as a Swedish person types them, the practice's prices per form on an
inquiry turned engagement, and titles that are bounded and wrap where they are listed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django import forms
from django.urls import reverse
from django.utils import translation
from django_scopes import scopes_disabled

from bollplank.billing.forms import LineForm
from bollplank.core.forms import DecimalInputField, KronorField
from bollplank.directory import services as directory
from bollplank.engagements.models import Engagement
from tests import timecontrol as tc
from tests.directory.helpers import inquiry

P = "ekbacken"


class _Priced(forms.Form):
    price = KronorField(label="pris")
    hours = DecimalInputField(label="timmar", decimal_places=2, max_digits=6)


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize(
    ("typed", "ore"),
    [
        ("4800", 480000),
        ("4 800", 480000),
        ("4 800,00", 480000),
        ("1 234,50", 123450),
        ("4\xa0800", 480000),  # no-break space, as Swedish number formats write it
        ("4\u202f800,50", 480050),  # narrow no-break space
        ("4 800 kr", 480000),
        ("1.234,50", 123450),
        ("0,5", 50),
    ],
)
def test_prices_accept_swedish_input(typed, ore, language):
    with translation.override(language):
        form = _Priced({"price": typed, "hours": "1"})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["price"] == ore


@pytest.mark.parametrize(("typed", "hours"), [("1,5", "1.5"), ("1.5", "1.5"), ("2", "2")])
def test_hours_accept_swedish_input(typed, hours):
    form = _Priced({"price": "1", "hours": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["hours"] == Decimal(hours)


@pytest.mark.parametrize("typed", ["fyra", "4,800,00,1", "1,234", "-5"])
def test_bad_prices_get_a_swedish_message(typed):
    with translation.override("sv"):
        form = _Priced({"price": typed, "hours": "1"})
        assert not form.is_valid()
        assert form.errors["price"][0] in {
            "Fyll i ett tal.",
            "Kontrollera att detta värde är större än eller lika med 0.",
            "Säkerställ att det inte är mer än 2 decimaler.",
        }


def test_invoice_line_takes_hours_and_price_the_swedish_way():
    form = LineForm(
        {
            "description": "Handledning",
            "quantity": "1,5",
            "unit": "HUR",
            "unit_price_ore": "1 234,50",
            "vat_category": "S",
        }
    )
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["quantity"], form.cleaned_data["unit_price_ore"]) == (
        Decimal("1.5"),
        123450,
    )


def test_engagement_form_takes_4_800_as_a_price(client, world):
    client.force_login(world.supervisor)
    response = client.post(
        reverse("engagement_create", args=[P]),
        {
            "client": world.client.pk,
            "supervisor": world.supervisor.pk,
            "title": "Fritidspersonalen",
            "form": "group",
            "focus": "process",
            "meetings_ordered": 6,
            "start_date": str(tc.today()),
            "end_date": str(tc.today() + dt.timedelta(days=120)),
            "venue": "video",
            "price_kr": "4 800",
            "participants_text": "Anna Ek, anna@bjork.se\nBo Lind <bo@bjork.se>",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert Engagement.objects.get(title="Fritidspersonalen").price_per_meeting_ore == 480000


def test_practice_settings_hold_a_price_per_form(client, world):
    client.force_login(world.admin)
    data = {
        "name": world.practice.name,
        "late_cancellation_hours": 48,
        "travel_buffer_minutes": 30,
        "session_idle_minutes": 30,
        "session_max_hours": 12,
        "price_individual_ore": "1 450",
        "price_group_ore": "4 800,50",
    }
    response = client.post(reverse("practice_settings", args=[P]), data)
    assert response.status_code == 302
    world.practice.refresh_from_db()
    assert (world.practice.price_individual_ore, world.practice.price_group_ore) == (
        145000,
        480050,
    )
    page = client.get(reverse("practice_settings", args=[P])).content.decode()
    assert 'value="4800,50"' in page


def _priced(world):
    with scopes_disabled():
        world.practice.price_individual_ore = 145000
        world.practice.price_group_ore = 480000
        world.practice.save()


@pytest.mark.parametrize(
    ("form", "rhythm", "meetings", "price"),
    [
        ("group", "biweekly", 10, 480000),
        ("group", "weekly", 20, 480000),
        ("individual", "monthly", 5, 145000),
        ("individual", "unsure", 10, 145000),
    ],
)
def test_converted_inquiry_gets_the_practice_price_and_a_period_that_fits(
    world, form, rhythm, meetings, price
):
    _priced(world)
    q = inquiry(
        world.practice,
        form=form,
        group_size=6 if form == "group" else None,
        rhythm=rhythm,
        wished_start=None,
    )
    with scopes_disabled():
        engagement = directory.inquiry_convert(
            actor=world.admin, inquiry=q, supervisor=world.supervisor
        )
    today = tc.today()
    ends = {
        "weekly": today + dt.timedelta(weeks=20, days=-1),
        "biweekly": today + dt.timedelta(weeks=20, days=-1),
        "unsure": today + dt.timedelta(weeks=20, days=-1),
    }
    assert (engagement.price_per_meeting_ore, engagement.meetings_ordered) == (price, meetings)
    assert engagement.start_date == today
    if rhythm == "monthly":
        month = today.month - 1 + 5
        year, month = today.year + month // 12, month % 12 + 1
        try:
            five_months = today.replace(year=year, month=month)
        except ValueError:  # the 29th–31st in a shorter month: its last day
            five_months = dt.date(year, month % 12 + 1, 1) - dt.timedelta(days=1)
        assert engagement.end_date == five_months - dt.timedelta(days=1)
    else:
        assert engagement.end_date == ends[rhythm]


def test_converted_inquiry_starts_on_the_wished_day(world):
    _priced(world)
    wished = tc.today() + dt.timedelta(days=40)
    q = inquiry(world.practice, wished_start=wished, rhythm="biweekly")
    with scopes_disabled():
        engagement = directory.inquiry_convert(
            actor=world.admin, inquiry=q, supervisor=world.supervisor
        )
    assert (engagement.start_date, engagement.end_date) == (
        wished,
        wished + dt.timedelta(weeks=20, days=-1),
    )


def test_engagement_title_over_200_characters_is_refused_and_kept(client, world):
    client.force_login(world.supervisor)
    url = reverse("engagement_create", args=[P])
    assert 'maxlength="200"' in client.get(url).content.decode()
    title = "T" * 201
    response = client.post(
        url,
        {
            "client": world.client.pk,
            "supervisor": world.supervisor.pk,
            "title": title,
            "form": "individual",
            "focus": "process",
            "meetings_ordered": 6,
            "start_date": str(tc.today()),
            "end_date": str(tc.today() + dt.timedelta(days=120)),
            "venue": "video",
            "participants_text": "Anna Ek, anna@bjork.se",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "som mest 200 tecken (den har 201)" in body
    assert title in body
    with scopes_disabled():
        assert not Engagement.objects.filter(title=title).exists()


def test_long_titles_wrap_and_keep_their_full_text_where_listed(client, world):
    title = "Arbetslaget" + "x" * 180
    with scopes_disabled():
        world.engagement.title = title
        world.engagement.save()
    client.force_login(world.supervisor)
    for name in ("engagement_list", "dashboard"):
        body = client.get(reverse(name, args=[P])).content.decode()
        assert f'title="{title}"' in body, name
