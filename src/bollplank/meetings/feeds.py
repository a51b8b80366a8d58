"""The calendar feeds' writes: a person's private feed link, made and stopped."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction

from bollplank.accounts.models import hash_token
from bollplank.core import clock
from bollplank.core.audit import audit
from bollplank.core.models import Practice
from bollplank.meetings.models import CalendarFeed


@transaction.atomic
def feed_create(*, user: Any, practice: Practice) -> tuple[CalendarFeed, str]:
    """A new private feed link; earlier links of the person stop working. Returns the token
    once: only its hash is stored."""
    feed_revoke_all(user=user, practice=practice)
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(practice=practice, user=user, token_hash=hash_token(token))
    audit(user, "meetings.feed.created", feed)
    return feed, token


@transaction.atomic
def feed_revoke_all(*, user: Any, practice: Practice) -> int:
    """Stop every feed link of the person in this practice."""
    count = CalendarFeed.objects.filter(
        practice=practice, user=user, revoked_at__isnull=True
    ).update(revoked_at=clock.now())
    if count:
        audit(user, "meetings.feed.revoked", None, {"count": count}, practice=practice)
    return count
