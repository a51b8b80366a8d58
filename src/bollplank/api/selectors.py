"""Every read of API tokens."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from bollplank.api.models import ApiToken
from bollplank.core.models import Practice


def tokens_of(user: Any, practice: Practice) -> QuerySet[ApiToken]:
    """A person's own tokens in a practice (nobody else's: not even an admin's view)."""
    return ApiToken.objects.filter(practice=practice, user=user)


def token_of(user: Any, practice: Practice, pk: int) -> ApiToken:
    """One of the person's own tokens, or 404."""
    return get_object_or_404(tokens_of(user, practice), pk=pk)
