"""Inquiries: the public form and its spam protection, the inbox, replies by e-mail, turning an
inquiry into a client and an engagement, and deletion after the retention time."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django_scopes import scopes_disabled

from bollplank.clients.models import Client, ClientContact
from bollplank.core import clock
from bollplank.directory import services
from bollplank.directory.enums import INQUIRIES_PER_HOUR_PER_ADDRESS
from bollplank.directory.models import Inquiry, InquiryReply
from bollplank.directory.spam import form_token, source_key
from bollplank.directory.tasks import prune_inquiries
from bollplank.engagements.models import Engagement, GroupMembership
from tests.directory.helpers import inquiry, public_world, publish

pytestmark = pytest.mark.django_db

URL = "/om/ekbacken/forfragan/"


def _post(**extra):
    data = {
        "organization": "Solbacka skola",
        "sector": "school",
        "form": "group",
        "group_size": "6",
        "focus": "process",
        "place": "client",
        "city": "Stockholm",
        "language": "sv",
        "wished_start": "",
        "rhythm": "biweekly",
        "message": "Vi är ett arbetslag på mellanstadiet.",
        "name": "Rut Rektor",
        "email": "Rut@Solbacka.se",
        "phone": "08-123 45",
        "consent": "on",
        "website": "",
        # Shown ten seconds ago: a person's pace.
        "shown": form_token(clock.timestamp() - 10),
    }
    data.update(extra)
    return data


def _count() -> int:
    with scopes_disabled():
        return Inquiry.objects.count()


def test_inquiry_is_stored_and_the_admin_is_told(client, world, django_capture_on_commit_callbacks):
    publish(world.practice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, _post())
    assert response.status_code == 302
    assert response["Location"] == "/om/ekbacken/forfragan/skickad/"
    with scopes_disabled():
        stored = Inquiry.objects.get()
    assert (stored.organization, stored.email, stored.group_size, stored.status) == (
        "Solbacka skola",
        "rut@solbacka.se",
        6,
        "new",
    )
    assert stored.source == source_key("127.0.0.1") and "127.0.0.1" not in stored.source
    assert [m.to for m in mail.outbox] == [["admin@ekbacken.se"]]
    assert mail.outbox[0].subject == "Ny förfrågan till Ekbacken handledning"
    assert f"/p/ekbacken/inquiries/{stored.pk}/" in mail.outbox[0].body
    # The e-mail tells that there is an inquiry, not what it says.
    assert "mellanstadiet" not in mail.outbox[0].body


def test_inquiry_form_has_no_empty_radio_chosen_beforehand(client, world):
    """The three groups of radio buttons showed a "---------" choice, checked, at the top."""
    publish(world.practice)
    html = client.get(URL).content.decode()
    assert "---------" not in html
    for name in ("form", "focus", "place"):
        radios = re.findall(rf'<input type="radio" name="{name}"[^>]*>', html)
        assert len(radios) >= 2, name
        assert [r for r in radios if "checked" in r or 'value=""' in r] == [], name
    # Left empty, each group says so in Swedish, and nothing typed is lost.
    response = client.post(URL, _post(form="", focus="", place=""))
    assert response.status_code == 400
    form = response.context["form"]
    assert {name: form.errors[name] for name in ("form", "focus", "place")} == {
        name: ["Detta fält måste fyllas i."] for name in ("form", "focus", "place")
    }
    assert 'value="Solbacka skola"' in response.content.decode()
    assert _count() == 0


def test_inquiry_to_unpublished_practice_is_not_found(client, world):
    assert client.post(URL, _post()).status_code == 404
    assert _count() == 0


def test_bot_filling_every_field_in_half_a_second_is_refused(client, world):
    publish(world.practice)
    response = client.post(
        URL, _post(shown=form_token(clock.timestamp() - 0.5), website="http://x")
    )
    assert response.status_code == 400
    assert "snabbare än en människa" in response.content.decode()
    assert _count() == 0


def test_filled_honeypot_alone_is_refused(client, world):
    publish(world.practice)
    response = client.post(URL, _post(website="spam.example"))
    assert response.status_code == 400
    assert _count() == 0


@pytest.mark.parametrize("shown", ["", "123", "MTIz:forged:token", None])
def test_missing_or_forged_timestamp_is_refused_and_nothing_is_lost(client, world, shown):
    publish(world.practice)
    data = _post(shown=shown)
    if shown is None:
        del data["shown"]
    response = client.post(URL, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert 'value="Solbacka skola"' in html and "mellanstadiet" in html
    assert _count() == 0


def test_stale_form_is_refused(client, world):
    publish(world.practice)
    response = client.post(URL, _post(shown=form_token(clock.timestamp() - 3 * 24 * 3600)))
    assert response.status_code == 400
    assert _count() == 0


def test_group_without_size_and_missing_consent_get_clear_messages(client, world):
    publish(world.practice)
    response = client.post(URL, _post(group_size="", consent=""))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Hur många är ni i gruppen?" in html
    assert "Vi kan bara spara din förfrågan med ditt samtycke." in html
    assert 'value="Rut@Solbacka.se"' in html
    assert _count() == 0


def test_many_inquiries_from_one_address_are_refused_through_the_form(client, world):
    publish(world.practice)
    codes = [client.post(URL, _post(email=f"p{i}@x.se")).status_code for i in range(12)]
    assert codes == [302] * INQUIRIES_PER_HOUR_PER_ADDRESS + [429] * (
        12 - INQUIRIES_PER_HOUR_PER_ADDRESS
    )
    assert _count() == INQUIRIES_PER_HOUR_PER_ADDRESS
    # Another address is not affected.
    other = client.post(URL, _post(), REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302


# Four hundred times the hourly limit: the limit holds however long a script keeps at it.
FLOOD = 2_000


def test_a_flood_of_inquiries_from_one_address_does_not_get_through(world):
    publish(world.practice)
    fields = {
        "sector": "school",
        "form": "individual",
        "focus": "case",
        "place": "video",
        "language": "sv",
        "rhythm": "monthly",
        "name": "Bot",
        "email": "bot@x.se",
    }
    stored = refused = 0
    for _ in range(FLOOD):
        try:
            services.inquiry_submit(practice=world.practice, source="flood", **fields)
            stored += 1
        except services.RateLimited:
            refused += 1
    assert (stored, refused) == (INQUIRIES_PER_HOUR_PER_ADDRESS, FLOOD - stored)
    assert _count() == INQUIRIES_PER_HOUR_PER_ADDRESS


SCRIPT = "<script>alert(1)</script>"


def test_script_in_every_field_is_escaped(client, world, django_capture_on_commit_callbacks):
    publish(world.practice)
    text = dict.fromkeys(("organization", "city", "message", "name", "phone"), SCRIPT)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(URL, _post(**text)).status_code == 302
    with scopes_disabled():
        stored = Inquiry.objects.get()
    client.force_login(world.admin)
    for url in (
        reverse("inquiry_list", args=["ekbacken"]),
        reverse("inquiry_detail", args=["ekbacken", stored.pk]),
    ):
        html = client.get(url).content.decode()
        assert SCRIPT not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # Hostile text in the other fields (choices, e-mail, date) is refused, not stored.
    bad = _post(sector=SCRIPT, form=SCRIPT, email=SCRIPT, wished_start=SCRIPT, rhythm=SCRIPT)
    response = client.post(URL, bad, REMOTE_ADDR="10.0.0.2")
    assert response.status_code == 400
    assert SCRIPT not in response.content.decode()


def test_inbox_lists_and_filters_by_status(client, world):
    inquiry(world.practice, organization="Solbacka skola")
    inquiry(world.practice, organization="Vårdcentralen Syd", status="offer")
    inquiry(world.other_practice, organization="Annans skola")
    client.force_login(world.supervisor)
    html = client.get(reverse("inquiry_list", args=["ekbacken"])).content.decode()
    assert "Solbacka skola" in html and "Vårdcentralen Syd" in html
    assert "Annans skola" not in html
    html = client.get(reverse("inquiry_list", args=["ekbacken"]), {"status": "offer"}).content
    assert "Vårdcentralen Syd" in html.decode() and "Solbacka skola" not in html.decode()


def test_status_change(client, world):
    q = inquiry(world.practice)
    client.force_login(world.admin)
    url = reverse("inquiry_detail", args=["ekbacken", q.pk])
    assert client.post(url, {"action": "status", "status": "offer"}).status_code == 302
    assert client.post(url, {"action": "status", "status": "bogus"}).status_code == 400
    with scopes_disabled():
        q.refresh_from_db()
    assert q.status == "offer"


def test_reply_goes_by_e_mail_and_is_kept(client, world, django_capture_on_commit_callbacks):
    q = inquiry(world.practice)
    client.force_login(world.admin)
    url = reverse("inquiry_detail", args=["ekbacken", q.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "reply", "body": "Hej! Vi kan börja i mars."})
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["rut@solbacka.se"]]
    assert "Vi kan börja i mars." in mail.outbox[0].body
    assert mail.outbox[0].subject == "Svar på din förfrågan till Ekbacken handledning"
    with scopes_disabled():
        q.refresh_from_db()
        assert [r.body for r in InquiryReply.objects.filter(inquiry=q)] == [
            "Hej! Vi kan börja i mars."
        ]
    assert q.status == "dialogue"
    empty = client.post(url, {"action": "reply", "body": "  "})
    assert empty.status_code == 400


def test_convert_group_inquiry_into_client_and_engagement(client, world):
    q = inquiry(world.practice, wished_start=clock.today() + dt.timedelta(days=30))
    client.force_login(world.admin)
    url = reverse("inquiry_convert", args=["ekbacken", q.pk])
    response = client.post(url, {"supervisor": world.other_supervisor.pk})
    with scopes_disabled():
        q.refresh_from_db()
        engagement = Engagement.objects.get(pk=q.engagement_id)
        contact = ClientContact.objects.get(client=q.client)
        assert response["Location"] == f"/p/ekbacken/engagements/{engagement.pk}/"
        assert (q.status, q.client.name, q.client.sector) == ("won", "Solbacka skola", "school")
        assert (contact.name, contact.email, contact.phone) == (
            "Rut Rektor",
            "rut@solbacka.se",
            "08-123 45",
        )
        assert (
            engagement.supervisor,
            engagement.form,
            engagement.focus,
            engagement.meeting_minutes,
            engagement.venue,
            engagement.venue_address,
            engagement.start_date,
            engagement.meetings_ordered,
            engagement.expectations,
        ) == (
            world.other_supervisor,
            "group",
            "process",
            120,
            "client",
            "Stockholm",
            q.wished_start,
            10,
            "Vi är ett arbetslag som vill ha handledning.",
        )
        # The group's members are named later.
        assert GroupMembership.objects.filter(engagement=engagement).count() == 0
    # Twice is refused; nothing doubles.
    again = client.post(url, {"supervisor": world.supervisor.pk})
    assert again.status_code == 400
    assert "redan blivit ett uppdrag" in again.content.decode()
    with scopes_disabled():
        assert Client.objects.filter(name="Solbacka skola").count() == 2  # the world's + new one


def test_convert_individual_inquiry_makes_the_inquirer_the_participant(world):
    q = inquiry(world.practice, form="individual", group_size=None, focus="unsure", place="video")
    with scopes_disabled():
        engagement = services.inquiry_convert(
            actor=world.admin, inquiry=q, supervisor=world.supervisor
        )
        members = list(
            GroupMembership.objects.filter(engagement=engagement).values_list(
                "participant__email", flat=True
            )
        )
    assert members == ["rut@solbacka.se"]
    assert (engagement.form, engagement.focus, engagement.venue, engagement.meeting_minutes) == (
        "individual",
        "mixed",
        "video",
        60,
    )


def test_convert_refuses_a_supervisor_of_another_practice(client, world):
    q = inquiry(world.practice)
    client.force_login(world.admin)
    url = reverse("inquiry_convert", args=["ekbacken", q.pk])
    assert client.post(url, {"supervisor": world.foreign_supervisor.pk}).status_code == 400
    with scopes_disabled():
        q.refresh_from_db()
    assert q.engagement_id is None


def _age(q: Inquiry, days: int) -> None:
    with scopes_disabled():
        Inquiry.objects.filter(pk=q.pk).update(updated_at=clock.now() - dt.timedelta(days=days))


def test_prune_deletes_inquiries_not_won_after_the_retention_time(world):
    publish(world.practice, retention_days=30)
    old_lost = inquiry(world.practice, status="lost")
    old_new = inquiry(world.practice)
    fresh = inquiry(world.practice, status="dialogue")
    old_won = inquiry(world.practice, status="won")
    other = inquiry(world.other_practice)  # no page: the default 90 days
    for q, days in ((old_lost, 31), (old_new, 45), (fresh, 29), (old_won, 400), (other, 60)):
        _age(q, days)
    with scopes_disabled():
        InquiryReply.objects.create(practice=world.practice, inquiry=old_new, body="Hej")
    assert services.inquiries_prune() == 2
    with scopes_disabled():
        left = set(Inquiry.objects.values_list("pk", flat=True))
        assert InquiryReply.objects.count() == 0
    assert left == {fresh.pk, old_won.pk, other.pk}


def test_prune_command_and_task(world, capsys):
    q = inquiry(world.practice)
    _age(q, 91)
    call_command("prune_inquiries")
    assert "Deleted 1 inquiries" in capsys.readouterr().out
    q2 = inquiry(world.practice)
    _age(q2, 91)
    result = prune_inquiries.enqueue()
    assert result.return_value == 1
    assert _count() == 0


def test_retention_time_is_bounded(client, world):
    client.force_login(world.admin)
    url = reverse("directory_settings", args=["ekbacken"])
    response = client.post(url, {"retention_days": "3", "intro": "Om oss"})
    assert response.status_code == 400
    assert 'value="3"' in response.content.decode()
    assert client.post(url, {"retention_days": "60", "published": "on"}).status_code == 302
    with scopes_disabled():
        from bollplank.directory.models import PracticePage

        assert PracticePage.objects.get(practice=world.practice).retention_days == 60


def test_public_world_helper_gives_two_supervisors(world):
    rows = public_world(world)
    assert rows["a"].user == world.supervisor


def test_inquiry_submit_refuses_group_without_size(world):
    with pytest.raises(ValidationError):
        services.inquiry_submit(
            practice=world.practice,
            source="x",
            sector="school",
            form="group",
            focus="case",
            place="video",
            rhythm="weekly",
            name="A",
            email="a@x.se",
        )


def test_personal_data_export_and_erase(world):
    from bollplank.core.personal_data_registry import category
    from tests.directory.helpers import profile

    profile(world.practice, world.supervisor)
    inquiry(world.practice, email="siv@ekbacken.se", name="Siv Handledare")
    inquiry(world.practice)  # someone else's
    profiles, inquiries = category("directory.profiles"), category("directory.inquiries")
    with scopes_disabled():
        assert [p["profession"] for p in profiles.export(world.supervisor, False)] == ["Psykolog"]
        assert [q["name"] for q in inquiries.export(world.supervisor, False)] == ["Siv Handledare"]
        assert inquiries.erase(world.supervisor) == 1
        assert profiles.erase(world.supervisor) == 1
        assert Inquiry.objects.count() == 1
