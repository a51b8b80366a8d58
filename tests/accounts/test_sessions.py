"""Sessions and login (ASVS V2, V3): time limits, server-side logout, the person's own sessions,
password rules, two-factor login per role, throttling under a scripted brute force, notices."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests import timecontrol
from tests.factories import PASSWORD

LOGIN = {"login": "siv@ekbacken.se", "password": PASSWORD}


@pytest.fixture
def fresh_cache(settings):
    from django.core.cache import cache

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "s"}
    }
    cache.clear()


@pytest.fixture
def clock(traveller):
    """The run's instant with the clock standing still, moved only by the test: the session
    limits and allauth's rate limits both read it, and a limit is tested to the second."""
    traveller.move_to(timecontrol.instant(), tick=False)
    return traveller


def _dashboard(client):
    return client.get(reverse("dashboard", args=["ekbacken"]))


def test_session_ends_after_30_minutes_idle(client, world, clock, fresh_cache):
    assert client.post(reverse("account_login"), LOGIN).status_code == 302
    clock.shift(29 * 60)
    assert _dashboard(client).status_code == 200
    clock.shift(29 * 60)  # active 29 minutes ago: still in
    assert _dashboard(client).status_code == 200
    clock.shift(30 * 60 + 1)
    response = _dashboard(client)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session


def test_session_ends_after_12_hours_however_active(client, world, clock, fresh_cache):
    client.post(reverse("account_login"), LOGIN)
    for _ in range(12 * 4):  # every quarter of an hour for 12 hours
        clock.shift(15 * 60)
        assert _dashboard(client).status_code == 200
    clock.shift(1)
    assert _dashboard(client).status_code == 302


def test_practice_can_shorten_the_limits(client, world, clock, fresh_cache):
    world.practice.session_idle_minutes = 10
    world.practice.session_max_hours = 1
    world.practice.save()
    client.post(reverse("account_login"), LOGIN)
    clock.shift(11 * 60)
    assert _dashboard(client).status_code == 302
    client.post(reverse("account_login"), LOGIN)
    for _ in range(6):
        clock.shift(9 * 60)
        assert _dashboard(client).status_code == 200
    clock.shift(7 * 60)  # 63 minutes after logging in
    assert _dashboard(client).status_code == 302


def test_practice_cannot_lengthen_the_limits(client, world):
    world.practice.session_idle_minutes = 60
    world.practice.session_max_hours = 24
    with pytest.raises(ValidationError) as exc:
        world.practice.full_clean()
    assert set(exc.value.message_dict) == {"session_idle_minutes", "session_max_hours"}


def test_settings_page_sets_limits_and_mfa_per_role(client, world):
    client.force_login(world.admin)
    data = {
        "name": world.practice.name,
        "late_cancellation_hours": 48,
        "travel_buffer_minutes": 30,
        "require_mfa_for_contacts": "on",
        "session_idle_minutes": 15,
        "session_max_hours": 8,
    }
    response = client.post(reverse("practice_settings", args=["ekbacken"]), data)
    assert response.status_code == 302
    world.practice.refresh_from_db()
    assert (
        world.practice.session_idle_minutes,
        world.practice.session_max_hours,
        world.practice.require_mfa_for_staff,
        world.practice.require_mfa_for_contacts,
        world.practice.require_mfa_for_participants,
    ) == (15, 8, False, True, False)
    bad = client.post(
        reverse("practice_settings", args=["ekbacken"]), {**data, "session_idle_minutes": 90}
    )
    assert bad.status_code == 200
    assert "30" in bad.content.decode()
    world.practice.refresh_from_db()
    assert world.practice.session_idle_minutes == 15


def test_logout_invalidates_the_session_on_the_server(client, world, fresh_cache):
    client.post(reverse("account_login"), LOGIN)
    cookie = client.cookies["sessionid"].value
    assert Session.objects.filter(session_key=cookie).exists()
    client.post(reverse("account_logout"))
    assert not Session.objects.filter(session_key=cookie).exists()
    # The stolen cookie replayed: nobody is logged in with it.
    client.cookies["sessionid"] = cookie
    assert _dashboard(client).status_code == 302


def test_person_sees_their_sessions_and_ends_one(client, world, fresh_cache, django_user_model):
    from django.test import Client

    laptop, phone = client, Client(HTTP_USER_AGENT="Telefon/1.0")
    laptop.post(reverse("account_login"), LOGIN)
    phone.post(reverse("account_login"), LOGIN)
    assert UserSession.objects.filter(user=world.supervisor).count() == 2
    page = laptop.get(reverse("usersessions_list"))
    assert page.status_code == 200
    assert "Telefon/1.0" in page.content.decode()
    # "Log out the other sessions": the phone is out, the laptop stays in.
    laptop.post(reverse("usersessions_list"), {})
    assert _dashboard(phone).status_code == 302
    assert _dashboard(laptop).status_code == 200
    assert UserSession.objects.filter(user=world.supervisor).count() == 1


def test_passwords_need_12_characters_and_not_a_common_one(world):
    with pytest.raises(ValidationError):
        validate_password("kort-ord-1")  # 10 characters
    with pytest.raises(ValidationError):
        validate_password("password1234")  # on the common-passwords list
    validate_password("tre blå hästar i regn")


def test_no_forced_password_rotation(settings):
    # ASVS V2.1.10: no periodic rotation; nothing in the settings expires passwords.
    names = {v["NAME"].rsplit(".", 1)[-1] for v in settings.AUTH_PASSWORD_VALIDATORS}
    assert names == {
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    }
    assert not any("EXPIR" in name or "ROTAT" in name for name in dir(settings))


@pytest.mark.parametrize(
    ("field", "role_user", "home"),
    [
        ("require_mfa_for_contacts", "contact_user", "client_home"),
        ("require_mfa_for_participants", "participant_user", "participant_home"),
    ],
)
def test_two_factor_required_per_role(client, world, field, role_user, home):
    setattr(world.practice, field, True)
    world.practice.save()
    person = getattr(world, role_user)
    client.force_login(person)
    response = client.get(reverse(home, args=["ekbacken"]))
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")
    # Staff are not covered by this role's requirement.
    client.force_login(world.supervisor)
    assert _dashboard(client).status_code == 200
    Authenticator.objects.create(user=person, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(person)
    assert client.get(reverse(home, args=["ekbacken"])).status_code == 200


def _attempts_accepted(
    client, clock, logins: list[str], every: float, addresses: int = 1, hours: float = 1
) -> int:
    """Post a wrong password every `every` seconds for `hours`, cycling through `logins` and
    `addresses` client addresses; count the attempts the server checked (answered "wrong")
    rather than refused."""
    locked = "För många misslyckade inloggningsförsök"
    accepted = 0
    for i in range(int(hours * 3600 / every)):
        response = client.post(
            reverse("account_login"),
            {"login": logins[i % len(logins)], "password": f"gissning-{i:06d}"},
            REMOTE_ADDR=f"10.0.{i % addresses // 250}.{i % addresses % 250 + 1}",
        )
        # Refused: the form says "too many attempts", or the whole page answers 429.
        if response.status_code == 200 and locked not in response.content.decode():
            accepted += 1
        clock.shift(every)
    return accepted


def test_brute_force_on_one_account_from_one_address(client, world, clock, fresh_cache):
    # One guess every 10 seconds for an hour (360 tries). Refused tries still count against
    # the address, so the address is spent after 60 tries: 5 + 5 get checked.
    accepted = _attempts_accepted(client, clock, ["siv@ekbacken.se"], every=10)
    print(f"brute force, one account, one address: {accepted} tries checked in an hour")
    assert accepted == 10


def test_brute_force_on_one_account_from_many_addresses(client, world, clock, fresh_cache):
    # A botnet: every try from a new address. The per-account limit holds: 5 per 5 minutes.
    accepted = _attempts_accepted(client, clock, ["siv@ekbacken.se"], every=10, addresses=360)
    print(f"brute force, one account, 360 addresses: {accepted} tries checked in an hour")
    assert accepted == 60


def test_brute_force_from_one_address_on_many_accounts(client, world, clock, fresh_cache):
    # Spread over 40 accounts to dodge the per-account limit: the per-address limit holds.
    logins = [f"person{i}@ekbacken.se" for i in range(40)]
    accepted = _attempts_accepted(client, clock, logins, every=10)
    print(f"brute force, 40 accounts, one address: {accepted} tries checked in an hour")
    assert accepted == 60


def test_varying_the_host_header_gets_no_fresh_login_counter(client, world, clock, fresh_cache):
    # The attack: every guess names another Host (same name, another port, which
    # ALLOWED_HOSTS lets through) and comes from another address, so that neither a counter
    # keyed on the site nor one keyed on the address ever fills up.
    locked = "För många misslyckade inloggningsförsök"
    checked = 0
    for i in range(200):
        response = client.post(
            reverse("account_login"),
            {"login": "Siv@Ekbacken.se " if i % 2 else "siv@ekbacken.se", "password": f"fel-{i}"},
            HTTP_HOST=f"localhost:{10000 + i}",
            REMOTE_ADDR=f"10.1.{i // 250}.{i % 250 + 1}",
        )
        if response.status_code == 200 and locked not in response.content.decode():
            checked += 1
    assert checked == 5
    # The right password, from yet another Host and address, is refused too.
    response = client.post(
        reverse("account_login"), LOGIN, HTTP_HOST="127.0.0.1:65000", REMOTE_ADDR="10.9.9.9"
    )
    assert response.status_code == 200
    assert locked in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Five minutes later the account may try again, and the right password works.
    clock.shift(5 * 60 + 1)
    response = client.post(reverse("account_login"), LOGIN, HTTP_HOST="localhost:1234")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.supervisor.pk)


def test_password_change_sends_a_notice(
    client, world, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(world.supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_change_password"),
            {
                "oldpassword": PASSWORD,
                "password1": "ett nytt långt lösen",
                "password2": "ett nytt långt lösen",
            },
        )
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[world.supervisor.email]]
    assert "lösenord" in mail.outbox[0].subject.lower()
