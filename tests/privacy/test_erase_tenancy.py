"""The erasure pages are no window on other practices: an admin who adds another practice's
person as a participant sees only what the practice itself keeps, erases only that, and gets
the same answer for an address known elsewhere as for one known nowhere."""

from __future__ import annotations

import re

from django.urls import reverse
from django_scopes import scopes_disabled

from bollplank.accounts.models import Membership, User
from bollplank.core.roles import Role
from bollplank.engagements.models import Participant
from bollplank.records.models import JournalEntry
from tests import factories as f
from tests.api.conftest import ApiClient


def _olle(world):
    """A supervisor of the other practice, with a private journal entry there."""
    with scopes_disabled():
        olle = f.member(world.other_practice, Role.SUPERVISOR, name="Olle Ockultsson")
        olle.email = "olle@annan.se"
        olle.save()
        entry = JournalEntry(practice=world.other_practice, author=olle)
        entry.body = "Annan byrås text"
        entry.save()
    return olle


def _token(world):
    from bollplank.api.services import token_create

    with scopes_disabled():
        return token_create(user=world.admin, practice=world.practice, name="s", scope="write")[1]


def test_erasing_another_practice_s_person_shows_and_touches_only_this_practice(client, world):
    olle = _olle(world)
    api = ApiClient(_token(world))
    added = api.post(
        f"/engagements/{world.engagement.pk}/participants",
        {"name": "Olle i gruppen", "email": "olle@annan.se"},
    )
    assert added.status_code == 201

    client.force_login(world.admin)
    found = client.get(reverse("privacy_erase_find", args=["ekbacken"]), {"email": olle.email})
    assert found.status_code == 302
    url = found["Location"]
    assert str(olle.pk) not in url
    body = client.get(url).content.decode()
    for secret in ("Ockultsson", "Annan byrå", "också hos en annan", "Ingen inloggning"):
        assert secret not in body
    assert not re.search(rf"\b{olle.pk}\b", body.split("<main", 1)[-1].replace(url, ""))
    # Counted here only: the participant row, nothing of the other practice's journal.
    row = body.split("Deltagare och gruppmedlemskap", 1)[1].split("</tr>", 1)[0]
    assert '<td data-label="Poster">1</td>' in row

    response = client.post(url, {"email": "olle@annan.se"}, follow=True)
    assert "olle@annan.se är raderad ur verksamheten." in response.content.decode()
    with scopes_disabled():
        here = Participant.objects.get(pk=added.json()["participant_id"])
        assert (here.name, here.user_id) == ("Borttagen deltagare", None)
        olle = User.objects.get(pk=olle.pk)
        assert (olle.name, olle.email, olle.is_active) == (
            "Olle Ockultsson",
            "olle@annan.se",
            True,
        )
        assert Membership.objects.filter(user=olle, practice=world.other_practice).exists()
        assert JournalEntry.objects.filter(author=olle).count() == 1


def test_an_address_known_elsewhere_answers_as_one_known_nowhere(client, world):
    _olle(world)
    client.force_login(world.admin)
    find = reverse("privacy_erase_find", args=["ekbacken"])
    erase = reverse("privacy_erase_address", args=["ekbacken"])

    def answers(email):
        found = client.get(find, {"email": email})
        page = client.get(erase, {"email": email})
        posted = client.post(erase + f"?email={email}", {"email": email})

        def same(body):
            body = body.replace(email, "ADDRESS").replace(email.replace("@", "%40"), "ADDRESS")
            return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "CSRF", body)

        return [(r.status_code, same(r.content.decode())) for r in (found, page, posted)]

    elsewhere = answers("olle@annan.se")
    assert elsewhere == answers("ingen@nowhere.se")
    assert elsewhere[0][0] == 200 and "Ingen person med den adressen" in elsewhere[0][1]
    assert [status for status, _body in elsewhere[1:]] == [404, 404]


def test_an_address_also_kept_elsewhere_gets_the_page_of_one_kept_here_only(client, world):
    from bollplank.directory.models import Inquiry
    from tests.privacy.test_erase_page import _inquiry

    _inquiry(world.other_practice, "cilla@kommun.se")
    _inquiry(world.practice, "cilla@kommun.se")
    _inquiry(world.practice, "dora@kommun.se")
    client.force_login(world.admin)
    erase = reverse("privacy_erase_address", args=["ekbacken"])

    def page(email):
        body = client.get(erase, {"email": email}).content.decode()
        body = body.replace(email, "ADDRESS").replace(email.replace("@", "%40"), "ADDRESS")
        return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "CSRF", body)

    assert page("cilla@kommun.se") == page("dora@kommun.se")
    row = page("cilla@kommun.se").split('<th scope="row">Förfrågningar</th>', 1)[1]
    assert (
        row.split("</tr>", 1)[0].count('<td data-label="Poster">1</td>') == 1
    )  # this practice's one only
    client.post(erase + "?email=cilla@kommun.se", {"email": "cilla@kommun.se"})
    with scopes_disabled():
        assert sorted(Inquiry.objects.values_list("practice_id", "email")) == [
            (world.practice.pk, "dora@kommun.se"),
            (world.other_practice.pk, "cilla@kommun.se"),
        ]


def test_an_address_with_a_nul_byte_is_refused_not_looked_up(client, world):
    from bollplank.privacy.services import practice_subject

    client.force_login(world.admin)
    erase = reverse("privacy_erase_address", args=["ekbacken"])
    assert client.get(erase, {"email": "pia\u0000@solbacka.se"}).status_code == 400
    assert practice_subject(world.practice, "pia\u0000@solbacka.se") is None


def test_a_supervisor_only_this_practice_knows_is_erased_whole(world):
    from bollplank.privacy.services import practice_erase, practice_subject

    with scopes_disabled():
        subject = practice_subject(world.practice, "Siv@Ekbacken.se")
    assert subject is not None and subject.pk == world.supervisor.pk
    practice_erase(actor=world.admin, practice=world.practice, subject=subject)
    erased = User.objects.get(pk=world.supervisor.pk)
    assert (erased.is_active, erased.email) == (False, f"erased-{erased.pk}@invalid.invalid")
