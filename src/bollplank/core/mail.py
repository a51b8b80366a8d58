"""Render an e-mail in the recipient's language and hand it to the task worker.

The one function every app calls is ``queue_mail``: it writes the mail to the outbox
(``notifications.OutgoingMail``) in the caller's transaction, so a rolled-back change sends
nothing and a crashed worker loses nothing; the worker sends it, retrying with backoff. Pass
``kind`` (``notifications.enums.MailKind``) so that optional kinds carry an unsubscribe link
and respect a person's preferences, and ``practice`` so that its admin sees failures.
"""

from __future__ import annotations

from typing import Any


def queue_mail(
    *, to: str, template: str, context: dict[str, Any], language: str = "sv", **kw: Any
) -> Any:
    """See ``bollplank.notifications.outbox.queue_mail`` for the keyword arguments. Never put
    confidential text in ``context``."""
    from bollplank.notifications.outbox import queue_mail as queue

    return queue(to=to, template=template, context=context, language=language, **kw)
