"""Issue 10, gap 3: a practice's admin erases a person of the practice from the browser — a
dry-run preview per kind of record, confirmation by typing the address, POST only, audited —
and reaches only what the practice itself keeps (tests/privacy/test_erase_tenancy.py)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.http import urlencode
from django_scopes import scopes_disabled

from bollplank.accounts.models import User
from bollplank.core import clock
from bollplank.core.audit_verify import verify_chain
from bollplank.core.models import AuditEvent
from bollplank.core.roles import Role
from bollplank.records.models import JournalEntry
from tests import factories as f


def _url(world, user, email=None):
    return (
        reverse("privacy_erase_address", args=["ekbacken"])
        + "?"
        + urlencode({"email": email or user.email})
    )


def _journal(world):
    with scopes_disabled():
        entry = JournalEntry(practice=world.practice, author=world.participant_user)
        entry.body = "Min reflektion"
        entry.save()


def test_find_by_address_then_preview_without_changing_anything(client, world):
    _journal(world)
    client.force_login(world.admin)
    find = reverse("privacy_erase_find", args=["ekbacken"])
    response = client.get(find, {"email": "PIA@solbacka.se"})
    assert response.status_code == 302
    assert response["Location"] == _url(world, world.participant_user, "PIA@solbacka.se")
    # Someone of another practice is not found from here.
    body = client.get(find, {"email": world.foreign_supervisor.email}).content.decode()
    assert "Ingen person med den adressen i praktiken." in body

    body = client.get(_url(world, world.participant_user)).content.decode()
    assert "Radera pia@solbacka.se" in body and "Pia Deltagare" not in body
    # The journal's row says what happens, but not how many entries: that is the person's own.
    row = body.split("Deltagarnas reflektionsdagböcker", 1)[1].split("</tr>", 1)[0]
    assert "inte räknat (det skyddade rummet)" in row and ">1<" not in row
    assert "Kvar utan namn eller adress" in body  # what stays, said per kind
    with scopes_disabled():
        assert JournalEntry.objects.filter(author=world.participant_user).count() == 1


def test_wrong_address_erases_nothing_right_address_erases_and_is_audited(client, world):
    _journal(world)
    client.force_login(world.admin)
    url = _url(world, world.participant_user)
    response = client.post(url, {"email": "otto@solbacka.se"})
    assert response.status_code == 200
    assert "Det är inte personens adress. Ingenting raderades." in response.content.decode()
    assert User.objects.get(pk=world.participant_user.pk).is_active

    response = client.post(url, {"email": " Pia@Solbacka.se "}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("privacy_erase_find", args=["ekbacken"])
    assert "pia@solbacka.se är raderad ur verksamheten." in response.content.decode()
    erased = User.objects.get(pk=world.participant_user.pk)
    assert (erased.is_active, erased.email) == (False, f"erased-{erased.pk}@invalid.invalid")
    with scopes_disabled():
        assert not JournalEntry.objects.filter(author=erased).exists()
    event = AuditEvent.objects.filter(action="privacy.practice.erased").get()
    assert (event.actor_id, event.practice_id) == (world.admin.pk, world.practice.pk)
    # Nothing left in any practice: the account went too, outside the practice's log.
    whole = AuditEvent.objects.filter(action="privacy.person.erased").get()
    assert whole.practice_id is None
    # The log (read by admins) leaves out how many journal entries there were.
    assert "records.journal" not in event.data["rows"]
    assert event.data["rows"]["accounts.account"] >= 1
    assert verify_chain().ok
    # Erased: no longer a person of the practice.
    assert client.get(url).status_code == 404


def test_get_never_erases_and_other_methods_are_refused(client, world):
    client.force_login(world.admin)
    url = _url(world, world.participant_user)
    assert client.get(url, {"email": "pia@solbacka.se"}).status_code == 200
    assert client.put(url).status_code == 405
    assert User.objects.get(pk=world.participant_user.pk).is_active


def test_a_person_of_another_practice_is_not_found(client, world):
    client.force_login(world.admin)
    url = _url(world, world.foreign_supervisor)
    assert client.get(url).status_code == 404
    assert client.post(url, {"email": world.foreign_supervisor.email}).status_code == 404
    assert User.objects.get(pk=world.foreign_supervisor.pk).is_active


def test_a_person_who_also_belongs_to_another_practice_is_erased_from_this_one_only(client, world):
    _journal(world)
    with scopes_disabled():
        f.MembershipFactory(
            practice=world.other_practice, user=world.participant_user, role=Role.PARTICIPANT
        )
        entry = JournalEntry(practice=world.other_practice, author=world.participant_user)
        entry.body = "Hos den andra"
        entry.save()
    client.force_login(world.admin)
    url = _url(world, world.participant_user)
    body = client.get(url).content.decode()
    assert "också hos en annan" not in body
    client.post(url, {"email": "pia@solbacka.se"})
    person = User.objects.get(pk=world.participant_user.pk)
    assert (person.is_active, person.email) == (True, "pia@solbacka.se")
    with scopes_disabled():
        kept = JournalEntry.objects.filter(author=person)
        assert list(kept.values_list("practice_id", flat=True)) == [world.other_practice.pk]
        roles = person.memberships.values_list("practice_id", flat=True)
        assert list(roles) == [world.other_practice.pk]
    # Gone from this practice: its pages no longer open for the person.
    client.force_login(person)
    assert client.get(reverse("dashboard", args=["ekbacken"])).status_code == 404


def test_the_admin_cannot_erase_themselves_here(client, world):
    client.force_login(world.admin)
    response = client.post(_url(world, world.admin), {"email": world.admin.email})
    assert response.status_code == 409
    assert "Du kan inte radera dig själv här" in response.content.decode()
    assert User.objects.get(pk=world.admin.pk).is_active


def _inquiry(practice, email):

    from bollplank.directory.models import Inquiry

    with scopes_disabled():
        return Inquiry.objects.create(
            practice=practice,
            sector="school",
            form="group",
            focus="process",
            place="video",
            rhythm="monthly",
            name="Anna Frågar",
            email=email,
            message="Vi behöver handledning",
            consented_at=clock.now(),
            source="x" * 64,
        )


def test_someone_without_a_login_is_erased_by_address(client, world):
    from bollplank.directory.models import Inquiry

    _inquiry(world.practice, "anna@kommun.se")
    client.force_login(world.admin)
    find = reverse("privacy_erase_find", args=["ekbacken"])
    response = client.get(find, {"email": "Anna@Kommun.se"})
    assert response.status_code == 302
    url = response["Location"]
    assert url.startswith(reverse("privacy_erase_address", args=["ekbacken"]))
    body = client.get(url).content.decode()
    assert "Radera Anna@Kommun.se" in body
    row = body.split('<th scope="row">Förfrågningar</th>', 1)[1].split("</tr>", 1)[0]
    assert '<td data-label="Poster">1</td>' in row
    assert client.post(url, {"email": "fel@kommun.se"}).status_code == 200
    with scopes_disabled():
        assert Inquiry.objects.count() == 1
    response = client.post(url, {"email": "anna@kommun.se"}, follow=True)
    assert "Anna@Kommun.se är raderad ur verksamheten." in response.content.decode()
    with scopes_disabled():
        assert Inquiry.objects.count() == 0
    event = AuditEvent.objects.get(action="privacy.practice.erased")
    assert (event.actor_id, event.practice_id) == (world.admin.pk, world.practice.pk)
    assert "kommun" not in str(event.data)  # the log holds counts, never the address
    assert event.data["rows"]["directory.inquiries"] == 1
    # Nothing is left about the address: the page is no longer found.
    assert client.get(url).status_code == 404


def test_an_address_is_not_reached_across_practices(client, world):
    from bollplank.directory.models import Inquiry

    _inquiry(world.other_practice, "bo@kommun.se")
    _inquiry(world.other_practice, "cilla@kommun.se")
    _inquiry(world.practice, "cilla@kommun.se")
    client.force_login(world.admin)
    base = reverse("privacy_erase_address", args=["ekbacken"])
    # Only another practice's: not found. A login's address: the same page as any address.
    assert client.get(base, {"email": "bo@kommun.se"}).status_code == 404
    assert client.get(base, {"email": "pia@solbacka.se"}).status_code == 200
    # Kept by both practices: only this practice's row is counted and erased.
    url = base + "?email=cilla@kommun.se"
    client.post(url, {"email": "cilla@kommun.se"})
    with scopes_disabled():
        assert list(
            Inquiry.objects.filter(email="cilla@kommun.se").values_list("practice_id", flat=True)
        ) == [world.other_practice.pk]


def test_the_operator_erases_an_address_kept_by_two_practices(world):
    """What the page refuses (an address another practice keeps rows about) the operator does,
    in every practice at once."""
    import io

    from django.core.management import call_command

    from bollplank.directory.models import Inquiry

    _inquiry(world.other_practice, "cilla@kommun.se")
    _inquiry(world.practice, "cilla@kommun.se")
    out = io.StringIO()
    call_command("erase_person", "cilla@kommun.se", "--dry-run", stdout=out)
    assert "would touch" in out.getvalue() and "directory.inquiries 2" in out.getvalue()
    with scopes_disabled():
        assert Inquiry.objects.count() == 2
    call_command("erase_person", "cilla@kommun.se", stdout=io.StringIO())
    with scopes_disabled():
        assert Inquiry.objects.count() == 0
    event = AuditEvent.objects.get(action="privacy.address.erased")
    assert (event.actor_id, event.practice_id) == (None, None)


def test_a_participant_without_a_login_is_erased_by_address(client, world):
    """Invited and answering by e-mail link only: the participant row and the named answers
    are found by the address, and erased like a person's."""

    from bollplank.engagements.models import Participant
    from bollplank.evaluations.models import Answer, Questionnaire, Response, Round

    with scopes_disabled():
        lisa = f.ParticipantFactory(
            practice=world.practice, name="Lisa Länk", email="lisa@kommun.se"
        )
        f.GroupMembershipFactory(engagement=world.engagement, participant=lisa)
        now = clock.now()
        rnd = Round.objects.create(
            practice=world.practice,
            engagement=world.engagement,
            questionnaire=Questionnaire.shipped.get(key="engagement-evaluation"),
            phase="midpoint",
            anonymous=False,
            send_on=now,
            closes_at=now + dt.timedelta(days=7),
            created_by=world.supervisor,
        )
        response = Response.objects.create(
            practice=world.practice, round=rnd, participant=lisa, submitted_on=now.date()
        )
        question = rnd.questionnaire.questions.filter(scale="text").first()
        Answer.objects.create(response=response, question=question, text="Lisas ord")
    client.force_login(world.admin)
    found = client.get(
        reverse("privacy_erase_find", args=["ekbacken"]), {"email": "lisa@kommun.se"}
    )
    url = found["Location"]
    body = client.get(url).content.decode()
    row = body.split('<th scope="row">Utvärderingssvar</th>', 1)[1].split("</tr>", 1)[0]
    assert '<td data-label="Poster">1</td>' in row
    client.post(url, {"email": "lisa@kommun.se"})
    with scopes_disabled():
        lisa = Participant.objects.get(pk=lisa.pk)
        response.refresh_from_db()
        assert lisa.email.endswith("@invalid.invalid") and lisa.name == "Borttagen deltagare"
        assert response.participant_id is None
        assert not Answer.objects.filter(text="Lisas ord").exists()


def test_the_admin_menu_leads_to_erasure_and_no_one_else_s_does(client, world):
    url = reverse("privacy_erase_find", args=["ekbacken"])
    client.force_login(world.admin)
    # Under Settings, with the other privacy pages (the short primary menu leads there).
    assert url in client.get(reverse("practice_settings", args=["ekbacken"])).content.decode()
    client.force_login(world.supervisor)
    assert url not in client.get(reverse("dashboard", args=["ekbacken"])).content.decode()
