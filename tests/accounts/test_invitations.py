"""Invitations with a lifecycle: password problems are form errors, each person's status on the
engagement and client pages, resend, invite everyone, the practice's expiry, and accepting
only with the invited address."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from bollplank.accounts import services
from bollplank.accounts.models import Invitation, Membership, User
from bollplank.core import clock
from bollplank.core.roles import Role
from bollplank.engagements.models import GroupMembership
from bollplank.notifications.models import OutgoingMail
from tests import factories as f
from tests.factories import PASSWORD

P = "ekbacken"


def _invite_participant(world, email="ny@solbacka.se", name="Nils Ny"):
    with scope(practice=world.practice):
        person = f.ParticipantFactory(practice=world.practice, email=email, name=name)
        membership = f.GroupMembershipFactory(engagement=world.engagement, participant=person)
        invitation, token = services.invitation_create(
            actor=world.supervisor,
            practice=world.practice,
            email=email,
            name=name,
            role=Role.PARTICIPANT,
            participant=person,
        )
    return membership, invitation, token


def _mails():
    with scopes_disabled():
        return list(OutgoingMail.objects.order_by("pk"))


def _statuses(client, world):
    response = client.get(reverse("engagement_detail", args=[P, world.engagement.pk]))
    return {m.participant.name: m.invitation.status for m in response.context["active_members"]}


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("kort1", "Det här lösenordet är för kort"),
        ("password1234", "Detta lösenord är alldeles för vanligt"),
        ("123456789012345", "Detta lösenord är enbart numeriskt"),
    ],
    ids=["short", "common", "all_digits"],
)
def test_invitation_bad_password_is_a_swedish_form_error(client, world, password, message):
    # Before: HTTP 500, AttributeError: 'ValidationError' object has no attribute 'code'.
    _membership, _invitation, token = _invite_participant(world)
    response = client.post(
        reverse("invitation_accept", args=[token]),
        {"name": "Nils Nygren", "password1": password, "password2": password},
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["password1"])
    body = response.content.decode()
    assert message in body and 'value="Nils Nygren"' in body  # nothing typed is lost
    assert not User.objects.filter(email="ny@solbacka.se").exists()
    assert services.invitation_by_token(token) is not None


def test_invitation_passwords_that_differ_are_a_form_error(client, world):
    _membership, _invitation, token = _invite_participant(world)
    response = client.post(
        reverse("invitation_accept", args=[token]),
        {"name": "Nils", "password1": PASSWORD, "password2": PASSWORD + "x"},
    )
    assert response.context["form"].errors["password2"] == ["Lösenorden stämmer inte överens."]
    assert not User.objects.filter(email="ny@solbacka.se").exists()


def test_invitation_status_goes_not_invited_invited_expired_accepted(client, world, traveller):
    with scope(practice=world.practice):
        person = f.ParticipantFactory(practice=world.practice, email="ny@solbacka.se", name="Ny")
        membership = f.GroupMembershipFactory(engagement=world.engagement, participant=person)
    client.force_login(world.supervisor)
    assert _statuses(client, world)["Ny"] == "not_invited"
    body = client.get(reverse("engagement_detail", args=[P, world.engagement.pk])).content.decode()
    assert "Inte inbjuden" in body and "Bjud in att logga in" in body

    invite_url = reverse("participant_invite", args=[P, world.engagement.pk, membership.pk])
    client.post(invite_url)
    assert _statuses(client, world)["Ny"] == "invited"
    body = client.get(reverse("engagement_detail", args=[P, world.engagement.pk])).content.decode()
    assert "Inbjuden" in body and "Skicka inbjudan igen" in body

    traveller.shift(dt.timedelta(days=15))
    client.force_login(world.supervisor)
    assert _statuses(client, world)["Ny"] == "expired"

    client.post(invite_url)  # sent again after it expired
    assert _statuses(client, world)["Ny"] == "invited"
    token = re.search(r"/invitation/([^/]+)/", _mails()[-1].text).group(1)
    client.logout()
    client.post(
        reverse("invitation_accept", args=[token]),
        {"name": "Ny Nygren", "password1": PASSWORD, "password2": PASSWORD},
    )
    client.force_login(world.supervisor)
    assert _statuses(client, world)["Ny"] == "accepted"
    body = client.get(reverse("engagement_detail", args=[P, world.engagement.pk])).content.decode()
    assert "Accepterad" in body


def test_resend_replaces_the_old_link(client, world):
    membership, _first, old_token = _invite_participant(world)
    client.force_login(world.supervisor)
    client.post(reverse("participant_invite", args=[P, world.engagement.pk, membership.pk]))
    with scopes_disabled():
        rows = list(
            Invitation.objects.filter(email="ny@solbacka.se").values_list("expires_at", flat=True)
        )
    assert len(rows) == 2
    assert sorted(r > clock.now() for r in rows) == [False, True]
    client.logout()
    response = client.get(reverse("invitation_accept", args=[old_token]))
    assert response.status_code == 410


def test_invite_everyone_not_yet_invited(client, world):
    """The world's group: Pia logs in, one participant without login; add one invited and two
    new ones: only the never-invited three get a mail."""
    _invite_participant(world)
    with scope(practice=world.practice):
        for i in range(2):
            person = f.ParticipantFactory(practice=world.practice, email=f"n{i}@solbacka.se")
            f.GroupMembershipFactory(engagement=world.engagement, participant=person)
    before = len(_mails())
    client.force_login(world.supervisor)
    body = client.get(reverse("engagement_detail", args=[P, world.engagement.pk])).content.decode()
    assert "Bjud in de 3 deltagare som inte är inbjudna" in body
    response = client.post(reverse("participants_invite_all", args=[P, world.engagement.pk]))
    assert response.status_code == 302
    with scopes_disabled():
        never = set(
            GroupMembership.objects.filter(
                engagement=world.engagement, participant__user__isnull=True
            ).values_list("participant__email", flat=True)
        ) - {"ny@solbacka.se"}
    assert sorted(m.to for m in _mails()[before:]) == sorted(never)
    assert set(_statuses(client, world).values()) == {"accepted", "invited"}
    before = len(_mails())
    client.post(reverse("participants_invite_all", args=[P, world.engagement.pk]))
    assert len(_mails()) == before


def test_practice_sets_the_expiry(client, world):
    client.force_login(world.admin)
    data = {
        "name": world.practice.name,
        "late_cancellation_hours": 48,
        "travel_buffer_minutes": 30,
        "session_idle_minutes": 30,
        "session_max_hours": 12,
        "invitation_days": 3,
    }
    assert client.post(reverse("practice_settings", args=[P]), data).status_code == 302
    world.practice.refresh_from_db()
    _membership, invitation, _token = _invite_participant(world)
    lifetime = invitation.expires_at - invitation.created_at
    assert abs(lifetime - dt.timedelta(days=3)) < dt.timedelta(seconds=5)
    assert "3 dagar" in _mails()[-1].text
    data["invitation_days"] = 0
    response = client.post(reverse("practice_settings", args=[P]), data)
    assert "invitation_days" in response.context["form"].errors


def test_logged_in_account_cannot_accept_someone_elses_invitation(client, world):
    _membership, _invitation, token = _invite_participant(world)
    client.force_login(world.other_supervisor)
    response = client.get(reverse("invitation_accept", args=[token]))
    body = response.content.decode()
    assert "Den här inbjudan gäller ny@solbacka.se, men du är inloggad som olle@ekbacken.se" in body
    response = client.post(reverse("invitation_accept", args=[token]))
    assert response.status_code == 403
    with scopes_disabled():
        roles = set(
            Membership.objects.filter(user=world.other_supervisor).values_list("role", flat=True)
        )
    assert roles == {"supervisor"}
    assert services.invitation_by_token(token) is not None


def test_service_refuses_an_account_with_another_address(world):
    _membership, invitation, _token = _invite_participant(world)
    with pytest.raises(Exception, match="ny@solbacka.se"):
        services.invitation_accept(
            invitation=invitation, name="x", password=None, user=world.other_supervisor
        )


def test_expired_link_says_so_and_whom_to_ask(client, world, traveller):
    _membership, _invitation, token = _invite_participant(world)
    traveller.shift(dt.timedelta(days=15))
    response = client.get(reverse("invitation_accept", args=[token]))
    body = response.content.decode()
    assert response.status_code == 410
    assert "Inbjudan har gått ut" in body
    assert "Be Siv Handledare (siv@ekbacken.se) att skicka en ny" in body


def test_client_contact_status_and_resend(client, world):
    with scope(practice=world.practice):
        contact = f.ClientContactFactory(client=world.client, name="Kim Kontakt")
    client.force_login(world.supervisor)
    url = reverse("client_detail", args=[P, world.client.pk])
    states = {c.name: c.invitation.status for c in client.get(url).context["contacts"]}
    assert states == {"Rektor Rut": "accepted", "Kim Kontakt": "not_invited"}
    invite = reverse("contact_invite", args=[P, world.client.pk, contact.pk])
    client.post(invite)
    client.post(invite)
    states = {c.name: c.invitation.status for c in client.get(url).context["contacts"]}
    assert states["Kim Kontakt"] == "invited"
    with scopes_disabled():
        usable = [i.is_usable for i in Invitation.objects.filter(client_contact=contact)]
    assert sorted(usable) == [False, True]
