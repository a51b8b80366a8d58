"""Render an e-mail in the recipient's language and hand it to the task worker.

The one function every app calls is ``queue_mail``: it writes the mail to the outbox
(``notifications.OutgoingMail``) in the caller's transaction, so a rolled-back change sends
nothing and a crashed worker loses nothing; the worker sends it, retrying with backoff. Pass
``kind`` (``notifications.enums.MailKind``) so that optional kinds carry an unsubscribe link
and respect a person's preferences, and ``practice`` so that its admin sees failures.

The outbox itself is the notifications app's (``notifications/outbox.py``), which installs it
here when Django starts (``notifications/apps.py``). The call goes that way round so that every
app, also those below notifications (accounts sends invitations), sends mail through the ground
floor without importing a floor above its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.core.exceptions import ImproperlyConfigured

_muted: ContextVar[bool] = ContextVar("bollplank_mail_muted", default=False)


# notifications.outbox.queue_mail: keyword arguments only, returns the outbox row or None.
Outbox = Callable[..., Any]
_outbox: Outbox | None = None


# A higher app's contribution to a practice's mail branding (billing: the logo's address).
Branding = Callable[[Any], dict[str, str]]
_brandings: list[Branding] = []


def branding_register(branding: Branding) -> None:
    """Add what an app knows of a practice's look in mail (its ready())."""
    if branding not in _brandings:
        _brandings.append(branding)


def branding_of(practice: Any) -> dict[str, str]:
    """Everything the registered apps say about ``practice``'s mail branding."""
    found: dict[str, str] = {}
    for branding in _brandings:
        found.update(branding(practice))
    return found


def outbox_install(outbox: Outbox) -> None:
    """Make ``outbox`` the one that ``queue_mail`` writes to (notifications' ready())."""
    global _outbox
    _outbox = outbox


@contextmanager
def mail_muted() -> Iterator[None]:
    """Queue no mail inside this block (loading demo or bench data through the services)."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def is_muted() -> bool:
    return _muted.get()


def queue_mail(
    *, to: str, template: str, context: dict[str, Any], language: str = "sv", **kw: Any
) -> Any:
    """See ``bollplank.notifications.outbox.queue_mail`` for the keyword arguments. Never put
    confidential text in ``context``."""
    if _outbox is None:
        raise ImproperlyConfigured("No outbox: bollplank.notifications is not installed.")
    return _outbox(to=to, template=template, context=context, language=language, **kw)
