"""Login, throttling, two-factor enforcement and invitations."""

from __future__ import annotations

import datetime as dt

import pytest
from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from bollplank.accounts import services
from bollplank.accounts.models import Invitation, Membership, User
from bollplank.core import clock
from bollplank.core.roles import Role
from tests import factories as f
from tests.factories import PASSWORD


def test_login_with_email_and_password(client, world):
    response = client.post(
        reverse("account_login"), {"login": "siv@ekbacken.se", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).url == reverse("dashboard", args=["ekbacken"])


def test_failed_logins_are_throttled_per_account(client, world, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "throttle",
        }
    }
    locked = "För många misslyckade inloggningsförsök"
    bodies = [
        client.post(
            reverse("account_login"), {"login": "siv@ekbacken.se", "password": "fel-lösenord-123"}
        ).content.decode()
        for _ in range(7)
    ]
    # Five wrong guesses are answered as wrong; after that the account is locked for a while,
    # even with the right password.
    assert [locked in b for b in bodies] == [False] * 5 + [True] * 2
    right = client.post(
        reverse("account_login"), {"login": "siv@ekbacken.se", "password": PASSWORD}
    )
    assert right.status_code == 200
    assert locked in right.content.decode()
    assert "_auth_user_id" not in client.session


def test_practice_can_require_two_factor_for_staff(client, world):
    world.practice.require_mfa_for_staff = True
    world.practice.save()
    client.force_login(world.supervisor)
    response = client.get(reverse("dashboard", args=["ekbacken"]))
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")
    # Participants are not staff: not asked.
    client.force_login(world.participant_user)
    assert client.get(reverse("participant_home", args=["ekbacken"])).status_code == 200


def test_staff_with_totp_pass_the_requirement(client, world):
    world.practice.require_mfa_for_staff = True
    world.practice.save()
    Authenticator.objects.create(
        user=world.supervisor, type=Authenticator.Type.TOTP, data={"secret": "x"}
    )
    client.force_login(world.supervisor)
    assert client.get(reverse("dashboard", args=["ekbacken"])).status_code == 200


def test_signup_is_closed(client, db):
    response = client.get("/accounts/signup/")
    assert response.status_code == 200
    assert b'name="password1"' not in response.content


def _invite(world, email="ny@ekbacken.se", role=Role.SUPERVISOR):
    with scope(practice=world.practice):
        return services.invitation_create(
            actor=world.admin, practice=world.practice, email=email, name="Ny Handledare", role=role
        )


def test_invitation_accept_creates_user_and_membership(world):
    invitation, token = _invite(world)
    found = services.invitation_by_token(token)
    assert found == invitation
    user = services.invitation_accept(invitation=found, name="Nora Ny", password=PASSWORD)
    with scopes_disabled():
        roles = list(Membership.objects.filter(user=user).values_list("role", flat=True))
    assert (user.email, user.name, roles) == ("ny@ekbacken.se", "Nora Ny", ["supervisor"])
    assert services.invitation_by_token(token) is None


def test_invitation_refuses_weak_password_and_keeps_invitation(world):
    invitation, token = _invite(world)
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=invitation, name="Nora", password="kort")
    assert not User.objects.filter(email="ny@ekbacken.se").exists()
    assert services.invitation_by_token(token) is not None


def test_expired_invitation_is_unusable(client, world):
    invitation, token = _invite(world)
    with scopes_disabled():
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=clock.now() - dt.timedelta(seconds=1)
        )
    response = client.get(reverse("invitation_accept", args=[token]))
    assert response.status_code == 410
    assert services.invitation_by_token(token) is None


def test_invitation_for_existing_account_asks_to_log_in(client, world):
    _invitation, token = _invite(world, email="siv@ekbacken.se", role=Role.ADMIN)
    response = client.post(
        reverse("invitation_accept", args=[token]),
        {"name": "Siv", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 200
    client.force_login(world.supervisor)
    response = client.post(reverse("invitation_accept", args=[token]))
    assert response.status_code == 302
    with scopes_disabled():
        roles = set(Membership.objects.filter(user=world.supervisor).values_list("role", flat=True))
    assert roles == {"supervisor", "admin"}


def test_admin_invites_supervisor_by_email(client, world, django_capture_on_commit_callbacks):
    from django.core import mail

    client.force_login(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("invite", args=["ekbacken"]),
            {"name": "Kim Ny", "email": "kim@ekbacken.se", "role": "supervisor", "language": "en"},
        )
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["kim@ekbacken.se"]]
    assert mail.outbox[0].subject == "Invitation to Ekbacken handledning in Bollplank"
    assert "/invitation/" in mail.outbox[0].alternatives[0][0]


def test_user_in_two_practices_chooses(client, world):
    f.MembershipFactory(practice=world.other_practice, user=world.supervisor, role=Role.PARTICIPANT)
    client.force_login(world.supervisor)
    body = client.get(reverse("home")).content.decode()
    assert "Ekbacken handledning" in body and "Annan byrå" in body
