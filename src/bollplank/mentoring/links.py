"""Personal links that the app can write again: for e-mails sent later (a check-in reminder, the
link of an imported sign-up), when the random token from the sign-up is long gone (only its
hash is stored).

Such a link is signed with the site's secret and names the sign-up and the first characters of
its token hash: it opens the same page as the sign-up's own link, and stops working when that
link is replaced (a new token hash). It never expires, like the sign-up's own link.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from bollplank.mentoring.models import SignUp

SALT = "bollplank.mentoring.personal-link"
HASH_PREFIX = 16


def personal_token(signup: SignUp) -> str:
    return signing.dumps([signup.pk, signup.token_hash[:HASH_PREFIX]], salt=SALT, compress=True)


def personal_url(signup: SignUp) -> str:
    """The person's own page, as an absolute address for an e-mail."""
    return settings.SITE_URL + reverse("mentoring_me", args=[personal_token(signup)])


def signup_by_signed_token(token: str) -> SignUp | None:
    """The sign-up a signed link names, if the signature holds and its token is unchanged.
    The caller has disabled the practice scope (the link is the permission)."""
    try:
        pk, prefix = signing.loads(token, salt=SALT)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    if not isinstance(pk, int) or not isinstance(prefix, str) or len(prefix) != HASH_PREFIX:
        return None
    found = SignUp.objects.select_related("programme", "practice").filter(pk=pk).first()
    if found is None or found.token_hash[:HASH_PREFIX] != prefix:
        return None
    return found
