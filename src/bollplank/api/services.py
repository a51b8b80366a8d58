"""Every write of API tokens."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from bollplank.accounts.identity import required_providers
from bollplank.accounts.models import hash_token
from bollplank.api.enums import TokenScope
from bollplank.api.models import ApiToken
from bollplank.core import clock
from bollplank.core.audit import audit
from bollplank.core.models import Practice
from bollplank.core.tenancy import roles_in, second_factor_missing

TOKEN_PREFIX = "bp_"  # noqa: S105 (a marker that tells our tokens apart, not a secret)
# The last use is written at most this often: a script may call the API many times a second.
LAST_USE_RESOLUTION = dt.timedelta(minutes=1)


@transaction.atomic
def token_create(
    *, user: Any, practice: Practice, name: str, scope: str = TokenScope.READ
) -> tuple[ApiToken, str]:
    """A new token for the person in this practice. Returns the secret once: only its hash
    is stored."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Give the token a name.")})
    if scope not in TokenScope.values:
        raise ValidationError({"scope": _("Unknown access.")})
    # A token is no second factor: it is made only by a person who has the one the practice
    # requires of them (the page asks first; this holds for any other caller too).
    if second_factor_missing(user, [(practice, roles_in(user, practice))]):
        raise ValidationError(
            _("Your practice requires two-factor login. Set it up before creating a token.")
        )
    # Someone who must log in through their organisation cannot hold a password-like key
    # beside it: their tokens were stopped when the requirement was set.
    if required_providers(user):
        raise ValidationError(
            _(
                "Your organisation requires you to log in through its own log-in, "
                "so you cannot create an API token."
            )
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        practice=practice,
        user=user,
        name=name,
        scope=scope,
        token_hash=hash_token(secret),
        prefix=secret[:8],
    )
    token.full_clean()
    token.save()
    audit(user, "api.token.created", token, {"scope": scope})
    return token, secret


@transaction.atomic
def token_revoke(*, user: Any, token: ApiToken) -> ApiToken:
    """Stop a token for good. A revoked token is kept (and shown) so that its use can be traced."""
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])
        audit(user, "api.token.revoked", token)
    return token


def token_authenticate(secret: str) -> ApiToken | None:
    """The live token for this secret (its person active), or None. Records the last use."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    with scopes_disabled():
        token = (
            ApiToken.objects.select_related("practice", "user")
            .filter(token_hash=hash_token(secret), revoked_at__isnull=True)
            .first()
        )
    if token is None or not token.user.is_active:
        return None
    now = clock.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USE_RESOLUTION:
        with scopes_disabled():
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
