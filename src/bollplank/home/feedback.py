"""Feedback on the site's accessibility (the statement DOS-lagen requires offers a way to report
problems): mailed through the outbox to whoever runs the installation, nothing stored."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

from bollplank.notifications.outbox import queue_mail

# A person with a real problem writes once or twice; more from one address within the hour
# is a flood, and each one lands in a person's inbox.
FEEDBACK_PER_HOUR_PER_ADDRESS = 5


class RateLimited(Exception):
    """Too much feedback from one address lately."""


def feedback_enabled() -> bool:
    return bool(settings.OPERATOR_EMAIL)


def accessibility_feedback_send(*, message: str, email: str, page: str, source: str) -> None:
    """Queue the feedback to the operator, the sender's address as Reply-To. ``source`` is a
    keyed hash of the sender's network address (never the address itself), for the rate limit.
    Raises RateLimited when the address has sent too much within the hour."""
    key = f"accessibility-feedback:{source}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        count = 1
    if count > FEEDBACK_PER_HOUR_PER_ADDRESS:
        raise RateLimited
    queue_mail(
        to=settings.OPERATOR_EMAIL,
        template="home/email/accessibility_feedback",
        context={"message": message, "email": email, "page": page},
        language=settings.LANGUAGE_CODE,
        reply_to=email,
    )
