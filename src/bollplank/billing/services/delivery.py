"""Delivering issued invoices and credit notes to their buyers, from the task worker.

Issuing queues a delivery in the same transaction (``delivery_queue``): by Peppol when the
buyer has a Peppol address and the practice has an access point, else the PDF by e-mail to
the client's first contact. The worker *claims* the row (queued → sending, one UPDATE only one
worker wins), hands the invoice to the transport and records the outcome. A failure the far
end may get over (unreachable, HTTP 5xx, 429) is tried again after growing pauses, the
outbox's way (notifications/outbox.py); a refusal fails the delivery at once with the reason,
for the practice admin to see on the invoice and send again once fixed. A document the access
point took is followed (GET its status) until it is delivered or refused.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from bollplank.billing.enums import DeliveryChannel, DeliveryStatus
from bollplank.billing.models import AccessPoint, Delivery, Invoice
from bollplank.billing.transports import (
    AccessPointTransport,
    DeliveryError,
    EmailTransport,
    Transport,
)
from bollplank.core import clock, crypto
from bollplank.core.audit import audit
from bollplank.core.mail import is_muted
from bollplank.core.models import Practice
from bollplank.core.periodic import ensure_pending
from bollplank.core.tasking import task_at

log = logging.getLogger(__name__)

# Pauses before the 2nd, 3rd, … attempt; after the last one the delivery has failed.
BACKOFF = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=12),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
# Pauses between looks at a sent document's status; after the last the delivery stays "sent"
# (the access point took it; most never report more).
CHECKS = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=10),
    dt.timedelta(hours=1),
    dt.timedelta(hours=6),
    dt.timedelta(hours=24),
)
# A claim older than this is from a worker that died while sending.
LEASE = dt.timedelta(minutes=10)
# The worker's tasks (billing/tasks.py), enqueued by reference (core/tasking.py).
DELIVER_TASK = "bollplank.billing.tasks.deliver_invoice"
CHECK_TASK = "bollplank.billing.tasks.check_delivery"
SWEEP_TASK = "bollplank.billing.tasks.deliver_due_invoices"
SWEEP_INTERVAL = dt.timedelta(minutes=10)


@transaction.atomic
def access_point_save(
    *,
    actor: Any,
    practice: Practice,
    base_url: str,
    peppol_scheme: str,
    peppol_id: str,
    api_key: str = "",
) -> AccessPoint:
    """Set the practice's Peppol access point. An empty ``api_key`` keeps the stored one (the
    form never shows it back); a new one is stored encrypted. The audit log names the fields
    that changed, never the key."""
    point = AccessPoint.objects.filter(practice=practice).first() or AccessPoint(practice=practice)
    changed = [
        name
        for name, value in (
            ("base_url", base_url),
            ("peppol_scheme", peppol_scheme),
            ("peppol_id", peppol_id),
        )
        if getattr(point, name) != value
    ]
    point.base_url, point.peppol_scheme, point.peppol_id = base_url, peppol_scheme, peppol_id
    if api_key:
        point.api_key_encrypted = crypto.encrypt(api_key)
        changed.append("api_key")
    if not point.api_key_encrypted:
        raise ValidationError({"api_key": _("Give the access point's API key.")})
    point.full_clean(exclude=["practice"])
    point.save()
    audit(actor, "billing.access_point.saved", point, {"fields": changed})
    return point


@transaction.atomic
def access_point_remove(*, actor: Any, practice: Practice) -> bool:
    """Remove the access point: invoices issued from now on go by e-mail."""
    deleted, _rows = AccessPoint.objects.filter(practice=practice).delete()
    if deleted:
        audit(actor, "billing.access_point.removed", None, practice=practice)
    return bool(deleted)


def delivery_route(invoice: Invoice) -> tuple[str, str]:
    """(channel, recipient) for an issued invoice: Peppol to the buyer's Peppol address as
    issued when the practice has an access point, else e-mail to the client's first contact
    (empty when it has none: the delivery then fails and says so)."""
    buyer = invoice.buyer or {}
    has_access_point = AccessPoint.objects.filter(practice_id=invoice.practice_id).exists()
    if has_access_point and buyer.get("peppol_scheme") and buyer.get("peppol_id"):
        return DeliveryChannel.PEPPOL, f"{buyer['peppol_scheme']}:{buyer['peppol_id']}"
    contact = invoice.client.contacts.order_by("pk").first()
    return DeliveryChannel.EMAIL, contact.email if contact else ""


def delivery_queue(*, invoice: Invoice, actor: Any = None) -> Delivery | None:
    """Queue the delivery of an issued invoice; the worker sends it after the commit. Nothing
    while mail is muted (demo and bench data)."""
    if is_muted():
        return None
    channel, recipient = delivery_route(invoice)
    now = clock.now()
    delivery = Delivery.objects.create(
        practice=invoice.practice,
        invoice=invoice,
        channel=channel,
        recipient=recipient,
        next_attempt_at=now,
        created_at=now,
        requested_by=actor,
    )
    pk = delivery.pk
    transaction.on_commit(lambda: schedule(DELIVER_TASK, pk, now))
    return delivery


def schedule(path: str, delivery_id: int, when: dt.datetime) -> None:
    """Hand the delivery to the worker, deferred to ``when`` where the backend can defer;
    where it cannot, ``deliveries_due`` picks it up when due."""
    from django_tasks import default_task_backend

    if when <= clock.now():
        task_at(path).enqueue(delivery_id=delivery_id)
    elif default_task_backend.supports_defer:
        task_at(path).using(run_after=when).enqueue(delivery_id=delivery_id)


def transport_for(delivery: Delivery) -> Transport:
    if delivery.channel == DeliveryChannel.PEPPOL:
        point = AccessPoint.objects.filter(practice_id=delivery.practice_id).first()
        if point is None:
            raise DeliveryError(
                _("The practice has no Peppol access point any more."), permanent=True
            )
        return AccessPointTransport(point)
    return EmailTransport()


def _fail(delivery: Delivery, message: str) -> None:
    delivery.status, delivery.last_error = DeliveryStatus.FAILED, message[:500]
    audit(
        None,
        "billing.invoice.delivery_failed",
        delivery.invoice,
        {"delivery": delivery.pk, "channel": delivery.channel, "attempts": delivery.attempts},
    )


@scopes_disabled()
def delivery_attempt(delivery_id: int, *, now: dt.datetime | None = None) -> str:
    """Send one delivery if it is due and nobody else has claimed it. Returns its status."""
    now = now or clock.now()
    claimed = Delivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.QUEUED, next_attempt_at__lte=now
    ).update(status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    delivery = (
        Delivery.objects.select_related("invoice__practice", "invoice__client")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None:
        return "missing"
    if not claimed:
        return str(delivery.status)
    try:
        try:
            delivery.message_id = transport_for(delivery).send(delivery.invoice, delivery.recipient)
        except DeliveryError:
            raise
        except Exception as exc:  # anything else (a key, a PDF): counted and tried again
            log.exception("delivery %s broke", delivery.pk)
            raise DeliveryError(type(exc).__name__, permanent=False) from exc
    except DeliveryError as exc:
        log.warning("delivery %s failed (attempt %s)", delivery.pk, delivery.attempts)
        if exc.permanent or delivery.attempts >= MAX_ATTEMPTS:
            _fail(delivery, exc.message)
        else:
            delivery.status, delivery.last_error = DeliveryStatus.QUEUED, exc.message[:500]
            delivery.next_attempt_at = now + BACKOFF[delivery.attempts - 1]
            pk, when = delivery.pk, delivery.next_attempt_at
            transaction.on_commit(lambda: schedule(DELIVER_TASK, pk, when))
        delivery.save(update_fields=["status", "last_error", "next_attempt_at"])
        return str(delivery.status)
    delivery.status, delivery.sent_at, delivery.last_error = DeliveryStatus.SENT, clock.now(), ""
    # From here on the time of the next look at its status (the sweep looks too).
    delivery.next_attempt_at = now + CHECKS[0]
    delivery.save(
        update_fields=["status", "sent_at", "message_id", "last_error", "next_attempt_at"]
    )
    audit(
        None,
        "billing.invoice.delivery_sent",
        delivery.invoice,
        {"delivery": delivery.pk, "channel": delivery.channel},
    )
    if delivery.channel == DeliveryChannel.PEPPOL:
        pk, when = delivery.pk, delivery.next_attempt_at
        transaction.on_commit(lambda: schedule(CHECK_TASK, pk, when))
    return str(delivery.status)


@scopes_disabled()
def delivery_check(delivery_id: int, *, now: dt.datetime | None = None) -> str:
    """Ask the access point where a sent document is: delivered, refused, or not yet (then
    look again later, a few times)."""
    now = now or clock.now()
    delivery = Delivery.objects.select_related("invoice").filter(pk=delivery_id).first()
    if delivery is None:
        return "missing"
    if delivery.status != DeliveryStatus.SENT or delivery.channel != DeliveryChannel.PEPPOL:
        return str(delivery.status)
    delivery.checks += 1
    try:
        outcome = transport_for(delivery).status(delivery.message_id)
    except DeliveryError as exc:
        delivery.last_error = exc.message[:500]
        outcome = None
    if outcome is not None and outcome.state == "delivered":
        delivery.status, delivery.delivered_at, delivery.last_error = (
            DeliveryStatus.DELIVERED,
            now,
            "",
        )
    elif outcome is not None and outcome.state == "failed":
        _fail(delivery, outcome.error)
    elif delivery.checks < len(CHECKS):
        delivery.next_attempt_at = now + CHECKS[delivery.checks]
        pk, when = delivery.pk, delivery.next_attempt_at
        transaction.on_commit(lambda: schedule(CHECK_TASK, pk, when))
    delivery.save(
        update_fields=["status", "delivered_at", "last_error", "checks", "next_attempt_at"]
    )
    return str(delivery.status)


@scopes_disabled()
def deliveries_due(*, now: dt.datetime | None = None, limit: int = 200) -> dict[str, int]:
    """Claims older than the lease back to the queue (their worker died), then send what is
    due and look at the sent documents whose next look is due: for a backend that cannot defer
    the retries, and after a worker was lost."""
    now = now or clock.now()
    Delivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=now - LEASE).update(
        status=DeliveryStatus.QUEUED
    )
    due = list(
        Delivery.objects.filter(status=DeliveryStatus.QUEUED, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    counts: dict[str, int] = {}
    for pk in due:
        status = delivery_attempt(pk, now=now)
        counts[status] = counts.get(status, 0) + 1
    to_check = list(
        Delivery.objects.filter(
            status=DeliveryStatus.SENT,
            channel=DeliveryChannel.PEPPOL,
            checks__lt=len(CHECKS),
            next_attempt_at__lte=now,
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in to_check:
        status = delivery_check(pk, now=now)
        counts[status] = counts.get(status, 0) + 1
    return counts


@transaction.atomic
def delivery_resend(*, actor: Any, delivery: Delivery) -> Delivery:
    """A practice admin sends a failed delivery again: a new delivery, by the route that holds
    now (an access point set up since, a contact added), the failed one kept as history."""
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.status != DeliveryStatus.FAILED:
        raise ValidationError(_("Only a failed delivery can be sent again."))
    invoice = Invoice.objects.select_related("client", "practice").get(pk=delivery.invoice_id)
    if invoice.deliveries.exclude(status=DeliveryStatus.FAILED).filter(pk__gt=delivery.pk).exists():
        raise ValidationError(_("The invoice has been sent again already."))
    again = delivery_queue(invoice=invoice, actor=actor)
    assert again is not None
    audit(
        actor,
        "billing.invoice.delivery_resent",
        invoice,
        {"failed": delivery.pk, "delivery": again.pk, "channel": again.channel},
    )
    return again


def ensure_delivery_sweep(*, delay: dt.timedelta = SWEEP_INTERVAL) -> bool:
    """Make sure a run of ``deliver_due_invoices`` is waiting (database backend only)."""
    return ensure_pending(task_at(SWEEP_TASK), delay=delay)
