"""Queue, deliver and retry e-mail through the outbox table and the task worker.

Exactly once or retried, never lost: the row is written in the same transaction as the change
it tells about; a worker *claims* it (queued → sending, one UPDATE that only one worker can
win), sends, and marks it sent. A worker killed between claim and mark leaves the row in
"sending"; ``deliver_due`` hands rows claimed longer than the lease
(``settings.MAIL_LEASE_SECONDS``) ago back to the queue. A failed send is retried with growing
pauses, then marked failed for the practice admin to see.

No cron is needed: the worker runs ``deliver_due`` itself as a sweep task that enqueues its own
next run (``settings.MAIL_SWEEP_SECONDS`` later), and ``manage.py db_worker`` starts the sweep
when the worker starts (``notifications/management/commands/db_worker.py``). A send the worker
was killed in the middle of goes out once more after the lease; a mail server that had already
accepted it then gets it twice (no SMTP client can tell), every other mail exactly once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import linebreaks, urlize
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from bollplank.core import clock
from bollplank.core.audit import audit
from bollplank.core.mail import branding_of, is_muted
from bollplank.core.models import Practice
from bollplank.core.periodic import ensure_pending
from bollplank.core.tasking import task_at
from bollplank.meetings.models import Meeting
from bollplank.notifications.enums import OPTIONAL_KINDS, MailKind, MailStatus
from bollplank.notifications.models import OptOut, OutgoingMail

log = logging.getLogger(__name__)

# Pauses before the 2nd, 3rd, … attempt; after the last one the mail is marked failed.
BACKOFF = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=12),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
# The worker's tasks (notifications/tasks.py), enqueued by reference (core/tasking.py).
DELIVER_TASK_PATH = "bollplank.notifications.tasks.deliver_mail"
SWEEP_TASK_PATH = "bollplank.notifications.tasks.deliver_due_mail"
UNSUBSCRIBE_SALT = "bollplank.notifications.unsubscribe"


def unsubscribe_token(email: str, kind: str) -> str:
    """A signed, non-expiring token that turns off one optional kind for one address."""
    return signing.dumps({"e": email.lower(), "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[str, str] | None:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("k") not in OPTIONAL_KINDS:
        return None
    return str(data.get("e", "")), str(data["k"])


def is_opted_out(email: str, kind: str) -> bool:
    return kind in OPTIONAL_KINDS and OptOut.objects.filter(email=email.lower(), kind=kind).exists()


def queue_mail(
    *,
    to: str,
    template: str,
    context: dict[str, Any],
    language: str = "sv",
    kind: str = MailKind.OTHER,
    practice: Practice | None = None,
    meeting: Any = None,
    send_after: dt.datetime | None = None,
    ics: str = "",
    ics_method: str = "",
    dedupe_key: str | None = None,
    attachment: tuple[str, bytes, str] | None = None,
    reply_to: str = "",
) -> OutgoingMail | None:
    """Render ``<template>_subject.txt``/``.txt``/``.html`` in ``language`` and put the mail in
    the outbox; it is sent after the transaction commits (a rolled-back change sends nothing),
    not before ``send_after``. Optional kinds get an unsubscribe link and are not sent to a
    person who turned them off. Never put confidential text in ``context``: say that something
    happened and link to it. Returns None when ``dedupe_key`` was queued before."""
    if is_muted():
        return None
    to = to.strip()
    if dedupe_key and OutgoingMail.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    context = {**context, "site_url": settings.SITE_URL}
    if kind in OPTIONAL_KINDS:
        context["unsubscribe_url"] = settings.SITE_URL + reverse(
            "notifications_unsubscribe", args=[unsubscribe_token(to, kind)]
        )
    with translation.override(language):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        text = str(render_to_string(f"{template}.txt", context))
        html = ""  # plain text only (the invoice mail): the HTML part is made from the text
        with contextlib.suppress(TemplateDoesNotExist):
            html = str(render_to_string(f"{template}.html", context))
        text, html = branded(
            text=text,
            html=html,
            context=context,
            practice=practice,
            language=language,
            footer=kind in OPTIONAL_KINDS,
        )
    with scopes_disabled():
        mail = OutgoingMail.objects.create(
            practice=practice,
            kind=kind,
            to=to,
            language=language,
            subject=subject[:300],
            text=text,
            html=html,
            ics=ics,
            ics_method=ics_method,
            meeting=meeting,
            meeting_sequence=getattr(meeting, "sequence", None),
            dedupe_key=dedupe_key,
            send_after=send_after or clock.now(),
            attachment=attachment[1] if attachment else b"",
            attachment_name=attachment[0] if attachment else "",
            attachment_type=attachment[2] if attachment else "",
            reply_to=reply_to,
        )
    pk = mail.pk
    transaction.on_commit(lambda: schedule(pk, mail.send_after))
    return mail


_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.S | re.I)


def branded(
    *,
    text: str,
    html: str,
    context: dict[str, Any],
    practice: Practice | None,
    language: str,
    footer: bool,
) -> tuple[str, str]:
    """Both parts of a mail in the practice's dress: its name and logo on top, its signature
    (or name) below, the unsubscribe footer for optional kinds, the language on the page.
    A mail written as plain text only gets an HTML part made from its text."""
    if not html.strip():
        html = str(linebreaks(urlize(text.strip(), autoescape=True), autoescape=False))
    found = _BODY.search(html)
    body = found.group(1) if found else html
    brand = {
        "practice_name": practice.name if practice else "Bollplank",
        "signature": (practice.email_signature.strip() if practice else "")
        or (practice.name if practice else "Bollplank"),
        "logo_url": "",
        **branding_of(practice),
    }
    layout = {**context, **brand, "body": body, "language": language, "footer": footer}
    html = render_to_string("notifications/email/layout.html", layout)
    text = text.rstrip() + "\n\n-- \n" + brand["signature"] + "\n"
    if footer:
        text += render_to_string("notifications/email/_footer.txt", context)
    return text, html


def schedule(mail_id: int, when: dt.datetime) -> None:
    """Hand the mail to the task worker, deferred to ``when`` where the backend can defer.
    Where it cannot, ``deliver_due`` (the ``send_due_mail`` command) picks it up when due."""
    from django_tasks import default_task_backend

    if when <= clock.now():
        task_at(DELIVER_TASK_PATH).enqueue(mail_id=mail_id)
    elif default_task_backend.supports_defer:
        task_at(DELIVER_TASK_PATH).using(run_after=when).enqueue(mail_id=mail_id)


def _obsolete(mail: OutgoingMail) -> bool:
    """A reminder whose meeting was cancelled or moved after it was queued."""
    if mail.kind not in (MailKind.REMINDER, MailKind.QUESTIONS) or mail.meeting_sequence is None:
        return False
    if mail.meeting_id is None:  # the meeting was deleted
        return True
    meeting = Meeting.objects.filter(pk=mail.meeting_id).first()
    return meeting is None or meeting.is_cancelled or meeting.sequence != mail.meeting_sequence


def _message(mail: OutgoingMail) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=mail.subject,
        body=mail.text,
        to=[mail.to],
        reply_to=[mail.reply_to] if mail.reply_to else None,
    )
    if mail.attachment_name:
        message.attach(mail.attachment_name, bytes(mail.attachment), mail.attachment_type)
    if mail.html:
        message.attach_alternative(mail.html, "text/html")
    if mail.ics:
        # Both as an alternative (what Outlook and Gmail read as an invitation) and as a file.
        # The method parameter must match the file's METHOD (a file without one gets none).
        # Django adds the charset parameter itself: naming it here would repeat it.
        method = f"; method={mail.ics_method}" if mail.ics_method else ""
        message.attach_alternative(mail.ics, f"text/calendar{method}")
        message.attach("invite.ics", mail.ics, f"application/ics{method}")
    return message


@scopes_disabled()
def deliver(mail_id: int, *, now: dt.datetime | None = None) -> str:
    """Send one mail if it is due and nobody else has claimed it. Returns its status."""
    now = now or clock.now()
    claimed = OutgoingMail.objects.filter(
        pk=mail_id, status=MailStatus.QUEUED, send_after__lte=now
    ).update(status=MailStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    mail = OutgoingMail.objects.filter(pk=mail_id).first()
    if mail is None:
        return "missing"
    if not claimed:
        return str(mail.status)
    if _obsolete(mail) or is_opted_out(mail.to, mail.kind):
        mail.status = MailStatus.SKIPPED
        mail.save(update_fields=["status"])
        return str(mail.status)
    try:
        _message(mail).send()
    except Exception as exc:  # the mail server's problem, whatever it is: retry later
        log.warning("mail %s failed (attempt %s): %s", mail.pk, mail.attempts, type(exc).__name__)
        mail.last_error = f"{type(exc).__name__}: {exc}"[:500]
        if mail.attempts >= MAX_ATTEMPTS:
            mail.status = MailStatus.FAILED
        else:
            mail.status = MailStatus.QUEUED
            mail.send_after = now + BACKOFF[mail.attempts - 1]
        mail.save(update_fields=["status", "last_error", "send_after"])
        if mail.status == MailStatus.QUEUED:
            transaction.on_commit(lambda: schedule(mail.pk, mail.send_after))
        return str(mail.status)
    mail.status, mail.sent_at = MailStatus.SENT, clock.now()
    mail.save(update_fields=["status", "sent_at"])
    return str(mail.status)


def lease() -> dt.timedelta:
    """How long a claim holds before the row is taken to be from a dead worker."""
    return dt.timedelta(seconds=settings.MAIL_LEASE_SECONDS)


@scopes_disabled()
def release_stale_claims(*, now: dt.datetime | None = None) -> int:
    """Rows claimed longer than the lease ago go back to the queue (their worker died between
    claiming and marking them). Returns how many."""
    now = now or clock.now()
    return OutgoingMail.objects.filter(
        status=MailStatus.SENDING, claimed_at__lt=now - lease()
    ).update(status=MailStatus.QUEUED)


@scopes_disabled()
def deliver_due(*, now: dt.datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Return stale claims to the queue, then send what is due (oldest first)."""
    now = now or clock.now()
    release_stale_claims(now=now)
    due = list(
        OutgoingMail.objects.filter(status=MailStatus.QUEUED, send_after__lte=now)
        .order_by("send_after", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    counts: dict[str, int] = {}
    for pk in due:
        status = deliver(pk, now=now)
        counts[status] = counts.get(status, 0) + 1
    return counts


@scopes_disabled()
def mail_retry(*, actor: Any, mail: OutgoingMail) -> OutgoingMail:
    """A practice admin sends a failed mail once more."""
    if mail.status != MailStatus.FAILED:
        raise ValidationError(_("Only a failed e-mail can be sent again."))
    mail.status, mail.send_after, mail.attempts = MailStatus.QUEUED, clock.now(), 0
    mail.save(update_fields=["status", "send_after", "attempts"])
    audit(actor, "notifications.mail.retried", mail)
    transaction.on_commit(lambda: schedule(mail.pk, mail.send_after))
    return mail


def ensure_sweep(*, delay: dt.timedelta | None = None) -> bool:
    """Enqueue the sweep task (``deliver_due_mail``) ``delay`` from now unless one is already
    waiting, so that one chain of sweeps runs however many workers start (core.periodic).
    Only with the database task backend; with another, run ``manage.py send_due_mail`` from
    cron instead. Returns whether it enqueued one."""
    return ensure_pending(
        task_at(SWEEP_TASK_PATH), delay=sweep_interval() if delay is None else delay
    )


def sweep_interval() -> dt.timedelta:
    return dt.timedelta(seconds=settings.MAIL_SWEEP_SECONDS)
