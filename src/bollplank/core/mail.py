"""Render an e-mail in the recipient's language and hand it to the task worker.

The one function every app calls is ``queue_mail``: it writes the mail to the outbox
(``notifications.OutgoingMail``) in the caller's transaction, so a rolled-back change sends
nothing and a crashed worker loses nothing; the worker sends it, retrying with backoff. Pass
``kind`` (``notifications.enums.MailKind``) so that optional kinds carry an unsubscribe link
and respect a person's preferences, and ``practice`` so that its admin sees failures.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_muted: ContextVar[bool] = ContextVar("bollplank_mail_muted", default=False)


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
    from bollplank.notifications.outbox import queue_mail as queue

    return queue(to=to, template=template, context=context, language=language, **kw)
