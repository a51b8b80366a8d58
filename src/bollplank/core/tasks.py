"""Background work run by the task worker (``manage.py db_worker``)."""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django_tasks import task


@task()
def send_email(
    *, to: list[str], subject: str, text: str, html: str = "", reply_to: list[str] | None = None
) -> int:
    """Send one e-mail through Django's configured mail backend."""
    message = EmailMultiAlternatives(subject=subject, body=text, to=to, reply_to=reply_to)
    if html:
        message.attach_alternative(html, "text/html")
    return message.send()
