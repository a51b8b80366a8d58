"""Spam protection of the public inquiry form, without third-party services.

Three checks: a honeypot field people never see, a signed timestamp that shows how long the
form was open (a bot that fills every field in half a second is refused), and a rate limit per
sender address counted in the database (so it holds across worker processes).
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.core import signing

from bollplank.core import clock
from bollplank.directory.enums import MAX_FORM_AGE_SECONDS, MIN_SECONDS_TO_SUBMIT

_SALT = "bollplank.directory.inquiry-form"


def form_token(now: float | None = None) -> str:
    """A signed timestamp of when the form was shown."""
    return signing.dumps(int(now if now is not None else clock.timestamp()), salt=_SALT)


def form_token_age(token: str, now: float | None = None) -> float | None:
    """Seconds since the form was shown, or None when the token is missing or forged."""
    try:
        shown = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(shown, int):
        return None
    return (now if now is not None else clock.timestamp()) - shown


def too_fast_or_stale(token: str, now: float | None = None) -> bool:
    age = form_token_age(token, now)
    return age is None or age < MIN_SECONDS_TO_SUBMIT or age > MAX_FORM_AGE_SECONDS


def source_key(address: str) -> str:
    """A keyed hash of the sender's address: enough to count, useless to anyone who reads it."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"inquiry-source:{address}".encode(), hashlib.sha256).hexdigest()
