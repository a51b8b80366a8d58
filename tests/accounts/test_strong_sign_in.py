"""A two-factor sign-in through an organisation's provider (BankID, eIDAS substantial or high,
or an ``amr`` naming a multi-factor method) counts as the practice's required two-factor login
for that login session; a weaker sign-in still needs the practice's own. Against the real
OpenID Connect provider on 127.0.0.1 (tests/accounts/oidc_provider.py)."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scopes_disabled

from bollplank.accounts.assurance import DEFAULT_STRONG_ACR, is_strong
from bollplank.api.services import token_create
from bollplank.core.roles import Role
from bollplank.core.tenancy import STRONG_SIGN_IN
from tests import factories as f
from tests.accounts.oidc_provider import add_provider, sign_in
from tests.factories import PASSWORD

LOA2 = "http://id.elegnamnden.se/loa/1.0/loa2"
LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"
SETUP = reverse("mfa_activate_totp")
ENTER_CODE = reverse("mfa_authenticate")
STRONG = list(DEFAULT_STRONG_ACR)


@pytest.mark.parametrize(
    ("claims", "strong"),
    [
        ({"acr": LOA3, "amr": ["bankid"]}, True),
        ({"acr": "http://id.elegnamnden.se/loa/1.0/loa4"}, True),
        ({"acr": "http://eidas.europa.eu/LoA/substantial"}, True),
        ({"acr": "http://id.elegnamnden.se/loa/1.0/eidas-high"}, True),
        ({"amr": ["pwd", "mfa"]}, True),
        ({"amr": ["otp"]}, True),
        ({"amr": ["hwk"]}, True),
        ({"amr": ["sc"]}, True),
        ({"amr": ["pop"]}, True),
        ({"amr": ["swk", "pin"]}, True),
        ({"amr": ["swk+pin"]}, True),
        ({"amr": "mfa"}, True),  # a single value, not a list
        ({"acr": LOA2, "amr": ["pwd"]}, False),
        ({"amr": ["swk"]}, False),
        ({"amr": ["pwd"]}, False),
        ({"acr": "http://eidas.europa.eu/LoA/low"}, False),
        ({}, False),
    ],
)
def test_strong_sign_in_is_two_factor_by_amr_or_a_strong_level(claims, strong):
    assert is_strong(claims, strong_acr=STRONG) is strong


def test_provider_settings_say_which_levels_are_strong():
    assert is_strong({"acr": LOA3}, strong_acr=["urn:kommun:hog"]) is False
    assert is_strong({"acr": "urn:kommun:hog"}, strong_acr=["urn:kommun:hog"]) is True


def _require_for_participants(world: Any) -> None:
    world.practice.require_mfa_for_participants = True
    world.practice.save()


def _pia_at(oidc: Any) -> None:
    oidc.add_person("pia-1", email="pia@solbacka.se", email_verified=True)


def test_bankid_sign_in_is_not_asked_for_the_practices_two_factor(client, world, oidc):
    _require_for_participants(world)
    provider = add_provider(world, oidc)
    _pia_at(oidc)  # the test provider reports loa3 with amr bankid
    sign_in(client, provider, "pia-1")
    assert client.session["_auth_user_id"] == str(world.participant_user.pk)
    assert client.session[STRONG_SIGN_IN] == [world.practice.pk]
    page = client.get(reverse("participant_home", args=["ekbacken"]))
    assert page.status_code == 200
    assert page.context["request"].user == world.participant_user
    # Her personal pages too (the data export asks the same rule).
    assert client.get(reverse("my_data")).status_code == 200


def test_weak_sign_in_still_needs_the_practices_two_factor(client, world, oidc):
    _require_for_participants(world)
    provider = add_provider(world, oidc)
    _pia_at(oidc)
    oidc.acr, oidc.amr = LOA2, ["pwd"]
    sign_in(client, provider, "pia-1")
    assert client.session["_auth_user_id"] == str(world.participant_user.pk)
    assert STRONG_SIGN_IN not in client.session
    page = client.get(reverse("participant_home", args=["ekbacken"]))
    assert (page.status_code, page["Location"]) == (302, SETUP)


def test_a_level_the_provider_does_not_count_as_strong_is_weak(client, world, oidc):
    _require_for_participants(world)
    provider = add_provider(world, oidc, strong_acr=["http://id.elegnamnden.se/loa/1.0/loa4"])
    _pia_at(oidc)
    sign_in(client, provider, "pia-1")
    page = client.get(reverse("participant_home", args=["ekbacken"]))
    assert (page.status_code, page["Location"]) == (302, SETUP)


def _give_second_factor(user: Any) -> None:
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})


def test_bankid_sign_in_is_not_asked_for_the_code_of_a_set_up_second_factor(client, world, oidc):
    _give_second_factor(world.participant_user)
    provider = add_provider(world, oidc)
    _pia_at(oidc)
    back = sign_in(client, provider, "pia-1")
    assert back["Location"] != ENTER_CODE
    assert client.session["_auth_user_id"] == str(world.participant_user.pk)


def test_weak_sign_in_is_asked_for_the_code_of_a_set_up_second_factor(client, world, oidc):
    _give_second_factor(world.participant_user)
    provider = add_provider(world, oidc)
    _pia_at(oidc)
    oidc.acr, oidc.amr = LOA2, ["pwd"]
    back = sign_in(client, provider, "pia-1")
    assert back["Location"] == ENTER_CODE
    assert "_auth_user_id" not in client.session


def test_a_password_login_afterwards_does_not_inherit_the_strong_sign_in(
    client, world, oidc, settings
):
    # A login over a logged-in session keeps its data (Django cycles the key): allauth's login
    # page lets it happen when it does not send the logged-in person on.
    settings.ACCOUNT_AUTHENTICATED_LOGIN_REDIRECTS = False
    _require_for_participants(world)
    provider = add_provider(world, oidc)
    _pia_at(oidc)
    sign_in(client, provider, "pia-1")
    assert client.session[STRONG_SIGN_IN] == [world.practice.pk]
    client.post(reverse("account_login"), {"login": "pia@solbacka.se", "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(world.participant_user.pk)
    assert STRONG_SIGN_IN not in client.session
    page = client.get(reverse("participant_home", args=["ekbacken"]))
    assert (page.status_code, page["Location"]) == (302, SETUP)


def test_strong_sign_in_makes_no_api_token_without_a_second_factor(client, world, oidc):
    # A token outlives the login session: it still needs the second factor set up.
    _require_for_participants(world)
    provider = add_provider(world, oidc)
    _pia_at(oidc)
    sign_in(client, provider, "pia-1")
    with scopes_disabled(), pytest.raises(ValidationError):
        token_create(user=world.participant_user, practice=world.practice, name="Min token")


def _also_in_another_practice_that_requires_it(world: Any) -> None:
    world.other_practice.require_mfa_for_participants = True
    world.other_practice.save()
    with scopes_disabled():
        f.MembershipFactory(
            practice=world.other_practice, user=world.participant_user, role=Role.PARTICIPANT
        )


def test_someone_also_in_another_practice_is_not_signed_in_by_the_provider(client, world, oidc):
    # Solbacka's provider is Ekbacken's client's: the other practice did not choose to trust
    # it, and a sign-in opens every practice's pages. Such a person logs in with a password
    # (and each practice's two-factor login) instead.
    _require_for_participants(world)
    _also_in_another_practice_that_requires_it(world)
    provider = add_provider(world, oidc)
    _pia_at(oidc)
    sign_in(client, provider, "pia-1")
    assert "_auth_user_id" not in client.session
    elsewhere = client.get(reverse("participant_home", args=["annan"]))
    assert elsewhere["Location"].startswith("/accounts/login/")


def test_no_code_step_is_skipped_for_someone_also_in_another_practice(client, world, oidc):
    _give_second_factor(world.participant_user)
    _also_in_another_practice_that_requires_it(world)
    provider = add_provider(world, oidc)
    _pia_at(oidc)
    back = sign_in(client, provider, "pia-1")
    assert back.get("Location") != ENTER_CODE
    assert "Vi hittar inget konto" in back.content.decode()
    assert "_auth_user_id" not in client.session
