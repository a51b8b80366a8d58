"""Permissions-Policy (core/headers.py): every answer refuses the browser features Bollplank
does not use, and keeps the two it does (full screen, security-key login) for itself."""

from __future__ import annotations

from django.urls import reverse

from bollplank.core.headers import HEADER_VALUE, PERMISSIONS_POLICY


def _policy(response) -> dict[str, str]:
    return dict(part.strip().split("=", 1) for part in response["Permissions-Policy"].split(","))


def test_every_kind_of_answer_carries_the_policy(client, world):
    answers = {
        "login page": client.get(reverse("account_login")),
        "redirect to log in": client.get(reverse("dashboard", args=["ekbacken"])),
        "not found": client.get("/no/such/page/"),
        "api": client.get("/api/v1/clients/"),
        "too large": client.generic("POST", reverse("account_login"), b"x" * (3 * 1024 * 1024)),
    }
    client.force_login(world.supervisor)
    answers["practice page"] = client.get(reverse("dashboard", args=["ekbacken"]))
    answers["runner"] = client.get(reverse("runner", args=["ekbacken", world.meeting.pk]))
    statuses = {name: r.status_code for name, r in answers.items()}
    assert statuses["too large"] == 413 and statuses["practice page"] == 200
    assert {name: r["Permissions-Policy"] for name, r in answers.items()} == dict.fromkeys(
        answers, HEADER_VALUE
    )


def test_policy_refuses_devices_and_sensors_and_keeps_full_screen(client, db):
    policy = _policy(client.get(reverse("account_login")))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "serial", "hid"):
        assert policy[feature] == "()", feature
    # The conversation runner's full-screen mode, and security keys for two-factor login.
    assert policy["fullscreen"] == "(self)"
    assert policy["publickey-credentials-get"] == "(self)"
    assert set(PERMISSIONS_POLICY.values()) == {"()", "(self)"}
