"""Request size limits (core/limits.py): a body larger than its page accepts is refused with
413 before it is read, and docs/deploy.md and docs/security.md give the figures enforced."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from bollplank.billing.forms import BGMAX_MAX_BYTES
from bollplank.booking.outside import MAX_BYTES as CALENDAR_MAX_BYTES
from bollplank.core.limits import BodyLimitMiddleware, body_max_bytes
from bollplank.directory.enums import PHOTO_MAX_BYTES
from bollplank.mentoring.signup_import import MAX_BYTES as SIGNUP_CSV_MAX_BYTES

ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024
BOUNDARY = "----bollplank-test"


def _multipart_file(size: int) -> bytes:
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="login"\r\n\r\nx@y.se\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"'
        "\r\nContent-Type: application/octet-stream\r\n\r\n"
    ).encode()
    return head + b"\0" * size + f"\r\n--{BOUNDARY}--\r\n".encode()


def test_sixty_megabytes_posted_to_the_login_page_are_refused(client, db):
    response = client.generic(
        "POST",
        reverse("account_login"),
        _multipart_file(60 * MB),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )
    assert response.status_code == 413
    body = response.content.decode()
    assert "Det du skickade är för stort" in body and "högst 2 MB" in body


class _Unread:
    """A request body that fails the test if anything reads it."""

    def read(self, *args: Any) -> bytes:
        raise AssertionError("the body was read")

    readline = read


def test_large_body_is_refused_before_a_byte_is_read(rf: RequestFactory):
    request = rf.post(reverse("account_login"), content_type="multipart/form-data; boundary=x")
    request.META["CONTENT_LENGTH"] = str(60 * MB)
    request.META["wsgi.input"] = _Unread()

    def view(_request: Any) -> Any:
        raise AssertionError("the page was reached")

    assert BodyLimitMiddleware(view)(request).status_code == 413


def test_form_body_over_two_megabytes_is_refused_on_any_page(client, world):
    client.force_login(world.supervisor)
    url = reverse("client_edit", args=["ekbacken", world.client.pk])
    text = "x" * (2 * MB)  # with the field's name, just over the limit
    response = client.post(url, {"name": world.client.name, "mission": text})
    assert response.status_code == 413
    world.client.refresh_from_db()
    assert world.client.mission == ""


def test_api_body_over_the_limit_gets_json(world):
    from django.test import Client

    response = Client().generic(
        "POST", "/api/v1/clients/", b"{" + b" " * (2 * MB) + b"}", "application/json"
    )
    assert response.status_code == 413
    assert "högst 2 MB" in response.json()["detail"]


def test_photo_far_over_its_limit_is_refused_at_the_door(client, world):
    # The upload page allows the photo's limit and 1 MB more: a photo just over 2 MB reaches
    # the form, which explains (tests/directory/test_public.py); a far larger one is refused
    # at the door.
    client.force_login(world.supervisor)
    url = reverse("profile_edit", args=["ekbacken"])
    big = client.generic(
        "POST",
        url,
        _multipart_file(PHOTO_MAX_BYTES + MB + 1),
        f"multipart/form-data; boundary={BOUNDARY}",
    )
    assert big.status_code == 413
    assert "högst 3 MB" in big.content.decode()


def test_each_upload_page_allows_its_file_and_others_two_megabytes(rf: RequestFactory):
    def limit(path: str) -> int:
        return body_max_bytes(rf.post(path))

    assert limit(reverse("account_login")) == 2 * MB
    assert limit("/api/v1/clients/") == 2 * MB
    assert limit("/no/such/page/") == 2 * MB
    assert limit(reverse("profile_edit", args=["x"])) == PHOTO_MAX_BYTES + MB == 3 * MB
    assert limit(reverse("mentoring_signups_import", args=["x", 1])) == SIGNUP_CSV_MAX_BYTES + MB
    assert limit(reverse("booking_calendars", args=["x"])) == CALENDAR_MAX_BYTES + MB
    assert limit(reverse("bgmax_import", args=["x"])) == BGMAX_MAX_BYTES + MB
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == settings.BODY_MAX_BYTES == 2 * MB
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE == 2 * MB


def _views(patterns: list[Any]) -> list[Any]:
    found = []
    for p in patterns:
        if isinstance(p, URLResolver):
            found += _views(p.url_patterns)
        elif isinstance(p, URLPattern):
            found.append(p.callback)
    return found


def test_the_docs_give_the_limits_the_code_enforces():
    uploads = {
        v.__name__: v.body_max_bytes
        for v in _views(get_resolver().url_patterns)
        if hasattr(v, "body_max_bytes")
    }
    assert set(uploads) == {
        "profile_edit",
        "programme_signups_import",
        "calendars",
        "bgmax_import",
    }
    largest = max(uploads.values()) + MB
    deploy = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    nginx = re.findall(r"client_max_body_size (\d+)m;", deploy)
    assert nginx == [str(largest // MB)]
    security = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    for mb in (2, *(size // MB + 1 for size in uploads.values())):
        assert f"{mb} MB" in security
